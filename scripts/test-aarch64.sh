#!/usr/bin/env bash
# Cross-builds pqnn and its tests for aarch64 Linux and runs the whole ctest suite under
# qemu-user (qemu-aarch64 -cpu max): the operator suites once per Arm tier (PQNN_ISA=scalar,
# neon, neonfp16arith, neondot), the kernel testers once (every kernel the emulated CPU
# has). Exit status: 0 when every test passes, 1 when one fails, 3 when the toolchain
# cannot be installed (the caller decides whether that is fatal; scripts/test.sh says so
# loudly).
# Usage: scripts/test-aarch64.sh [--build-dir DIR]
# Environment: PQNN_AARCH64_TEST_SHAPES  random shapes per operator test under emulation
#              (default 12; every kernel and path still runs). See docs/arm.md.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=build/aarch64
while [ $# -gt 0 ]; do
  case "$1" in
    --build-dir) build_dir="$2"; shift 2 ;;
    *) echo "usage: scripts/test-aarch64.sh [--build-dir DIR]" >&2; exit 2 ;;
  esac
done
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$(pwd)}"
# Debug builds: leave the build directory out of the hash so other clones hit too.
export CCACHE_NOHASHDIR="${CCACHE_NOHASHDIR:-1}"
jobs=$(nproc)

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null 2>&1; then sudo "$@"; else
    return 1
  fi
}

# 1. Host tools: the cross compilers and qemu-user (system packages).
tools=(gcc-aarch64-linux-gnu g++-aarch64-linux-gnu qemu-user ninja-build cmake ccache)
missing=()
for p in "${tools[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -ne 0 ]; then
  echo "test-aarch64: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  if ! { as_root apt-get -o DPkg::Lock::Timeout=600 update -qq &&
         as_root apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends \
           "${missing[@]}" >/dev/null; }; then
    echo "test-aarch64: cannot install ${missing[*]}" >&2
    exit 3
  fi
fi

# 2. arm64 libraries (cpuinfo, pthreadpool, googletest), unpacked into a private prefix
# rather than installed: Debian's libpthreadpool0/-dev are not Multi-Arch, so installing the
# arm64 ones removes the host's, and libcpuinfo-dev:arm64 cannot be installed beside the
# amd64 one (their cmake files differ). The .debs come from apt's cache or `apt-get
# download` (after adding the arm64 architecture).
deps_dir="$build_dir-deps"
debs=(libcpuinfo0 libcpuinfo-dev libpthreadpool0 libpthreadpool-dev libgtest-dev)
if [ ! -f "$deps_dir/.complete" ]; then
  rm -rf "$deps_dir"
  mkdir -p "$deps_dir/debs"
  for p in "${debs[@]}"; do
    deb=$(ls /var/cache/apt/archives/"${p}"_*_arm64.deb 2>/dev/null | sort -V | tail -1 || true)
    if [ -z "$deb" ]; then
      if ! dpkg --print-foreign-architectures | grep -qx arm64; then
        as_root dpkg --add-architecture arm64 || { echo "test-aarch64: cannot add arm64" >&2; exit 3; }
        as_root apt-get -o DPkg::Lock::Timeout=600 update -qq || true
      fi
      if ! (cd "$deps_dir/debs" && apt-get download -qq "$p:arm64" >/dev/null 2>&1); then
        as_root apt-get -o DPkg::Lock::Timeout=600 update -qq || true
        (cd "$deps_dir/debs" && apt-get download -qq "$p:arm64" >/dev/null) ||
          { echo "test-aarch64: cannot download $p:arm64" >&2; exit 3; }
      fi
      deb=$(ls "$deps_dir/debs/${p}"_*_arm64.deb | tail -1)
    fi
    dpkg-deb -x "$deb" "$deps_dir"
  done
  touch "$deps_dir/.complete"
fi
deps_prefix=$(cd "$deps_dir" && pwd)

# 3. Cross build (tests only: the benchmarks are not run under emulation).
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_TOOLCHAIN_FILE="$(pwd)/cmake/toolchains/aarch64-linux-gnu.cmake" \
  -DPQNN_AARCH64_PREFIX="$deps_prefix" \
  -DPQNN_BUILD_TESTS=ON -DPQNN_BUILD_BENCHMARKS=OFF -DPQNN_BUILD_ALL_MICROKERNELS=ON >/dev/null
cmake --build "$build_dir" -j "$jobs"

# 4. The suite, through the toolchain's CMAKE_CROSSCOMPILING_EMULATOR. arm-detection-test
# fails unless cpuinfo and the auxv fallback both report every Arm tier of -cpu max (so
# the per-tier suites cannot silently run a lower tier), and the *.cortex-a53 tests rerun
# detection and the f16 suites on a CPU without FP16 arithmetic or dot product.
qemu=(qemu-aarch64 -cpu max -L /usr/aarch64-linux-gnu -E LD_LIBRARY_PATH=/usr/aarch64-linux-gnu/lib)
export PQNN_TEST_SHAPES="${PQNN_AARCH64_TEST_SHAPES:-12}"
start=$(date +%s)
ctest --test-dir "$build_dir" --output-on-failure -j "$jobs"
echo "test-aarch64: ctest under ${qemu[*]} took $(( $(date +%s) - start )) s"
