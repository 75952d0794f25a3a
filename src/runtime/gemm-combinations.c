/* The one table of FC / conv / depthwise / deconvolution datatype combinations (a
 * deconvolution's define is checked by its own node file; only planning reads its rows). A definable row is one a
 * caller may define; the others are what the planner's passes turn definable rows into:
 * dynamic quantization makes the input qdint8 (and quantizes an f32 filter at create),
 * f16 inference makes f32 activations f16. An f32 input with a qcint8 filter is definable
 * but has no face of its own: the dynamic quantization pass always converts it; so is an f32
 * input with a qbint4 (4-bit blockwise) FC filter. The 4-bit faces of f32 FC filters are
 * picked by the dynamic quantization decision (runtime option), not by this table. */
#include "runtime/gemm-combinations.h"

#define FC (1u << pqnn_node_type_fully_connected)
#define CONV (1u << pqnn_node_type_convolution_2d)
#define DW (1u << pqnn_node_type_depthwise_convolution_2d)
#define DECONV (1u << pqnn_node_type_deconvolution_2d)
#define F32 pqnn_datatype_fp32
#define F16 pqnn_datatype_fp16
#define QS8 pqnn_datatype_qint8
#define QC8 pqnn_datatype_qcint8
#define I32 pqnn_datatype_int32
#define QC32 pqnn_datatype_qcint32
#define QD8 pqnn_datatype_qdint8
#define QB4 pqnn_datatype_qbint4
#define NONE pqnn_datatype_invalid

static const struct pqnn_gemm_combination kCombinations[] = {
  /* nodes         input filter bias  bias2 output definable face */
  {FC | CONV | DW | DECONV, F32, F32, F32, NONE, F32, true, pqnn_gemm_face_f32},
  {FC | CONV | DW | DECONV, F16, F16, F16, NONE, F16, true, pqnn_gemm_face_f16},
  {FC | CONV | DW | DECONV, F16, F32, F32, NONE, F16, true, pqnn_gemm_face_f16},
  {FC | CONV,      F32, QC8, F32, NONE, F32, true, pqnn_gemm_face_none},
  {FC | CONV | DW, QS8, QS8, I32, NONE, QS8, true, pqnn_gemm_face_qs8},
  {FC | CONV | DW, QS8, QC8, QC32, I32, QS8, true, pqnn_gemm_face_qs8_qc8w},
  {FC | CONV,      QD8, QC8, F32, NONE, F32, true, pqnn_gemm_face_qd8_f32},
  {FC | CONV | DW | DECONV, QD8, F32, F32, NONE, F32, false, pqnn_gemm_face_qd8_f32},
  {FC | CONV,      QD8, QC8, F32, NONE, F16, false, pqnn_gemm_face_qd8_f16},
  {FC | CONV | DECONV, QD8, F32, F32, NONE, F16, false, pqnn_gemm_face_qd8_f16},
  {FC,             F32, QB4, F32, NONE, F32, true, pqnn_gemm_face_none},
  {FC,             QD8, QB4, F32, NONE, F32, true, pqnn_gemm_face_qd8_f32_qb4w},
  {FC,             QD8, QB4, F32, NONE, F16, false, pqnn_gemm_face_qd8_f16_qb4w},
};

const struct pqnn_gemm_combination* pqnn_find_gemm_combination(enum pqnn_node_type type,
    enum pqnn_datatype input, enum pqnn_datatype filter, enum pqnn_datatype bias,
    enum pqnn_datatype output, bool definable_only) {
  for (size_t i = 0; i < sizeof(kCombinations) / sizeof(kCombinations[0]); i++) {
    const struct pqnn_gemm_combination* c = &kCombinations[i];
    if ((c->node_types & (1u << type)) == 0 || (definable_only && !c->definable)) continue;
    if (c->input != input || c->filter != filter || c->output != output) continue;
    if (bias == NONE || bias == c->bias || bias == c->other_bias) return c;
  }
  return NULL;
}
