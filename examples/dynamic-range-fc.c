/*
 * Dynamic-range quantized fully connected layer with pqnn, checked against plain f32.
 *
 * f32 weights are quantized once per output channel (pqnn_quantize_weights_qc8w); at run
 * time each input row is quantized to int8 with its own scale and zero point
 * (convert_nc_f32_qd8), then the int8 fully connected operator produces f32 outputs
 * (fully_connected_nc_qd8_f32_qc8w). The program compares the result with a naive f32
 * loop, prints the error relative to the largest output, and exits non-zero when it
 * exceeds the bound (int8 rounding alone gives about 1% on this data).
 *
 * Build: see examples/CMakeLists.txt (CMake) or examples/Makefile (pkg-config).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <pqnn.h>

enum { BATCH = 8, INPUT_CHANNELS = 256, OUTPUT_CHANNELS = 64 };
static const double kMaxRelativeError = 0.02;

/* Deterministic data in [-1, 1) so the example needs no seed handling. */
static float next_uniform(uint32_t* state) {
  *state = *state * 1664525u + 1013904223u;
  return (float) ((*state >> 8) * (1.0 / 8388608.0) - 1.0);
}

#define CHECK(call)                                                              \
  do {                                                                           \
    const enum pqnn_status status_ = (call);                                     \
    if (status_ != pqnn_status_success) {                                        \
      fprintf(stderr, "%s failed: %s\n", #call, pqnn_status_string(status_));    \
      return EXIT_FAILURE;                                                       \
    }                                                                            \
  } while (0)

int main(void) {
  static float input[BATCH * INPUT_CHANNELS];
  static float weights[OUTPUT_CHANNELS * INPUT_CHANNELS];
  static float bias[OUTPUT_CHANNELS];
  static int8_t kernel[OUTPUT_CHANNELS * INPUT_CHANNELS];
  static float kernel_scale[OUTPUT_CHANNELS];
  static int8_t quantized_input[BATCH * INPUT_CHANNELS];
  static struct pqnn_quantization_params params[BATCH];
  static float output[BATCH * OUTPUT_CHANNELS];
  static float expected[BATCH * OUTPUT_CHANNELS];

  uint32_t state = 42;
  for (size_t i = 0; i < BATCH * INPUT_CHANNELS; i++) input[i] = next_uniform(&state);
  for (size_t i = 0; i < OUTPUT_CHANNELS * INPUT_CHANNELS; i++) weights[i] = 0.05f * next_uniform(&state);
  for (size_t i = 0; i < OUTPUT_CHANNELS; i++) bias[i] = 0.1f * next_uniform(&state);

  CHECK(pqnn_initialize());
  printf("pqnn %d.%d.%d, ISA tier %s\n", PQNN_VERSION_MAJOR, PQNN_VERSION_MINOR,
      PQNN_VERSION_PATCH, pqnn_isa_name());

  /* Weights [OUTPUT_CHANNELS][INPUT_CHANNELS] -> int8 + one scale per output channel. */
  CHECK(pqnn_quantize_weights_qc8w(OUTPUT_CHANNELS, INPUT_CHANNELS, weights, kernel, kernel_scale));

  pthreadpool_t threadpool = pthreadpool_create(2);
  pqnn_operator_t convert = NULL, fc = NULL;
  CHECK(pqnn_create_convert_nc_f32_qd8(INPUT_CHANNELS, INPUT_CHANNELS, INPUT_CHANNELS, 0, &convert));
  CHECK(pqnn_create_fully_connected_nc_qd8_f32_qc8w(INPUT_CHANNELS, OUTPUT_CHANNELS,
      INPUT_CHANNELS, OUTPUT_CHANNELS, kernel_scale, kernel, bias, -INFINITY, INFINITY, 0, &fc));
  CHECK(pqnn_reshape_convert_nc_f32_qd8(convert, BATCH, threadpool));
  CHECK(pqnn_setup_convert_nc_f32_qd8(convert, input, quantized_input, params));
  CHECK(pqnn_reshape_fully_connected_nc_qd8_f32_qc8w(fc, BATCH, threadpool));
  CHECK(pqnn_setup_fully_connected_nc_qd8_f32_qc8w(fc, quantized_input, output, params));
  CHECK(pqnn_run_operator(convert, threadpool));
  CHECK(pqnn_run_operator(fc, threadpool));
  CHECK(pqnn_delete_operator(convert));
  CHECK(pqnn_delete_operator(fc));
  pthreadpool_destroy(threadpool);

  /* Naive f32 reference (double accumulation). */
  for (size_t m = 0; m < BATCH; m++) {
    for (size_t n = 0; n < OUTPUT_CHANNELS; n++) {
      double acc = bias[n];
      for (size_t k = 0; k < INPUT_CHANNELS; k++) {
        acc += (double) input[m * INPUT_CHANNELS + k] * weights[n * INPUT_CHANNELS + k];
      }
      expected[m * OUTPUT_CHANNELS + n] = (float) acc;
    }
  }
  /* Per-element relative error is meaningless near zero outputs, so every error is taken
   * relative to the largest reference magnitude. */
  double max_abs_error = 0.0, max_abs_expected = 0.0;
  for (size_t i = 0; i < BATCH * OUTPUT_CHANNELS; i++) {
    const double error = fabs((double) output[i] - expected[i]);
    if (!(error <= max_abs_error)) max_abs_error = error; /* NaN propagates */
    if (fabs(expected[i]) > max_abs_expected) max_abs_expected = fabs(expected[i]);
  }
  const double relative = max_abs_error / max_abs_expected;
  printf("qd8 fully connected %dx%d, batch %d: max relative error vs f32 %.4f%% (bound %.1f%%)\n",
      INPUT_CHANNELS, OUTPUT_CHANNELS, BATCH, 100.0 * relative, 100.0 * kMaxRelativeError);
  if (!(relative <= kMaxRelativeError)) {
    fprintf(stderr, "FAILED: error above the bound\n");
    return EXIT_FAILURE;
  }
  printf("OK\n");
  return EXIT_SUCCESS;
}
