/* pqnn-run: imports an ONNX model, runs it with pqnn and reports latency and accuracy.
 * See docs/onnx.md. Exit status: 0 success, 1 failure, 2 bad usage or input, 3 the model
 * has ops the importer cannot run yet (all listed). */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "run.h"

double run_now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double) ts.tv_sec * 1e3 + (double) ts.tv_nsec * 1e-6;
}

void run_progress(const char* what, size_t done, size_t total, double* last_ms) {
  const double now = run_now_ms();
  if (now - *last_ms > 2000.0) {
    fprintf(stderr, "pqnn-run: %s %zu/%zu\n", what, done, total);
    *last_ms = now;
  }
}

static int compare_double(const void* a, const void* b) {
  const double x = *(const double*) a, y = *(const double*) b;
  return x < y ? -1 : x > y;
}

static void fprint_dims(FILE* f, const struct pqnn_onnx_tensor_info* info) {
  for (size_t d = 0; d < info->num_dims; d++) {
    if (info->dims[d] < 0) {
      fprintf(f, "%s?", d ? "x" : "");
    } else {
      fprintf(f, "%s%lld", d ? "x" : "", (long long) info->dims[d]);
    }
  }
  if (info->num_dims == 0) fprintf(f, "? (not known)");
}

static void print_dims(const struct pqnn_onnx_tensor_info* info) {
  fprint_dims(stdout, info);
}

static size_t elements(const struct pqnn_onnx_tensor_info* info) {
  size_t n = 1;
  for (size_t d = 0; d < info->num_dims; d++) n *= (size_t) info->dims[d];
  return n;
}

static int list_model(pqnn_onnx_model_t model) {
  size_t ni, no, nu;
  pqnn_onnx_get_input_count(model, &ni);
  pqnn_onnx_get_output_count(model, &no);
  struct pqnn_onnx_tensor_info info;
  for (size_t k = 0; k < ni; k++) {
    pqnn_onnx_get_input(model, k, &info);
    printf("input  %s: ", info.name);
    print_dims(&info);
    printf(" (elem type %d)\n", (int) info.elem_type);
  }
  for (size_t k = 0; k < no; k++) {
    if (pqnn_onnx_get_output(model, k, &info) != pqnn_status_success) return 1;
    printf("output %s: ", info.name);
    print_dims(&info);
    if (info.elem_type != PQNN_ONNX_FLOAT) {
      printf(" (%s; written and compared as float32)", info.elem_type == PQNN_ONNX_INT64 ? "int64"
          : info.elem_type == PQNN_ONNX_INT32 ? "int32" : "bool");
    }
    printf("\n");
  }
  if (pqnn_onnx_get_unsupported_count(model, &nu) != pqnn_status_success) return 1;
  for (size_t k = 0; k < nu; k++) {
    const char *op, *name, *reason;
    pqnn_onnx_get_unsupported(model, k, &op, &name, &reason);
    printf("unsupported %s node '%s': %s\n", op, name, reason);
  }
  printf("%zu unsupported node%s\n", nu, nu == 1 ? "" : "s");
  /* By op type, in order of first appearance. */
  bool* done = calloc(nu + 1, sizeof(bool));
  for (size_t k = 0; done != NULL && k < nu; k++) {
    if (done[k]) continue;
    const char *op, *name, *reason;
    pqnn_onnx_get_unsupported(model, k, &op, &name, &reason);
    size_t count = 0;
    for (size_t j = k; j < nu; j++) {
      const char *op2, *name2, *reason2;
      pqnn_onnx_get_unsupported(model, j, &op2, &name2, &reason2);
      if (strcmp(op, op2) == 0) {
        done[j] = true;
        count++;
      }
    }
    printf("  %-20s x%zu\n", op, count);
  }
  free(done);
  return nu == 0 ? 0 : 3;
}

