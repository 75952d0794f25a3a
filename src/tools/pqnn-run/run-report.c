/* pqnn-run: accuracy against a reference, latency percentiles and the JSON report. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "run.h"

/* cosine similarity; max |out - ref|; that over max |ref| (the relative error the tests
 * bound); NaN anywhere makes the numbers NaN. */
void run_accuracy(const float* out, const float* ref, size_t count, struct accuracy* acc) {
  double dot = 0.0, oo = 0.0, rr = 0.0, max_abs = 0.0, max_ref = 0.0;
  bool nan = false;
  for (size_t k = 0; k < count; k++) {
    const double o = out[k], r = ref[k];
    nan |= isnan(o) != isnan(r);
    dot += o * r;
    oo += o * o;
    rr += r * r;
    const double e = fabs(o - r);
    if (e > max_abs) max_abs = e;
    if (fabs(r) > max_ref) max_ref = fabs(r);
  }
  acc->cosine = (oo == 0.0 && rr == 0.0) ? 1.0 : dot / (sqrt(oo) * sqrt(rr));
  acc->max_abs = max_abs;
  acc->max_abs_ref = max_ref;
  acc->max_rel = max_ref > 0.0 ? max_abs / max_ref : max_abs;
  if (nan) acc->cosine = acc->max_abs = acc->max_rel = NAN;
}

double run_percentile(double* sorted_ms, size_t n, double q) {
  /* nearest rank on sorted data */
  size_t rank = (size_t) ceil(q * (double) n);
  if (rank < 1) rank = 1;
  if (rank > n) rank = n;
  return sorted_ms[rank - 1];
}

bool run_write_json(const char* path, const struct run_args* a, const char* dtype_ran,
    const double* sorted_ms,
    size_t n, double import_ms, const struct run_output_report* outputs, size_t num_outputs,
    cJSON* extra) {
  cJSON* root = cJSON_CreateObject();
  cJSON_AddStringToObject(root, "model", a->model);
  cJSON_AddStringToObject(root, "dtype", dtype_ran);
  cJSON_AddStringToObject(root, "dtype_requested", a->dtype);
  cJSON_AddNumberToObject(root, "threads", (double) a->threads);
  cJSON_AddNumberToObject(root, "iterations", (double) n);
  cJSON_AddNumberToObject(root, "warmup", (double) a->warmup);
  cJSON_AddNumberToObject(root, "import_ms", import_ms);
  cJSON_AddStringToObject(root, "isa", pqnn_isa_name());
  cJSON* lat = cJSON_AddObjectToObject(root, "latency_ms");
  double sum = 0.0;
  for (size_t k = 0; k < n; k++) sum += sorted_ms[k];
  double* s = (double*) sorted_ms;
  cJSON_AddNumberToObject(lat, "median", run_percentile(s, n, 0.5));
  cJSON_AddNumberToObject(lat, "p90", run_percentile(s, n, 0.9));
  cJSON_AddNumberToObject(lat, "min", sorted_ms[0]);
  cJSON_AddNumberToObject(lat, "mean", sum / (double) n);
  cJSON* outs = cJSON_AddArrayToObject(root, "outputs");
  for (size_t k = 0; k < num_outputs; k++) {
    cJSON* o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "name", outputs[k].name);
    if (outputs[k].compared) {
      cJSON* acc = cJSON_AddObjectToObject(o, "accuracy");
      cJSON_AddNumberToObject(acc, "cosine", outputs[k].acc.cosine);
      cJSON_AddNumberToObject(acc, "max_abs", outputs[k].acc.max_abs);
      cJSON_AddNumberToObject(acc, "max_rel", outputs[k].acc.max_rel);
      cJSON_AddNumberToObject(acc, "max_abs_reference", outputs[k].acc.max_abs_ref);
    }
    cJSON_AddItemToArray(outs, o);
  }
  while (extra != NULL && extra->child != NULL) {
    cJSON* item = cJSON_DetachItemViaPointer(extra, extra->child);
    cJSON_AddItemToObject(root, item->string, item);
  }
  char* text = cJSON_Print(root);
  cJSON_Delete(root);
  if (text == NULL) return false;
  FILE* f = fopen(path, "w");
  bool ok = f != NULL && fputs(text, f) >= 0 && fputc('\n', f) != EOF;
  if (f != NULL) ok &= fclose(f) == 0;
  free(text);
  if (!ok) fprintf(stderr, "pqnn-run: cannot write '%s'\n", path);
  return ok;
}
