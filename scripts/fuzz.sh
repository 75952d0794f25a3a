#!/usr/bin/env bash
# Builds the libFuzzer targets (clang; library and decoders with ASan + UBSan and coverage
# instrumentation) in build/fuzz and runs each for SECONDS (default 60) on a temporary copy
# of its seed corpus (test/fuzz/corpus/<target>, plus test/fuzz/regressions/<target>), so
# the tree is never modified. Fails on any crash, sanitizer report, broken check, leak or
# timeout; the input that failed is kept in build/fuzz/artifacts/<target>/.
# Usage: scripts/fuzz.sh [SECONDS] [TARGET...]
#   targets: fully-connected convolution convert quantize-weights runtime onnx-import
#   (default: all)
# onnx-import (the ONNX importer, test/onnx/fuzz) is seeded at fuzz time with the unit models
# of scripts/onnx-unit-models.py (and their truncated / bit-flipped copies), the three
# PaddleOCR models from scripts/fetch-models.sh's cache with truncated and mutated copies
# (scripts/onnx-fuzz-seeds.py; never committed) and test/onnx/fuzz/regressions/.
# Every ISA tier this CPU has natively is fuzzed: on x86-64 the tiers are read from
# /proc/cpuinfo with the library's detection rules (avx2 = AVX2 + FMA + F16C, avx512 =
# F + BW + DQ + VL, ...), and SECONDS is shared between them (at least 10 s each), so a CI
# machine with AVX512 or VNNI fuzzes those kernels natively. PQNN_ISA=<tier> in the
# environment fuzzes that one tier only. Tiers the CPU lacks are covered by the emulated
# kernel and operator suites (scripts/test.sh), not fuzzed.
# See docs/hardening.md.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
if [ $# -gt 0 ]; then shift; fi
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(fully-connected convolution convert quantize-weights runtime onnx-import)
fi

# The ISA tiers to fuzz (PQNN_ISA values).
native_tiers() {
  if [ "$(uname -m)" != x86_64 ] || [ ! -r /proc/cpuinfo ]; then
    echo default; return
  fi
  local flags
  flags=" $(grep -m1 '^flags' /proc/cpuinfo | cut -d: -f2) "
  has() { for f in "$@"; do case "$flags" in *" $f "*) ;; *) return 1 ;; esac; done; }
  local tiers=(scalar sse2)
  if has avx2 fma f16c; then
    tiers+=(avx2)
    if has avx_vnni; then tiers+=(avxvnni); fi
    if has avx512f avx512bw avx512dq avx512vl; then
      tiers+=(avx512)
      if has avx512_vnni; then tiers+=(avx512vnni); fi
    fi
  fi
  echo "${tiers[@]}"
}
if [ -n "${PQNN_ISA:-}" ]; then
  tiers=("$PQNN_ISA")
else
  read -r -a tiers <<<"$(native_tiers)"
fi
tier_seconds=$(( seconds / ${#tiers[@]} ))
if [ "$tier_seconds" -lt 10 ]; then tier_seconds=10; fi
echo "scripts/fuzz.sh: tiers ${tiers[*]}, ${tier_seconds} s each per target"
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
  mkdir -p "$corpus"
  seeds=()
  binary="$build_dir/test/fuzz/$target-fuzzer"
  if [ "$target" = onnx-import ]; then
    binary="$build_dir/test/onnx/fuzz/onnx-import-fuzzer"
    python=${PQNN_PYTHON:-/usr/bin/python3}
    "$python" scripts/onnx-unit-models.py "$work/onnx-units" >/dev/null
    cp "$work/onnx-units/corpus"/* "$corpus"/
    if models=$(./scripts/fetch-models.sh | tail -n 1); then
      "$python" scripts/onnx-fuzz-seeds.py "$corpus" "$models"/*.onnx
    elif [ -n "${CI:-}" ]; then
      echo "scripts/fuzz.sh: CI=1 but the PaddleOCR models cannot be fetched" >&2
      exit 1
    else
      echo "scripts/fuzz.sh: no PaddleOCR models (scripts/fetch-models.sh): unit models only" >&2
    fi
    if [ -d test/onnx/fuzz/regressions ]; then seeds=(test/onnx/fuzz/regressions); fi
  else
    cp test/fuzz/corpus/"$target"/* "$corpus"/
    if [ -d "test/fuzz/regressions/$target" ]; then seeds=("test/fuzz/regressions/$target"); fi
  fi
  # One corpus per target, grown tier after tier.
  for tier in "${tiers[@]}"; do
    artifacts="$build_dir/artifacts/$target/$tier"
    mkdir -p "$artifacts"
    log="$work/$target/log-$tier"
    isa=()
    if [ "$tier" != default ]; then isa=(env "PQNN_ISA=$tier"); fi
    status=0
    # New inputs go to the first directory only (the temporary copy).
    "${isa[@]}" "$binary" -max_total_time="$tier_seconds" -timeout=30 \
      -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$artifacts/" "$corpus" "${seeds[@]}" \
      >"$log" 2>&1 || status=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 || true)
    echo "scripts/fuzz.sh: $target [$tier]: ${execs:-?} executions in ${tier_seconds} s (${rate:-?}/s), ${cov:-cov: ?}, corpus $(ls "$corpus" | wc -l) inputs"
    if [ "$status" -ne 0 ]; then
      echo "scripts/fuzz.sh: $target [$tier] FAILED (exit $status); inputs kept in $artifacts:" >&2
      ls "$artifacts" >&2 || true
      tail -n 60 "$log" >&2
      failed=1
    fi
  done
done
exit "$failed"
