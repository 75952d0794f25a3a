/* pqnn-run --layer-error: the model runs twice on the same inputs, in f32 and under the
 * chosen flags, both runtimes keeping every value (the keep_values runtime option); each
 * node output (an ONNX tensor both runtimes computed) is compared: cosine similarity and
 * relative RMS error ||y - y_f32|| / ||y_f32||. Both graphs come from the same importer,
 * so a value has the same shape and layout (NHWC inside) in both. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run.h"

/* Layers printed without --verbose: the worst ones (the JSON has all). */
#define RUN_LAYERS_TOP 25

static float half_to_float(uint16_t h) {
  const uint32_t sign = (uint32_t) (h >> 15) << 31;
  const int exponent = (h >> 10) & 0x1F;
  const uint32_t mantissa = h & 0x3FF;
  float magnitude;
  if (exponent == 0) {
    magnitude = ldexpf((float) mantissa, -24);
  } else if (exponent == 31) {
    magnitude = mantissa != 0 ? NAN : INFINITY;
  } else {
    magnitude = ldexpf((float) (mantissa | 0x400), exponent - 25);
  }
  return sign ? -magnitude : magnitude;
}

struct view {
  enum pqnn_datatype datatype;
  size_t count;
  const void* data;
};

static bool get_view(pqnn_onnx_runtime_t rt, uint32_t id, struct view* v) {
  pqnn_runtime_t prt;
  size_t num_dims, dims[PQNN_MAX_TENSOR_DIMS];
  pqnn_onnx_get_pqnn_runtime(rt, &prt);
  if (pqnn_get_runtime_value(prt, id, &v->datatype, &num_dims, dims, &v->data) !=
      pqnn_status_success) {
    return false;
  }
  v->count = 1;
  for (size_t d = 0; d < num_dims; d++) v->count *= dims[d];
  return v->datatype == pqnn_datatype_fp32 || v->datatype == pqnn_datatype_fp16;
}

static double element(const struct view* v, size_t k) {
  return v->datatype == pqnn_datatype_fp32 ? (double) ((const float*) v->data)[k]
      : (double) half_to_float(((const uint16_t*) v->data)[k]);
}

struct layer {
  struct pqnn_onnx_value_info info;
  const char* node;  /* the ONNX node (of a fused conv + clamp: the conv's) */
  char op[192];      /* its op type or fused op chain */
  double cosine, rel_rms;
};

static void compare(const struct view* y, const struct view* ref, struct layer* l) {
  double dot = 0.0, yy = 0.0, rr = 0.0, ee = 0.0;
  for (size_t k = 0; k < y->count; k++) {
    const double a = element(y, k), b = element(ref, k);
    dot += a * b;
    yy += a * a;
    rr += b * b;
    ee += (a - b) * (a - b);
  }
  l->cosine = (yy == 0.0 && rr == 0.0) ? 1.0 : dot / (sqrt(yy) * sqrt(rr));
  l->rel_rms = rr > 0.0 ? sqrt(ee / rr) : sqrt(ee);
}

/* Creates a keep_values runtime and runs it once on `in` (outputs into scratch buffers). */
static bool run_keeping(pqnn_onnx_model_t model, pthreadpool_t pool, uint32_t flags, size_t ni,
    void** in, pqnn_onnx_runtime_t* rt_out, float*** out_out, size_t* no_out) {
  const struct pqnn_runtime_options options = {.keep_values = 1};
  *out_out = NULL;
  enum pqnn_status status = pqnn_onnx_create_runtime_with_options(model, pool, flags, &options,
      rt_out);
  if (status != pqnn_status_success) {
    fprintf(stderr, "pqnn-run: --layer-error: building the runtime failed: %s\n",
        pqnn_status_string(status));
    return false;
  }
  size_t no = 0;
  pqnn_onnx_get_output_count(model, &no);
  float** out = calloc(no + 1, sizeof(float*));
  if (out == NULL) return false;
  *out_out = out;
  *no_out = no;
  for (size_t k = 0; k < no; k++) {
    struct pqnn_onnx_tensor_info info;
    pqnn_onnx_get_runtime_output(*rt_out, k, &info);
    size_t n = 1;
    for (size_t d = 0; d < info.num_dims; d++) n *= (size_t) info.dims[d];
    out[k] = malloc((n ? n : 1) * sizeof(int64_t));  /* the widest output type */
    if (out[k] == NULL) return false;
  }
  status = pqnn_onnx_run_typed_outputs(*rt_out, ni, (const void* const*) in, no,
      (void* const*) out);
  if (status != pqnn_status_success) {
    fprintf(stderr, "pqnn-run: --layer-error: run failed: %s\n", pqnn_status_string(status));
    return false;
  }
  return true;
}

static void free_outputs(float** out, size_t no) {
  for (size_t k = 0; out != NULL && k < no; k++) free(out[k]);
  free(out);
}

static int by_cosine(const void* a, const void* b) {
  const double x = ((const struct layer*) a)->cosine, y = ((const struct layer*) b)->cosine;
  return x < y ? -1 : x > y;
}

