/* Subgraph: the values and nodes an application defines before creating a runtime.
 * Values are tensors (static data, external inputs/outputs, or intermediates); nodes
 * read values and produce exactly one value each. Every define call validates its
 * arguments against the values already defined, so a subgraph that exists is
 * well-formed except for what can only be judged as a whole (never-produced values,
 * cycles), which pqnn_create_runtime checks. */
#ifndef PQNN_RUNTIME_SUBGRAPH_H_
#define PQNN_RUNTIME_SUBGRAPH_H_

#include <pqnn.h>

#include "common.h"

#define PQNN_MAX_DIMS PQNN_MAX_TENSOR_DIMS
/* FC / conv: 3 (input, filter, bias); concatenate: up to PQNN_MAX_CONCAT_INPUTS. */
#define PQNN_NODE_MAX_INPUTS PQNN_MAX_CONCAT_INPUTS
#define PQNN_NO_NODE UINT32_MAX
/* The flags pqnn_create_subgraph and pqnn_create_runtime accept (the one definition). */
#define PQNN_RUNTIME_FLAGS \
  (PQNN_FLAG_FP16_INFERENCE | PQNN_FLAG_FORCE_FP16_INFERENCE | PQNN_FLAG_DYNAMIC_RANGE_QUANTIZATION)

struct pqnn_shape {
  size_t num_dims;
  size_t dim[PQNN_MAX_DIMS];
};

struct pqnn_value {
  bool defined;
  enum pqnn_datatype datatype;
  struct pqnn_shape shape;
  const void* data;         /* static data (caller's memory), NULL otherwise */
  uint32_t flags;           /* PQNN_VALUE_FLAG_EXTERNAL_* */
  int32_t zero_point;       /* qint8 (and per-tensor int32 bias) */
  float scale;
  float* channel_scale;     /* qcint8 / qcint32: shape.dim[channel_dim] entries; qbint4:
                               dim[0] x ceil(dim[1] / block_size) (owned copy) */
  size_t channel_dim;
  size_t block_size;        /* qbint4: input channels per scale */
  uint32_t producer;        /* node index, PQNN_NO_NODE when none */
};

struct pqnn_conv_params {
  uint32_t pad_top, pad_right, pad_bottom, pad_left;
  uint32_t kernel_height, kernel_width;
  uint32_t stride_height, stride_width;
  uint32_t dilation_height, dilation_width;
  uint32_t groups;
  size_t group_input_channels, group_output_channels;
};

/* Data-movement nodes (src/runtime/nodes/): the static parameters of each. */
struct pqnn_layout_params {
  size_t num_dims;                        /* slice, pad, transpose: the rank */
  size_t axis;                            /* concatenate, split */
  size_t perm[PQNN_MAX_DIMS];             /* transpose */
  size_t offset[PQNN_MAX_DIMS];           /* slice, split: window start; pad: pre paddings */
  size_t size[PQNN_MAX_DIMS];             /* slice, split: window size; pad: post paddings */
  size_t step[PQNN_MAX_DIMS];             /* slice, split: element step (>= 1) */
  float pad_value;                        /* pad */
  struct pqnn_resize_params resize;       /* resize */
};

struct pqnn_node {
  enum pqnn_node_type type;
  uint32_t num_inputs;
  uint32_t inputs[PQNN_NODE_MAX_INPUTS];  /* FC/conv: input, filter, bias (may be invalid) */
  uint32_t output;
  float output_min, output_max;
  uint32_t flags;
  struct pqnn_conv_params conv;           /* conv, dwconv (groups = channels), max pooling */
  struct pqnn_shape new_shape;            /* static reshape (0 = inferred) */
  /* layer normalization: axis, epsilon; softmax_axis: axis; deconvolution: adjustment
   * (output padding); reduce: axes [axis, axis + axis_count), operator */
  struct {
    size_t axis, axis_count;
    float epsilon;
    uint32_t adjustment_height, adjustment_width;
    enum pqnn_reduce_operator reduce_operator;
  } compute;
  uint32_t elementwise_op;                /* binary / unary: enum pqnn_binary/unary_operator */
  struct pqnn_unary_params unary;         /* unary: alpha, beta */
  struct pqnn_layout_params layout;       /* data-movement nodes */
};

struct pqnn_subgraph {
  uint32_t external_value_ids;
  uint32_t flags;
  uint32_t num_values, values_capacity;
  struct pqnn_value* values;
  uint32_t num_nodes, nodes_capacity;
  struct pqnn_node* nodes;
};

PQNN_INTERNAL size_t pqnn_shape_elements(const struct pqnn_shape* shape);
PQNN_INTERNAL bool pqnn_shape_equal(const struct pqnn_shape* a, const struct pqnn_shape* b);
PQNN_INTERNAL size_t pqnn_datatype_size(enum pqnn_datatype datatype);
/* Appends a node (copied); out_of_memory when growing fails. */
PQNN_INTERNAL enum pqnn_status pqnn_subgraph_add_node(struct pqnn_subgraph* subgraph,
    const struct pqnn_node* node);
/* The value behind `id`, or NULL when the id is out of range or never defined. */
PQNN_INTERNAL const struct pqnn_value* pqnn_subgraph_value(const struct pqnn_subgraph* subgraph,
    uint32_t id);

/* Output shape of a node from its input shapes (inputs[i] for node->inputs[i]).
 * invalid_parameter (logged under `function`) when the inputs do not fit the node. */
PQNN_INTERNAL enum pqnn_status pqnn_infer_node_shape(const char* function,
    const struct pqnn_node* node, const struct pqnn_shape* const* inputs,
    struct pqnn_shape* output);
/* Output shape of a data-movement node (src/runtime/nodes/layout-shapes.c): NULL, or what
 * is wrong with the inputs. */
PQNN_INTERNAL const char* pqnn_infer_layout_shape(const struct pqnn_node* node,
    const struct pqnn_shape* const* inputs, struct pqnn_shape* output);
/* Checks a node against the subgraph (ids, flags, shapes, datatypes) and appends it as its
 * output's producer (subgraph-nodes.c); the define functions' common step. */
PQNN_INTERNAL enum pqnn_status pqnn_subgraph_define_node(const char* function,
    struct pqnn_subgraph* subgraph, struct pqnn_node* node, uint32_t allowed_flags);
/* "[d0xd1x...]" into buffer (truncated to size). */
PQNN_INTERNAL void pqnn_format_shape(const struct pqnn_shape* shape, char* buffer, size_t size);
/* Output size of a padded window op along one dimension; false when the window does not
 * fit. SAME padding (TensorFlow) yields ceil(in / stride). */
PQNN_INTERNAL bool pqnn_window_output_size(size_t in, uint32_t pad_before, uint32_t pad_after,
    uint32_t kernel, uint32_t stride, uint32_t dilation, bool same_padding, size_t* out);
/* TensorFlow SAME padding before the data along one dimension, computed in size_t; false
 * when the padded extent (plus one dilation step, which the pooling kernels add) does not
 * fit in size_t. */
PQNN_INTERNAL bool pqnn_same_padding_before(size_t in, uint32_t kernel, uint32_t stride,
    uint32_t dilation, size_t* pad_out);

#endif  /* PQNN_RUNTIME_SUBGRAPH_H_ */
