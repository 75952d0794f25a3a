/* ONNX importer internals: the model's tensor/node tables and one import pass.
 * The importer is a client of the public API only (pqnn.h define_* calls). */
#ifndef PQNN_ONNX_INTERNAL_H_
#define PQNN_ONNX_INTERNAL_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "onnx.pb-c.h"
#include "pqnn-onnx.h"

#define OX_MAX_RANK PQNN_ONNX_MAX_DIMS
/* Largest tensor (elements) the importer accepts, constant or activation. */
#define OX_MAX_ELEMENTS ((int64_t) 1 << 30)
/* The largest activation (an op's non-constant output) the importer builds. */
#define OX_MAX_ACTIVATION_ELEMENTS ((int64_t) 1 << 28)
/* Budget of bytes one pass may allocate for folded or rearranged constants, on top of
 * the model's own size: no allocation is sized by an unchecked product. */
#define OX_PASS_BUDGET_MIN ((size_t) 256 << 20)

/* ONNX TensorProto.DataType values the importer decodes. */
enum {
  OX_FLOAT = 1, OX_UINT8 = 2, OX_INT8 = 3, OX_UINT16 = 4, OX_INT16 = 5, OX_INT32 = 6,
  OX_INT64 = 7, OX_BOOL = 9, OX_DOUBLE = 11, OX_UINT32 = 12, OX_UINT64 = 13,
};

struct ox_tensor {
  const char* name;
  int32_t elem_type;            /* ONNX type; 0 unknown */
  int rank;                     /* -1 unknown */
  int64_t dims[OX_MAX_RANK];    /* -1 unknown dim */
  /* Constant (initializer, Constant node or folded): data in f (float-like types) or
   * i (integer types), product(dims) elements. */
  bool is_const;
  const float* f;
  const int64_t* i;
  /* Activation state of a pass. */
  bool available;               /* defined by an input, an initializer or a node so far */
  bool poisoned;                /* produced by an unsupported node (listing only) */
  bool channels_last;           /* rank >= 3: stored [N][spatial...][C] */
  uint32_t id;                  /* pqnn value id */
  int consumers;                /* node inputs that read it */
  int graph_input;              /* index or -1 */
  int graph_output;             /* index or -1 */
  bool has_other;               /* other_id holds a transposed copy in the other layout */
  uint32_t other_id;
  bool temporary;               /* an intermediate of one node's lowering (no ONNX tensor) */
  bool quantized;               /* QuantizeLinear's output: its integers (elem_type int8 /
                                   uint8) held as floats, read only by DequantizeLinear */
  bool indices;                 /* ArgMax / ArgMin's output (elem_type int64, or int32 after a
                                   Cast): integer indices held as floats, exact below 2^24;
                                   read by Cast or a graph output only */
};

struct ox_node {
  const Onnx__NodeProto* proto;
  size_t num_inputs, num_outputs;
  int* inputs;                  /* tensor index, -1 for an omitted optional input */
  int* outputs;                 /* tensor index, -1 for an omitted optional output */
};

struct ox_unsupported {
  const char* op_type;
  const char* node_name;
  char reason[160];
};

struct pqnn_onnx_model {
  Onnx__ModelProto* proto;
  size_t model_bytes;
  int64_t opset;                /* default domain */
  size_t num_tensors;
  struct ox_tensor* tensors;    /* initial state: graph inputs, initializers */
  size_t hash_size;
  int* hash;                    /* open addressing over tensor names */
  size_t num_nodes;
  struct ox_node* nodes;
  size_t num_inputs, num_outputs;
  int* inputs;                  /* tensor index of each graph input */
  int* outputs;
  int32_t* output_types;        /* each graph output's declared elem_type: float32, bool,
                                   int64 or int32 (pqnn_onnx_run_typed_outputs) */
  void** owned;                 /* decoded initializer data */
  size_t num_owned;
  /* Last listing (pqnn_onnx_get_unsupported*), recomputed when shapes change. */
  bool listed;
  struct ox_unsupported* unsupported;
  size_t num_unsupported;
  /* Output shapes of the last listing. */
  struct ox_tensor* output_info;
};

