/* A runtime for an imported model: the pqnn subgraph built by the import pass, its pqnn
 * runtime, and the layout changes at the boundary (NCHW inputs to NHWC and back). */
#include <stdlib.h>
#include <string.h>

#include "onnx/internal.h"

struct boundary {
  struct ox_tensor info;        /* ONNX name, dims and layout inside */
  float* staging;               /* NHWC copy when the layout changes, else NULL */
  size_t elements;
};

struct pqnn_onnx_runtime {
  pqnn_subgraph_t subgraph;
  pqnn_runtime_t runtime;
  struct ox_blob* blobs;        /* constant data the runtime reads */
  size_t num_inputs, num_outputs;
  struct boundary* inputs;
  struct boundary* outputs;
  struct pqnn_external_value* externals;
  char* names;                  /* copies of the input/output names */
};

enum pqnn_status pqnn_onnx_delete_runtime(pqnn_onnx_runtime_t r) {
  if (r == NULL) return pqnn_status_success;
  pqnn_delete_runtime(r->runtime);
  pqnn_delete_subgraph(r->subgraph);
  ox_blobs_free(r->blobs);
  for (size_t k = 0; r->inputs != NULL && k < r->num_inputs; k++) free(r->inputs[k].staging);
  for (size_t k = 0; r->outputs != NULL && k < r->num_outputs; k++) free(r->outputs[k].staging);
  free(r->inputs);
  free(r->outputs);
  free(r->externals);
  free(r->names);
  free(r);
  return pqnn_status_success;
}

static enum pqnn_status init_boundary(struct boundary* b, const struct ox_tensor* t) {
  b->info = *t;
  int64_t n;
  if (!ox_elements(t, &n)) return pqnn_status_invalid_parameter;
  b->elements = (size_t) n;
  b->staging = NULL;
  if (t->channels_last && t->rank >= 3 && !ox_layout_free(t)) {
    b->staging = malloc((b->elements == 0 ? 1 : b->elements) * sizeof(float));
    if (b->staging == NULL) return pqnn_status_out_of_memory;
  }
  return pqnn_status_success;
}

enum pqnn_status pqnn_onnx_create_runtime(pqnn_onnx_model_t m, pthreadpool_t threadpool,
    uint32_t flags, pqnn_onnx_runtime_t* runtime_out) {
  if (runtime_out == NULL) return pqnn_status_invalid_parameter;
  *runtime_out = NULL;
  if (m == NULL) return pqnn_status_invalid_parameter;
  if ((flags & ~(uint32_t) (PQNN_FLAG_FP16_INFERENCE | PQNN_FLAG_DYNAMIC_RANGE_QUANTIZATION)) != 0) {
    ox_log("create_runtime: unknown flags 0x%x", (unsigned) flags);
    return pqnn_status_invalid_parameter;
  }
  enum pqnn_status status = ox_check_inputs_set(m);
  if (status != pqnn_status_success) return status;
  struct pqnn_onnx_runtime* r = calloc(1, sizeof(*r));
  if (r == NULL) return pqnn_status_out_of_memory;
  r->num_inputs = m->num_inputs;
  r->num_outputs = m->num_outputs;
  r->inputs = calloc(m->num_inputs + 1, sizeof(*r->inputs));
  r->outputs = calloc(m->num_outputs + 1, sizeof(*r->outputs));
  r->externals = calloc(m->num_inputs + m->num_outputs, sizeof(*r->externals));
  if (r->inputs == NULL || r->outputs == NULL || r->externals == NULL) {
    pqnn_onnx_delete_runtime(r);
    return pqnn_status_out_of_memory;
  }
  status = pqnn_create_subgraph((uint32_t) (m->num_inputs + m->num_outputs), 0, &r->subgraph);
  if (status != pqnn_status_success) {
    pqnn_onnx_delete_runtime(r);
    return status;
  }
  struct ox_pass p = {.m = m, .sg = r->subgraph};
  status = ox_run_pass(&p);
  if (status == pqnn_status_success) {
    size_t name_bytes = 0;
    for (size_t k = 0; k < m->num_inputs; k++) name_bytes += strlen(m->tensors[m->inputs[k]].name) + 1;
    for (size_t k = 0; k < m->num_outputs; k++) name_bytes += strlen(m->tensors[m->outputs[k]].name) + 1;
    r->names = malloc(name_bytes);
    if (r->names == NULL) status = pqnn_status_out_of_memory;
  }
  char* name = r->names;
  for (size_t k = 0; status == pqnn_status_success && k < m->num_inputs + m->num_outputs; k++) {
    const bool is_input = k < m->num_inputs;
    const struct ox_tensor* t = &p.t[is_input ? m->inputs[k] : m->outputs[k - m->num_inputs]];
    struct boundary* b = is_input ? &r->inputs[k] : &r->outputs[k - m->num_inputs];
    status = init_boundary(b, t);
    const size_t len = strlen(t->name) + 1;
    memcpy(name, t->name, len);
    b->info.name = name;
    name += len;
  }
  if (status == pqnn_status_success) {
    status = pqnn_create_runtime(r->subgraph, threadpool, flags, &r->runtime);
    if (status != pqnn_status_success) ox_log("create_runtime: the pqnn runtime failed (%s)", pqnn_status_string(status));
  }
  r->blobs = ox_pass_take_blobs(&p);
  ox_pass_free(&p);
  if (status != pqnn_status_success) {
    pqnn_onnx_delete_runtime(r);
    return status;
  }
  *runtime_out = r;
  return pqnn_status_success;
}