static size_t index_of(const struct layer* l, const struct layer* base, size_t count) {
  for (size_t k = 0; k < count; k++) {
    if (base[k].info.value_id == l->info.value_id) return k;
  }
  return 0;
}

/* Compares every value of rt with the same ONNX tensor of ref: the rows, in graph order. */
static size_t compare_layers(pqnn_onnx_runtime_t rt, pqnn_onnx_runtime_t ref,
    struct layer* layers, size_t* skipped) {
  size_t count = 0, ref_count = 0, num = 0;
  pqnn_onnx_get_value_count(rt, &count);
  pqnn_onnx_get_value_count(ref, &ref_count);
  *skipped = 0;
  /* A value no node writes (a conv output whose clamp the runtime fused) and the value right
   * after it, which that fused node writes, are reported as one row. */
  struct pqnn_onnx_value_info fused_away;
  size_t fused_away_index = SIZE_MAX;
  for (size_t k = 0; k < count; k++) {
    struct layer l = {0};
    pqnn_onnx_get_value(rt, k, &l.info);
    l.node = run_value_name(&l.info);
    snprintf(l.op, sizeof(l.op), "%s", l.info.op_type);
    if (fused_away_index != SIZE_MAX && fused_away_index + 1 == k) {
      l.node = run_value_name(&fused_away);
      snprintf(l.op, sizeof(l.op), "%s+%s", fused_away.op_type, l.info.op_type);
    }
    struct pqnn_onnx_value_info r;
    size_t j = 0;
    for (; j < ref_count; j++) {
      if (pqnn_onnx_get_value(ref, j, &r) == pqnn_status_success &&
          strcmp(r.tensor_name, l.info.tensor_name) == 0) {
        break;
      }
    }
    struct view y, y_ref;
    if (!get_view(rt, l.info.value_id, &y)) {
      fused_away = l.info;
      fused_away_index = k;
      (*skipped)++;
      continue;
    }
    if (j == ref_count ||
        !get_view(ref, r.value_id, &y_ref) || y.count != y_ref.count) {
      (*skipped)++;
      continue;
    }
    compare(&y, &y_ref, &l);
    layers[num++] = l;
  }
  return num;
}

int run_layer_error(pqnn_onnx_model_t model, pthreadpool_t pool, uint32_t flags, size_t ni,
    void** in, bool verbose, cJSON* json) {
  pqnn_onnx_runtime_t ref = NULL, rt = NULL;
  float **ref_out = NULL, **out = NULL;
  size_t ref_no = 0, no = 0, count = 0;
  int rc = 1;
  struct layer* layers = NULL;
  if (run_keeping(model, pool, 0, ni, in, &ref, &ref_out, &ref_no) &&
      run_keeping(model, pool, flags, ni, in, &rt, &out, &no) &&
      pqnn_onnx_get_value_count(rt, &count) == pqnn_status_success &&
      (layers = calloc(2 * count + 1, sizeof(*layers))) != NULL) {
    size_t skipped = 0;
    const size_t num = compare_layers(rt, ref, layers, &skipped);
    struct layer* worst = layers + count;
    memcpy(worst, layers, num * sizeof(*layers));
    qsort(worst, num, sizeof(*worst), by_cosine);
    const size_t shown = verbose || num <= RUN_LAYERS_TOP ? num : RUN_LAYERS_TOP;
    printf("layer error vs f32 (%zu node outputs%s%s; %zu fused away or not comparable):\n", num,
        shown < num ? ", the " : "", shown < num ? "worst 25 in graph order, --verbose for all" : "",
        skipped);
    printf("  %5s %10s %10s  %-28s %s\n", "#", "cosine", "rel RMS", "op", "ONNX node (output)");
    cJSON* lj = json != NULL ? cJSON_AddArrayToObject(json, "layer_error") : NULL;
    for (size_t k = 0; k < num; k++) {
      const struct layer* l = &layers[k];
      bool show = shown == num;
      for (size_t w = 0; !show && w < shown; w++) show = worst[w].info.value_id == l->info.value_id;
      if (show) {
        printf("  %5zu %10.6f %10.3g  %-28s %s (%s)\n", k, l->cosine, l->rel_rms, l->op,
            l->node, l->info.tensor_name);
      }
      if (lj != NULL) {
        cJSON* o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "node", l->node);
        cJSON_AddStringToObject(o, "op_type", l->op);
        cJSON_AddStringToObject(o, "tensor", l->info.tensor_name);
        cJSON_AddNumberToObject(o, "cosine", l->cosine);
        cJSON_AddNumberToObject(o, "rel_rms", l->rel_rms);
        cJSON_AddItemToArray(lj, o);
      }
    }
    if (num != 0) {
      printf("  lowest cosine: #%zu %s (%s): %.6f\n", index_of(&worst[0], layers, num),
          worst[0].node, worst[0].op, worst[0].cosine);
    }
    rc = 0;
  }
  free(layers);
  free_outputs(ref_out, ref_no);
  free_outputs(out, no);
  pqnn_onnx_delete_runtime(ref);
  pqnn_onnx_delete_runtime(rt);
  return rc;
}