/* One walk over the nodes in graph order: shapes, constant folding and, when sg is not
 * NULL, pqnn node definitions. In listing mode unsupported nodes are recorded. */
struct ox_blob;
/* A value defined for an intermediate of one node's lowering (a chain of nodes): node is the
 * index of that ONNX node (pqnn_onnx_get_value names it after the node's output). */
struct ox_temporary {
  uint32_t id;
  bool channels_last;
  size_t node;
};
struct ox_pass {
  struct pqnn_onnx_model* m;
  struct ox_tensor* t;          /* working copy of m->tensors */
  bool* absorbed;               /* nodes folded into an earlier one */
  pqnn_subgraph_t sg;           /* NULL: shapes and support only */
  bool listing;
  struct ox_blob* blobs;        /* constant data this pass allocated */
  size_t blob_bytes, blob_budget;
  struct ox_unsupported* unsupported;
  size_t num_unsupported, cap_unsupported;
  const struct ox_node* node;   /* the node being lowered (for messages) */
  char reason[160];
  size_t boundary_transposes;   /* transpose nodes at graph inputs / outputs */
  struct ox_temporary* temporaries;  /* in the order defined (nodes in graph order) */
  size_t num_temporaries, cap_temporaries;
  uint32_t flags;               /* the runtime's flags (PQNN_FLAG_FP16_INFERENCE, ...) */
  bool runs_fp16;               /* the runtime will run the graph in f16
                                   (pqnn_fp16_inference_decision: fp16 or forced) */
};

/* Whether the pass keeps the graph's own rounding steps: when the graph will run in f16
 * (PQNN_FLAG_FORCE_FP16_INFERENCE, or the hint PQNN_FLAG_FP16_INFERENCE on a tier with f16
 * arithmetic; not the hint alone where it keeps f32) a simplification that merges two
 * roundings into one (the hardswish chains whose Clip bounds are Constant nodes after the
 * Add, a constant Add / Sub into a channel scale's bias) is not made (docs/onnx.md,
 * "Simplifications and f16 inference"). */
bool ox_literal_rounding(const struct ox_pass* p);

/* Status helpers: set pass->reason and return the status. */
enum pqnn_status ox_unsupported(struct ox_pass* p, const char* format, ...)
    __attribute__((format(printf, 2, 3)));
enum pqnn_status ox_invalid(struct ox_pass* p, const char* format, ...)
    __attribute__((format(printf, 2, 3)));
void ox_log(const char* format, ...) __attribute__((format(printf, 1, 2)));

/* constants.c: TensorProto decoding and attributes. */
enum pqnn_status ox_decode_tensor(const Onnx__TensorProto* tp, int64_t max_elements,
    struct ox_tensor* out, void** data_out);
bool ox_is_float_type(int32_t t);
bool ox_is_int_type(int32_t t);
const Onnx__AttributeProto* ox_attr(const struct ox_node* n, const char* name);
enum pqnn_status ox_attr_int(struct ox_pass* p, const char* name, int64_t def, int64_t* out);
enum pqnn_status ox_attr_float(struct ox_pass* p, const char* name, float def, float* out);
/* ints attribute: *count_out = 0 when absent; at most max entries. */
enum pqnn_status ox_attr_ints(struct ox_pass* p, const char* name, size_t max,
    int64_t* values, size_t* count_out);
/* string attribute; def when absent. Copies at most size - 1 bytes (longer: invalid). */
enum pqnn_status ox_attr_string(struct ox_pass* p, const char* name, const char* def,
    char* buf, size_t size);

/* shape.c */
bool ox_elements(const struct ox_tensor* t, int64_t* out);   /* false: unknown or too big */
bool ox_shape_known(const struct ox_tensor* t);
void ox_set_shape(struct ox_tensor* t, int rank, const int64_t* dims);
/* Physical (pqnn) dims of an activation: channels-last moves dim 1 last; rank 3 gets H = 1;
 * a scalar (rank 0) is [1]. */