static void fill(const struct boundary* b, struct pqnn_onnx_tensor_info* info) {
  info->name = b->info.name;
  info->elem_type = OX_FLOAT;
  info->num_dims = (size_t) b->info.rank;
  for (size_t d = 0; d < PQNN_ONNX_MAX_DIMS; d++) {
    info->dims[d] = d < info->num_dims ? b->info.dims[d] : 0;
  }
}

enum pqnn_status pqnn_onnx_get_runtime_input(pqnn_onnx_runtime_t r, size_t index,
    struct pqnn_onnx_tensor_info* info_out) {
  if (r == NULL || info_out == NULL || index >= r->num_inputs) return pqnn_status_invalid_parameter;
  fill(&r->inputs[index], info_out);
  return pqnn_status_success;
}

enum pqnn_status pqnn_onnx_get_runtime_output(pqnn_onnx_runtime_t r, size_t index,
    struct pqnn_onnx_tensor_info* info_out) {
  if (r == NULL || info_out == NULL || index >= r->num_outputs) return pqnn_status_invalid_parameter;
  fill(&r->outputs[index], info_out);
  return pqnn_status_success;
}

/* [N][C][S] <-> [N][S][C], S = product of the spatial dims. */
static void transpose_channels(const struct ox_tensor* t, const float* src, float* dst,
    bool to_channels_last) {
  const size_t n = (size_t) t->dims[0], c = (size_t) t->dims[1];
  size_t s = 1;
  for (int d = 2; d < t->rank; d++) s *= (size_t) t->dims[d];
  for (size_t b = 0; b < n; b++) {
    const float* in = src + b * c * s;
    float* out = dst + b * c * s;
    for (size_t ch = 0; ch < c; ch++) {
      for (size_t q = 0; q < s; q++) {
        if (to_channels_last) {
          out[q * c + ch] = in[ch * s + q];
        } else {
          out[ch * s + q] = in[q * c + ch];
        }
      }
    }
  }
}

enum pqnn_status pqnn_onnx_run(pqnn_onnx_runtime_t r, size_t num_inputs,
    const float* const* inputs, size_t num_outputs, float* const* outputs) {
  if (r == NULL || num_inputs != r->num_inputs || num_outputs != r->num_outputs ||
      (num_inputs > 0 && inputs == NULL) || outputs == NULL) {
    return pqnn_status_invalid_parameter;
  }
  for (size_t k = 0; k < num_inputs; k++) {
    if (inputs[k] == NULL) return pqnn_status_invalid_parameter;
  }
  for (size_t k = 0; k < num_outputs; k++) {
    if (outputs[k] == NULL) return pqnn_status_invalid_parameter;
  }
  for (size_t k = 0; k < num_inputs; k++) {
    const struct boundary* b = &r->inputs[k];
    const float* data = inputs[k];
    if (b->staging != NULL) {
      transpose_channels(&b->info, inputs[k], b->staging, true);
      data = b->staging;
    }
    r->externals[k] = (struct pqnn_external_value) {.id = (uint32_t) k, .data = (void*) data};
  }
  for (size_t k = 0; k < num_outputs; k++) {
    const struct boundary* b = &r->outputs[k];
    r->externals[num_inputs + k] = (struct pqnn_external_value) {
        .id = (uint32_t) (num_inputs + k), .data = b->staging != NULL ? b->staging : outputs[k]};
  }
  enum pqnn_status status = pqnn_setup_runtime(r->runtime, num_inputs + num_outputs, r->externals);
  if (status == pqnn_status_success) status = pqnn_invoke_runtime(r->runtime);
  if (status != pqnn_status_success) return status;
  for (size_t k = 0; k < num_outputs; k++) {
    const struct boundary* b = &r->outputs[k];
    if (b->staging != NULL) transpose_channels(&b->info, b->staging, outputs[k], false);
  }
  return pqnn_status_success;
}

enum pqnn_status pqnn_onnx_get_pqnn_runtime(pqnn_onnx_runtime_t r, pqnn_runtime_t* out) {
  if (r == NULL || out == NULL) return pqnn_status_invalid_parameter;
  *out = r->runtime;
  return pqnn_status_success;
}

enum pqnn_status pqnn_onnx_get_boundary_transpose_count(pqnn_onnx_runtime_t r, size_t* count_out) {
  if (r == NULL || count_out == NULL) return pqnn_status_invalid_parameter;
  size_t n = 0;
  for (size_t k = 0; k < r->num_inputs; k++) n += r->inputs[k].staging != NULL;
  for (size_t k = 0; k < r->num_outputs; k++) n += r->outputs[k].staging != NULL;
  *count_out = n;
  return pqnn_status_success;
}
