/*
 * A small classifier run as a pqnn graph (the runtime API), checked against a naive loop:
 *
 *   input [N][8][8][4] -> 3x3 convolution (padding 1) to 8 channels, ReLU
 *     -> global average pooling [N][8] -> fully connected 8 -> 3 -> softmax [N][3]
 *
 * It shows the embedder's whole path: define values and nodes, create the runtime (the
 * filters and biases are packed then and may be freed), reshape/setup/invoke, and change
 * the batch size of an existing runtime with pqnn_reshape_external_value. Errors are routed
 * through a log callback. Exits non-zero on any failure or mismatch.
 *
 * Build: see examples/CMakeLists.txt (CMake) or examples/Makefile (pkg-config).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pqnn.h>

enum { H = 8, W = 8, CIN = 4, COUT = 8, K = 3, PAD = 1, CLASSES = 3, MAX_N = 3 };
enum { INPUT_ID = 0, OUTPUT_ID = 1 };

static float next_uniform(uint32_t* state) {
  *state = *state * 1664525u + 1013904223u;
  return (float) ((*state >> 8) * (1.0 / 8388608.0) - 1.0);
}

static void log_to_stderr(void* user_data, int level, const char* function, const char* message) {
  fprintf(stderr, "[%s] pqnn %s: %s: %s\n", (const char*) user_data,
      level == PQNN_LOG_LEVEL_ERROR ? "error" : "info", function, message);
}

#define CHECK(call)                                                                 \
  do {                                                                              \
    const enum pqnn_status status_ = (call);                                        \
    if (status_ != pqnn_status_success) {                                           \
      fprintf(stderr, "%s failed: %s (%s)\n", #call, pqnn_status_string(status_),   \
          pqnn_last_error_message());                                               \
      return EXIT_FAILURE;                                                          \
    }                                                                               \
  } while (0)

/* The graph's function, in double precision. */
static void reference(size_t n, const float* input, const float* conv_w, const float* conv_b,
    const float* fc_w, const float* fc_b, double* out) {
  for (size_t b = 0; b < n; b++) {
    double pooled[COUT] = {0};
    for (int y = 0; y < H; y++) {
      for (int x = 0; x < W; x++) {
        for (int oc = 0; oc < COUT; oc++) {
          double acc = conv_b[oc];
          for (int ky = 0; ky < K; ky++) {
            for (int kx = 0; kx < K; kx++) {
              const int iy = y + ky - PAD, ix = x + kx - PAD;
              if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
              for (int ic = 0; ic < CIN; ic++) {
                acc += (double) input[((b * H + iy) * W + ix) * CIN + ic] *
                       conv_w[((oc * K + ky) * K + kx) * CIN + ic];
              }
            }
          }
          pooled[oc] += acc > 0.0 ? acc : 0.0;
        }
      }
    }
    double logits[CLASSES], max_logit = -INFINITY, sum = 0.0;
    for (int c = 0; c < CLASSES; c++) {
      logits[c] = fc_b[c];
      for (int oc = 0; oc < COUT; oc++) logits[c] += pooled[oc] / (H * W) * fc_w[c * COUT + oc];
      max_logit = fmax(max_logit, logits[c]);
    }
    for (int c = 0; c < CLASSES; c++) sum += exp(logits[c] - max_logit);
    for (int c = 0; c < CLASSES; c++) out[b * CLASSES + c] = exp(logits[c] - max_logit) / sum;
  }
}

/* Runs the runtime on `n` images and compares with the reference. */
static int run_and_check(pqnn_runtime_t runtime, size_t n, const float* input, float* output,
    const float* conv_w, const float* conv_b, const float* fc_w, const float* fc_b) {
  const size_t dims[4] = {n, H, W, CIN};
  CHECK(pqnn_reshape_external_value(runtime, INPUT_ID, 4, dims));
  CHECK(pqnn_reshape_runtime(runtime));
  const struct pqnn_external_value externals[2] = {
      {INPUT_ID, (void*) input}, {OUTPUT_ID, output}};
  CHECK(pqnn_setup_runtime(runtime, 2, externals));
  CHECK(pqnn_invoke_runtime(runtime));

  double expected[MAX_N * CLASSES];
  reference(n, input, conv_w, conv_b, fc_w, fc_b, expected);
  double max_error = 0.0;
  for (size_t i = 0; i < n * CLASSES; i++) max_error = fmax(max_error, fabs(output[i] - expected[i]));
  printf("batch %zu: probabilities", n);
  for (size_t i = 0; i < n * CLASSES; i++) printf(" %.4f", output[i]);
  printf("; max error %.2e\n", max_error);
  if (!(max_error <= 1e-4)) {
    fprintf(stderr, "FAILED: batch %zu differs from the reference by %g\n", n, max_error);
    return EXIT_FAILURE;
  }
  return EXIT_SUCCESS;
}

