/*
 * pqnn-onnx: import an ONNX model into a pqnn subgraph and run it.
 *
 * A model file is untrusted input: every size, index, shape and attribute is checked
 * and a malformed model gives pqnn_status_invalid_parameter, never a crash. An operator
 * (or an attribute combination) the importer cannot map onto the pqnn runtime gives
 * pqnn_status_unsupported_parameter and one log line naming the op type and the node;
 * pqnn_onnx_get_unsupported lists all of them before anything is built.
 *
 * Inputs and outputs keep the model's own layout (NCHW for images); inside, the graph
 * runs NHWC, with the layout changed only where a tensor enters or leaves. Model outputs
 * are float32; inputs are float32, or int64 / int32 token ids read only as the indices of
 * Gather nodes over constant tables (embedding lookups; pqnn_onnx_run_typed). See
 * docs/onnx.md.
 */
#ifndef PQNN_ONNX_H_
#define PQNN_ONNX_H_

#include <stddef.h>
#include <stdint.h>

#include "pqnn.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Most dims of an input or output. */
#define PQNN_ONNX_MAX_DIMS 6

typedef struct pqnn_onnx_model* pqnn_onnx_model_t;
typedef struct pqnn_onnx_runtime* pqnn_onnx_runtime_t;

/* Element types: ONNX's TensorProto.DataType numbers (1 = float, 7 = int64, ...). */
#define PQNN_ONNX_FLOAT 1
#define PQNN_ONNX_INT32 6
#define PQNN_ONNX_INT64 7
#define PQNN_ONNX_BOOL 9

struct pqnn_onnx_tensor_info {
  const char* name;          /* owned by the model */
  int32_t elem_type;         /* ONNX TensorProto.DataType */
  size_t num_dims;
  /* Current shape: the model's dims, or those set by pqnn_onnx_set_input_shape.
   * -1 is a dynamic dim not set yet (outputs: not known until every input dim is set). */
  int64_t dims[PQNN_ONNX_MAX_DIMS];
};

/* Loads a model from a file or from a buffer (copied; the caller may free it after).
 * flags must be 0. Does not need pqnn_initialize. */
PQNN_API enum pqnn_status pqnn_onnx_load_file(const char* path, uint32_t flags,
    pqnn_onnx_model_t* model_out);
PQNN_API enum pqnn_status pqnn_onnx_load_buffer(const void* data, size_t size,
    uint32_t flags, pqnn_onnx_model_t* model_out);
/* NULL is fine. Runtimes created from the model stay valid after it is deleted. */
PQNN_API enum pqnn_status pqnn_onnx_delete_model(pqnn_onnx_model_t model);

/* Graph inputs (initializers excluded) and outputs, in the model's order. */
PQNN_API enum pqnn_status pqnn_onnx_get_input_count(pqnn_onnx_model_t model, size_t* count_out);
PQNN_API enum pqnn_status pqnn_onnx_get_input(pqnn_onnx_model_t model, size_t index,
    struct pqnn_onnx_tensor_info* info_out);
PQNN_API enum pqnn_status pqnn_onnx_get_output_count(pqnn_onnx_model_t model, size_t* count_out);
/* Output shapes are inferred from the input shapes set so far (-1: depends on a dynamic
 * dim not set yet; num_dims 0: not known at all, the output follows an unsupported node). */
PQNN_API enum pqnn_status pqnn_onnx_get_output(pqnn_onnx_model_t model, size_t index,
    struct pqnn_onnx_tensor_info* info_out);

/* For an int64 / int32 input: the fewest rows of the constant tables that Gather nodes
 * index with it directly (valid ids are 0 .. bound - 1, and -bound .. -1 counting from the
 * end); 0 when no such Gather reads it. invalid_parameter for a float32 input. */
PQNN_API enum pqnn_status pqnn_onnx_get_input_index_bound(pqnn_onnx_model_t model,
    size_t index, int64_t* bound_out);

/* Sets the concrete shape of input `name` (same rank; a static dim must keep its value;
 * every dim >= 1). Affects the runtimes created afterwards. */
PQNN_API enum pqnn_status pqnn_onnx_set_input_shape(pqnn_onnx_model_t model, const char* name,
    size_t num_dims, const int64_t* dims);

/* Every node the importer cannot run with the shapes set so far, in graph order:
 * the count, then each node's op type and name (owned by the model; the name may be ""),
 * and a short reason. A node whose support depends on a dynamic dim not set yet is
 * assumed supported. */
PQNN_API enum pqnn_status pqnn_onnx_get_unsupported_count(pqnn_onnx_model_t model,
    size_t* count_out);
PQNN_API enum pqnn_status pqnn_onnx_get_unsupported(pqnn_onnx_model_t model, size_t index,
    const char** op_type_out, const char** node_name_out, const char** reason_out);

/* Builds a pqnn subgraph from the model (every input dim must be set) and creates its
 * runtime. flags: 0 (f32), PQNN_FLAG_FP16_INFERENCE (f16 where that is faster) or
 * PQNN_FLAG_FORCE_FP16_INFERENCE, and/or PQNN_FLAG_DYNAMIC_RANGE_QUANTIZATION, as
 * pqnn_create_runtime (the import keeps the model's own f16 rounding steps only when the
 * graph will run in f16: docs/onnx.md). threadpool may be NULL.
 * Needs pqnn_initialize. */
