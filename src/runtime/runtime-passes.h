/* Datatype passes of the planner: which FC / conv nodes run as qd8 (dynamic-range
 * quantization) and whether the graph runs in f16. See docs/runtime.md. */
#ifndef PQNN_RUNTIME_PASSES_H_
#define PQNN_RUNTIME_PASSES_H_

#include "runtime/subgraph.h"

/* Dynamic-range quantization applies to f32 filters only from this many multiply-adds per
 * output (see runtime-passes.c). */
#define PQNN_QD8_MIN_REDUCTION 64

/* True when `node` (FC / conv / dwconv) with an input of datatype `input` (as executed) and
 * a filter of datatype `filter`, `reduction` multiply-adds per output, runs as qd8 x qc8w
 * under the runtime `flags`. */
PQNN_INTERNAL bool pqnn_pass_use_qd8(const struct pqnn_node* node, enum pqnn_datatype input,
    enum pqnn_datatype filter, size_t reduction, uint32_t flags);
/* True when PQNN_FLAG_FP16_INFERENCE is set and the whole graph can run in f16. */
PQNN_INTERNAL bool pqnn_pass_use_fp16(const struct pqnn_subgraph* subgraph, uint32_t flags);

#endif  /* PQNN_RUNTIME_PASSES_H_ */
