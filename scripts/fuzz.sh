#!/usr/bin/env bash
# Builds the libFuzzer targets (clang; library and decoders with ASan + UBSan and coverage
# instrumentation) in build/fuzz and runs each for SECONDS (default 60) on a temporary copy
# of its seed corpus (test/fuzz/corpus/<target>, plus test/fuzz/regressions/<target>), so
# the tree is never modified. Fails on any crash, sanitizer report, broken check, leak or
# timeout; the input that failed is kept in build/fuzz/artifacts/<target>/.
# Usage: scripts/fuzz.sh [SECONDS] [TARGET...]
#   targets: fully-connected convolution convert quantize-weights (default: all)
#   PQNN_ISA=<tier> in the environment fuzzes a lower ISA tier's kernels.
# See docs/hardening.md.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
if [ $# -gt 0 ]; then shift; fi
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(fully-connected convolution convert quantize-weights)
fi
build_dir=build/fuzz
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$(pwd)}"
# Debug builds: leave the build directory out of the hash so other clones hit too.
export CCACHE_NOHASHDIR="${CCACHE_NOHASHDIR:-1}"

./scripts/install-deps.sh clang
# libFuzzer and the sanitizer runtimes come with libclang-rt-<major>-dev (see test.sh).
probe=$(mktemp -d)
if ! echo 'extern "C" int LLVMFuzzerTestOneInput(const char*, unsigned long) { return 0; }' |
    clang++ -x c++ -fsanitize=fuzzer,address,undefined - -o "$probe/a.out" >/dev/null 2>&1; then
  ./scripts/install-deps.sh "libclang-rt-$(clang -dumpversion | cut -d. -f1)-dev"
fi
rm -rf "$probe"

start=$(date +%s)
CC=clang CXX=clang++ cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DPQNN_BUILD_TESTS=OFF -DPQNN_BUILD_BENCHMARKS=OFF -DPQNN_BUILD_FUZZERS=ON >/dev/null
cmake --build "$build_dir" -j "$(nproc)" --target "${targets[@]/%/-fuzzer}"
echo "scripts/fuzz.sh: build took $(( $(date +%s) - start )) s"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
failed=0
for target in "${targets[@]}"; do
  corpus="$work/$target/corpus"
  artifacts="$build_dir/artifacts/$target"
  mkdir -p "$corpus" "$artifacts"
  cp test/fuzz/corpus/"$target"/* "$corpus"/
  seeds=()
  if [ -d "test/fuzz/regressions/$target" ]; then seeds=("test/fuzz/regressions/$target"); fi
  log="$work/$target/log"
  status=0
  # New inputs go to the first directory only (the temporary copy).
  "$build_dir/test/fuzz/$target-fuzzer" -max_total_time="$seconds" -timeout=30 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$artifacts/" "$corpus" "${seeds[@]}" \
    >"$log" 2>&1 || status=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 || true)
  echo "scripts/fuzz.sh: $target: ${execs:-?} executions in ${seconds} s (${rate:-?}/s), ${cov:-cov: ?}, corpus $(ls "$corpus" | wc -l) inputs"
  if [ "$status" -ne 0 ]; then
    echo "scripts/fuzz.sh: $target FAILED (exit $status); inputs kept in $artifacts:" >&2
    ls "$artifacts" >&2 || true
    tail -n 60 "$log" >&2
    failed=1
  fi
done
exit "$failed"
