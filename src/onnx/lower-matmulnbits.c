/* com.microsoft MatMulNBits (ONNX Runtime's 4-bit weight-only MatMul) as a fully connected
 * node with a qbint4 filter (qd8 x qb4w; docs/qd8-4bit.md, "ONNX MatMulNBits").
 *
 *   Y[..., n] = sum_k A[..., k] * (q[n][k] - zp[n][b]) * scale[n][b] + bias[n],  b = k / block_size
 *
 * Inputs: A (float, [..., K]); B (uint8 constant [N][blocks][block_size / 2]: within a row,
 * element k is in byte k / 2, the low nibble for even k, unsigned 0..15); scales (float
 * constant, N * blocks); zero_points (optional: uint8 constant, packed two per byte the
 * same way, N rows of ceil(blocks / 2) bytes; or float, N * blocks integral values in
 * [0, 15]; absent: 8); g_idx (optional, act-order: unsupported); bias (optional float [N]).
 * Attributes: K, N, bits (4 only), block_size (a multiple of 32: pqnn's qb4w blocks).
 *
 * pqnn's qb4w weights are symmetric (a signed nibble w in [-8, 7] times the scale), so a
 * zero point of 8 maps exactly: w = q - 8, the nibble q ^ 8. Any other zero point is exact
 * when every q - zp of the block lies in [-8, 7]; a block where it does not (possible only
 * for zp < 8 with q - zp > 7, or zp > 8 with q - zp < -8) is requantized at import with
 * pqnn_quantize_weights_qb4w's rule on its exact values v = q - zp:
 *   scale' = scale * max|v| / 7,   w = rne(v * 7 / max|v|)
 * an error of at most scale' / 2 per weight of those blocks; the importer logs how many it
 * requantized. (Carrying the zero point into the kernel would need a per-block offset
 * term, sum_k x * zp * scale, in every 4-bit kernel; symmetric 4-bit is what pqnn's own
 * quantizer and the MatMulNBits exporters' default (zp 8) produce.) */
#include <math.h>
#include <string.h>

#include "onnx/internal.h"

struct nbits {
  int64_t k, n, block, blocks;
};

static enum pqnn_status read_attributes(struct ox_pass* p, struct nbits* a) {
  int64_t bits = 0;
  enum pqnn_status status = ox_attr_int(p, "K", -1, &a->k);
  if (status == pqnn_status_success) status = ox_attr_int(p, "N", -1, &a->n);
  if (status == pqnn_status_success) status = ox_attr_int(p, "bits", 4, &bits);
  if (status == pqnn_status_success) status = ox_attr_int(p, "block_size", -1, &a->block);
  if (status != pqnn_status_success) return status;
  if (a->k <= 0 || a->n <= 0 || a->block <= 0 || a->k > OX_MAX_ELEMENTS ||
      a->n > OX_MAX_ELEMENTS) {
    return ox_invalid(p, "K, N and block_size must be positive (K %lld, N %lld, block_size %lld)",
        (long long) a->k, (long long) a->n, (long long) a->block);
  }
  if (bits != 4) return ox_unsupported(p, "bits = %lld (only 4-bit weights)", (long long) bits);
  if (a->block % 32 != 0) {
    return ox_unsupported(p, "block_size %lld is not a multiple of 32 (pqnn's qb4w blocks)",
        (long long) a->block);
  }
  a->blocks = (a->k + a->block - 1) / a->block;
  return pqnn_status_success;
}

/* The zero point of row n, block b (8 when there is none); -1 when not an integer 0..15. */
static int zero_point(const struct ox_tensor* zp, const struct nbits* a, int64_t n, int64_t b) {
  if (zp == NULL) return 8;
  if (zp->f != NULL) {
    const float v = zp->f[n * a->blocks + b];
    return v >= 0.0f && v <= 15.0f && v == floorf(v) ? (int) v : -1;
  }
  const int64_t byte = zp->i[n * ((a->blocks + 1) / 2) + b / 2];
  return (int) ((b & 1) ? (byte >> 4) & 0xF : byte & 0xF);
}

