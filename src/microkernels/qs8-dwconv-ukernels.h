/* qs8 x qc8w depthwise-convolution microkernel declarations (generated kernels:
 * scripts/gen-qs8-dwconv.py). Contracts: src/microkernels.h (DWCONV); packed layout per
 * channel tile of CT: [CT i32 bias'][taps x CT i8][CT f32 scale] (pqnn_pack_qs8_dwconv). */
#ifndef PQNN_QS8_DWCONV_UKERNELS_H_
#define PQNN_QS8_DWCONV_UKERNELS_H_

#include "common.h"
#include "microkernels.h"

#define PQNN_DECLARE_QS8_DWCONV(name)                                                      \
  PQNN_INTERNAL void name(size_t channels, size_t output_width, size_t kernel_size,        \
      const void** input, const void* weights, void* output, size_t input_stride,          \
      size_t output_increment, size_t a_offset, const void* zero, const void* params);

PQNN_DECLARE_QS8_DWCONV(pqnn_qs8_qc8w_dwconv_minmax_fp32_ukernel_9p1c__scalar)
PQNN_DECLARE_QS8_DWCONV(pqnn_qs8_qc8w_dwconv_minmax_fp32_ukernel_25p1c__scalar)
PQNN_DECLARE_QS8_DWCONV(pqnn_qs8_qc8w_dwconv_minmax_fp32_ukernel_anyp1c__scalar)

#if defined(__x86_64__) || defined(_M_X64)
PQNN_DECLARE_QS8_DWCONV(pqnn_qs8_qc8w_dwconv_minmax_fp32_ukernel_9p8c__sse2)
PQNN_DECLARE_QS8_DWCONV(pqnn_qs8_qc8w_dwconv_minmax_fp32_ukernel_25p8c__sse2)
PQNN_DECLARE_QS8_DWCONV(pqnn_qs8_qc8w_dwconv_minmax_fp32_ukernel_anyp8c__sse2)
PQNN_DECLARE_QS8_DWCONV(pqnn_qs8_qc8w_dwconv_minmax_fp32_ukernel_9p16c__avx2)
PQNN_DECLARE_QS8_DWCONV(pqnn_qs8_qc8w_dwconv_minmax_fp32_ukernel_25p16c__avx2)
PQNN_DECLARE_QS8_DWCONV(pqnn_qs8_qc8w_dwconv_minmax_fp32_ukernel_anyp16c__avx2)
PQNN_DECLARE_QS8_DWCONV(pqnn_qs8_qc8w_dwconv_minmax_fp32_ukernel_9p32c__avx512skx)
PQNN_DECLARE_QS8_DWCONV(pqnn_qs8_qc8w_dwconv_minmax_fp32_ukernel_25p32c__avx512skx)
PQNN_DECLARE_QS8_DWCONV(pqnn_qs8_qc8w_dwconv_minmax_fp32_ukernel_anyp32c__avx512skx)
#elif defined(__aarch64__)
/* scripts/gen-neon-qs8-dwconv.py */
PQNN_DECLARE_QS8_DWCONV(pqnn_qs8_qc8w_dwconv_minmax_fp32_ukernel_9p16c__neon)
PQNN_DECLARE_QS8_DWCONV(pqnn_qs8_qc8w_dwconv_minmax_fp32_ukernel_25p16c__neon)
PQNN_DECLARE_QS8_DWCONV(pqnn_qs8_qc8w_dwconv_minmax_fp32_ukernel_anyp16c__neon)
#endif

#endif  /* PQNN_QS8_DWCONV_UKERNELS_H_ */
