#!/usr/bin/env bash
# WebAssembly build and tests, and the native build without pthreadpool.
#   1. Native x86 build with -DPQNN_USE_PTHREADPOOL=OFF (tiles run inline): a few operator
#      suites (build/nopool).
#   2. Cross-build with emscripten (cmake/toolchains/emscripten.cmake, -msimd128, googletest
#      built from /usr/src/googletest) in build/wasm, and the whole ctest suite under node:
#      every kernel tester once, every operator suite per tier (PQNN_ISA=scalar, wasmsimd).
# Installs emscripten (Debian package, as root) when missing; when it cannot, prints a
# loud SKIPPED banner and exits 0 after step 1. See docs/wasm.md.
# Usage: scripts/test-wasm.sh [--no-nopool]   (--no-nopool: skip step 1)
#   PQNN_WASM_TEST_SHAPES=<n>  random shapes per operator suite under node (default: each
#                              suite's own count; node runs WASM natively, so no reduction)
set -euo pipefail
cd "$(dirname "$0")/.."
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$(pwd)}"
# Debug builds: leave the build directory out of the hash so other clones hit too.
export CCACHE_NOHASHDIR="${CCACHE_NOHASHDIR:-1}"
jobs=$(nproc)
nopool=1
while [ $# -gt 0 ]; do
  case "$1" in
    --no-nopool) nopool=0; shift ;;
    *) echo "usage: scripts/test-wasm.sh [--no-nopool]" >&2; exit 2 ;;
  esac
done
start=$(date +%s)

if [ "$nopool" = 1 ]; then
  echo "== test-wasm: native build without pthreadpool (build/nopool)"
  cmake -S . -B build/nopool -G Ninja -DCMAKE_BUILD_TYPE=Release -DPQNN_USE_PTHREADPOOL=OFF \
    -DPQNN_BUILD_TESTS=ON -DPQNN_BUILD_BENCHMARKS=OFF -DPQNN_BUILD_ALL_MICROKERNELS=ON >/dev/null
  nopool_tests="f32-convolution-test qs8-fully-connected-test qd8-convolution-test"
  nopool_tests+=" f16-fully-connected-test convert-operator-test init-test runtime-nodes-test"
  # shellcheck disable=SC2086
  cmake --build build/nopool -j "$jobs" --target $nopool_tests
  if nm -A build/nopool/libpqnn.a 2>/dev/null | grep -q ' U pthreadpool_'; then
    echo "test-wasm: the no-pthreadpool library references pthreadpool" >&2; exit 1
  fi
  PQNN_TEST_SHAPES=${PQNN_NOPOOL_TEST_SHAPES:-8} ctest --test-dir build/nopool \
    --output-on-failure -j "$jobs" \
    -R '^(f32-convolution-test|qs8-fully-connected-test|qd8-convolution-test|f16-fully-connected-test|convert-operator-test)\.(scalar|avx2)$|^(init|runtime-nodes)-test$'
fi

skip() {
  echo
  echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
  echo "!!! test-wasm: WASM TESTS SKIPPED: $*"
  echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
  exit 0
}

# --- toolchain: Debian's emscripten (brings clang/lld/binaryen and node) ---
if ! command -v emcc >/dev/null; then
  ./scripts/install-deps.sh emscripten node-acorn >/dev/null 2>&1 ||
    skip "emcc not found and 'apt-get install emscripten' failed (needs root and the Debian archive)"
fi
for tool in emcc node; do
  command -v "$tool" >/dev/null || skip "$tool not found"
done
# emscripten's JS optimizer needs acorn; Debian ships it in /usr/share/nodejs, which a
# node not from Debian does not search.
if [ -d /usr/share/nodejs ]; then
  export NODE_PATH="/usr/share/nodejs${NODE_PATH:+:$NODE_PATH}"
fi
if ! node -e 'require("acorn")' >/dev/null 2>&1; then
  ./scripts/install-deps.sh node-acorn >/dev/null 2>&1 || skip "node cannot load acorn (Debian: node-acorn)"
fi
node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 16 ]; then
  skip "node $node_major is too old for WASM SIMD (needs >= 16)"
fi

echo "== test-wasm: emscripten build (build/wasm)"
shapes=${PQNN_WASM_TEST_SHAPES:-}
cmake -S . -B build/wasm -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_TOOLCHAIN_FILE="$(pwd)/cmake/toolchains/emscripten.cmake" \
  -DPQNN_BUILD_TESTS=ON -DPQNN_BUILD_BENCHMARKS=OFF -DPQNN_BUILD_ALL_MICROKERNELS=ON -DPQNN_INSTALL=OFF \
  -DPQNN_TEST_SHAPES="$shapes" >/dev/null
cmake --build build/wasm -j "$jobs"
echo "== test-wasm: ctest under node $(node --version)"
ctest --test-dir build/wasm --output-on-failure -j "$jobs"
echo "scripts/test-wasm.sh: passed in $(( $(date +%s) - start )) s"
