/* Executor selection, called once per op by the planner (runtime-plan.c) after the passes:
 * each picks the op's executor (and operator face or tile body) from the op's node type and
 * executed datatypes, and FC / conv create their operator. */
#ifndef PQNN_RUNTIME_RUNTIME_EXECUTORS_H_
#define PQNN_RUNTIME_RUNTIME_EXECUTORS_H_

#include "runtime/runtime-types.h"

/* FC / conv / depthwise (runtime-ops-gemm.c): the face from the combination table, then
 * the operator (filter and bias are the node's static values; bias may be NULL). */
PQNN_INTERNAL enum pqnn_status pqnn_rt_plan_gemm(struct pqnn_runtime* rt,
    struct pqnn_rt_op* op, const struct pqnn_value* filter, const struct pqnn_value* bias);
/* A fused affine (runtime-pass-affine.c) of an FC / conv / deconv op planned above: its
 * 1x1 depthwise operator, created by the face the unfused node would have, bound to the
 * op's epilogue (filter and bias: the affine node's static values; bias may be NULL). */
PQNN_INTERNAL enum pqnn_status pqnn_rt_plan_affine(struct pqnn_runtime* rt,
    struct pqnn_rt_op* op, const struct pqnn_value* filter, const struct pqnn_value* bias);
/* Converts (runtime-ops-convert.c), defined or inserted. */
PQNN_INTERNAL enum pqnn_status pqnn_rt_plan_convert(struct pqnn_runtime* rt,
    struct pqnn_rt_op* op);
/* Output range fusion (runtime-output-range.c). Planning, after the bands: each inserted
 * f32 -> qd8 convert quantizing per image whose input a fully connected / convolution op
 * writes takes that op as its range source (none under the runtime option
 * no_range_fusion). The convert's reshape, after its operator's: binds the convert's slots
 * to the source's epilogue where both fit (the source's operator f32 out and not on the
 * DWCONV path, the convert's tier with range and apply kernels, whole images of the
 * source's rows), else unbinds them. Run: true when the convert ran from the merged
 * ranges (else run it as usual). Every invoke resets the bound slots first. */
PQNN_INTERNAL void pqnn_rt_plan_output_ranges(struct pqnn_runtime* rt);
PQNN_INTERNAL enum pqnn_status pqnn_rt_reshape_output_range(struct pqnn_runtime* rt,
    struct pqnn_rt_op* op);
PQNN_INTERNAL bool pqnn_rt_run_output_range(struct pqnn_runtime* rt, struct pqnn_rt_op* op);
PQNN_INTERNAL void pqnn_rt_reset_output_ranges(struct pqnn_runtime* rt);
PQNN_INTERNAL void pqnn_rt_release_output_range(struct pqnn_rt_op* op);
/* Node-kernel ops (runtime-ops-nodes.c). */
PQNN_INTERNAL enum pqnn_status pqnn_rt_plan_node(struct pqnn_runtime* rt,
    struct pqnn_rt_op* op);

/* Data-movement ops (nodes/layout-executors.c): true when `type` is one of them. */
PQNN_INTERNAL bool pqnn_rt_is_layout_node(enum pqnn_node_type type);
/* A 2-D resize's sizes and scales from its params and NHWC input / output shapes. */
PQNN_INTERNAL void pqnn_rt_resize_geometry(const struct pqnn_resize_params* r,
    const struct pqnn_shape* xs, const struct pqnn_shape* ys, struct pqnn_layout_geometry* g);
/* The geometry and source columns of an op's nearest-upsampled residual (upsampled.fused:
 * runtime-pass-upsample.c; nothing without one); invalid_parameter when the source map
 * resized no longer gives the output's shape (runtime-ops-upsampled.c). */
PQNN_INTERNAL enum pqnn_status pqnn_rt_reshape_upsampled(struct pqnn_runtime* rt,
    struct pqnn_rt_op* op);
/* The first source pixel (in the map, batch included) of output row `row` (batch
 * included) of an op's nearest-upsampled residual, at the geometry of the last reshape
 * above; output pixel ox of that row reads source pixel that + upsampled.columns[ox]. */
PQNN_INTERNAL size_t pqnn_rt_upsampled_row_source(const struct pqnn_rt_op* op, size_t row);
/* A channel scale folded into an FC / conv op (runtime-pass-sefold.c; nothing without one,
 * runtime-ops-scaled.c), or a binary multiply stepped by its reader: reshape checks its operands' shapes against the output (else
 * invalid_parameter) and sets its geometry, the upsampled map's included; setup binds its
 * epilogue tail to the op's operator. */
PQNN_INTERNAL enum pqnn_status pqnn_rt_reshape_scaled(struct pqnn_runtime* rt,
    struct pqnn_rt_op* op);
PQNN_INTERNAL enum pqnn_status pqnn_rt_setup_scaled(struct pqnn_runtime* rt,
    struct pqnn_rt_op* op);
/* The same multiply on `count` pixels of one output row of a binary multiply op (the op
 * as context: scaled.stepped, reshaped, scaled.rt set), from output pixel `pixel` on: its
 * operand x there (dense) in, y out (dense): a Winograd input part's pixel_step
 * (runtime-pass-scaled-input.c). */
PQNN_INTERNAL void pqnn_rt_scaled_step(const void* context, const float* x, float* y,
    size_t pixel, size_t count);
PQNN_INTERNAL enum pqnn_status pqnn_rt_plan_layout(struct pqnn_runtime* rt,
    struct pqnn_rt_op* op);

#endif  /* PQNN_RUNTIME_RUNTIME_EXECUTORS_H_ */
