/* Layout changes inside an imported graph. Activations of rank >= 3 produced by convs and
 * pools are channels-last (NHWC); reshapes produce the model's order. Where a consumer
 * needs the other layout and both store the same element sequence (C = 1, or all spatial
 * dims 1), a reshape copy relabels the dims; otherwise the graph needs a transpose node,
 * which the runtime does not have yet: unsupported. */
#include "onnx/internal.h"

enum pqnn_status ox_emit_reshape(struct ox_pass* p, uint32_t input_id, struct ox_tensor* out) {
  enum pqnn_status status = ox_define_activation(p, out);
  if (status != pqnn_status_success || !ox_emitting(p)) return status;
  size_t dims[OX_MAX_RANK + 1];
  const size_t num_dims = ox_physical_dims(out, dims);
  status = pqnn_define_static_reshape(p->sg, num_dims, dims, input_id, out->id, 0);
  if (status != pqnn_status_success) {
    return ox_unsupported(p, "the runtime refused the reshape (%s)", pqnn_status_string(status));
  }
  return pqnn_status_success;
}

static enum pqnn_status relabel(struct ox_pass* p, struct ox_tensor* x, bool channels_last,
    uint32_t* id) {
  /* A relabeled copy lives in the pass's own tensor slot: a private temporary. */
  struct ox_tensor tmp = *x;
  tmp.channels_last = channels_last;
  tmp.graph_output = -1;
  enum pqnn_status status = ox_emit_reshape(p, x->id, &tmp);
  *id = tmp.id;
  return status;
}

enum pqnn_status ox_channels_last_id(struct ox_pass* p, struct ox_tensor* x, uint32_t* id) {
  *id = x->id;
  if (x->rank < 3) return ox_unsupported(p, "input '%s' has rank %d, needs 3 or 4", x->name, x->rank);
  if (x->channels_last) return pqnn_status_success;
  if (!ox_layout_free(x)) {
    return ox_unsupported(p, "input '%s' is in the model's (NCHW) order here; going to NHWC "
        "needs a transpose node", x->name);
  }
  return relabel(p, x, true, id);
}

enum pqnn_status ox_model_order_id(struct ox_pass* p, struct ox_tensor* x, uint32_t* id) {
  *id = x->id;
  if (!x->channels_last || x->rank < 3) return pqnn_status_success;
  if (!ox_layout_free(x)) {
    return ox_unsupported(p, "input '%s' is NHWC here and this op needs the model's order "
        "(channels and spatial dims mixed): needs a transpose node", x->name);
  }
  return relabel(p, x, false, id);
}
