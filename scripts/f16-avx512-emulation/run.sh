#!/usr/bin/env bash
# Runs the f16 kernel test suites against the generated avx512skx f16 kernels compiled with
# the scalar intrinsic emulation in immintrin.h next to this script, for machines without
# AVX512 (verification of the kernels' logic, tails, masks and no-over-read; not of the
# hardware instructions). Needs a build dir configured with
#   -DPQNN_SANITIZE=address,undefined   (default: build-asan)
# Usage: scripts/f16-avx512-emulation/run.sh [build-dir]
set -euo pipefail
cd "$(dirname "$0")/../.."
B=${1:-build-asan}
cmake --build "$B" --target pqnn_static pqnn_test_common >/dev/null
E=scripts/f16-avx512-emulation
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
SAN="-fsanitize=address,undefined -fno-sanitize-recover=all"
defs=""
for k in 1x32 7x32 8x32; do
  defs="$defs -Dpqnn_f16_gemm_minmax_ukernel_${k}__avx512skx=emu_f16_gemm_${k}"
  defs="$defs -Dpqnn_f16_igemm_minmax_ukernel_${k}__avx512skx=emu_f16_igemm_${k}"
done
for k in 9p16c 25p16c anyp16c; do
  defs="$defs -Dpqnn_f16_dwconv_minmax_ukernel_${k}__avx512skx=emu_f16_dwconv_${k}"
done
objs=()
for f in src/microkernels/f16-*/*-avx512skx.c; do
  o="$T/$(basename "$(dirname "$f")")-$(basename "$f" .c).o"
  gcc -O0 -std=c11 -Wall -Wextra -Werror $SAN -I"$E" -Iinclude -Isrc $defs -c "$f" -o "$o" &
  objs+=("$o")
done
wait
g++ -O0 -std=c++17 $SAN -Isrc -Itest -Iinclude "$E/driver.cc" "${objs[@]}" \
  "$B/test/libpqnn_test_common.a" "$B/libpqnn.a" -lgtest_main -lgtest -lcpuinfo -lpthreadpool \
  -lpthread -lm -o "$T/emu-test"
"$T/emu-test" --gtest_filter='*AVX512*'