/* Checks the constant operands' types and sizes. */
static enum pqnn_status check_operands(struct ox_pass* p, const struct nbits* a,
    const struct ox_tensor* b, const struct ox_tensor* s, const struct ox_tensor* zp,
    const struct ox_tensor* bias) {
  int64_t count;
  if (!b->is_const || b->i == NULL || b->elem_type != OX_UINT8 || !ox_elements(b, &count) ||
      count != a->n * a->blocks * (a->block / 2)) {
    return ox_unsupported(p, "B must be a uint8 constant of N * blocks * block_size / 2 bytes");
  }
  if (!s->is_const || s->f == NULL || !ox_elements(s, &count) || count != a->n * a->blocks) {
    return ox_unsupported(p, "scales must be a float constant of N * blocks values");
  }
  for (int64_t i = 0; i < count; i++) {
    if (!(isfinite(s->f[i]) && s->f[i] > 0.0f)) {
      return ox_unsupported(p, "scale %lld (%g) is not finite and positive", (long long) i,
          (double) s->f[i]);
    }
  }
  if (zp != NULL) {
    const bool packed = zp->i != NULL && zp->elem_type == OX_UINT8;
    if (!zp->is_const || !ox_elements(zp, &count) || (!packed && zp->f == NULL) ||
        count != (packed ? a->n * ((a->blocks + 1) / 2) : a->n * a->blocks)) {
      return ox_unsupported(p, "zero_points must be a packed uint8 or a float constant");
    }
    for (int64_t n = 0; n < a->n; n++) {
      for (int64_t blk = 0; blk < a->blocks; blk++) {
        if (zero_point(zp, a, n, blk) < 0) {
          return ox_unsupported(p, "a float zero point is not an integer in [0, 15]");
        }
      }
    }
  }
  if (bias != NULL && (!bias->is_const || bias->f == NULL || !ox_elements(bias, &count) ||
                       count != a->n)) {
    return ox_unsupported(p, "bias must be a float constant of N values");
  }
  return pqnn_status_success;
}

/* Row n's unsigned nibble k of B. */
static int b_nibble(const struct ox_tensor* b, const struct nbits* a, int64_t n, int64_t k) {
  const int64_t byte = b->i[n * a->blocks * (a->block / 2) + k / 2];
  return (int) ((k & 1) ? (byte >> 4) & 0xF : byte & 0xF);
}

/* pqnn qb4w kernel and scales from B / scales / zero points; returns the number of blocks
 * requantized (see the header comment). */
static int64_t convert_weights(const struct nbits* a, const struct ox_tensor* b,
    const struct ox_tensor* s, const struct ox_tensor* zp, uint8_t* kernel, float* scale) {
  const size_t row_bytes = (size_t) (a->k + 1) / 2;
  int64_t requantized = 0;
  memset(kernel, 0, (size_t) a->n * row_bytes);
  for (int64_t n = 0; n < a->n; n++) {
    for (int64_t blk = 0; blk < a->blocks; blk++) {
      const int z = zero_point(zp, a, n, blk);
      const int64_t k0 = blk * a->block;
      const int64_t k1 = k0 + a->block < a->k ? k0 + a->block : a->k;
      int lo = 0, hi = 0;
      for (int64_t k = k0; k < k1; k++) {
        const int v = b_nibble(b, a, n, k) - z;
        lo = v < lo ? v : lo;
        hi = v > hi ? v : hi;
      }
      const float s0 = s->f[n * a->blocks + blk];
      const bool exact = lo >= -8 && hi <= 7;
      const int max_abs = -lo > hi ? -lo : hi;
      scale[n * a->blocks + blk] = exact ? s0 : s0 * (float) max_abs / 7.0f;
      requantized += !exact;
      for (int64_t k = k0; k < k1; k++) {
        int w = b_nibble(b, a, n, k) - z;
        if (!exact) w = (int) nearbyintf((float) w * 7.0f / (float) max_abs);
        kernel[(size_t) n * row_bytes + (size_t) k / 2] |=
            (uint8_t) ((w & 0xF) << ((k & 1) ? 4 : 0));
      }
    }
  }
  return requantized;
}