/* --shape NAME=DIMS (NAME optional for a one-input model): 0, or 2 for a bad shape. */
static int apply_shapes(pqnn_onnx_model_t model, const struct run_args* a, size_t ni) {
  struct pqnn_onnx_tensor_info info;
  for (size_t k = 0; k < a->num_shapes; k++) {
    const char* name = a->shapes[k].name;
    if (name == NULL) {
      if (ni != 1) {
        fprintf(stderr, "pqnn-run: --shape needs name= (the model has %zu inputs)\n", ni);
        return 2;
      }
      pqnn_onnx_get_input(model, 0, &info);
      name = info.name;
    }
    size_t nd;
    int64_t dims[PQNN_ONNX_MAX_DIMS];
    if (!run_parse_dims(a->shapes[k].value, &nd, dims) ||
        pqnn_onnx_set_input_shape(model, name, nd, dims) != pqnn_status_success) {
      fprintf(stderr, "pqnn-run: bad shape '%s' for input '%s'", a->shapes[k].value, name);
      for (size_t j = 0; j < ni; j++) {
        pqnn_onnx_get_input(model, j, &info);
        if (strcmp(info.name, name) != 0) continue;
        fprintf(stderr, " (the model has ");
        fprint_dims(stderr, &info);
        fprintf(stderr, "; ? is a dynamic dim; give every dim, >= 1, in the same rank)");
      }
      fprintf(stderr, "\n");
      return 2;
    }
  }
  return 0;
}

/* Every input dim known: 0, else a message naming the input and 2. */
static int check_dims_set(pqnn_onnx_model_t model, size_t ni) {
  struct pqnn_onnx_tensor_info info;
  for (size_t k = 0; k < ni; k++) {
    pqnn_onnx_get_input(model, k, &info);
    for (size_t d = 0; d < info.num_dims; d++) {
      if (info.dims[d] >= 0) continue;
      fprintf(stderr, "pqnn-run: input '%s' has dynamic dims (", info.name);
      fprint_dims(stderr, &info);
      fprintf(stderr, "): give them with --shape %s=DIMS\n", info.name);
      return 2;
    }
  }
  return 0;
}

/* Lists every node pqnn cannot run: 0 when there is none, 3 when there are, 2 when the
 * model is malformed. */
static int check_supported(pqnn_onnx_model_t model) {
  size_t nu = 0;
  if (pqnn_onnx_get_unsupported_count(model, &nu) != pqnn_status_success) {
    fprintf(stderr, "pqnn-run: the model is malformed (see the message above)\n");
    return 2;
  }
  if (nu != 0) {
    fprintf(stderr, "pqnn-run: %zu node%s cannot run with pqnn yet:\n", nu, nu == 1 ? "" : "s");
    for (size_t k = 0; k < nu; k++) {
      const char *op, *name, *reason;
      pqnn_onnx_get_unsupported(model, k, &op, &name, &reason);
      fprintf(stderr, "  %s '%s': %s\n", op, name, reason);
    }
    return 3;
  }
  return 0;
}

/* Allocates and fills every input (a file, else random): 0, 2 for an unreadable file, -1
 * when out of memory. Float inputs are float32; int64 ones (token ids) int64, random ones
 * below bounds[k] (the model's pqnn_onnx_get_input_index_bound; 0: below 2). */
static int load_inputs(pqnn_onnx_runtime_t rt, const struct run_args* a, size_t ni,
    const int64_t* bounds, void** in) {
  struct pqnn_onnx_tensor_info info;
  int rc = 0;
  for (size_t k = 0; k < ni && rc == 0; k++) {
    pqnn_onnx_get_runtime_input(rt, k, &info);
    const size_t n = elements(&info);
    const bool ids = info.elem_type == PQNN_ONNX_INT64;
    if (info.elem_type != PQNN_ONNX_FLOAT && !ids) {
      fprintf(stderr, "pqnn-run: input '%s' has element type %d: pqnn-run reads float32 and "
          "int64 inputs\n", info.name, (int) info.elem_type);
      return 2;
    }
    in[k] = malloc((n ? n : 1) * (ids ? sizeof(int64_t) : sizeof(float)));
    if (in[k] == NULL) return -1;
    const char* src = run_find_named(a->inputs, a->num_inputs, info.name, ni);
    if ((src == NULL || strcmp(src, "random") == 0) && ids) {
      run_fill_random_ids(in[k], n, bounds[k] > 0 ? bounds[k] : 2, a->seed + k);
    } else if (src == NULL || strcmp(src, "random") == 0) {
      run_fill_random(in[k], n, a->seed + k);
    } else if (!run_read_values(src, in[k], ids ? sizeof(int64_t) : sizeof(float), n)) {
      rc = 2;
    }
    printf("input  %s: ", info.name);
    print_dims(&info);
    printf(" <- %s\n", src != NULL ? src : "random");
  }
  return rc;
}

