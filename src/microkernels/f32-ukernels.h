/* f32 microkernel declarations. Contracts: src/microkernels.h. */
#ifndef PQNN_F32_UKERNELS_H_
#define PQNN_F32_UKERNELS_H_

#include "common.h"
#include "microkernels.h"

#define PQNN_DECLARE_F32_GEMM(name)                                                        \
  PQNN_INTERNAL void name(size_t mr, size_t nc, size_t kc, const void* a, size_t a_stride, \
      const void* w, void* c, size_t cm_stride, size_t cn_stride, const void* params);
#define PQNN_DECLARE_F32_IGEMM(name)                                                       \
  PQNN_INTERNAL void name(size_t mr, size_t nc, size_t kc, size_t ks, const void** a,      \
      const void* w, void* c, size_t cm_stride, size_t cn_stride, size_t a_offset,         \
      const void* zero, const void* params);
#define PQNN_DECLARE_F32_DWCONV(name)                                                      \
  PQNN_INTERNAL void name(size_t channels, size_t output_width, size_t kernel_size,        \
      const void** input, const void* weights, void* output, size_t input_stride,          \
      size_t output_increment, size_t a_offset, const void* zero, const void* params);

/* scalar */
PQNN_DECLARE_F32_GEMM(pqnn_f32_gemm_minmax_ukernel_1x4__scalar)
PQNN_DECLARE_F32_GEMM(pqnn_f32_gemm_minmax_ukernel_4x4__scalar)
PQNN_DECLARE_F32_IGEMM(pqnn_f32_igemm_minmax_ukernel_1x4__scalar)
PQNN_DECLARE_F32_IGEMM(pqnn_f32_igemm_minmax_ukernel_4x4__scalar)
PQNN_DECLARE_F32_DWCONV(pqnn_f32_dwconv_minmax_ukernel_anyp1c__scalar)

/* sse2 */
PQNN_DECLARE_F32_GEMM(pqnn_f32_gemm_minmax_ukernel_1x8__sse2)
PQNN_DECLARE_F32_GEMM(pqnn_f32_gemm_minmax_ukernel_4x8__sse2)
PQNN_DECLARE_F32_IGEMM(pqnn_f32_igemm_minmax_ukernel_1x8__sse2)
PQNN_DECLARE_F32_IGEMM(pqnn_f32_igemm_minmax_ukernel_4x8__sse2)

/* avx2 + fma */
PQNN_DECLARE_F32_GEMM(pqnn_f32_gemm_minmax_ukernel_1x16__avx2_fma)
PQNN_DECLARE_F32_GEMM(pqnn_f32_gemm_minmax_ukernel_4x16__avx2_fma)
PQNN_DECLARE_F32_GEMM(pqnn_f32_gemm_minmax_ukernel_5x16__avx2_fma)
PQNN_DECLARE_F32_GEMM(pqnn_f32_gemm_minmax_ukernel_6x16__avx2_fma)
PQNN_DECLARE_F32_GEMM(pqnn_f32_gemm_minmax_ukernel_4x24__avx2_fma)
PQNN_DECLARE_F32_IGEMM(pqnn_f32_igemm_minmax_ukernel_1x16__avx2_fma)
PQNN_DECLARE_F32_IGEMM(pqnn_f32_igemm_minmax_ukernel_4x16__avx2_fma)
PQNN_DECLARE_F32_IGEMM(pqnn_f32_igemm_minmax_ukernel_5x16__avx2_fma)
PQNN_DECLARE_F32_IGEMM(pqnn_f32_igemm_minmax_ukernel_6x16__avx2_fma)
PQNN_DECLARE_F32_IGEMM(pqnn_f32_igemm_minmax_ukernel_4x24__avx2_fma)

/* avx512f */
PQNN_DECLARE_F32_GEMM(pqnn_f32_gemm_minmax_ukernel_1x16__avx512f)
PQNN_DECLARE_F32_GEMM(pqnn_f32_gemm_minmax_ukernel_1x32__avx512f)
PQNN_DECLARE_F32_GEMM(pqnn_f32_gemm_minmax_ukernel_7x16__avx512f)
PQNN_DECLARE_F32_GEMM(pqnn_f32_gemm_minmax_ukernel_7x32__avx512f)
PQNN_DECLARE_F32_GEMM(pqnn_f32_gemm_minmax_ukernel_8x32__avx512f)
PQNN_DECLARE_F32_IGEMM(pqnn_f32_igemm_minmax_ukernel_1x16__avx512f)
PQNN_DECLARE_F32_IGEMM(pqnn_f32_igemm_minmax_ukernel_1x32__avx512f)
PQNN_DECLARE_F32_IGEMM(pqnn_f32_igemm_minmax_ukernel_7x16__avx512f)
PQNN_DECLARE_F32_IGEMM(pqnn_f32_igemm_minmax_ukernel_7x32__avx512f)
PQNN_DECLARE_F32_IGEMM(pqnn_f32_igemm_minmax_ukernel_8x32__avx512f)

#endif  /* PQNN_F32_UKERNELS_H_ */