static const struct ox_tensor* optional_input(struct ox_pass* p, size_t k) {
  return p->node->num_inputs > k && p->node->inputs[k] >= 0 ? &p->t[p->node->inputs[k]] : NULL;
}

enum pqnn_status ox_lower_matmulnbits(struct ox_pass* p) {
  struct ox_tensor *x, *b, *s;
  enum pqnn_status status = ox_input(p, 0, &x);
  if (status == pqnn_status_success) status = ox_input(p, 1, &b);
  if (status == pqnn_status_success) status = ox_input(p, 2, &s);
  if (status != pqnn_status_success) return status;
  struct ox_tensor* y = ox_output(p, 0);
  if (y == NULL) return ox_invalid(p, "no output");
  struct nbits a;
  status = read_attributes(p, &a);
  if (status != pqnn_status_success) return status;
  if (optional_input(p, 4) != NULL) {
    return ox_unsupported(p, "g_idx (act-order, a permuted K) is not supported");
  }
  const struct ox_tensor* zp = optional_input(p, 3);
  const struct ox_tensor* bias = optional_input(p, 5);
  if (x->is_const || x->rank < 2) return ox_unsupported(p, "A must be an activation of rank >= 2");
  if (x->dims[x->rank - 1] >= 0 && x->dims[x->rank - 1] != a.k) {
    return ox_invalid(p, "A's last dim (%lld) is not K (%lld)",
        (long long) x->dims[x->rank - 1], (long long) a.k);
  }
  status = check_operands(p, &a, b, s, zp, bias);
  if (status != pqnn_status_success) return status;
  uint32_t in_id;
  status = ox_model_order_id(p, x, &in_id);
  if (status != pqnn_status_success) return status;
  ox_set_shape(y, x->rank, x->dims);
  y->dims[x->rank - 1] = a.n;
  y->channels_last = false;
  status = ox_define_activation(p, y);
  if (status != pqnn_status_success || !ox_emitting(p)) return status;
  uint8_t* kernel = ox_pass_alloc(p, (size_t) a.n * (size_t) ((a.k + 1) / 2), 1);
  float* scale = ox_pass_alloc(p, (size_t) (a.n * a.blocks), sizeof(float));
  if (kernel == NULL || scale == NULL) return pqnn_status_out_of_memory;
  const int64_t requantized = convert_weights(&a, b, s, zp, kernel, scale);
  if (requantized != 0) {
    ox_log("MatMulNBits '%s': %lld of %lld blocks have zero points pqnn's symmetric 4-bit "
        "weights cannot hold exactly; requantized (docs/qd8-4bit.md)",
        p->node->proto->name != NULL ? p->node->proto->name : "", (long long) requantized,
        (long long) (a.n * a.blocks));
  }
  uint32_t w_id, b_id = PQNN_INVALID_VALUE_ID;
  const size_t wdims[2] = {(size_t) a.n, (size_t) a.k}, bdims[1] = {(size_t) a.n};
  status = pqnn_define_blockwise_quantized_tensor_value(p->sg, pqnn_datatype_qbint4,
      (size_t) a.block, scale, 2, wdims, kernel, PQNN_INVALID_VALUE_ID, 0, &w_id);
  if (status == pqnn_status_success && bias != NULL) {
    float* bias_copy = ox_pass_alloc(p, (size_t) a.n, sizeof(float));
    if (bias_copy == NULL) return pqnn_status_out_of_memory;
    memcpy(bias_copy, bias->f, (size_t) a.n * sizeof(float));
    status = ox_define_static(p, 1, bdims, bias_copy, &b_id);
  }
  if (status == pqnn_status_success) {
    status = pqnn_define_fully_connected(p->sg, -INFINITY, INFINITY, in_id, w_id, b_id, y->id, 0);
  }
  if (status == pqnn_status_success) return status;
  return ox_unsupported(p, "the runtime refused the node (%s)", pqnn_status_string(status));
}