/* Warm-up and timed runs (a progress line every 2 s), then the latency line: 0 or 1. */
static int time_runs(pqnn_onnx_runtime_t rt, const struct run_args* a, size_t ni, void** in,
    size_t no, float** out, double* times) {
  const size_t total = a->warmup + a->iterations;
  int rc = 0;
  double last_progress = run_now_ms();
  for (size_t it = 0; it < total && rc == 0; it++) {
    const double s = run_now_ms();
    const enum pqnn_status status = pqnn_onnx_run_typed_outputs(rt, ni,
        (const void* const*) in, no, (void* const*) out);
    const double e = run_now_ms();
    if (status != pqnn_status_success) {
      fprintf(stderr, "pqnn-run: run failed: %s\n", pqnn_status_string(status));
      rc = 1;
    }
    if (it >= a->warmup) times[it - a->warmup] = e - s;
    run_progress("runs", it + 1, total, &last_progress);
  }
  if (rc == 0) {
    qsort(times, a->iterations, sizeof(double), compare_double);
    printf("latency: median %.3f ms, p90 %.3f ms, min %.3f ms (%zu runs after %zu warmup)\n",
        run_percentile(times, a->iterations, 0.5), run_percentile(times, a->iterations, 0.9),
        times[0], a->iterations, a->warmup);
  }
  return rc;
}

/* Writes the --output files and compares with the --compare files: 0, 1 or 2. */
static int report_outputs(pqnn_onnx_runtime_t rt, const struct run_args* a, size_t no,
    float** out, struct run_output_report* reports) {
  struct pqnn_onnx_tensor_info info;
  int rc = 0;
  for (size_t k = 0; k < no && rc == 0; k++) {
    pqnn_onnx_get_runtime_output(rt, k, &info);
    const size_t n = elements(&info);
    run_output_to_f32(info.elem_type, out[k], n);
    reports[k].name = info.name;
    printf("output %s: ", info.name);
    print_dims(&info);
    if (info.elem_type != PQNN_ONNX_FLOAT) {
      printf(" (%s; written and compared as float32)", info.elem_type == PQNN_ONNX_INT64 ? "int64"
          : info.elem_type == PQNN_ONNX_INT32 ? "int32" : "bool");
    }
    printf("\n");
    const char* dst = run_find_named(a->outputs, a->num_outputs, info.name, no);
    if (dst != NULL && !run_write_f32(dst, out[k], n)) rc = 1;
    const char* ref_path = run_find_named(a->compares, a->num_compares, info.name, no);
    if (ref_path != NULL) {
      float* ref = malloc((n ? n : 1) * sizeof(float));
      if (ref == NULL || !run_read_values(ref_path, ref, sizeof(float), n)) {
        rc = 2;
      } else {
        run_accuracy(out[k], ref, n, &reports[k].acc);
        reports[k].compared = true;
        printf("  vs %s: cosine %.7f, max abs %.3g, max abs / max |ref| %.3g\n", ref_path,
            reports[k].acc.cosine, reports[k].acc.max_abs, reports[k].acc.max_rel);
      }
      free(ref);
    }
  }
  return rc;
}