size_t ox_physical_dims(const struct ox_tensor* t, size_t* dims);
/* The name of an ONNX elem_type pqnn takes ("float32", "bool", "int64", "int32"), for
 * messages. */
const char* ox_type_name(int32_t elem_type);
/* Whether channels-last and the model's order store the same element sequence. */
bool ox_layout_free(const struct ox_tensor* t);
bool ox_broadcast(const struct ox_tensor* a, const struct ox_tensor* b, struct ox_tensor* out);

/* pass.c: memory and values. */
void* ox_pass_alloc(struct ox_pass* p, size_t count, size_t size);
enum pqnn_status ox_input(struct ox_pass* p, size_t k, struct ox_tensor** out);
struct ox_tensor* ox_output(struct ox_pass* p, size_t k);
enum pqnn_status ox_define_activation(struct ox_pass* p, struct ox_tensor* t);
enum pqnn_status ox_define_static(struct ox_pass* p, size_t num_dims, const size_t* dims,
    const float* data, uint32_t* id_out);
/* An internal activation of num_dims physical dims for an intermediate of the current node's
 * lowering (recorded as its temporary). */
enum pqnn_status ox_define_temporary(struct ox_pass* p, size_t num_dims, const size_t* dims,
    uint32_t* id_out);
/* pass-utils.c: records value id as a temporary of the current node. */
enum pqnn_status ox_note_temporary(struct ox_pass* p, uint32_t id, bool channels_last);
/* pass-utils.c: room for one more of *count items of `size` bytes in *items (capacity *cap,
 * doubled from 16 as needed); out_of_memory when the allocation fails or would overflow. */
enum pqnn_status ox_grow(void** items, size_t* cap, size_t count, size_t size);
bool ox_emitting(const struct ox_pass* p);
/* pass-utils.c: status, or unsupported_parameter with the reason "the runtime refused the
 * node (<status>)" when a pqnn define call failed. */
enum pqnn_status ox_refused(struct ox_pass* p, enum pqnn_status status);
/* Input 0 and output 0 of the current node. */
enum pqnn_status ox_io(struct ox_pass* p, struct ox_tensor** x, struct ox_tensor** y);
/* y becomes an activation of x's shape in the given layout. */
enum pqnn_status ox_like(struct ox_pass* p, const struct ox_tensor* x, struct ox_tensor* y,
    bool channels_last);

/* layout.c: the value id of activation x in the layout a consumer needs; a free relayout
 * (same element order) costs a reshape copy, any other is unsupported for now. */
enum pqnn_status ox_channels_last_id(struct ox_pass* p, struct ox_tensor* x, uint32_t* id);
enum pqnn_status ox_model_order_id(struct ox_pass* p, struct ox_tensor* x, uint32_t* id);
/* A static reshape (copy) of value `input_id` into activation `out` (already shaped). */
enum pqnn_status ox_emit_reshape(struct ox_pass* p, uint32_t input_id, struct ox_tensor* out);

/* fold.c: the current node's axes from the attribute (old opsets) or constant input 1. */
enum pqnn_status ox_axes_operand(struct ox_pass* p, int64_t* axes, size_t* count);
/* fold.c: constant evaluation; *handled = false when the node is not foldable. */
enum pqnn_status ox_fold(struct ox_pass* p, bool* handled);
/* Output shape of Reshape, Flatten, Squeeze, Unsqueeze, Identity or Dropout (the current
 * node) for input x; the shape/axes operand must be constant. */
enum pqnn_status ox_reshape_shape(struct ox_pass* p, const struct ox_tensor* x,
    struct ox_tensor* out);

/* fold.c: the operands of the QuantizeLinear / DequantizeLinear node being lowered, for a
 * data input of rank `rank` and dims `dims`: a constant float scale (input 1; one value, or
 * a 1-D vector along `axis`, default 1), an optional constant integer zero point (input 2)
 * of as many values, no block_size (opset 21 blocked quantization is unsupported). */
