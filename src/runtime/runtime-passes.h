/* Datatype passes of the planner: which FC / conv nodes run as qd8 (dynamic-range
 * quantization) and whether the graph runs in f16. See docs/runtime.md. */
#ifndef PQNN_RUNTIME_PASSES_H_
#define PQNN_RUNTIME_PASSES_H_

#include "runtime/subgraph.h"

/* True when `node` (FC / conv / dwconv) with an input of datatype `input` (as executed) and
 * a filter of datatype `filter` runs as qd8 x qc8w under the runtime `flags`. */
PQNN_INTERNAL bool pqnn_pass_use_qd8(const struct pqnn_node* node, enum pqnn_datatype input,
    enum pqnn_datatype filter, uint32_t flags);
/* True when PQNN_FLAG_FP16_INFERENCE is set and the whole graph can run in f16. */
PQNN_INTERNAL bool pqnn_pass_use_fp16(const struct pqnn_subgraph* subgraph, uint32_t flags);
/* n f32 values to f16 (round to nearest even). */
PQNN_INTERNAL void pqnn_rt_f32_to_f16(size_t n, const float* x, uint16_t* y);

#endif  /* PQNN_RUNTIME_PASSES_H_ */
