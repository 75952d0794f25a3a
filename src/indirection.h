/* Indirection buffers for convolution: for each output pixel and kernel tap, the byte
 * offset of the input pixel it reads, relative to the start of the image (stored as a
 * pointer; the kernel adds the real base as a_offset), or the `zero` row for padding.
 * Built at reshape for one image; every image of the batch shares it. */
#ifndef PQNN_INDIRECTION_H_
#define PQNN_INDIRECTION_H_

#include <stddef.h>
#include <stdint.h>

#include "common.h"

struct pqnn_conv_geometry {
  size_t input_height, input_width;
  size_t output_height, output_width;
  uint32_t kernel_height, kernel_width;
  uint32_t stride_height, stride_width;
  uint32_t dilation_height, dilation_width;
  size_t padding_top, padding_left;  /* SAME padding of dilated kernels exceeds 32 bits */
  size_t pixel_stride_bytes;   /* bytes between input pixels */
};

/* Pointers needed for IGEMM: ceil(OH*OW / mr) tiles x taps x mr. 0 on overflow. */
PQNN_INTERNAL size_t pqnn_indirection_igemm_count(const struct pqnn_conv_geometry* g, size_t mr);
/* Tile t, tap k, row i at [(t * taps + k) * mr + i]; rows past the last pixel repeat it. */
PQNN_INTERNAL void pqnn_indirection_init_igemm(const void** buffer,
    const struct pqnn_conv_geometry* g, size_t mr, const void* zero);

/* Pointers needed for DWCONV: OH * OW * taps. 0 on overflow. */
PQNN_INTERNAL size_t pqnn_indirection_dwconv_count(const struct pqnn_conv_geometry* g);
/* Output pixel (y, x), tap k at [(y * OW + x) * taps + k]. */
PQNN_INTERNAL void pqnn_indirection_init_dwconv(const void** buffer,
    const struct pqnn_conv_geometry* g, const void* zero);

#endif  /* PQNN_INDIRECTION_H_ */