struct ox_qparams {
  const struct ox_tensor* scale;
  const struct ox_tensor* zp;   /* NULL: zero */
  int64_t count;                /* scales: 1 per tensor */
  int64_t axis;                 /* per axis: the normalized axis; -1 per tensor */
  int64_t inner;                /* per axis: elements after the axis */
};
enum pqnn_status ox_quant_params(struct ox_pass* p, int rank, const int64_t* dims,
    struct ox_qparams* q);
/* lower-chains.c: ox_quant_params, then checked for fake quantization: positive finite
 * scales, an int8 / uint8 zero point (its type in *type; none: QuantizeLinear's
 * output_dtype, else uint8; DequantizeLinear: x's type) within its type's range; *has_zp:
 * whether any zero point is non-zero. */
enum pqnn_status ox_quant_checked(struct ox_pass* p, const struct ox_tensor* x,
    struct ox_qparams* q, int32_t* type, bool* has_zp);

/* lower-conv.c: the node after the current one that reads `t` (t must have exactly one
 * consumer and not be a graph output), its index in *index_out; NULL otherwise. */
const struct ox_node* ox_sole_consumer(struct ox_pass* p, const struct ox_tensor* t,
    size_t* index_out);

/* lower-conv.c: folds the chain of BatchNormalization (axis 1 only) and per-channel or scalar
 * constant Mul / Div / Add / Sub nodes after a producer with `channels` outputs along axis
 * `axis` of its rank-`rank` output *y_inout (each node the only reader of the value before
 * it, none a graph output; x - c and x / c, not c - x or c / x; no division by zero) into
 * y' = y * scale + shift (scale 1 and shift 0 when nothing folds); *y_inout becomes the
 * chain's last output and the folded nodes are marked absorbed. */
enum pqnn_status ox_fold_affine_chain(struct ox_pass* p, int64_t channels, int rank, int axis,
    struct ox_tensor** y_inout, float** scale_out, float** shift_out);

/* lower-*.c: one function per op family. */
enum pqnn_status ox_lower_conv(struct ox_pass* p);
enum pqnn_status ox_lower_batch_norm(struct ox_pass* p);
enum pqnn_status ox_lower_channel_scale(struct ox_pass* p, bool divide);
enum pqnn_status ox_lower_max_pool(struct ox_pass* p);
enum pqnn_status ox_lower_global_average_pool(struct ox_pass* p);
enum pqnn_status ox_lower_gemm(struct ox_pass* p, bool matmul);
/* lower-matmulnbits.c: com.microsoft MatMulNBits (4-bit weights) as a qbint4 FC. */
enum pqnn_status ox_lower_matmulnbits(struct ox_pass* p);
enum pqnn_status ox_lower_add(struct ox_pass* p, bool subtract);
enum pqnn_status ox_lower_clamp(struct ox_pass* p);
enum pqnn_status ox_lower_softmax(struct ox_pass* p);
enum pqnn_status ox_lower_reshape(struct ox_pass* p);
enum pqnn_status ox_lower_cast(struct ox_pass* p);
enum pqnn_status ox_lower_gelu(struct ox_pass* p);
enum pqnn_status ox_lower_average_pool(struct ox_pass* p);
enum pqnn_status ox_lower_layer_norm(struct ox_pass* p);
enum pqnn_status ox_lower_reduce_mean(struct ox_pass* p);
enum pqnn_status ox_lower_conv_transpose(struct ox_pass* p);
/* ReduceSum / ReduceMean / ReduceMax, GlobalMaxPool: a reduce node. */
enum pqnn_status ox_lower_reduce(struct ox_pass* p, enum pqnn_reduce_operator op);
/* The current Reduce* node's reduction of x: reduced[a] for each model axis a < OX_MAX_RANK
 * (axes attribute or constant input 1, negative axes counted from the end, none: all;
 * noop_with_empty_axes = 1 without axes is unsupported) and keepdims. */
enum pqnn_status ox_reduce_axes(struct ox_pass* p, const struct ox_tensor* x, bool* reduced,
    bool* keepdims);
