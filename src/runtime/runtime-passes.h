/* The planner's passes over the op list, run by pqnn_runtime_plan in this order:
 *   1. clamp fusion          (pqnn_pass_fuse_clamps)
 *   2. f16 inference         (pqnn_pass_fp16_inference)
 *   3. dynamic quantization  (pqnn_pass_dynamic_quantization)
 *   4. activation fusion     (pqnn_pass_fuse_activations)
 *   5. residual add fusion   (pqnn_pass_fuse_residual_adds)
 *   6. activation fusion again, for the activations after a fused add
 *   7. affine fusion         (pqnn_pass_fuse_affines)
 *   8. upsampled residuals   (pqnn_pass_fold_upsampled_residuals, runtime-pass-upsample.c)
 *   9. squeeze-excite folding (pqnn_pass_fold_squeeze_excites, runtime-pass-sefold.c)
 *  10. resize folding        (pqnn_pass_fold_resizes_into_concats, runtime-pass-concat.c)
 *  11. concat input          (pqnn_pass_read_concats_in_winograd, runtime-pass-concat-input.c)
 *  12. scaled input          (pqnn_pass_read_scaled_in_winograd, runtime-pass-scaled-input.c)
 * Each rewrites the ops and tensors itself: fusion removes clamp ops, f16 inference
 * retypes the activations and inserts the boundary converts, dynamic quantization inserts
 * the qdint8 converts in front of the FC / conv ops it quantizes, activation fusion removes
 * unary ops (their FC / conv producer applies them), residual fusion removes add ops
 * (their FC / conv producer adds the other operand), affine fusion removes 1x1 depthwise
 * ops (their FC / conv / deconv producer applies them last). Executors are chosen
 * after the last pass. See runtime-passes.c and docs/runtime.md. */
#ifndef PQNN_RUNTIME_PASSES_H_
#define PQNN_RUNTIME_PASSES_H_

#include "microkernels.h"
#include "params.h"
#include "runtime/runtime-types.h"

/* Default of the dynamic quantization threshold: f32 filters are quantized only from this
 * many multiply-adds per output (see runtime-passes.c). */
#define PQNN_QD8_MIN_REDUCTION 64

PQNN_INTERNAL void pqnn_pass_fuse_clamps(struct pqnn_runtime* rt);
/* What the f16 flags decide on this tier for an f32 graph (none, fp16, forced or
 * fp32_no_arithmetic): the flags' side of the f16 inference pass. */
PQNN_INTERNAL enum pqnn_fp16_decision pqnn_rt_fp16_flags_decision(uint32_t flags);
/* Sets rt->fp16_decision; out_of_memory when an f16 copy of static data cannot be
 * allocated. */
PQNN_INTERNAL enum pqnn_status pqnn_pass_fp16_inference(struct pqnn_runtime* rt,
    const struct pqnn_subgraph* subgraph);
PQNN_INTERNAL void pqnn_pass_dynamic_quantization(struct pqnn_runtime* rt,
    const struct pqnn_subgraph* subgraph);
/* Fuses same-shape f32 / f16 adds into the FC / conv op that produces one operand (its
 * residual epilogue), after the datatypes are final. */
PQNN_INTERNAL void pqnn_pass_fuse_residual_adds(struct pqnn_runtime* rt);
/* Fuses f32 / f16 unary nodes (pqnn_define_unary, gelu) into the FC / conv / deconv op that
 * writes their input, its only reader (runtime-pass-activation.c), after the datatypes are final;
 * run before and after residual fusion (op -> act -> add, op -> add -> act). */
PQNN_INTERNAL void pqnn_pass_fuse_activations(struct pqnn_runtime* rt);
/* Fuses a 1x1 stride-1 unpadded depthwise node on f32 / f16 (a per-channel affine) into the
 * FC / conv / depthwise / deconv op that writes its input, its only reader
 * (runtime-pass-affine.c), after the other fusions: it is the epilogue's last step. */
