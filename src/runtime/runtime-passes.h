/* The planner's passes over the op list, run by pqnn_runtime_plan in this order:
 *   1. clamp fusion          (pqnn_pass_fuse_clamps)
 *   2. f16 inference         (pqnn_pass_fp16_inference)
 *   3. dynamic quantization  (pqnn_pass_dynamic_quantization)
 *   4. residual add fusion   (pqnn_pass_fuse_residual_adds)
 * Each rewrites the ops and tensors itself: fusion removes clamp ops, f16 inference
 * retypes the activations and inserts the boundary converts, dynamic quantization inserts
 * the qdint8 converts in front of the FC / conv ops it quantizes, residual fusion removes
 * add ops (their FC / conv producer adds the other operand). Executors are chosen
 * after the last pass. See runtime-passes.c and docs/runtime.md. */
#ifndef PQNN_RUNTIME_PASSES_H_
#define PQNN_RUNTIME_PASSES_H_

#include "runtime/runtime-types.h"

/* Default of the dynamic quantization threshold: f32 filters are quantized only from this
 * many multiply-adds per output (see runtime-passes.c). */
#define PQNN_QD8_MIN_REDUCTION 64

PQNN_INTERNAL void pqnn_pass_fuse_clamps(struct pqnn_runtime* rt);
/* out_of_memory when an f16 copy of static data cannot be allocated. */
PQNN_INTERNAL enum pqnn_status pqnn_pass_fp16_inference(struct pqnn_runtime* rt,
    const struct pqnn_subgraph* subgraph);
PQNN_INTERNAL void pqnn_pass_dynamic_quantization(struct pqnn_runtime* rt,
    const struct pqnn_subgraph* subgraph);
/* Fuses same-shape f32 / f16 adds into the FC / conv op that produces one operand (its
 * residual epilogue), after the datatypes are final. */
PQNN_INTERNAL void pqnn_pass_fuse_residual_adds(struct pqnn_runtime* rt);

#endif  /* PQNN_RUNTIME_PASSES_H_ */