/* A reduce node `op` of activation x over the model axes marked in reduced into y (shape
 * and layout set here: NHWC kept with keepdims; without it only where the kept dims' order
 * does not change). */
enum pqnn_status ox_emit_reduce(struct ox_pass* p, enum pqnn_reduce_operator op,
    struct ox_tensor* x, const bool* reduced, bool keepdims, struct ox_tensor* y);
/* MatMul: of two activations a batch matrix multiply, else ox_lower_gemm. */
enum pqnn_status ox_lower_matmul(struct ox_pass* p);
/* Softmax over an axis the softmax node does not cover (x in the layout given). */
enum pqnn_status ox_lower_softmax_axis(struct ox_pass* p, struct ox_tensor* x, int64_t axis);
/* lower-ops.c: any binary op with numpy broadcasting (Add and Sub with a constant
 * right operand run as add2). */
enum pqnn_status ox_lower_binary(struct ox_pass* p, enum pqnn_binary_operator op);
/* The same for operands a, b into y (a temporary of the caller or a node output): y gets
 * the broadcast shape, in a's layout (or the model's order where the operands' layouts
 * differ and cannot be relabelled); a constant operand may come first. */
enum pqnn_status ox_emit_binary(struct ox_pass* p, enum pqnn_binary_operator op,
    struct ox_tensor* a, struct ox_tensor* b, struct ox_tensor* y);
/* lower-ops.c: constant c broadcast to rank r, laid out like an activation of rank r with
 * the given layout (channels-last moves axis 1 last), negated when asked (pass memory). */
enum pqnn_status ox_physical_constant(struct ox_pass* p, const struct ox_tensor* c, int r,
    bool channels_last, bool negate, size_t* num_dims, size_t* dims, const float** data);
/* lower-math.c: y = cond ? a : b (the select node: the chosen element copied, so an
 * infinity or NaN of the branch not taken never leaks), cond an activation of y's shape and
 * layout, a and b activations of that shape, constants that broadcast to it (rank <= y's,
 * in the model's order), or NULL for the scalar ka / kb. */
enum pqnn_status ox_emit_select(struct ox_pass* p, struct ox_tensor* cond,
    struct ox_tensor* a, float ka, struct ox_tensor* b, float kb, struct ox_tensor* y);
/* lower-argmax.c: ArgMax / ArgMin (float input; int64 indices held as floats). */
enum pqnn_status ox_lower_argmax(struct ox_pass* p, bool minimum);
/* lower-logic.c: Equal, Greater, GreaterOrEqual, Less, LessOrEqual, Not, And, Or, Xor and
 * Where of activations (bool tensors are 0 / 1 float32 inside pqnn, marked OX_BOOL). */
bool ox_is_logic_op(const char* op);
/* y = cond ? a : b (the select node), numpy broadcasting over the three; any of them a
 * float constant (cond: 0 / 1 floats), the activations float32 or bool (0 / 1); y marked
 * bool when bool_out. */
enum pqnn_status ox_emit_where(struct ox_pass* p, struct ox_tensor* cond, struct ox_tensor* a,
    struct ox_tensor* b, bool bool_out, struct ox_tensor* y);
/* lower-argmax.c: Hardmax (ArgMax's chain, then equal against the axis's indices). */
enum pqnn_status ox_lower_hardmax(struct ox_pass* p);
/* lower-rnn.c: LSTM (gru false) and GRU unrolled over their static sequence (fully
 * connected, split, unary and binary nodes per step). */
enum pqnn_status ox_lower_rnn(struct ox_pass* p, bool gru);
/* lower-trilu.c: Trilu (a select of x and 0 by a constant triangle mask). */
enum pqnn_status ox_lower_trilu(struct ox_pass* p);
enum pqnn_status ox_lower_logic(struct ox_pass* p, const char* op);
/* lower-chains.c: a float scalar constant operand (the value is copied when the node is
 * defined). */
struct ox_tensor ox_scalar_constant(const float* value);
/* lower-chains.c: t becomes a temporary activation of the lowering (no ONNX tensor; shape
 * and layout set by the emit_* call defining it). */
