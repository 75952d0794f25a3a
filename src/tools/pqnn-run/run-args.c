/* pqnn-run: command-line parsing. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run.h"

static const char kUsage[] =
    "usage: pqnn-run MODEL.onnx [--shape name=1x3x640x640] [--input name=FILE.bin|random]\n"
    "         [--output name=FILE.bin] [--dtype f32|f16|f16-force|qd8] [--threads N]\n"
    "         [--iterations N] [--warmup N] [--compare [name=]FILE.bin] [--json FILE]\n"
    "         [--seed N] [--list] [--profile] [--layer-error] [--verbose] [--no-fuse-add]\n"
    "         [--no-fuse-activation] [--no-fuse-affine] [--no-banding] [--commute-pool]\n"
    "         [--no-commute-pool] [--no-fuse-scale] [--no-fuse-range]\n"
    "  .bin files: raw little-endian float32 in the model's layout (NCHW for images); an\n"
    "    int64 input (token ids) reads raw little-endian int64, and random draws ids below\n"
    "    the rows of the tables its Gather nodes read (pqnn_onnx_get_input_index_bound).\n"
    "  --dtype f16: PQNN_FLAG_FP16_INFERENCE, f16 where that is faster: only on an ISA\n"
    "    tier with f16 arithmetic (aarch64 neonfp16arith, neondot), else it runs f32 (the\n"
    "    plan says so; the JSON's dtype is what ran, dtype_requested what was asked).\n"
    "  --dtype f16-force: PQNN_FLAG_FORCE_FP16_INFERENCE, f16 on every tier (f16 accuracy\n"
    "    and kernels where f16 is slower than f32).\n"
    "  --list: print the inputs, outputs and unsupported ops, then exit.\n"
    "  --profile: time per node and per node type, with GOP/s (2 ops per multiply-add).\n"
    "  --layer-error: with --dtype f16|f16-force|qd8, every node's output against the\n"
    "    f32 run's.\n"
    "  --verbose: the planner's report node by node (datatype, fused clamps, adds and\n"
    "    activations, converts).\n"
    "  --no-fuse-add: adds stay nodes of their own (not fused into the conv / FC before).\n"
    "  --no-fuse-activation: unary nodes (hardswish, sigmoid, ...) stay nodes of their own.\n"
    "  --no-fuse-affine: per-channel scale-shift nodes (1x1 depthwise) stay nodes of their\n"
    "    own (not fused into the conv / FC before).\n"
    "  --no-banding: depthwise / pointwise chains and deconvolution pairs run node by\n"
    "    node, never in row bands.\n"
    "  --commute-pool: with --dtype f32, a global average pooling of a linear 1x1 conv / FC\n"
    "    output pools the layer's input and the squeeze-excite multiply folds into the layer\n"
    "    (faster; rounds unlike the model's pooling: by default only under f16 / qd8).\n"
    "  --no-commute-pool: a global average pooling of a linear 1x1 conv / FC output keeps\n"
    "    reading it (not the layer's input), so no multiply folds into that layer either.\n"
    "  --no-fuse-scale: the squeeze-excite multiply x * s stays a node of its own (not run\n"
    "    in the epilogue of the 1x1 layer that writes x, nor by the Winograd convolution\n"
    "    that reads its output).\n"
    "  --no-fuse-range: a convert quantizing an FC / conv output per image reads it again\n"
    "    for its range (not taking the ranges the layer's epilogue merged).\n";

static int usage(const char* problem, const char* arg) {
  if (problem != NULL) fprintf(stderr, "pqnn-run: %s%s%s\n", problem, arg ? ": " : "", arg ? arg : "");
  fputs(kUsage, stderr);
  return 2;
}

static bool parse_count(const char* text, size_t min, size_t max, size_t* out) {
  char* end;
  errno = 0;
  const unsigned long long v = strtoull(text, &end, 10);
  if (errno != 0 || end == text || *end != '\0' || text[0] == '-' || v < min || v > max) return false;
  *out = (size_t) v;
  return true;
}

bool run_parse_dims(const char* text, size_t* num_dims, int64_t* dims) {
  size_t n = 0;
  const char* s = text;
  while (*s != '\0') {
    if (n == PQNN_ONNX_MAX_DIMS || *s < '0' || *s > '9') return false;
    char* end;
    errno = 0;
    const long long v = strtoll(s, &end, 10);
    if (errno != 0 || v < 1) return false;
    dims[n++] = v;
    if (*end == 'x' || *end == 'X' || *end == ',') {
      s = end + 1;
      if (*s == '\0') return false;
    } else if (*end == '\0') {
      s = end;
    } else {
      return false;
    }
  }
  *num_dims = n;
  return n > 0;
}

static int add_named(struct named* list, size_t* count, const char* option, char* value,
    bool name_optional) {
  if (*count == RUN_MAX_NAMED) return usage("too many", option);
  char* eq = strchr(value, '=');
  if (eq == NULL && !name_optional) return usage("expected name=VALUE after", option);
  if (eq == NULL) {
    list[*count] = (struct named) {.name = NULL, .value = value};
  } else {
    *eq = '\0';
    list[*count] = (struct named) {.name = value, .value = eq + 1};
  }
  (*count)++;
  return 0;
}

const char* run_find_named(const struct named* list, size_t count, const char* name, size_t total) {
  for (size_t k = 0; k < count; k++) {
    if (list[k].name != NULL && strcmp(list[k].name, name) == 0) return list[k].value;
  }
  for (size_t k = 0; k < count; k++) {
    if (list[k].name == NULL && total == 1) return list[k].value;
  }
  return NULL;
}

int run_parse_args(int argc, char** argv, struct run_args* a) {
  *a = (struct run_args) {.dtype = "f32", .threads = 1, .iterations = 10, .warmup = 2, .seed = 1};
  for (int k = 1; k < argc; k++) {
    const char* opt = argv[k];
    if (strcmp(opt, "--help") == 0 || strcmp(opt, "-h") == 0) {
      fputs(kUsage, stdout);
      exit(0);
    }
    bool* flag = strcmp(opt, "--list") == 0 ? &a->list
        : strcmp(opt, "--profile") == 0 ? &a->profile
        : strcmp(opt, "--layer-error") == 0 ? &a->layer_error
        : strcmp(opt, "--verbose") == 0 ? &a->verbose
        : strcmp(opt, "--no-fuse-add") == 0 ? &a->no_fuse_add
        : strcmp(opt, "--no-fuse-activation") == 0 ? &a->no_fuse_activation
        : strcmp(opt, "--no-fuse-affine") == 0 ? &a->no_fuse_affine
        : strcmp(opt, "--no-banding") == 0 ? &a->no_banding
        : strcmp(opt, "--no-commute-pool") == 0 ? &a->no_commute_pool
        : strcmp(opt, "--commute-pool") == 0 ? &a->commute_pool
        : strcmp(opt, "--no-fuse-scale") == 0 ? &a->no_fuse_scale
        : strcmp(opt, "--no-fuse-range") == 0 ? &a->no_fuse_range : NULL;
    if (flag != NULL) {
      *flag = true;
      continue;
    }
    if (strncmp(opt, "--", 2) != 0) {
      if (a->model != NULL) return usage("more than one model", opt);
      a->model = opt;
      continue;
    }
    static const char* const kValued[] = {"--shape", "--input", "--output", "--compare",
        "--dtype", "--threads", "--iterations", "--warmup", "--seed", "--json"};
    bool valued = false;
    for (size_t j = 0; j < sizeof(kValued) / sizeof(kValued[0]); j++) {
      valued |= strcmp(opt, kValued[j]) == 0;
    }
    if (!valued) return usage("unknown option", opt);
    if (k + 1 >= argc) return usage("missing value after", opt);
    char* v = argv[++k];
    int rc = 0;
    if (strcmp(opt, "--shape") == 0) {
      rc = add_named(a->shapes, &a->num_shapes, opt, v, true);
    } else if (strcmp(opt, "--input") == 0) {
      rc = add_named(a->inputs, &a->num_inputs, opt, v, true);
    } else if (strcmp(opt, "--output") == 0) {
      rc = add_named(a->outputs, &a->num_outputs, opt, v, true);
    } else if (strcmp(opt, "--compare") == 0) {
      rc = add_named(a->compares, &a->num_compares, opt, v, true);
    } else if (strcmp(opt, "--dtype") == 0) {
      if (strcmp(v, "f32") == 0) {
        a->flags = 0;
      } else if (strcmp(v, "f16") == 0) {
        a->flags = PQNN_FLAG_FP16_INFERENCE;
      } else if (strcmp(v, "f16-force") == 0) {
        a->flags = PQNN_FLAG_FORCE_FP16_INFERENCE;
      } else if (strcmp(v, "qd8") == 0) {
        a->flags = PQNN_FLAG_DYNAMIC_RANGE_QUANTIZATION;
      } else {
        return usage("--dtype must be f32, f16, f16-force or qd8, not", v);
      }
      a->dtype = v;
    } else if (strcmp(opt, "--threads") == 0) {
      if (!parse_count(v, 1, 1024, &a->threads)) return usage("--threads must be in [1, 1024]", v);
    } else if (strcmp(opt, "--iterations") == 0) {
      if (!parse_count(v, 1, 1000000, &a->iterations)) return usage("--iterations must be in [1, 1e6]", v);
    } else if (strcmp(opt, "--warmup") == 0) {
      if (!parse_count(v, 0, 1000000, &a->warmup)) return usage("--warmup must be in [0, 1e6]", v);
    } else if (strcmp(opt, "--seed") == 0) {
      size_t seed;
      if (!parse_count(v, 0, SIZE_MAX, &seed)) return usage("bad --seed", v);
      a->seed = seed;
    } else {
      a->json = v;  /* --json, the last of kValued */
    }
    if (rc != 0) return rc;
  }
  if (a->model == NULL) return usage("no model given", NULL);
  if (a->layer_error && a->flags == 0) return usage("--layer-error needs --dtype f16, f16-force or qd8", NULL);
  return 0;
}
