#!/usr/bin/env bash
# Installs missing dependencies, builds pqnn with its tests, and runs every test (ctest).
# Usage: scripts/test.sh [--build-dir DIR] [--sanitize | --tsan]
#   (default)   RelWithDebInfo build in build/test, the whole ctest suite; then
#               scripts/test-aarch64.sh (cross build, the suite under qemu-aarch64), then
#               scripts/test-wasm.sh (no-pthreadpool build, WASM suite under node).
#   --sanitize  clang AddressSanitizer + UndefinedBehaviorSanitizer (+ LeakSanitizer) build in
#               build/sanitize, the whole ctest suite (native and emulated); any report fails.
#   --tsan      clang ThreadSanitizer build in build/tsan; builds and runs the concurrency
#               test (shared packed weights, per-thread pools, initialize from many
#               threads); any report fails.
# See docs/hardening.md.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=plain
build_dir=""
while [ $# -gt 0 ]; do
  case "$1" in
    --build-dir) build_dir="$2"; shift 2 ;;
    --sanitize) mode=sanitize; shift ;;
    --tsan) mode=tsan; shift ;;
    *) echo "usage: scripts/test.sh [--build-dir DIR] [--sanitize | --tsan]" >&2; exit 2 ;;
  esac
done
jobs=$(nproc)
# ccache keys on paths relative to the checkout, so every clone shares one cache.
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$(pwd)}"
# Debug builds: leave the build directory out of the hash so other clones hit too.
export CCACHE_NOHASHDIR="${CCACHE_NOHASHDIR:-1}"

if [ "$mode" = plain ]; then
  build_dir=${build_dir:-build/test}
  ./scripts/install-deps.sh
  ./scripts/check-generated.sh
  cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DPQNN_BUILD_TESTS=ON -DPQNN_BUILD_BENCHMARKS=ON -DPQNN_BUILD_ALL_MICROKERNELS=ON
  cmake --build "$build_dir" -j "$jobs"
  # The x86 GEMM/IGEMM/DWCONV/convert kernel loops of this (gcc) build, of a clang build and
  # of a gcc Release (-O3) build, disassembled: no stack traffic, no copies
  # (docs/qd8-performance.md).
  ./scripts/analysis/check-inner-loops.sh "$build_dir"
  # ONNX Runtime (npm onnxruntime-node) is the reference of the ONNX importer's tests
  # (docs/onnx.md); without node/npm those cases skip, loudly.
  if ! command -v npm >/dev/null 2>&1; then
    ./scripts/install-deps.sh nodejs npm || true
  fi
  if ! ./scripts/ort-reference.sh --install; then
    echo "######################################################################" >&2
    echo "# scripts/test.sh: ONNX Runtime unavailable: ONNX reference cases SKIP #" >&2
    echo "######################################################################" >&2
  fi
  ctest --test-dir "$build_dir" --output-on-failure -j "$jobs"
  # aarch64: cross-built, every test under qemu-user once per Arm tier (docs/arm.md).
  # Skipped only when its toolchain cannot be installed (status 3), and then loudly.
  rc=0
  ./scripts/test-aarch64.sh || rc=$?
  if [ "$rc" -eq 3 ]; then
    echo "########################################################################" >&2
    echo "# scripts/test.sh: aarch64 toolchain unavailable: the Arm suite was SKIPPED #" >&2
    echo "########################################################################" >&2
  elif [ "$rc" -ne 0 ]; then
    exit "$rc"
  fi
  # The native build without pthreadpool, then the WASM build and its suite under node
  # (skipped, loudly, only where emscripten cannot be installed). See docs/wasm.md.
  ./scripts/test-wasm.sh
  exit 0
fi

# Sanitizer builds: clang, optimized with debug info (the suites' run time stays close to
# the plain build's), no benchmarks (ctest does not run them).
if [ "$mode" = sanitize ]; then
  build_dir=${build_dir:-build/sanitize}
  sanitizers=address,undefined
else
  build_dir=${build_dir:-build/tsan}
  sanitizers=thread
fi
# Operator suites may run fewer random shapes each (every kernel and path still runs; the
# kernel testers are unchanged): PQNN_SANITIZE_TEST_SHAPES=<n>. See docs/hardening.md.
shapes=${PQNN_SANITIZE_TEST_SHAPES:-}
./scripts/install-deps.sh clang
# Debian ships clang's sanitizer runtimes in libclang-rt-<major>-dev, which clang only
# recommends (install-deps installs no recommendations): add it when a probe fails to link.
probe=$(mktemp -d)
if ! echo 'int main(void) { return 0; }' |
    clang -x c -fsanitize="$sanitizers" - -o "$probe/a.out" >/dev/null 2>&1; then
  ./scripts/install-deps.sh "libclang-rt-$(clang -dumpversion | cut -d. -f1)-dev"
fi
rm -rf "$probe"
CC=clang CXX=clang++ cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DPQNN_BUILD_TESTS=ON -DPQNN_BUILD_BENCHMARKS=OFF -DPQNN_BUILD_ALL_MICROKERNELS=ON -DPQNN_SANITIZE="$sanitizers" \
  -DPQNN_TEST_SHAPES="$shapes"
if [ "$mode" = sanitize ]; then
  cmake --build "$build_dir" -j "$jobs"
  # The clang and gcc Release K loops (uninstrumented objects: the sanitizers' checks would
  # be counted; both object builds are up to date after the plain mode).
  ./scripts/analysis/check-inner-loops.sh
else
  cmake --build "$build_dir" -j "$jobs" --target concurrency-test
fi
# Any report aborts the test binary with a non-zero status (-fno-sanitize-recover=all and
# halt_on_error), so ctest fails.
export ASAN_OPTIONS=detect_leaks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1
start=$(date +%s)
if [ "$mode" = sanitize ]; then
  ctest --test-dir "$build_dir" --output-on-failure -j "$jobs"
else
  ctest --test-dir "$build_dir" --output-on-failure -j "$jobs" -R 'concurrency-test'
fi
echo "scripts/test.sh --$mode: ctest took $(( $(date +%s) - start )) s"
