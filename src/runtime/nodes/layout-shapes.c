/* Output shapes of the data-movement nodes (concatenate, split, slice, pad, transpose,
 * resize), for the define calls and for reshape. Each returns NULL or what is wrong. */
#include <math.h>

#include "runtime/subgraph.h"

static const char* concatenate_shape(const struct pqnn_node* node,
    const struct pqnn_shape* const* in, struct pqnn_shape* out) {
  const size_t axis = node->layout.axis;
  if (axis >= in[0]->num_dims) return "concatenation axis is not below the inputs' rank";
  *out = *in[0];
  for (uint32_t k = 1; k < node->num_inputs; k++) {
    if (in[k]->num_dims != in[0]->num_dims) return "concatenated inputs differ in rank";
    for (size_t d = 0; d < in[0]->num_dims; d++) {
      if (d != axis && in[k]->dim[d] != in[0]->dim[d]) {
        return "concatenated inputs differ outside the axis";
      }
    }
    if (!pqnn_add_sz(out->dim[axis], in[k]->dim[axis], &out->dim[axis])) {
      return "concatenated size overflows size_t";
    }
  }
  return NULL;
}

static const char* split_shape(const struct pqnn_node* node, const struct pqnn_shape* x,
    struct pqnn_shape* out) {
  const struct pqnn_layout_params* l = &node->layout;
  if (l->axis >= x->num_dims) return "split axis is not below the input's rank";
  if (l->offset[l->axis] >= x->dim[l->axis] ||
      l->size[l->axis] > x->dim[l->axis] - l->offset[l->axis]) {
    return "split part does not fit the input";
  }
  *out = *x;
  out->dim[l->axis] = l->size[l->axis];
  return NULL;
}

static const char* slice_shape(const struct pqnn_node* node, const struct pqnn_shape* x,
    struct pqnn_shape* out) {
  const struct pqnn_layout_params* l = &node->layout;
  if (x->num_dims != l->num_dims) return "slice rank differs from the input's";
  out->num_dims = l->num_dims;
  for (size_t d = 0; d < l->num_dims; d++) {
    size_t last;  /* offset + (size - 1) * step, the last index read */
    if (!pqnn_mul_sz(l->size[d] - 1, l->step[d], &last) ||
        !pqnn_add_sz(last, l->offset[d], &last) || last >= x->dim[d]) {
      return "slice window reads outside the input";
    }
    out->dim[d] = l->size[d];
  }
  return NULL;
}

static const char* pad_shape(const struct pqnn_node* node, const struct pqnn_shape* x,
    struct pqnn_shape* out) {
  const struct pqnn_layout_params* l = &node->layout;
  if (x->num_dims != l->num_dims) return "padding rank differs from the input's";
  out->num_dims = l->num_dims;
  for (size_t d = 0; d < l->num_dims; d++) {
    if (!pqnn_add_sz(x->dim[d], l->offset[d], &out->dim[d]) ||
        !pqnn_add_sz(out->dim[d], l->size[d], &out->dim[d])) {
      return "padded size overflows size_t";
    }
  }
  size_t elements = 1;
  for (size_t d = 0; d < out->num_dims; d++) {
    if (!pqnn_mul_sz(elements, out->dim[d], &elements)) return "padded size overflows size_t";
  }
  return NULL;
}

static const char* transpose_shape(const struct pqnn_node* node, const struct pqnn_shape* x,
    struct pqnn_shape* out) {
  const struct pqnn_layout_params* l = &node->layout;
  if (x->num_dims != l->num_dims) return "permutation rank differs from the input's";
  out->num_dims = l->num_dims;
  for (size_t d = 0; d < l->num_dims; d++) out->dim[d] = x->dim[l->perm[d]];
  return NULL;
}

/* floor(in * scale) in float, as ONNX Runtime sizes a Resize output from scales. */
static bool scaled_size(size_t in, size_t given, float scale, size_t* out) {
  if (given != 0) {
    *out = given;
    return true;
  }
  const float size = floorf((float) in * scale);
  if (!(size >= 1.0f) || size >= 0x1p52f) return false;
  *out = (size_t) size;
  return true;
}

static const char* resize_shape(const struct pqnn_node* node, const struct pqnn_shape* x,
    struct pqnn_shape* out) {
  const struct pqnn_resize_params* r = &node->layout.resize;
  if (x->num_dims != 4) return "resize input must be [N][H][W][C]";
  *out = *x;
  if (!scaled_size(x->dim[1], r->output_height, r->height_scale, &out->dim[1]) ||
      !scaled_size(x->dim[2], r->output_width, r->width_scale, &out->dim[2])) {
    return "resize output size is below 1 or too large";
  }
  size_t elements = 1;
  for (size_t d = 0; d < 4; d++) {
    if (!pqnn_mul_sz(elements, out->dim[d], &elements)) return "resized size overflows size_t";
  }
  return NULL;
}

const char* pqnn_infer_layout_shape(const struct pqnn_node* node,
    const struct pqnn_shape* const* in, struct pqnn_shape* out) {
  switch (node->type) {
    case pqnn_node_type_concatenate: return concatenate_shape(node, in, out);
    case pqnn_node_type_split: return split_shape(node, in[0], out);
    case pqnn_node_type_static_slice: return slice_shape(node, in[0], out);
    case pqnn_node_type_static_constant_pad: return pad_shape(node, in[0], out);
    case pqnn_node_type_static_transpose: return transpose_shape(node, in[0], out);
    case pqnn_node_type_static_resize_2d: return resize_shape(node, in[0], out);
    default: return "not a data-movement node";
  }
}
