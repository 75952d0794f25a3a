/* One arena for every intermediate tensor (not static, not external). A tensor lives from
 * the op that writes it to the last op that reads it (execution order). Tensors are placed
 * largest first, each at the lowest 64-byte aligned offset that does not overlap a placed
 * tensor whose lifetime intersects its own (greedy by size), so tensors that are never
 * alive together share memory (unless the runtime keeps every value: the keep_values
 * option). The arena only grows; its size and the unshared sum (every
 * tensor on its own) are reported by pqnn_get_runtime_arena_size. The input and the
 * output of a depthwise convolution are kept PQNN_DWCONV_SKEW bytes apart modulo 512
 * (configs/config.h: the f32 row kernels' walk runs at latency where they 4 KiB-alias;
 * MobileNet's activations are multiples of 4 KiB and would otherwise always alias). */
#include "allocator.h"
#include "configs/config.h"
#include "logging.h"
#include "runtime/runtime-band.h"
#include "runtime/runtime.h"

static bool lifetimes_overlap(const struct pqnn_runtime* rt, const struct pqnn_rt_tensor* a,
    const struct pqnn_rt_tensor* b) {
  return rt->keep_values || (a->first_op <= b->last_op && b->first_op <= a->last_op);
}

/* Whether offset lies at least `distance` bytes modulo 512 from every placed tensor that
 * tensor t meets across a depthwise convolution (as its input or its output). */
static bool skewed_from_depthwise(const struct pqnn_runtime* rt, uint32_t t, size_t offset,
    size_t distance, const bool* is_placed) {
  for (uint32_t i = 0; i < rt->num_ops; i++) {
    const struct pqnn_rt_op* op = &rt->ops[i];
    if (op->node.type != pqnn_node_type_depthwise_convolution_2d || op->num_inputs == 0) {
      continue;
    }
    const uint32_t other = op->inputs[0] == t ? op->output
        : op->output == t ? op->inputs[0] : t;
    if (other == t || !is_placed[other]) continue;
    if (pqnn_mod_distance(offset, rt->tensors[other].arena_offset, 512) < distance) {
      return false;
    }
  }
  return true;
}

/* The smallest 64-byte aligned offset >= offset PQNN_DWCONV_SKEW (256: half of 512) bytes
 * modulo 512 from those tensors, else the smallest at least PQNN_DWCONV_ALIAS_BAND from
 * them (each partner rules out 3 of the 8 positions modulo 512), else offset. */
static size_t skew_from_depthwise(const struct pqnn_runtime* rt, uint32_t t, size_t offset,
    const bool* is_placed) {
  for (size_t distance = PQNN_DWCONV_SKEW; distance >= PQNN_DWCONV_ALIAS_BAND; distance /= 2) {
    for (size_t o = offset; o < offset + 512; o += PQNN_ALIGNMENT) {
      if (skewed_from_depthwise(rt, t, o, distance, is_placed)) return o;
    }
  }
  return offset;
}

enum pqnn_status pqnn_runtime_plan_arena(struct pqnn_runtime* rt) {
  for (uint32_t t = 0; t < rt->num_tensors; t++) {
    struct pqnn_rt_tensor* tensor = &rt->tensors[t];
    tensor->in_arena = tensor->used && tensor->static_data == NULL && tensor->external_flags == 0;
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
  /* Placement order: arena tensors by size, largest first (insertion sort; graphs are small). */
  uint32_t* order = pqnn_allocate(((size_t) rt->num_tensors + 1) * (sizeof(uint32_t) * 2 + 1));
  if (order == NULL) return pqnn_status_out_of_memory;
  uint32_t* placed = order + rt->num_tensors + 1;
  bool* is_placed = (bool*) (placed + rt->num_tensors + 1);
  for (uint32_t t = 0; t < rt->num_tensors; t++) is_placed[t] = false;
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
    size_t offset = skew_from_depthwise(rt, order[i], 0, is_placed);
    for (size_t k = 0; k < conflicts; k++) {
      const struct pqnn_rt_tensor* other = &rt->tensors[placed[k]];
      if (offset + size <= other->arena_offset) break;
      const size_t end = other->arena_offset + pqnn_round_up(other->bytes, PQNN_ALIGNMENT);
      if (end > offset) offset = skew_from_depthwise(rt, order[i], end, is_placed);
    }
    tensor->arena_offset = offset;
    is_placed[order[i]] = true;
    if (offset + size > arena_size) arena_size = offset + size;
  }
  pqnn_release(order);
  rt->arena_size = arena_size;
  rt->unshared_size = unshared;
  if (arena_size > rt->arena_capacity) {
    pqnn_release(rt->arena);
    rt->arena_capacity = 0;
    rt->arena = pqnn_allocate(arena_size);
    if (rt->arena == NULL) {
      PQNN_LOG_ERROR("out of memory for a %zu-byte arena", arena_size);
      return pqnn_status_out_of_memory;
    }
    rt->arena_capacity = arena_size;
  }
  return pqnn_status_success;
}