void ox_temporary(struct ox_tensor* t);
/* lower-chains.c: temporary y = x op c for a scalar constant c. */
enum pqnn_status ox_emit_scalar_op(struct ox_pass* p, enum pqnn_binary_operator op,
    struct ox_tensor* x, float c, struct ox_tensor* y);
/* Cast(to=BOOL) of an activation: x != 0 (NaN is true). */
enum pqnn_status ox_lower_cast_bool(struct ox_pass* p);
/* lower-elementwise.c: Mul / Div (channel scale when the constant is per channel, else a
 * binary node), Max / Min, the unary ops, and the hardswish / swish patterns. */
enum pqnn_status ox_lower_mul_div(struct ox_pass* p, bool divide);
enum pqnn_status ox_lower_max_min(struct ox_pass* p);
/* PRelu(x, slope): a leaky relu for a finite scalar slope, else the binary prelu node (slope
 * broadcast to x: per channel or any shape that broadcasts). */
enum pqnn_status ox_lower_prelu(struct ox_pass* p);
enum pqnn_status ox_lower_unary(struct ox_pass* p);
/* Unary `op` of activation x into y (x's shape and layout). */
enum pqnn_status ox_emit_unary(struct ox_pass* p, enum pqnn_unary_operator op,
    const struct pqnn_unary_params* params, struct ox_tensor* x, struct ox_tensor* y);
/* lower-ops.c: clamp of activation x to [lo, hi] into y (x's shape and layout). */
enum pqnn_status ox_emit_clamp(struct ox_pass* p, float lo, float hi, struct ox_tensor* x,
    struct ox_tensor* y);
/* At an Add node: x + 3 -> Clip(0, 6) -> * x -> / 6 (or * 1/6) becomes one hardswish node
 * (*handled true) when every intermediate has that single consumer. */
enum pqnn_status ox_fuse_hardswish(struct ox_pass* p, bool* handled);
/* Whether op_type is one of the unary ops ox_lower_unary maps. */
bool ox_is_unary_op(const char* op);

/* lower-layout.c: data movement (Transpose, Concat, Split, Slice, Pad, Resize / Upsample). */
enum pqnn_status ox_lower_transpose(struct ox_pass* p);
enum pqnn_status ox_lower_concat(struct ox_pass* p);
enum pqnn_status ox_lower_split(struct ox_pass* p);
enum pqnn_status ox_lower_slice(struct ox_pass* p);
enum pqnn_status ox_lower_gather(struct ox_pass* p);
enum pqnn_status ox_lower_tile(struct ox_pass* p);
enum pqnn_status ox_lower_pad(struct ox_pass* p);
enum pqnn_status ox_lower_resize(struct ox_pass* p);
/* DepthToSpace (to_space) / SpaceToDepth: reshape, transpose, reshape in x's layout. */
enum pqnn_status ox_lower_depth_space(struct ox_pass* p, bool to_space);
/* The physical (pqnn) axis of model axis `axis` of activation t. */
size_t ox_physical_axis(const struct ox_tensor* t, int axis);
/* Slice bounds (fold.c) of the current node on x: per model axis begin, step, output dim. */
enum pqnn_status ox_slice_bounds(struct ox_pass* p, const struct ox_tensor* x, int64_t* begin,
    int64_t* step, int64_t* dims);
/* layout.c: an activation stored channels-last for graph input or output t: a transpose node
 * between t's external value (model order, id external_id) and t->id (channels-last). */
enum pqnn_status ox_boundary_transpose(struct ox_pass* p, struct ox_tensor* t,
    uint32_t external_id, bool input);