int main(int argc, char** argv) {
  struct run_args a;
  int rc = run_parse_args(argc, argv, &a);
  if (rc != 0) return rc;
  if (pqnn_initialize() != pqnn_status_success) {
    fprintf(stderr, "pqnn-run: pqnn_initialize failed (unsupported CPU?)\n");
    return 1;
  }
  const double t0 = run_now_ms();
  pqnn_onnx_model_t model;
  if (pqnn_onnx_load_file(a.model, 0, &model) != pqnn_status_success) {
    fprintf(stderr, "pqnn-run: cannot load '%s' (see the message above)\n", a.model);
    return 2;
  }
  size_t ni, no;
  pqnn_onnx_get_input_count(model, &ni);
  pqnn_onnx_get_output_count(model, &no);
  struct pqnn_onnx_tensor_info info;
  rc = apply_shapes(model, &a, ni);
  if (rc != 0) {
    pqnn_onnx_delete_model(model);
    return rc;
  }
  if (a.list) {
    rc = list_model(model);
    printf("load + listing: %.2f ms\n", run_now_ms() - t0);
    pqnn_onnx_delete_model(model);
    return rc;
  }
  rc = check_dims_set(model, ni);
  if (rc == 0) rc = check_supported(model);
  if (rc != 0) {
    pqnn_onnx_delete_model(model);
    return rc;
  }
  pthreadpool_t pool = NULL;
  if (a.threads > 1) {
#if PQNN_RUN_PTHREADPOOL
    pool = pthreadpool_create(a.threads);
    if (pool == NULL) {
      fprintf(stderr, "pqnn-run: cannot create %zu threads\n", a.threads);
      pqnn_onnx_delete_model(model);
      return 1;
    }
#else
    fprintf(stderr, "pqnn-run: this build has no thread pool (PQNN_USE_PTHREADPOOL=OFF)\n");
    pqnn_onnx_delete_model(model);
    return 2;
#endif
  }
  /* Random token ids stay below the rows of the tables they index. */
  int64_t* bounds = calloc(ni + 1, sizeof(int64_t));
  if (bounds == NULL) return 1;
  for (size_t k = 0; k < ni; k++) {
    pqnn_onnx_get_input(model, k, &info);
    if (info.elem_type != PQNN_ONNX_FLOAT) pqnn_onnx_get_input_index_bound(model, k, &bounds[k]);
  }
  pqnn_onnx_runtime_t rt;
  const struct pqnn_runtime_options options = {.no_residual_fusion = a.no_fuse_add,
      .no_activation_fusion = a.no_fuse_activation, .no_affine_fusion = a.no_fuse_affine,
      .no_banding = a.no_banding, .no_pool_commute = a.no_commute_pool,
      .f32_pool_commute = a.commute_pool,
      .no_scale_fusion = a.no_fuse_scale, .no_range_fusion = a.no_fuse_range};
  enum pqnn_status status = pqnn_onnx_create_runtime_with_options(model, pool, a.flags,
      &options, &rt);
  const double import_ms = run_now_ms() - t0;
  if (!a.layer_error) {
    pqnn_onnx_delete_model(model);
    model = NULL;
  }
  if (status != pqnn_status_success) {
    fprintf(stderr, "pqnn-run: building the runtime failed: %s\n", pqnn_status_string(status));
    if (model != NULL) pqnn_onnx_delete_model(model);
    free(bounds);
#if PQNN_RUN_PTHREADPOOL
    if (pool != NULL) pthreadpool_destroy(pool);
#endif
    return status == pqnn_status_invalid_state ? 2 : 1;
  }
  void** in = calloc(ni + 1, sizeof(void*));
  float** out = calloc(no + 1, sizeof(float*));
  struct run_output_report* reports = calloc(no + 1, sizeof(*reports));
  if (in == NULL || out == NULL || reports == NULL) return 1;
  rc = load_inputs(rt, &a, ni, bounds, in);
  if (rc < 0) return 1;
  for (size_t k = 0; k < no; k++) {
    pqnn_onnx_get_runtime_output(rt, k, &info);
    const size_t n = elements(&info);
    /* room for the widest element type (int64 outputs: ArgMax), floats after the run */
    out[k] = malloc((n ? n : 1) * sizeof(int64_t));
    if (out[k] == NULL) return 1;
  }
  cJSON* extra = cJSON_CreateObject();
  if (rc == 0) run_print_plan(rt, a.verbose, extra);
  const char* dtype_ran = run_dtype_ran(rt, &a);
  printf("import %.2f ms, dtype %s, %zu thread%s, isa %s\n", import_ms, dtype_ran, a.threads,
      a.threads == 1 ? "" : "s", pqnn_isa_name());
  double* times = calloc(a.iterations, sizeof(double));
  if (times == NULL) return 1;
  if (rc == 0) rc = time_runs(rt, &a, ni, in, no, out, times);
  if (rc == 0 && a.profile && !run_profile(rt, a.iterations, ni, in, no, out, extra)) rc = 1;
  if (rc == 0) rc = report_outputs(rt, &a, no, out, reports);
  if (rc == 0 && a.layer_error) rc = run_layer_error(model, pool, a.flags, ni, in, a.verbose, extra);
  if (rc == 0 && a.json != NULL &&
      !run_write_json(a.json, &a, dtype_ran, times, a.iterations, import_ms, reports, no, extra)) {
    rc = 1;
  }
  cJSON_Delete(extra);
  pqnn_onnx_delete_model(model);
  for (size_t k = 0; k < ni; k++) free(in[k]);
  for (size_t k = 0; k < no; k++) free(out[k]);
  free(in);
  free(bounds);
  free(out);
  free(reports);
  free(times);
  pqnn_onnx_delete_runtime(rt);
#if PQNN_RUN_PTHREADPOOL
  if (pool != NULL) pthreadpool_destroy(pool);
#endif
  return rc;
}
