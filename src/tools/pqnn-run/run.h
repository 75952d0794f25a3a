/* pqnn-run: shared declarations of the tool's files. */
#ifndef PQNN_RUN_H_
#define PQNN_RUN_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pqnn-onnx.h"

#define RUN_MAX_NAMED 16

struct named {
  const char* name;   /* NULL: the model's only input/output */
  const char* value;
};

struct run_args {
  const char* model;
  struct named shapes[RUN_MAX_NAMED];
  size_t num_shapes;
  struct named inputs[RUN_MAX_NAMED];
  size_t num_inputs;
  struct named outputs[RUN_MAX_NAMED];
  size_t num_outputs;
  struct named compares[RUN_MAX_NAMED];
  size_t num_compares;
  const char* dtype;  /* f32, f16, qd8 */
  uint32_t flags;
  size_t threads, iterations, warmup;
  uint64_t seed;
  const char* json;
  bool list;
};

/* run-args.c: 0 on success, else prints the problem and returns 2. */
int run_parse_args(int argc, char** argv, struct run_args* args);
/* "1x3x640x640" -> dims; false on a malformed list. */
bool run_parse_dims(const char* text, size_t* num_dims, int64_t* dims);
/* The value given for `name` (or an unnamed one when the model has one tensor), or NULL. */
const char* run_find_named(const struct named* list, size_t count, const char* name, size_t total);

/* run-io.c */
bool run_read_f32(const char* path, float* data, size_t count);
bool run_write_f32(const char* path, const float* data, size_t count);
void run_fill_random(float* data, size_t count, uint64_t seed);

/* run-report.c */
struct accuracy {
  double cosine, max_abs, max_rel, max_abs_ref;
};
void run_accuracy(const float* out, const float* ref, size_t count, struct accuracy* acc);
double run_percentile(double* sorted_ms, size_t n, double q);
struct run_output_report {
  const char* name;
  bool compared;
  struct accuracy acc;
};
bool run_write_json(const char* path, const struct run_args* args, const double* sorted_ms,
    size_t n, double import_ms, const struct run_output_report* outputs, size_t num_outputs);

#endif  /* PQNN_RUN_H_ */
