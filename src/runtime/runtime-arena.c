/* One arena for every intermediate tensor (not static, not external). A tensor lives from
 * the op that writes it to the last op that reads it (execution order). Tensors are placed
 * largest first, each at the lowest 64-byte aligned offset that does not overlap a placed
 * tensor whose lifetime intersects its own (greedy by size), so tensors that are never
 * alive together share memory (unless the runtime keeps every value: the keep_values
 * option). The arena only grows; its size and the unshared sum (every
 * tensor on its own) are reported by pqnn_get_runtime_arena_size. The input and the
 * output of a depthwise convolution are kept PQNN_DWCONV_SKEW bytes apart modulo 512
 * (configs/config.h: the f32 row kernels' walk runs at latency where they 4 KiB-alias;
 * MobileNet's activations are multiples of 4 KiB and would otherwise always alias), and,
 * for f32 3x3 / 5x5 layers with pixels under 1 KiB, the output clear of the window modulo
 * 4 KiB that the walk's next loads reach ahead of its stores (clear_of_walk). */
#include "allocator.h"
#include "configs/config.h"
#include "logging.h"
#include "runtime/runtime-band.h"
#include "runtime/runtime-passes.h"
#include "runtime/runtime.h"

static bool lifetimes_overlap(const struct pqnn_runtime* rt, const struct pqnn_rt_tensor* a,
    const struct pqnn_rt_tensor* b) {
  return rt->keep_values || (a->first_op <= b->last_op && b->first_op <= a->last_op);
}

/* The bytes ahead of its input pixel that the f32 row walk of depthwise op loads next:
 * the next output pixel's taps, ((kernel_width - 1) x dilation + stride) input pixels; 0
 * where no row kernel walks (not f32, not 3x3 / 5x5) or the pixels are 1 KiB or more
 * (pqnn_dwconv_row_aliases rules there). */
static size_t row_walk_ahead(const struct pqnn_runtime* rt, const struct pqnn_rt_op* op) {
  const struct pqnn_conv_params* c = &op->node.conv;
  const struct pqnn_rt_tensor* input = &rt->tensors[op->inputs[0]];
  if (input->datatype != pqnn_datatype_fp32 || input->shape.num_dims != 4 ||
      c->kernel_height != c->kernel_width || (c->kernel_width != 3 && c->kernel_width != 5)) {
    return 0;
  }
  const size_t pixel = input->shape.dim[3] * sizeof(float);
  if (pixel >= 1024) return 0;
  return ((size_t) (c->kernel_width - 1) * c->dilation_width + c->stride_width) * pixel;
}

/* Whether an output at `output` bytes lies outside the window modulo 4 KiB where the row
 * walk's next loads from an input at `input` wait on its stores (4 KiB aliasing): from 64
 * bytes behind the input to `ahead` + 64 bytes ahead of it. bench/f32-depthwise, 3x3 s1
 * 24x160 (rows multiples of 4 KiB), Zen 5, GFLOP/s by (output - input) mod 4 KiB:
 * 32 channels (128-byte pixels, ahead 384): 0: 55, 256: 66, 768 .. 3840: 86-93;
 * 64 channels s2x1 (ahead 768): 0, 256: 59, 1280 .. 3840: 72-88; 16 channels (ahead 192):
 * 90 at 256. Rows whose bytes are not a multiple of 4 KiB shift the window per kernel row:
 * this keeps the output clear of the first row's. */
static bool clear_of_walk(size_t output, size_t input, size_t ahead) {
  const size_t d = (output - input) & 4095;
  return ahead == 0 || (d >= ahead + 64 && d <= 4096 - 64);
}

/* Whether offset lies at least `distance` bytes modulo 512 from every placed tensor that
 * tensor t meets across a depthwise convolution (as its input or its output), and, where
 * `walk`, outside that layer's row-walk window (clear_of_walk). */
static bool skewed_from_depthwise(const struct pqnn_runtime* rt, uint32_t t, size_t offset,
    size_t distance, bool walk, const bool* is_placed) {
  for (uint32_t i = 0; i < rt->num_ops; i++) {
    const struct pqnn_rt_op* op = &rt->ops[i];
    if (op->node.type != pqnn_node_type_depthwise_convolution_2d || op->num_inputs == 0) {
      continue;
    }
    const uint32_t other = op->inputs[0] == t ? op->output
        : op->output == t ? op->inputs[0] : t;
    if (other == t || !is_placed[other]) continue;
    const size_t other_offset = rt->tensors[other].arena_offset;
    if (pqnn_mod_distance(offset, other_offset, 512) < distance) {
      return false;
    }
    if (walk) {
      const bool is_output = op->output == t;
      if (!clear_of_walk(is_output ? offset : other_offset, is_output ? other_offset : offset,
              row_walk_ahead(rt, op))) {
        return false;
      }
    }
  }
  return true;
}

/* The smallest 64-byte aligned offset >= offset PQNN_DWCONV_SKEW (256: half of 512) bytes
 * modulo 512 from those tensors and clear of their row walks modulo 4 KiB, else the
 * smallest only PQNN_DWCONV_SKEW modulo 512 from them, else the smallest at least
 * PQNN_DWCONV_ALIAS_BAND from them (each partner rules out 3 of the 8 positions modulo
 * 512), else offset. */
