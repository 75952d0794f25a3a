/* A runtime for an imported model: the pqnn subgraph built by the import pass and its pqnn
 * runtime. The caller's buffers are the runtime's external values, in the model's layout:
 * layout changes are transpose nodes inside the graph (layout.c). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "onnx/internal.h"

struct boundary {
  struct ox_tensor info;        /* ONNX name, elem_type and dims */
  size_t elements;
  int32_t* ids;                 /* int64 inputs: the int32 ids the runtime reads */
  float* staging;               /* bool / int64 / int32 outputs: the floats pqnn writes */
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
  size_t boundary_transposes;   /* transpose nodes at the inputs and outputs */
  struct ox_values values;      /* node outputs as pqnn values (values.c) */
};

enum pqnn_status pqnn_onnx_delete_runtime(pqnn_onnx_runtime_t r) {
  if (r == NULL) return pqnn_status_success;
  pqnn_delete_runtime(r->runtime);
  pqnn_delete_subgraph(r->subgraph);
  ox_blobs_free(r->blobs);
  for (size_t k = 0; r->inputs != NULL && k < r->num_inputs; k++) free(r->inputs[k].ids);
  for (size_t k = 0; r->outputs != NULL && k < r->num_outputs; k++) free(r->outputs[k].staging);
  free(r->inputs);
  free(r->outputs);
  free(r->externals);
  free(r->names);
  ox_values_free(&r->values);
  free(r);
  return pqnn_status_success;
}

/* output_type: the output's declared elem_type (ignored for inputs). */
static enum pqnn_status init_boundary(struct boundary* b, const struct ox_tensor* t,
    bool is_input, int32_t output_type) {
  b->info = *t;
  int64_t n;
  if (!ox_elements(t, &n)) return pqnn_status_invalid_parameter;
  b->elements = (size_t) n;
  if (!is_input) b->info.elem_type = output_type;
  /* Allocated here: a run allocates nothing. */
  if (is_input && t->elem_type == OX_INT64) {
    b->ids = malloc((b->elements ? b->elements : 1) * sizeof(int32_t));
    if (b->ids == NULL) return pqnn_status_out_of_memory;
  }
  if (!is_input && output_type != OX_FLOAT) {
    b->staging = malloc((b->elements ? b->elements : 1) * sizeof(float));
    if (b->staging == NULL) return pqnn_status_out_of_memory;
  }
  return pqnn_status_success;
}

enum pqnn_status pqnn_onnx_create_runtime(pqnn_onnx_model_t m, pthreadpool_t threadpool,
    uint32_t flags, pqnn_onnx_runtime_t* runtime_out) {
  return pqnn_onnx_create_runtime_with_options(m, threadpool, flags, NULL, runtime_out);
}

