/*
 * f32 3x3 convolution (NHWC, padding 1, stride 1) with pqnn, checked against a naive loop.
 * Exits non-zero when any output differs from the reference by more than a tolerance
 * scaled to the size of the dot product (kernels may use FMA and another summation order).
 *
 * Build: see examples/CMakeLists.txt (CMake) or examples/Makefile (pkg-config).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <pqnn.h>

enum { N = 2, H = 10, W = 12, CIN = 16, COUT = 24, KH = 3, KW = 3, PAD = 1 };

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
  static float input[N * H * W * CIN];
  static float kernel[COUT * KH * KW * CIN]; /* OHWI */
  static float bias[COUT];
  static float output[N * H * W * COUT];
  const float output_min = -2.0f, output_max = 2.0f; /* clamps some outputs */

  uint32_t state = 7;
  for (size_t i = 0; i < sizeof(input) / sizeof(input[0]); i++) input[i] = next_uniform(&state);
  for (size_t i = 0; i < sizeof(kernel) / sizeof(kernel[0]); i++) kernel[i] = 0.25f * next_uniform(&state);
  for (size_t i = 0; i < COUT; i++) bias[i] = next_uniform(&state);

  CHECK(pqnn_initialize());
  pqnn_operator_t conv = NULL;
  CHECK(pqnn_create_convolution2d_nhwc_f32(PAD, PAD, PAD, PAD, KH, KW, /*subsampling=*/1, 1,
      /*dilation=*/1, 1, /*groups=*/1, CIN, COUT, /*input_channel_stride=*/CIN,
      /*output_channel_stride=*/COUT, kernel, bias, output_min, output_max, 0, &conv));
  size_t output_height = 0, output_width = 0;
  CHECK(pqnn_reshape_convolution2d_nhwc_f32(conv, N, H, W, &output_height, &output_width, NULL));
  if (output_height != H || output_width != W) {
    fprintf(stderr, "FAILED: output size %zux%zu, expected %dx%d\n", output_height, output_width, H, W);
    return EXIT_FAILURE;
  }
  CHECK(pqnn_setup_convolution2d_nhwc_f32(conv, input, output));
  CHECK(pqnn_run_operator(conv, NULL));
  CHECK(pqnn_delete_operator(conv));

  size_t mismatches = 0;
  double max_error = 0.0;
  for (int n = 0; n < N; n++) {
    for (int oy = 0; oy < H; oy++) {
      for (int ox = 0; ox < W; ox++) {
        for (int oc = 0; oc < COUT; oc++) {
          double acc = bias[oc], magnitude = fabs(bias[oc]);
          for (int ky = 0; ky < KH; ky++) {
            for (int kx = 0; kx < KW; kx++) {
              const int iy = oy + ky - PAD, ix = ox + kx - PAD;
              if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
              for (int ic = 0; ic < CIN; ic++) {
                const double term = (double) input[((n * H + iy) * W + ix) * CIN + ic] *
                                    kernel[((oc * KH + ky) * KW + kx) * CIN + ic];
                acc += term;
                magnitude += fabs(term);
              }
            }
          }
          const double expected = fmin(fmax(acc, output_min), output_max);
          const double actual = output[((n * H + oy) * W + ox) * COUT + oc];
          const double error = fabs(actual - expected);
          /* f32 rounding over KH*KW*CIN + 1 terms: a few ulp of the sum of magnitudes. */
          const double tolerance = 4.0 * (KH * KW * CIN + 1) * 0x1p-24 * magnitude;
          if (!(error <= tolerance)) {
            if (mismatches++ < 10) {
              fprintf(stderr, "mismatch at n=%d y=%d x=%d c=%d: %.7g vs %.7g\n", n, oy, ox, oc,
                  actual, expected);
            }
          }
          if (error > max_error) max_error = error;
        }
      }
    }
  }
  printf("f32 3x3 convolution %dx%dx%d -> %d channels, batch %d (ISA tier %s): max abs error %.3g\n",
      H, W, CIN, COUT, N, pqnn_isa_name(), max_error);
  if (mismatches != 0) {
    fprintf(stderr, "FAILED: %zu mismatches\n", mismatches);
    return EXIT_FAILURE;
  }
  printf("OK\n");
  return EXIT_SUCCESS;
}
