/* pqnn-run: shared declarations of the tool's files. */
#ifndef PQNN_RUN_H_
#define PQNN_RUN_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

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
  const char* dtype;  /* as requested: f32, f16, f16-force, qd8 */
  uint32_t flags;
  size_t threads, iterations, warmup;
  uint64_t seed;
  const char* json;
  bool list;
  bool profile;      /* time per node and per node type (run-profile.c) */
  bool layer_error;  /* every node's output against the f32 run's (run-layers.c) */
  bool verbose;      /* the planner's report node by node */
  bool no_fuse_add;  /* runtime option no_residual_fusion: adds stay nodes */
  bool no_fuse_activation;  /* runtime option no_activation_fusion: unary nodes stay */
  bool no_fuse_affine;  /* runtime option no_affine_fusion: 1x1 depthwise affines stay */
  bool no_banding;  /* runtime option no_banding: no row-band chains */
  bool no_commute_pool;  /* runtime option no_pool_commute: GAP of a 1x1 layer stays */
  bool commute_pool;  /* runtime option f32_pool_commute: commute in f32 too */
  bool no_fuse_scale;  /* runtime option no_scale_fusion: x * s stays a node */
  bool no_fuse_range;  /* runtime option no_range_fusion: converts run their range pass */
};

/* run-args.c: 0 on success, else prints the problem and returns 2. */
int run_parse_args(int argc, char** argv, struct run_args* args);
/* "1x3x640x640" -> dims; false on a malformed list. */
bool run_parse_dims(const char* text, size_t* num_dims, int64_t* dims);
/* The value given for `name` (or an unnamed one when the model has one tensor), or NULL. */
const char* run_find_named(const struct named* list, size_t count, const char* name, size_t total);

/* pqnn-run.c: monotonic milliseconds; a progress line on stderr ("what done/total") when
 * 2 s passed since *last_ms (updated then). */
double run_now_ms(void);
void run_progress(const char* what, size_t done, size_t total, double* last_ms);

/* run-io.c: a raw little-endian file of exactly `count` values of `size` bytes: float32
 * (size 4) or int64 token ids (size 8), byte-swapped to the host's order. */
bool run_read_values(const char* path, void* data, size_t size, size_t count);
bool run_write_f32(const char* path, const float* data, size_t count);
/* An output buffer of `count` elements of ONNX type elem_type (float32, int64, int32 or
 * bool: pqnn_onnx_run_typed_outputs) rewritten in place as float32 values (indices are
 * exact below 2^24), so that --output files and comparisons read floats. */
void run_output_to_f32(int32_t elem_type, void* data, size_t count);
void run_fill_random(float* data, size_t count, uint64_t seed);
/* Random int64 token ids in [0, bound) (bound >= 1). */
void run_fill_random_ids(int64_t* data, size_t count, int64_t bound, uint64_t seed);

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
/* extra: members moved into the report (profile, layer_error, plan); may be NULL. */
/* dtype_ran: run_dtype_ran's answer, the report's "dtype" ("dtype_requested": --dtype). */
bool run_write_json(const char* path, const struct run_args* args, const char* dtype_ran,
    const double* sorted_ms,
    size_t n, double import_ms, const struct run_output_report* outputs, size_t num_outputs,
    cJSON* extra);

/* run-plan.c: the datatype the runtime runs in ("f32", "f16", "qd8"): --dtype f16 runs f32
 * on a tier without f16 arithmetic (pqnn_get_runtime_fp16_decision). */
const char* run_dtype_ran(pqnn_onnx_runtime_t rt, const struct run_args* args);
/* The ONNX node name of a value (its tensor name when the node has none). */
const char* run_value_name(const struct pqnn_onnx_value_info* v);
/* "NodeName (OpType)" of the ONNX node behind pqnn node `index`, or what the node is, and
 * " [path]": its operator's compute path. */
void run_node_label(pqnn_onnx_runtime_t rt, pqnn_runtime_t prt, size_t index, char* buf,
    size_t size);
/* The planner's report: a summary by node type and datatype, node by node when verbose;
 * added to json (an object) when not NULL. */
void run_print_plan(pqnn_onnx_runtime_t rt, bool verbose, cJSON* json);

/* run-profile.c: `iterations` profiled runs, then the tables; adds "profile" to json.
 * false when a run fails. */
bool run_profile(pqnn_onnx_runtime_t rt, size_t iterations, size_t ni, void** in, size_t no,
    float** out, cJSON* json);

/* run-layers.c: runs the f32 reference and the model under flags (both keeping every value)
 * on the inputs and compares every node output (all printed when verbose, else the worst);
 * adds "layer_error" to json. 0, or 1 on a failure. */
int run_layer_error(pqnn_onnx_model_t model, pthreadpool_t pool, uint32_t flags, size_t ni,
    void** in, bool verbose, cJSON* json);

#endif  /* PQNN_RUN_H_ */
