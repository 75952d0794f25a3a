// Runs the f16 kernel test suites against the avx512skx kernels compiled with scalar
// emulations of their intrinsics (verification on a CPU without AVX512).
#include <pqnn.h>
extern "C" {
#include "hardware.h"
}

#define pqnn_f16_gemm_minmax_ukernel_1x32__avx512skx emu_f16_gemm_1x32
#define pqnn_f16_gemm_minmax_ukernel_7x32__avx512skx emu_f16_gemm_7x32
#define pqnn_f16_gemm_minmax_ukernel_8x32__avx512skx emu_f16_gemm_8x32
#define pqnn_f16_igemm_minmax_ukernel_1x32__avx512skx emu_f16_igemm_1x32
#define pqnn_f16_igemm_minmax_ukernel_7x32__avx512skx emu_f16_igemm_7x32
#define pqnn_f16_igemm_minmax_ukernel_8x32__avx512skx emu_f16_igemm_8x32
#define pqnn_f16_dwconv_minmax_ukernel_9p16c__avx512skx emu_f16_dwconv_9p16c
#define pqnn_f16_dwconv_minmax_ukernel_25p16c__avx512skx emu_f16_dwconv_25p16c
#define pqnn_f16_dwconv_minmax_ukernel_anyp16c__avx512skx emu_f16_dwconv_anyp16c
extern "C" {
#include "microkernels.h"
}
#define pqnn_isa_avx512 pqnn_isa_scalar
#include "microkernels/f16-gemm-test.cc"
#include "microkernels/f16-igemm-test.cc"
#include "microkernels/f16-dwconv-test.cc"
