/* f32 depthwise-convolution kernel selection per ISA tier. */
#include <pthread.h>

#include "configs/config.h"
#include "hardware.h"

static struct pqnn_dwconv_config config;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void init_config(void) {
  config = (struct pqnn_dwconv_config) {
    .kernels = {
      {pqnn_f32_dwconv_minmax_ukernel_anyp1c__scalar, 1, 0, "f32 anyp1c scalar"},
    },
    .count = 1,
  };
}

const struct pqnn_dwconv_config* pqnn_get_f32_dwconv_config(void) {
  pthread_once(&once, init_config);
  return &config;
}