static size_t skew_from_depthwise(const struct pqnn_runtime* rt, uint32_t t, size_t offset,
    const bool* is_placed, const bool* near_depthwise) {
  /* a tensor no depthwise op reads or writes: offset (what the scans below would find,
   * without their pass over every op per candidate offset: graphs of thousands of ops) */
  if (!near_depthwise[t]) return offset;
  for (size_t o = offset; o < offset + 4096; o += PQNN_ALIGNMENT) {
    if (skewed_from_depthwise(rt, t, o, PQNN_DWCONV_SKEW, true, is_placed)) return o;
  }
  for (size_t distance = PQNN_DWCONV_SKEW; distance >= PQNN_DWCONV_ALIAS_BAND; distance /= 2) {
    for (size_t o = offset; o < offset + 512; o += PQNN_ALIGNMENT) {
      if (skewed_from_depthwise(rt, t, o, distance, false, is_placed)) return o;
    }
  }
  return offset;
}

enum pqnn_status pqnn_runtime_plan_arena(struct pqnn_runtime* rt) {
  for (uint32_t t = 0; t < rt->num_tensors; t++) {
    struct pqnn_rt_tensor* tensor = &rt->tensors[t];
    tensor->in_arena = tensor->used && !tensor->unwritten && tensor->static_data == NULL &&
        tensor->external_flags == 0;
    tensor->first_op = UINT32_MAX;
    tensor->last_op = 0;
  }
  for (uint32_t i = 0; i < rt->num_ops; i++) {
    const struct pqnn_rt_op* op = &rt->ops[i];
    for (uint32_t k = 0; k <= op->num_inputs; k++) {
      struct pqnn_rt_tensor* tensor = &rt->tensors[k < op->num_inputs ? op->inputs[k] : op->output];
      if (i < tensor->first_op) tensor->first_op = i;
      if (i > tensor->last_op) tensor->last_op = i;
    }
  }
  pqnn_rt_band_lifetimes(rt);
  pqnn_rt_concat_input_lifetimes(rt);
  pqnn_rt_scaled_input_lifetimes(rt);
  /* Placement order: arena tensors by size, largest first (insertion sort; graphs are small). */
  uint32_t* order = pqnn_allocate(((size_t) rt->num_tensors + 1) * (sizeof(uint32_t) * 2 + 2));
  if (order == NULL) return pqnn_status_out_of_memory;
  uint32_t* placed = order + rt->num_tensors + 1;
  bool* is_placed = (bool*) (placed + rt->num_tensors + 1);
  bool* near_depthwise = is_placed + rt->num_tensors + 1;  /* a depthwise op's input / output */
  for (uint32_t t = 0; t < rt->num_tensors; t++) is_placed[t] = near_depthwise[t] = false;
  for (uint32_t i = 0; i < rt->num_ops; i++) {
    const struct pqnn_rt_op* op = &rt->ops[i];
    if (op->node.type != pqnn_node_type_depthwise_convolution_2d || op->num_inputs == 0) {
      continue;
    }
    near_depthwise[op->inputs[0]] = near_depthwise[op->output] = true;
  }
  size_t count = 0, unshared = 0;
  for (uint32_t t = 0; t < rt->num_tensors; t++) {
    if (!rt->tensors[t].in_arena) continue;
    unshared += pqnn_round_up(rt->tensors[t].bytes, PQNN_ALIGNMENT);
    size_t j = count++;
    while (j > 0 && rt->tensors[order[j - 1]].bytes < rt->tensors[t].bytes) {
      order[j] = order[j - 1];
      j--;
    }
    order[j] = t;
  }
  size_t arena_size = 0;
  for (size_t i = 0; i < count; i++) {
    struct pqnn_rt_tensor* tensor = &rt->tensors[order[i]];
    const size_t size = pqnn_round_up(tensor->bytes, PQNN_ALIGNMENT);
    /* Conflicting placed tensors sorted by offset, then the first gap that fits. */
    size_t conflicts = 0;
    for (size_t k = 0; k < i; k++) {
      const struct pqnn_rt_tensor* other = &rt->tensors[order[k]];
      if (!lifetimes_overlap(rt, tensor, other)) continue;
      size_t j = conflicts++;
      while (j > 0 && rt->tensors[placed[j - 1]].arena_offset > other->arena_offset) {
        placed[j] = placed[j - 1];
        j--;
      }
      placed[j] = order[k];
    }
    size_t offset = skew_from_depthwise(rt, order[i], 0, is_placed, near_depthwise);
    for (size_t k = 0; k < conflicts; k++) {
      const struct pqnn_rt_tensor* other = &rt->tensors[placed[k]];
      if (offset + size <= other->arena_offset) break;
      const size_t end = other->arena_offset + pqnn_round_up(other->bytes, PQNN_ALIGNMENT);
      if (end > offset) offset = skew_from_depthwise(rt, order[i], end, is_placed, near_depthwise);
    }
    tensor->arena_offset = offset;
    is_placed[order[i]] = true;
    if (offset + size > arena_size) arena_size = offset + size;
  }
  pqnn_release(order);
  rt->arena_size = arena_size;
  rt->unshared_size = unshared;
  if (arena_size > rt->arena_capacity) {
    pqnn_release_streamed(rt->arena);
    rt->arena_capacity = 0;
    rt->arena = pqnn_allocate_streamed(arena_size);
    if (rt->arena == NULL) {
      PQNN_LOG_ERROR("out of memory for a %zu-byte arena", arena_size);
      return pqnn_status_out_of_memory;
    }
    rt->arena_capacity = arena_size;
  }
  return pqnn_status_success;
}
