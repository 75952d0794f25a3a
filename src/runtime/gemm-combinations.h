/* The datatype combinations of fully connected, convolution and depthwise convolution
 * nodes: one table (gemm-combinations.c) that both validates a defined node
 * (subgraph-nodes.c) and picks the operator face that runs a planned one
 * (runtime-ops-gemm.c). */
#ifndef PQNN_RUNTIME_GEMM_COMBINATIONS_H_
#define PQNN_RUNTIME_GEMM_COMBINATIONS_H_

#include <pqnn.h>

#include "common.h"

/* The public operator family that runs a combination. */
enum pqnn_gemm_face {
  pqnn_gemm_face_none,      /* definable, but only runs after a pass converts it */
  pqnn_gemm_face_f32,
  pqnn_gemm_face_f16,       /* f16 or f32 static weights */
  pqnn_gemm_face_qs8,
  pqnn_gemm_face_qs8_qc8w,
  pqnn_gemm_face_qd8_f32,   /* qc8w filter, or an f32 filter quantized at create */
  pqnn_gemm_face_qd8_f16,
  pqnn_gemm_face_qd8_f32_qc4w,  /* FC: f32 filter quantized to 4 bits (runtime option) */
  pqnn_gemm_face_qd8_f16_qc4w,
  pqnn_gemm_face_qd8_f32_qb4w,  /* FC: qbint4 filter, or f32 quantized blockwise */
  pqnn_gemm_face_qd8_f16_qb4w,
  pqnn_gemm_face_count,
};

struct pqnn_gemm_combination {
  uint32_t node_types;      /* bit (1 << enum pqnn_node_type) per node type */
  enum pqnn_datatype input, filter, bias, other_bias, output;  /* bias: either, or none */
  bool definable;           /* false: only the planner's passes produce it */
  enum pqnn_gemm_face face;
};

/* The row for a node of `type` with these datatypes (`bias` pqnn_datatype_invalid when the
 * node has none); definable rows only when `definable_only`. NULL when none matches. */
PQNN_INTERNAL const struct pqnn_gemm_combination* pqnn_find_gemm_combination(
    enum pqnn_node_type type, enum pqnn_datatype input, enum pqnn_datatype filter,
    enum pqnn_datatype bias, enum pqnn_datatype output, bool definable_only);

#endif  /* PQNN_RUNTIME_GEMM_COMBINATIONS_H_ */