enum pqnn_status pqnn_onnx_create_runtime_with_options(pqnn_onnx_model_t m,
    pthreadpool_t threadpool, uint32_t flags, const struct pqnn_runtime_options* options,
    pqnn_onnx_runtime_t* runtime_out) {
  if (runtime_out == NULL) return pqnn_status_invalid_parameter;
  *runtime_out = NULL;
  if (m == NULL) return pqnn_status_invalid_parameter;
  if ((flags & ~(uint32_t) (PQNN_FLAG_FP16_INFERENCE | PQNN_FLAG_FORCE_FP16_INFERENCE |
                            PQNN_FLAG_DYNAMIC_RANGE_QUANTIZATION)) != 0) {
    ox_log("create_runtime: unknown flags 0x%x", (unsigned) flags);
    return pqnn_status_invalid_parameter;
  }
  /* The runtime's own f16 decision for this all-f32 graph: the pass keeps the model's
   * rounding steps only when the graph will really run in f16 (ox_literal_rounding). */
  enum pqnn_fp16_decision fp16;
  enum pqnn_status status = pqnn_fp16_inference_decision(flags, &fp16);
  if (status != pqnn_status_success) {
    ox_log("create_runtime: %s", pqnn_status_string(status));
    return status;
  }
  status = ox_check_inputs_set(m);
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
  struct ox_pass p = {.m = m, .sg = r->subgraph, .flags = flags,
      .runs_fp16 = fp16 == pqnn_fp16_decision_fp16 || fp16 == pqnn_fp16_decision_forced};
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
    status = init_boundary(b, t, is_input, is_input ? 0 : m->output_types[k - m->num_inputs]);
    const size_t len = strlen(t->name) + 1;
    memcpy(name, t->name, len);
    b->info.name = name;
    name += len;
  }
  if (status == pqnn_status_success) {
    /* Dynamic quantization keeps depthwise convolutions float, whatever the caller's options
     * say: their input would be quantized with one scale per image, and real models'
     * depthwise inputs have channels of very different ranges (PaddleOCR det: cosine 0.87
     * against ORT with qd8 depthwise, 0.9995 without; docs/onnx.md). */
    struct pqnn_runtime_options local = {0};
    if (options != NULL) local = *options;
    local.qd8_float_depthwise = 1;
    status = pqnn_create_runtime_with_options(r->subgraph, threadpool, flags, &local,
        &r->runtime);
    if (status != pqnn_status_success) ox_log("create_runtime: the pqnn runtime failed (%s)", pqnn_status_string(status));
  }
  if (status == pqnn_status_success) status = ox_collect_values(&p, &r->values);
  r->boundary_transposes = p.boundary_transposes;
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
  info->elem_type = b->info.elem_type;
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

/* A float pqnn computed for an integer output (an index: integral, exact below 2^24) as
 * that integer; NaN (never produced) as 0 and anything outside the type saturated, so that
 * the conversion is defined for every float. */
static int64_t to_int64(float v) {
  if (!(v == v)) return 0;
  if (v >= 9.2233720368547758e18f) return INT64_MAX;
  if (v < -9.2233720368547758e18f) return INT64_MIN;
  return (int64_t) v;
}

/* The staged floats of a bool / int64 / int32 output into the caller's buffer. */
static void convert_output(const struct boundary* b, void* out) {
  const float* v = b->staging;
  switch (b->info.elem_type) {
    case OX_BOOL:
      for (size_t i = 0; i < b->elements; i++) ((uint8_t*) out)[i] = v[i] != 0.0f;
      break;
    case OX_INT64:
      for (size_t i = 0; i < b->elements; i++) ((int64_t*) out)[i] = to_int64(v[i]);
      break;
    default: {  /* OX_INT32 */
      for (size_t i = 0; i < b->elements; i++) {
        const int64_t x = to_int64(v[i]);
        ((int32_t*) out)[i] = (int32_t) (x > INT32_MAX ? INT32_MAX : x < INT32_MIN ? INT32_MIN : x);
      }
      break;
    }
  }
}

/* Binds the inputs (int64 ids narrowed to int32, range-checked) and outputs (a bool /
 * integer one through its staging floats), runs, then converts the staged outputs. */
static enum pqnn_status run(pqnn_onnx_runtime_t r, size_t num_inputs, const void* const* inputs,
    size_t num_outputs, void* const* outputs) {
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
    void* data = (void*) inputs[k];
    if (b->ids != NULL) {
      const int64_t* ids = inputs[k];
      for (size_t i = 0; i < b->elements; i++) {
        if (ids[i] < INT32_MIN || ids[i] > INT32_MAX) {
          ox_log("run: input '%s' [%zu] = %lld is outside int32 (and any table)", b->info.name,
              i, (long long) ids[i]);
          return pqnn_status_invalid_parameter;
        }
        b->ids[i] = (int32_t) ids[i];
      }
      data = b->ids;
    }
    r->externals[k] = (struct pqnn_external_value) {.id = (uint32_t) k, .data = data};
  }
  for (size_t k = 0; k < num_outputs; k++) {
    const struct boundary* b = &r->outputs[k];
    r->externals[num_inputs + k] = (struct pqnn_external_value) {
        .id = (uint32_t) (num_inputs + k), .data = b->staging != NULL ? b->staging : outputs[k]};
  }
  enum pqnn_status status = pqnn_setup_runtime(r->runtime, num_inputs + num_outputs, r->externals);
  if (status == pqnn_status_success) status = pqnn_invoke_runtime(r->runtime);
  for (size_t k = 0; status == pqnn_status_success && k < num_outputs; k++) {
    if (r->outputs[k].staging != NULL) convert_output(&r->outputs[k], outputs[k]);
  }
  return status;
}