int main(void) {
  static float input[MAX_N * H * W * CIN];
  static float output[MAX_N * CLASSES];
  uint32_t state = 11;
  for (size_t i = 0; i < sizeof(input) / sizeof(input[0]); i++) input[i] = next_uniform(&state);

  /* Weights: allocated here and freed right after pqnn_create_runtime, which packs them.
   * The reference keeps its own copy. */
  const size_t conv_w_size = COUT * K * K * CIN, fc_w_size = CLASSES * COUT;
  float* weights = malloc(sizeof(float) * (conv_w_size + COUT + fc_w_size + CLASSES));
  float* keep = malloc(sizeof(float) * (conv_w_size + COUT + fc_w_size + CLASSES));
  if (weights == NULL || keep == NULL) return EXIT_FAILURE;
  float* conv_w = weights; /* [COUT][K][K][CIN] */
  float* conv_b = conv_w + conv_w_size;
  float* fc_w = conv_b + COUT; /* [CLASSES][COUT] */
  float* fc_b = fc_w + fc_w_size;
  for (size_t i = 0; i < conv_w_size + COUT + fc_w_size + CLASSES; i++) {
    weights[i] = 0.5f * next_uniform(&state);
  }
  memcpy(keep, weights, sizeof(float) * (conv_w_size + COUT + fc_w_size + CLASSES));

  CHECK(pqnn_initialize());
  /* Route pqnn's messages through the application (errors only; release builds of pqnn
   * log nothing by default). */
  CHECK(pqnn_set_log_callback(log_to_stderr, "graph example"));
  CHECK(pqnn_set_log_level(PQNN_LOG_LEVEL_ERROR));
  printf("pqnn %d.%d.%d, ISA tier %s\n", PQNN_VERSION_MAJOR, PQNN_VERSION_MINOR,
      PQNN_VERSION_PATCH, pqnn_isa_name());

  pqnn_subgraph_t subgraph = NULL;
  CHECK(pqnn_create_subgraph(/*external_value_ids=*/2, 0, &subgraph));
  const size_t input_dims[4] = {1, H, W, CIN}, conv_w_dims[4] = {COUT, K, K, CIN};
  const size_t conv_b_dims[1] = {COUT}, conv_out_dims[4] = {1, H, W, COUT};
  const size_t pooled_dims[2] = {1, COUT}, fc_w_dims[2] = {CLASSES, COUT};
  const size_t fc_b_dims[1] = {CLASSES}, logits_dims[2] = {1, CLASSES};
  uint32_t x, cw, cb, conv_out, relu_out, pooled, fw, fb, logits, y;
  CHECK(pqnn_define_tensor_value(subgraph, pqnn_datatype_fp32, 4, input_dims, NULL, INPUT_ID,
      PQNN_VALUE_FLAG_EXTERNAL_INPUT, &x));
  CHECK(pqnn_define_tensor_value(subgraph, pqnn_datatype_fp32, 4, conv_w_dims, conv_w,
      PQNN_INVALID_VALUE_ID, 0, &cw));
  CHECK(pqnn_define_tensor_value(subgraph, pqnn_datatype_fp32, 1, conv_b_dims, conv_b,
      PQNN_INVALID_VALUE_ID, 0, &cb));
  CHECK(pqnn_define_tensor_value(subgraph, pqnn_datatype_fp32, 4, conv_out_dims, NULL,
      PQNN_INVALID_VALUE_ID, 0, &conv_out));
  CHECK(pqnn_define_tensor_value(subgraph, pqnn_datatype_fp32, 4, conv_out_dims, NULL,
      PQNN_INVALID_VALUE_ID, 0, &relu_out));
  CHECK(pqnn_define_tensor_value(subgraph, pqnn_datatype_fp32, 2, pooled_dims, NULL,
      PQNN_INVALID_VALUE_ID, 0, &pooled));
  CHECK(pqnn_define_tensor_value(subgraph, pqnn_datatype_fp32, 2, fc_w_dims, fc_w,
      PQNN_INVALID_VALUE_ID, 0, &fw));
  CHECK(pqnn_define_tensor_value(subgraph, pqnn_datatype_fp32, 1, fc_b_dims, fc_b,
      PQNN_INVALID_VALUE_ID, 0, &fb));
  CHECK(pqnn_define_tensor_value(subgraph, pqnn_datatype_fp32, 2, logits_dims, NULL,
      PQNN_INVALID_VALUE_ID, 0, &logits));
  CHECK(pqnn_define_tensor_value(subgraph, pqnn_datatype_fp32, 2, logits_dims, NULL, OUTPUT_ID,
      PQNN_VALUE_FLAG_EXTERNAL_OUTPUT, &y));
  CHECK(pqnn_define_convolution_2d(subgraph, PAD, PAD, PAD, PAD, K, K, /*subsampling=*/1, 1,
      /*dilation=*/1, 1, /*groups=*/1, CIN, COUT, -INFINITY, INFINITY, x, cw, cb, conv_out, 0));
  /* A separate clamp node: the planner fuses it into the convolution. */
  CHECK(pqnn_define_clamp(subgraph, 0.0f, INFINITY, conv_out, relu_out, 0));
  CHECK(pqnn_define_global_average_pooling_2d(subgraph, -INFINITY, INFINITY, relu_out, pooled, 0));
  CHECK(pqnn_define_fully_connected(subgraph, -INFINITY, INFINITY, pooled, fw, fb, logits, 0));
  CHECK(pqnn_define_softmax(subgraph, logits, y, 0));

  pqnn_runtime_t runtime = NULL;
  CHECK(pqnn_create_runtime(subgraph, /*threadpool=*/NULL, 0, &runtime));
  /* The runtime owns what it needs: the subgraph and the FC/conv weights may go now. */
  CHECK(pqnn_delete_subgraph(subgraph));
  memset(weights, 0xFF, sizeof(float) * (conv_w_size + COUT + fc_w_size + CLASSES));
  free(weights);
  conv_w = keep;
  conv_b = conv_w + conv_w_size;
  fc_w = conv_b + COUT;
  fc_b = fc_w + fc_w_size;

  size_t nodes = 0;
  CHECK(pqnn_get_runtime_node_count(runtime, &nodes));
  printf("planned %zu nodes (the ReLU clamp fused into the convolution)\n", nodes);

  int result = EXIT_SUCCESS;
  /* Batch 1, then the same runtime reshaped to batch 3, then back to 1. */
  const size_t batches[3] = {1, MAX_N, 1};
  for (int i = 0; i < 3 && result == EXIT_SUCCESS; i++) {
    result = run_and_check(runtime, batches[i], input, output, conv_w, conv_b, fc_w, fc_b);
  }
  /* A bad shape is refused with a status and a message (and through the callback): the
   * convolution's filter fixes the input channels. */
  const size_t bad_dims[4] = {1, H, W, CIN + 1};
  if (pqnn_reshape_external_value(runtime, INPUT_ID, 4, bad_dims) == pqnn_status_success &&
      pqnn_reshape_runtime(runtime) == pqnn_status_success) {
    fprintf(stderr, "FAILED: %d input channels were accepted by a %d-channel convolution\n",
        CIN + 1, CIN);
    result = EXIT_FAILURE;
  } else {
    printf("%d input channels are refused: %s\n", CIN + 1, pqnn_last_error_message());
  }

  CHECK(pqnn_delete_runtime(runtime));
  CHECK(pqnn_set_log_callback(NULL, NULL));
  CHECK(pqnn_deinitialize());
  free(keep);
  if (result == EXIT_SUCCESS) printf("OK\n");
  return result;
}