PQNN_INTERNAL void pqnn_pass_fuse_affines(struct pqnn_runtime* rt);
/* A nearest resize with a fused residual written by a binary / add2 op that has a fused
 * residual of its own (an FPN top-down add after a squeeze-excite block) runs inside that
 * op, which adds the resize's input at each output pixel's source pixel
 * (runtime-pass-upsample.c). After residual fusion, before resize folding. */
PQNN_INTERNAL void pqnn_pass_fold_upsampled_residuals(struct pqnn_runtime* rt);
/* A global average pooling of a linear 1x1 layer's output pools the layer's input instead,
 * followed by a copy of the layer; then an f32 per-channel multiply of that output (with
 * its fused add and upsampled add) runs in the layer's epilogue at the multiply's place
 * (runtime-pass-sefold.c). After upsampled residual folding, before resize folding. */
PQNN_INTERNAL void pqnn_pass_fold_squeeze_excites(struct pqnn_runtime* rt);
/* Nearest resizes read only by a channel concatenation run inside it (the resize op stays,
 * doing no work, for its shapes; runtime-pass-concat.c). Op indices must not move after it. */
PQNN_INTERNAL void pqnn_pass_fold_resizes_into_concats(struct pqnn_runtime* rt);
/* A channel concatenation (of 4-D f32 parts, nearest resizes folded into it included)
 * read only by an f32 convolution on the Winograd path is read part by part by that
 * convolution's input transform; the concat then does no work and its output gets no
 * storage (runtime-pass-concat-input.c). After resize folding, the last pass. */
PQNN_INTERNAL void pqnn_pass_read_concats_in_winograd(struct pqnn_runtime* rt);
/* The setup of such a convolution: its operator's setup with the parts as input. */
PQNN_INTERNAL enum pqnn_status pqnn_rt_setup_concat_input(struct pqnn_runtime* rt,
    struct pqnn_rt_op* op);
/* Extends the lifetimes of the parts of every concatenation read so to its reader. */
PQNN_INTERNAL void pqnn_rt_concat_input_lifetimes(struct pqnn_runtime* rt);
/* An f32 per-channel multiply (x * s [+ r] [+ upsampled], a binary node) read only by an f32
 * convolution on the Winograd path runs on each input pixel that convolution's input
 * transform reads; the multiply then does no work and its output gets no storage
 * (runtime-pass-scaled-input.c). With the concat-input pass, the last ones. */
PQNN_INTERNAL void pqnn_pass_read_scaled_in_winograd(struct pqnn_runtime* rt);
/* Op i's fully connected or convolution operator, just created, reads the packed weights
 * of an earlier op's where they are byte-identical (runtime-weights.c). */
PQNN_INTERNAL void pqnn_rt_share_packed_weights(struct pqnn_runtime* rt, uint32_t i);
/* The setup of such a convolution: its operator's setup with x as its stepped input part. */
PQNN_INTERNAL enum pqnn_status pqnn_rt_setup_scaled_input(struct pqnn_runtime* rt,
    struct pqnn_rt_op* op);
/* Extends the lifetimes of every such multiply's inputs to its reader. */
PQNN_INTERNAL void pqnn_rt_scaled_input_lifetimes(struct pqnn_runtime* rt);
/* Moves op `from` to just before op `before` (from < before); the ops between move up. */
PQNN_INTERNAL void pqnn_rt_sink_op(struct pqnn_runtime* rt, uint32_t from, uint32_t before);
/* Compacts the op list over the ops a fusion removed. */
PQNN_INTERNAL void pqnn_rt_drop_removed_ops(struct pqnn_runtime* rt);
/* The kernel and params of an op's fused activation, or NULL (runtime-pass-activation.c). */
PQNN_INTERNAL pqnn_vunary_ukernel_fn pqnn_rt_activation_kernel(const struct pqnn_rt_op* op,
    struct pqnn_f32_elementwise_params* params);
/* The name of an op's fused activation ("hardswish", "gelu", ...), "" when none. */
PQNN_INTERNAL const char* pqnn_rt_activation_name(const struct pqnn_rt_op* op);

#endif  /* PQNN_RUNTIME_PASSES_H_ */