/* The float32-output calls refuse a model with a bool / int64 / int32 output (logged). */
static bool float_outputs(pqnn_onnx_runtime_t r) {
  for (size_t k = 0; r != NULL && k < r->num_outputs; k++) {
    if (r->outputs[k].info.elem_type != OX_FLOAT) {
      ox_log("run: output '%s' is %s: pass it with pqnn_onnx_run_typed_outputs",
          r->outputs[k].info.name, ox_type_name(r->outputs[k].info.elem_type));
      return false;
    }
  }
  return true;
}

enum pqnn_status pqnn_onnx_run(pqnn_onnx_runtime_t r, size_t num_inputs,
    const float* const* inputs, size_t num_outputs, float* const* outputs) {
  for (size_t k = 0; r != NULL && k < r->num_inputs; k++) {
    if (r->inputs[k].info.elem_type != OX_FLOAT) {
      ox_log("run: input '%s' is %s: pass it with pqnn_onnx_run_typed", r->inputs[k].info.name,
          ox_type_name(r->inputs[k].info.elem_type));
      return pqnn_status_invalid_parameter;
    }
  }
  if (!float_outputs(r)) return pqnn_status_invalid_parameter;
  return run(r, num_inputs, (const void* const*) inputs, num_outputs, (void* const*) outputs);
}

enum pqnn_status pqnn_onnx_run_typed(pqnn_onnx_runtime_t r, size_t num_inputs,
    const void* const* inputs, size_t num_outputs, float* const* outputs) {
  if (!float_outputs(r)) return pqnn_status_invalid_parameter;
  return run(r, num_inputs, inputs, num_outputs, (void* const*) outputs);
}

enum pqnn_status pqnn_onnx_run_typed_outputs(pqnn_onnx_runtime_t r, size_t num_inputs,
    const void* const* inputs, size_t num_outputs, void* const* outputs) {
  return run(r, num_inputs, inputs, num_outputs, outputs);
}

enum pqnn_status pqnn_onnx_get_pqnn_runtime(pqnn_onnx_runtime_t r, pqnn_runtime_t* out) {
  if (r == NULL || out == NULL) return pqnn_status_invalid_parameter;
  *out = r->runtime;
  return pqnn_status_success;
}

enum pqnn_status pqnn_onnx_get_boundary_transpose_count(pqnn_onnx_runtime_t r, size_t* count_out) {
  if (r == NULL || count_out == NULL) return pqnn_status_invalid_parameter;
  *count_out = r->boundary_transposes;
  return pqnn_status_success;
}

enum pqnn_status pqnn_onnx_get_value_count(pqnn_onnx_runtime_t r, size_t* count_out) {
  if (r == NULL || count_out == NULL) return pqnn_status_invalid_parameter;
  *count_out = r->values.count;
  return pqnn_status_success;
}

enum pqnn_status pqnn_onnx_get_value(pqnn_onnx_runtime_t r, size_t index,
    struct pqnn_onnx_value_info* info_out) {
  if (r == NULL || info_out == NULL || index >= r->values.count) {
    return pqnn_status_invalid_parameter;
  }
  *info_out = r->values.info[index];
  return pqnn_status_success;
}