/* lower-chains.c: ops lowered to chains of nodes through temporary values. */
enum pqnn_status ox_lower_sum_mean(struct ox_pass* p, bool mean);
/* Pow of activation x by the constant e (not 2 or 0.5: those are one unary node). */
enum pqnn_status ox_lower_pow_constant(struct ox_pass* p, struct ox_tensor* x, float e);
enum pqnn_status ox_lower_reciprocal(struct ox_pass* p);
/* Expand with a constant shape: a multiply by ones. */
enum pqnn_status ox_lower_expand(struct ox_pass* p);
/* Elu, Selu, Celu. */
enum pqnn_status ox_lower_exp_linear(struct ox_pass* p);
/* Softplus, or Mish (x * tanh(softplus(x))). */
enum pqnn_status ox_lower_softplus(struct ox_pass* p, bool mish);
enum pqnn_status ox_lower_instance_norm(struct ox_pass* p);
/* The stable log(sum(exp(x))) over the model axes marked in reduced: m = reduce max (dims
 * kept) clamped to +-FLT_MAX (no inf - inf), d = x - m, l = log(reduce sum(exp(d))) (dims
 * kept or not); m, d and l become temporaries (LogSumExp is l + m, LogSoftmax d - l). */
enum pqnn_status ox_emit_log_sum_exp(struct ox_pass* p, struct ox_tensor* x, const bool* reduced,
    bool keepdims, struct ox_tensor* m, struct ox_tensor* d, struct ox_tensor* l);
/* ReduceMin, ReduceSumSquare, ReduceL1, ReduceL2, ReduceLogSum, ReduceLogSumExp. */
enum pqnn_status ox_lower_reduce_chain(struct ox_pass* p);
/* GlobalLpPool and LpNormalization, p = 1 or 2. */
enum pqnn_status ox_lower_global_lp_pool(struct ox_pass* p);
enum pqnn_status ox_lower_lp_normalization(struct ox_pass* p);
/* LRN (odd size, bias > 0) on NHWC: square, a fully connected node over C, log, exp. */
enum pqnn_status ox_lower_lrn(struct ox_pass* p);
/* QuantizeLinear of an activation read only by DequantizeLinear nodes, and those
 * DequantizeLinear nodes: float fake quantization (docs/onnx.md). */
enum pqnn_status ox_lower_quantize(struct ox_pass* p);
enum pqnn_status ox_lower_dequantize(struct ox_pass* p);
/* GroupNormalization (opset 18: scale / bias per group, 21: per channel). */
enum pqnn_status ox_lower_group_norm(struct ox_pass* p);

/* lower-math.c: LogSoftmax (any axis; opset < 13 over the dims from axis), and the unary
 * ops lowered to chains: Sign, Sin, Cos, Softsign, ThresholdedRelu, Shrink, IsNaN, IsInf. */
enum pqnn_status ox_lower_log_softmax(struct ox_pass* p);
/* Softmax of opset < 13 over the dims from axis on, as a chain (reduce max, subtract, exp,
 * reduce sum, divide). */
enum pqnn_status ox_lower_softmax_flattened(struct ox_pass* p, struct ox_tensor* x, int axis);
bool ox_is_math_chain_op(const char* op);
enum pqnn_status ox_lower_math_chain(struct ox_pass* p, const char* op);

/* lower-einsum.c: Einsum of two operands whose equation is a (batched) matrix product. */
enum pqnn_status ox_lower_einsum(struct ox_pass* p);

/* values.c: the node outputs the pass defined as pqnn values (pqnn_onnx_get_value). */
struct ox_values {
  size_t count;
  struct pqnn_onnx_value_info* info;
  char* names;                  /* the strings info points to */
};
enum pqnn_status ox_collect_values(const struct ox_pass* p, struct ox_values* out);
void ox_values_free(struct ox_values* v);

/* lower.c */
enum pqnn_status ox_run_pass(struct ox_pass* p);
void ox_pass_free(struct ox_pass* p);
/* Transfers the pass's constant data (which the runtime reads) to the caller. */
struct ox_blob* ox_pass_take_blobs(struct ox_pass* p);
void ox_blobs_free(struct ox_blob* b);
/* Every graph input dim known (else logs which and returns invalid_state). */
enum pqnn_status ox_check_inputs_set(const struct pqnn_onnx_model* m);
enum pqnn_status ox_list(struct pqnn_onnx_model* m);

#endif  /* PQNN_ONNX_INTERNAL_H_ */