PQNN_API enum pqnn_status pqnn_onnx_create_runtime(pqnn_onnx_model_t model,
    pthreadpool_t threadpool, uint32_t flags, pqnn_onnx_runtime_t* runtime_out);
/* pqnn_onnx_create_runtime with pqnn runtime options (NULL: the defaults), e.g.
 * keep_values to read every node's output after a run (pqnn_get_runtime_value). Both
 * functions set qd8_float_depthwise: under PQNN_FLAG_DYNAMIC_RANGE_QUANTIZATION an imported
 * model's depthwise convolutions stay float (docs/onnx.md). */
PQNN_API enum pqnn_status pqnn_onnx_create_runtime_with_options(pqnn_onnx_model_t model,
    pthreadpool_t threadpool, uint32_t flags, const struct pqnn_runtime_options* options,
    pqnn_onnx_runtime_t* runtime_out);
/* The runtime's inputs/outputs (same order and names as the model's), with concrete dims. */
PQNN_API enum pqnn_status pqnn_onnx_get_runtime_input(pqnn_onnx_runtime_t runtime,
    size_t index, struct pqnn_onnx_tensor_info* info_out);
PQNN_API enum pqnn_status pqnn_onnx_get_runtime_output(pqnn_onnx_runtime_t runtime,
    size_t index, struct pqnn_onnx_tensor_info* info_out);
/* Runs the model: inputs[i] / outputs[i] are float32 buffers in the model's layout, with
 * exactly the elements of input / output i; the counts must be the model's. A model with
 * an int64 / int32 input needs pqnn_onnx_run_typed (invalid_parameter here, logged). */
PQNN_API enum pqnn_status pqnn_onnx_run(pqnn_onnx_runtime_t runtime, size_t num_inputs,
    const float* const* inputs, size_t num_outputs, float* const* outputs);
/* pqnn_onnx_run with each input buffer of its own element type (tensor_info.elem_type):
 * float, int64 or int32 elements, native byte order. int64 ids are narrowed to int32 at the
 * boundary; one outside int32 gives invalid_parameter before anything runs, and one
 * outside its Gather's table (-rows .. rows - 1) gives invalid_parameter from the run
 * (nothing out of bounds is read; the outputs are then unspecified). Allocates nothing. */
PQNN_API enum pqnn_status pqnn_onnx_run_typed(pqnn_onnx_runtime_t runtime, size_t num_inputs,
    const void* const* inputs, size_t num_outputs, float* const* outputs);
/* pqnn_onnx_run_typed with each output buffer of its own element type too
 * (pqnn_onnx_get_runtime_output's elem_type): float, int64 (int64_t), int32 (int32_t) or
 * bool (one byte, 0 / 1). Outputs of those types (ArgMax / ArgMin indices, comparisons)
 * are computed as floats inside pqnn and converted when the run ends, into buffers the
 * runtime allocated when it was created. pqnn_onnx_run and pqnn_onnx_run_typed refuse a
 * model with such an output (invalid_parameter, logged). */
PQNN_API enum pqnn_status pqnn_onnx_run_typed_outputs(pqnn_onnx_runtime_t runtime,
    size_t num_inputs, const void* const* inputs, size_t num_outputs, void* const* outputs);
/* The underlying pqnn runtime (for pqnn_get_runtime_node_info and friends); owned. */
PQNN_API enum pqnn_status pqnn_onnx_get_pqnn_runtime(pqnn_onnx_runtime_t runtime,
    pqnn_runtime_t* pqnn_runtime_out);
/* Layout changes at the boundary: transpose nodes the importer put right after the inputs
 * (model order to NHWC) and right before the outputs (back); see pqnn_get_runtime_node_info. */
PQNN_API enum pqnn_status pqnn_onnx_get_boundary_transpose_count(pqnn_onnx_runtime_t runtime,
    size_t* count_out);
/* The ONNX tensors the runtime computes, as pqnn values, in graph order: each node output
 * that became a value (constants folded away, intermediates of a fused pattern and
 * copies excluded; a value appears once, under the first node that produced it). The
 * strings are owned by the runtime. channels_last: the value is stored NHWC (the model's
 * dim 1 last; rank 3 as N,1,W,C), else in the model's order. Maps pqnn_get_runtime_node_profile's
 * output_value back to ONNX node names and reads node outputs with pqnn_get_runtime_value. */
struct pqnn_onnx_value_info {
  const char* tensor_name;
  const char* node_name;     /* the node that was lowered (a fused pattern: its first); may be "" */
  const char* op_type;       /* a fused pattern: its op types, "Conv+BatchNormalization" */
  uint32_t value_id;
  uint32_t channels_last;
};
PQNN_API enum pqnn_status pqnn_onnx_get_value_count(pqnn_onnx_runtime_t runtime,
    size_t* count_out);
PQNN_API enum pqnn_status pqnn_onnx_get_value(pqnn_onnx_runtime_t runtime, size_t index,
    struct pqnn_onnx_value_info* info_out);
PQNN_API enum pqnn_status pqnn_onnx_delete_runtime(pqnn_onnx_runtime_t runtime);

#ifdef __cplusplus
}  /* extern "C" */
#endif

#endif  /* PQNN_ONNX_H_ */
