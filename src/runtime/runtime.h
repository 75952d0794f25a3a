/* Runtime internals called by the lifecycle (runtime.c): planning, reshape, arena. The
 * types are in runtime-types.h. */
#ifndef PQNN_RUNTIME_RUNTIME_H_
#define PQNN_RUNTIME_RUNTIME_H_

#include "runtime/runtime-types.h"

/* Planning (runtime-plan.c): execution order, passes, executors, operators created. */
PQNN_INTERNAL enum pqnn_status pqnn_runtime_plan(struct pqnn_runtime* runtime,
    const struct pqnn_subgraph* subgraph);
/* Arena (runtime-arena.c): lifetimes, offsets, sizes; grows runtime->arena. */
PQNN_INTERNAL enum pqnn_status pqnn_runtime_plan_arena(struct pqnn_runtime* runtime);
/* Shape propagation and every op's executor reshape (runtime-reshape.c). */
PQNN_INTERNAL enum pqnn_status pqnn_runtime_reshape_ops(struct pqnn_runtime* runtime);

/* runtime-profile.c: the invoke loop with per-op timing (profiling on). */
PQNN_INTERNAL enum pqnn_status pqnn_runtime_invoke_profiled(struct pqnn_runtime* runtime);

#endif  /* PQNN_RUNTIME_RUNTIME_H_ */
