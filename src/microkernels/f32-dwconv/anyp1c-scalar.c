// Scalar f32 depthwise-convolution microkernel for any tap count, one channel at a time
// (contract: src/microkernels.h). Weights per channel: [f32 bias][kernel_size f32 taps];
// reads exactly `channels` elements of each input pixel; clamps to [min, max].
#include "microkernels.h"

void pqnn_f32_dwconv_minmax_ukernel_anyp1c__scalar(size_t channels, size_t output_width,
    size_t kernel_size, const void** input, const void* weights, void* output,
    size_t input_stride, size_t output_increment, size_t a_offset, const void* zero,
    const void* params) {
  const struct pqnn_f32_minmax_params* p = (const struct pqnn_f32_minmax_params*) params;
  const float vmin = p->min;
  const float vmax = p->max;
  float* out = (float*) output;
  do {
    const float* w = (const float*) weights;
    for (size_t c = 0; c < channels; c++) {
      float acc = w[0];
      for (size_t t = 0; t < kernel_size; t++) {
        const float* row = (const float*) input[t];
        if (row != (const float*) zero) {
          row = (const float*) ((uintptr_t) row + a_offset);
        }
        acc += row[c] * w[1 + t];
      }
      w += 1 + kernel_size;
      acc = acc < vmin ? vmin : acc;
      acc = acc > vmax ? vmax : acc;
      *out++ = acc;
    }
    out = (float*) ((uintptr_t) out + output_increment);
    input = (const void**) ((uintptr_t) input + input_stride);
  } while (--output_width != 0);
}
