/* Declarations of every microkernel of this build, from the per-family kernel lists
 * src/microkernels/<family>/<family>.inc (generated from scripts/kernels/manifest.py; a
 * list holds only the rows of this architecture, and candidates only with
 * PQNN_BUILD_ALL_MICROKERNELS). Contracts and function-pointer types:
 * src/microkernels.h, which includes this file; this file includes nothing of it back. */
#ifndef PQNN_MICROKERNELS_DECLARATIONS_H_
#define PQNN_MICROKERNELS_DECLARATIONS_H_

#include <stddef.h>
#include <stdint.h>

#include "common.h"

struct pqnn_quantization_params;
struct pqnn_qd8_range;

/* A kernel's tile as constants next to its declaration (the configs take their geometry
 * from here, never restate it): GEMM <function>_mr, _nr, _kr, _input_offset; dwconv
 * <function>_taps (0: any) and _channel_tile; vadd <function>_tile; gavgpool _channel_tile. */
#define PQNN_UKERNEL_GEOMETRY(mr_, nr_, kr_, offset_, name)                                \
  enum { name##_mr = mr_, name##_nr = nr_, name##_kr = kr_, name##_input_offset = offset_ };

#define PQNN_DECLARE_GEMM(tier_, mr_, nr_, kr_, offset_, name)                             \
  PQNN_INTERNAL void name(size_t mr, size_t nc, size_t kc, const void* a, size_t a_stride, \
      const void* w, void* c, size_t cm_stride, size_t cn_stride, const void* params);     \
  PQNN_UKERNEL_GEOMETRY(mr_, nr_, kr_, offset_, name)
#define PQNN_DECLARE_IGEMM(tier_, mr_, nr_, kr_, offset_, name)                            \
  PQNN_INTERNAL void name(size_t mr, size_t nc, size_t kc, size_t ks, const void** a,      \
      const void* w, void* c, size_t cm_stride, size_t cn_stride, size_t a_offset,         \
      const void* zero, const void* params);                                               \
  PQNN_UKERNEL_GEOMETRY(mr_, nr_, kr_, offset_, name)
#define PQNN_DECLARE_DQGEMM(tier_, mr_, nr_, kr_, offset_, name)                           \
  PQNN_INTERNAL void name(size_t mr, size_t nc, size_t kc, const void* a, size_t a_stride, \
      const void* w, void* c, size_t cm_stride, size_t cn_stride, const void* params,      \
      const struct pqnn_quantization_params* quantization_params);                         \
  PQNN_UKERNEL_GEOMETRY(mr_, nr_, kr_, offset_, name)
#define PQNN_DECLARE_DQIGEMM(tier_, mr_, nr_, kr_, offset_, name)                          \
  PQNN_INTERNAL void name(size_t mr, size_t nc, size_t kc, size_t ks, const void** a,      \
      const void* w, void* c, size_t cm_stride, size_t cn_stride, size_t a_offset,         \
      const void* zero, const void* params,                                                \
      const struct pqnn_quantization_params* quantization_params);                         \
  PQNN_UKERNEL_GEOMETRY(mr_, nr_, kr_, offset_, name)
#define PQNN_DECLARE_DWCONV(tier_, mr_, nr_, kr_, offset_, name)                           \
  PQNN_INTERNAL void name(size_t channels, size_t output_width, size_t kernel_size,        \
      const void** input, const void* weights, void* output, size_t input_stride,          \
      size_t output_increment, size_t a_offset, const void* zero, const void* params);     \
  enum { name##_taps = mr_, name##_channel_tile = nr_ };
#define PQNN_DECLARE_DWCONV_ROW(tier_, mr_, nr_, kr_, offset_, name)                       \
  PQNN_INTERNAL void name(size_t channels, size_t output_width, const void** rows,         \
      size_t input_step, size_t tap_stride, const void* weights, void* output,             \
      size_t output_stride, const void* params,                                            \
      const struct pqnn_dwconv_row_edges* edges);                                          \
  enum { name##_taps = mr_, name##_channel_tile = nr_ };
#define PQNN_DECLARE_DWCONV_ROW_EPI(tier_, mr_, nr_, kr_, offset_, name)                   \
  PQNN_INTERNAL void name(size_t channels, size_t output_width, const void** rows,         \
      size_t input_step, size_t tap_stride, const void* weights, void* output,             \
      size_t output_stride, const void* params,                                            \
      const struct pqnn_dwconv_row_edges* edges,                                           \
      const struct pqnn_dwconv_row_epilogue* epilogue);                                    \
  enum { name##_taps = mr_, name##_channel_tile = nr_ };
#define PQNN_DECLARE_QUANTIZE(tier_, mr_, nr_, kr_, offset_, name)                         \
  PQNN_INTERNAL void name(size_t n, const void* x, int8_t* y,                              \
      struct pqnn_quantization_params* quantization_params);
#define PQNN_DECLARE_QD8_RANGE(tier_, mr_, nr_, kr_, offset_, name)                       \
  PQNN_INTERNAL void name(size_t n, const void* x, struct pqnn_qd8_range* range);
#define PQNN_DECLARE_QD8_APPLY(tier_, mr_, nr_, kr_, offset_, name)                       \
  PQNN_INTERNAL void name(size_t n, const void* x, int8_t* y, float inv, int32_t zero_point);
#define PQNN_DECLARE_QD8_ROWS(tier_, mr_, nr_, kr_, offset_, name)                        \
  PQNN_INTERNAL void name(size_t rows, size_t n, const void* x, size_t x_stride, int8_t* y, \
      size_t y_stride, struct pqnn_quantization_params* quantization_params);
#define PQNN_DECLARE_CONVERT(tier_, mr_, nr_, kr_, offset_, name)                          \
  PQNN_INTERNAL void name(size_t n, const void* x, void* y);

#define PQNN_DECLARE_VADD(tier_, mr_, nr_, kr_, offset_, name)                             \
  PQNN_INTERNAL void name(size_t n, const int8_t* a, const int8_t* b, int8_t* y,           \
      const void* params);                                                                 \
  enum { name##_tile = nr_ };
#define PQNN_DECLARE_GAVGPOOL(tier_, mr_, nr_, kr_, offset_, name)                         \
  PQNN_INTERNAL void name(size_t pixels, size_t channels, const int8_t* x,                 \
      size_t x_stride, int8_t* y, const void* params);                                     \
  enum { name##_channel_tile = nr_ };
#define PQNN_DECLARE_VUNARY(tier_, mr_, nr_, kr_, offset_, name)                           \
  PQNN_INTERNAL void name(size_t n, const float* x, float* y, const void* params);
#define PQNN_DECLARE_VBINARY(tier_, mr_, nr_, kr_, offset_, name)                          \
  PQNN_INTERNAL void name(size_t n, const float* a, const float* b, float* y,              \
      const void* params);
#define PQNN_DECLARE_VMULADD(tier_, mr_, nr_, kr_, offset_, name)                          \
  PQNN_INTERNAL void name(size_t n, const float* a, const float* b, const float* r,         \
      const float* u, float* y, const void* params);
#define PQNN_DECLARE_VSELECT(tier_, mr_, nr_, kr_, offset_, name)                          \
  PQNN_INTERNAL void name(size_t n, const void* c, const void* a, const void* b, void* y);
#define PQNN_DECLARE_VUNARY_AFFINE(tier_, mr_, nr_, kr_, offset_, name)                    \
  PQNN_INTERNAL void name(size_t rows, size_t channels, float* y, size_t y_stride,         \
      const float* weights, size_t tile, const void* act_params, const void* params);
#define PQNN_DECLARE_RMAX(tier_, mr_, nr_, kr_, offset_, name)                             \
  PQNN_INTERNAL void name(size_t n, const float* x, float* max);
#define PQNN_DECLARE_EXPSUM(tier_, mr_, nr_, kr_, offset_, name)                           \
  PQNN_INTERNAL void name(size_t n, const float* x, float max, float* y, float* sum);

#define PQNN_DECLARE_WINOGRAD_INPUT(tier_, mr_, nr_, kr_, offset_, name)                   \
  PQNN_INTERNAL void name(size_t channels, const float** d, float* o, size_t o_stride);   \
  enum { name##_channel_tile = nr_ };
#define PQNN_DECLARE_WINOGRAD_OUTPUT(tier_, mr_, nr_, kr_, offset_, name)                  \
  PQNN_INTERNAL int name(size_t channels, const float* m, size_t m_stride, float** y,      \
      const float* bias, const void* params);                                              \
  enum { name##_channel_tile = nr_ };
#define PQNN_DECLARE_F32_TGEMM(tier_, mr_, nr_, kr_, offset_, name)                        \
  PQNN_INTERNAL void name(size_t mr, size_t nc, size_t kc, const float* a, size_t a_stride, \
      const float* w, float* c, size_t cm_stride, size_t cg, size_t cg_stride,             \
      const void* params);                                                                 \
  PQNN_UKERNEL_GEOMETRY(mr_, nr_, kr_, offset_, name)

#define PQNN_UKERNEL PQNN_DECLARE_GEMM
#include "microkernels/f32-gemm/f32-gemm.inc"
#include "microkernels/f16-gemm/f16-gemm.inc"
#undef PQNN_UKERNEL
#define PQNN_UKERNEL PQNN_DECLARE_IGEMM
#include "microkernels/f32-igemm/f32-igemm.inc"
#include "microkernels/f16-igemm/f16-igemm.inc"
#undef PQNN_UKERNEL
#define PQNN_UKERNEL PQNN_DECLARE_GEMM
#include "microkernels/qs8-qc8w-gemm/qs8-qc8w-gemm.inc"
#undef PQNN_UKERNEL
#define PQNN_UKERNEL PQNN_DECLARE_IGEMM
#include "microkernels/qs8-qc8w-igemm/qs8-qc8w-igemm.inc"
#undef PQNN_UKERNEL
#define PQNN_UKERNEL PQNN_DECLARE_DQGEMM
#include "microkernels/qd8-f32-qc8w-gemm/qd8-f32-qc8w-gemm.inc"
#include "microkernels/qd8-f16-qc8w-gemm/qd8-f16-qc8w-gemm.inc"
#include "microkernels/qd8-f32-qb4w-gemm/qd8-f32-qb4w-gemm.inc"
#include "microkernels/qd8-f16-qb4w-gemm/qd8-f16-qb4w-gemm.inc"
#undef PQNN_UKERNEL
#define PQNN_UKERNEL PQNN_DECLARE_DQIGEMM
#include "microkernels/qd8-f32-qc8w-igemm/qd8-f32-qc8w-igemm.inc"
#include "microkernels/qd8-f16-qc8w-igemm/qd8-f16-qc8w-igemm.inc"
#undef PQNN_UKERNEL
#define PQNN_UKERNEL PQNN_DECLARE_DWCONV
#include "microkernels/f32-dwconv/f32-dwconv.inc"
#include "microkernels/f16-dwconv/f16-dwconv.inc"
#include "microkernels/qs8-dwconv/qs8-dwconv.inc"
#include "microkernels/qd8-f32-qc8w-dwconv/qd8-f32-qc8w-dwconv.inc"
#undef PQNN_UKERNEL
#define PQNN_UKERNEL PQNN_DECLARE_DWCONV_ROW
#include "microkernels/f32-dwconv-row/f32-dwconv-row.inc"
#include "microkernels/qs8-dwconv-row/qs8-dwconv-row.inc"
#include "microkernels/qd8-f32-qc8w-dwconv-row/qd8-f32-qc8w-dwconv-row.inc"
#undef PQNN_UKERNEL
#define PQNN_UKERNEL PQNN_DECLARE_DWCONV_ROW_EPI
#include "microkernels/f32-dwconv-row-epi/f32-dwconv-row-epi.inc"
#undef PQNN_UKERNEL
#define PQNN_UKERNEL PQNN_DECLARE_QUANTIZE
#include "microkernels/f32-qd8-convert/f32-qd8-convert.inc"
#include "microkernels/f16-qd8-convert/f16-qd8-convert.inc"
#undef PQNN_UKERNEL
#define PQNN_UKERNEL PQNN_DECLARE_QD8_RANGE
#include "microkernels/f32-qd8-range/f32-qd8-range.inc"
#undef PQNN_UKERNEL
#define PQNN_UKERNEL PQNN_DECLARE_QD8_APPLY
#include "microkernels/f32-qd8-apply/f32-qd8-apply.inc"
#undef PQNN_UKERNEL
#define PQNN_UKERNEL PQNN_DECLARE_QD8_ROWS
#include "microkernels/f32-qd8-rows/f32-qd8-rows.inc"
#undef PQNN_UKERNEL
#define PQNN_UKERNEL PQNN_DECLARE_CONVERT
#include "microkernels/f32-f16-convert/f32-f16-convert.inc"
#include "microkernels/f16-f32-convert/f16-f32-convert.inc"
#undef PQNN_UKERNEL
#define PQNN_UKERNEL PQNN_DECLARE_VUNARY
#include "microkernels/f32-vunary/f32-vunary.inc"
#undef PQNN_UKERNEL
#define PQNN_UKERNEL PQNN_DECLARE_VBINARY
#include "microkernels/f32-vbinary/f32-vbinary.inc"
#undef PQNN_UKERNEL
#define PQNN_UKERNEL PQNN_DECLARE_VMULADD
#include "microkernels/f32-vmuladd/f32-vmuladd.inc"
#undef PQNN_UKERNEL
#define PQNN_UKERNEL PQNN_DECLARE_VSELECT
#include "microkernels/x32-vselect/x32-vselect.inc"
#include "microkernels/x16-vselect/x16-vselect.inc"
#undef PQNN_UKERNEL
#define PQNN_UKERNEL PQNN_DECLARE_VUNARY_AFFINE
#include "microkernels/f32-vunary-affine/f32-vunary-affine.inc"
#undef PQNN_UKERNEL
#define PQNN_UKERNEL PQNN_DECLARE_RMAX
#include "microkernels/f32-rmax/f32-rmax.inc"
#undef PQNN_UKERNEL
#define PQNN_UKERNEL PQNN_DECLARE_EXPSUM
#include "microkernels/f32-expsum/f32-expsum.inc"
#undef PQNN_UKERNEL
#define PQNN_UKERNEL PQNN_DECLARE_WINOGRAD_INPUT
#include "microkernels/f32-winograd-input/f32-winograd-input.inc"
#undef PQNN_UKERNEL
#define PQNN_UKERNEL PQNN_DECLARE_WINOGRAD_OUTPUT
#include "microkernels/f32-winograd-output/f32-winograd-output.inc"
#undef PQNN_UKERNEL
#define PQNN_UKERNEL PQNN_DECLARE_F32_TGEMM
#include "microkernels/f32-tgemm/f32-tgemm.inc"
#undef PQNN_UKERNEL
#define PQNN_UKERNEL PQNN_DECLARE_VADD
#include "microkernels/qs8-vadd/qs8-vadd.inc"
#include "microkernels/qs8-vaddc/qs8-vaddc.inc"
#undef PQNN_UKERNEL
#define PQNN_UKERNEL PQNN_DECLARE_GAVGPOOL
#include "microkernels/qs8-gavgpool/qs8-gavgpool.inc"
#undef PQNN_UKERNEL

#endif  /* PQNN_MICROKERNELS_DECLARATIONS_H_ */
