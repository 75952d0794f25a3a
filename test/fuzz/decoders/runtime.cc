// Subgraph + runtime decoder: builds a random graph through the public define calls, creates
// a runtime, and reshapes / sets up / invokes it with exact-size external buffers. Checks:
// every status is a valid enum value; defines and create never crash on hostile ids,
// shapes, bounds or flags; a runtime whose batch changed runs on exact-size buffers (ASan
// reports any access past them); two invokes give bit-identical outputs; nothing reads
// the static data of a filter after create (it is poisoned then), while other static data
// stays valid until the runtime is deleted (docs/api.md, "Ownership").
//
// Bytes (the encodings of fuzz-input.h; scripts/gen-fuzz-corpus.py writes the same):
//   subgraph flags (flags), runtime flags (flags), threadpool selector (u8),
//   external_value_ids (dim), data (mode + seed),
//   input count (u8 % 2 + 1), then per input: rank selector (u8: even 4, odd 2) and dims
//   (rdim each, shared batch first),
//   node count (u8 % 12), then per node: op (u8; bit 7: output is an external output) and
//   its arguments (see define_node; ops 11..13, binary / unary / select, broadcast operands
//   given by `operand`),
//   reshape count (u8 % 4), then per reshape: kind (u8) and its arguments.
// rdim: b < 0xF0: b % 24 + 1;  0xF0: 0;  0xF1: u32;  0xF2: SIZE_MAX / 2 + u8;  others: 64 + b % 16.
//
// Known runtime defects (issue 16: an empty shape, num_dims 0, passes
// pqnn_reshape_external_value and a qd8 convolution then divides by zero in
// runtime-ops-convert.c; a huge external_value_ids allocates gigabytes) are kept out
// unless PQNN_FUZZ_UNGUARDED=1 is set in the environment: zero dims become 1, an empty
// reshape gets rank 1, and external_value_ids is reduced modulo 4096. Turn it on once
// those fixes land.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <vector>

#include <pqnn.h>

#include "decoders/fuzz-input.h"
#include "fuzz-targets.h"

namespace pqnn_fuzz {
namespace {

constexpr size_t kMaxValues = 64;

bool unguarded() {
  static const bool value = [] {
    const char* env = std::getenv("PQNN_FUZZ_UNGUARDED");
    return env != nullptr && env[0] == '1';
  }();
  return value;
}

size_t rdim(FuzzInput& in) {
  const uint8_t b = in.byte();
  size_t d;
  if (b < 0xF0) {
    d = b % 24 + 1;
  } else if (b == 0xF0) {
    d = 0;
  } else if (b == 0xF1) {
    d = in.u32();
  } else if (b == 0xF2) {
    d = SIZE_MAX / 2 + in.byte();
  } else {
    d = 64 + b % 16;
  }
  return d == 0 && !unguarded() ? 1 : d;
}

float bound_min(uint8_t selector, FuzzInput& in) {
  switch (selector % 4) {
    case 0: return -INFINITY;
    case 1: return 0.0f;
    case 2: return -6.0f;
    default: return in.real();
  }
}

float bound_max(uint8_t selector, FuzzInput& in) {
  switch (selector % 4) {
    case 0: case 1: return INFINITY;
    case 2: return 6.0f;
    default: return in.real();
  }
}

// An f32 activation value of the graph: its id and defined shape. Dim 0 is the batch of
// every activation (reshapes change only the batch of the inputs).
struct Value {
  uint32_t id;
  std::vector<size_t> dims;
  uint32_t external = PQNN_INVALID_VALUE_ID;
  uint64_t work_per_batch = 0;  // multiply-adds of the node that produced it, per image
};

size_t elements(const std::vector<size_t>& dims) {
  size_t n = 1;
  for (size_t d : dims) n = mul_sat(n, d);
  return n;
}

// Per image: the product of every dim but the first (saturating).
size_t per_batch(const std::vector<size_t>& dims) {
  size_t n = 1;
  for (size_t i = 1; i < dims.size(); i++) n = mul_sat(n, dims[i]);
  return n;
}

// numpy broadcasting of `shapes` (right-aligned; a missing dim or a dim of 1 stretches, 0
// only against 0 or 1); false when they do not broadcast.
bool broadcast(const std::vector<const std::vector<size_t>*>& shapes, std::vector<size_t>& out) {
  size_t rank = 0;
  for (const std::vector<size_t>* s : shapes) rank = std::max(rank, s->size());
  out.assign(rank, 1);
  for (size_t d = 0; d < rank; d++) {
    bool set = false;
    for (const std::vector<size_t>* s : shapes) {
      const size_t k = d + s->size() < rank ? 1 : (*s)[d + s->size() - rank];
      if (k == 1) continue;
      if (set && out[d] != k) return false;
      out[d] = k;
      set = true;
    }
  }
  return true;
}

size_t window(size_t in, uint32_t pad, uint32_t k, uint32_t s, uint32_t d, bool same) {
  if (same) return (in + s - 1) / s;
  const size_t padded = in + pad;
  const size_t eff = (size_t(k) - 1) * d + 1;
  return padded >= eff ? (padded - eff) / s + 1 : 1;  // 1: define must reject it
}

class GraphBuilder {
 public:
  GraphBuilder(FuzzInput& in, pqnn_subgraph_t sg, const Data& data)
      : in_(in), sg_(sg), data_(data) {}

  // Defines an f32 value; returns its id or PQNN_INVALID_VALUE_ID (rejected).
  uint32_t define(const std::vector<size_t>& dims, const float* static_data, uint32_t external,
      uint32_t flags) {
    uint32_t id = PQNN_INVALID_VALUE_ID;
    const pqnn_status status = pqnn_define_tensor_value(sg_, pqnn_datatype_fp32, dims.size(),
        dims.data(), static_data, external, flags, &id);
    PQNN_FUZZ_CHECK(valid_status(status), "define_tensor_value: %d", int(status));
    if (status != pqnn_status_success) return PQNN_INVALID_VALUE_ID;
    PQNN_FUZZ_CHECK(id != PQNN_INVALID_VALUE_ID, "define succeeded without an id");
    return id;
  }

  // Static f32 data of `count` elements; `filter` data is poisoned after create.
  const float* constant(size_t count, bool filter) {
    if (count == 0 || count > kMaxBufferBytes / sizeof(float)) return nullptr;
    std::vector<float>& v = filter ? filters_.emplace_back(count) : others_.emplace_back(count);
    data_.fill_f32(v.data(), count, 100 + filters_.size() + others_.size());
    return v.data();
  }

  void inputs() {
    const size_t count = in_.byte() % 2 + 1;
    const size_t batch = rdim(in_);
    for (size_t i = 0; i < count; i++) {
      std::vector<size_t> dims = {batch};
      const size_t rank = in_.byte() % 2 == 0 ? 4 : 2;
      for (size_t d = 1; d < rank; d++) dims.push_back(rdim(in_));
      add(dims, PQNN_VALUE_FLAG_EXTERNAL_INPUT, 0);
    }
  }

  void nodes() {
    const size_t count = in_.byte() % 12;
    for (size_t n = 0; n < count && !values_.empty(); n++) define_node();
    // The last value becomes an output when no node made one.
    if (outputs_.empty() && !values_.empty() && values_.back().external == PQNN_INVALID_VALUE_ID) {
      Value v = values_.back();
      const uint32_t ext = next_external_++;
      const uint32_t id = define(v.dims, nullptr, ext, PQNN_VALUE_FLAG_EXTERNAL_OUTPUT);
      if (id != PQNN_INVALID_VALUE_ID &&
          pqnn_define_clamp(sg_, -INFINITY, INFINITY, v.id, id, 0) == pqnn_status_success) {
        outputs_.push_back({id, v.dims, ext, 0});
      }
    }
  }

  void poison_filters() {
    for (std::vector<float>& f : filters_) std::memset(f.data(), 0xFF, f.size() * sizeof(float));
  }

  // Whether `batch` images make some value larger than the caps of fuzz-input.h.
  bool oversized(size_t batch) const {
    return mul_sat(mul_sat(max_per_batch_, batch), sizeof(float)) > kMaxBufferBytes;
  }
  std::vector<Value>& inputs_list() { return inputs_; }
  std::vector<Value>& outputs_list() { return outputs_; }
  uint64_t work_per_batch() const { return work_; }

 private:
  // Defines a value with `dims` for a node's output (or an input) and records it.
  bool add(const std::vector<size_t>& dims, uint32_t external_flags, uint64_t work) {
    if (values_.size() >= kMaxValues) return false;
    uint32_t ext = PQNN_INVALID_VALUE_ID;
    if (external_flags != 0) ext = next_external_++;
    const uint32_t id = define(dims, nullptr, ext, external_flags);
    if (id == PQNN_INVALID_VALUE_ID) return false;
    const Value v{id, dims, ext, work};
    max_per_batch_ = std::max(max_per_batch_, per_batch(dims));
    values_.push_back(v);
    if (external_flags == PQNN_VALUE_FLAG_EXTERNAL_INPUT) inputs_.push_back(v);
    if (external_flags == PQNN_VALUE_FLAG_EXTERNAL_OUTPUT) outputs_.push_back(v);
    return true;
  }

  const Value& pick() { return values_[in_.byte() % values_.size()]; }

  // An operand of a broadcasting node (binary, select) beside the activation x. Selector
  // byte s: s == 0xFF: a raw u32 id (hostile; dims unknown); s % 4 == 0: another activation
  // (pick byte), used when it has x's rank (it then shares the batch), else as s % 4 != 0:
  // a static value of rank x.rank - (s >> 2) % x.rank whose dims come from one byte, 2 bits
  // per dim from the last: 0, 1: x's dim; 2: 1; 3: rdim (mostly not broadcasting). Dim 0
  // of a static operand of x's rank is 1, so that a new batch still broadcasts.
  struct Operand {
    uint32_t id;
    std::vector<size_t> dims;
    bool known;  // dims known: false for a raw id
  };
  Operand operand(const Value& x) {
    const uint8_t s = in_.byte();
    if (s == 0xFF) return {in_.u32(), {}, false};
    if (s % 4 == 0) {
      const Value& v = pick();
      if (v.dims.size() == x.dims.size()) return {v.id, v.dims, true};
    }
    const size_t xr = x.dims.size();
    const size_t rank = xr - (s >> 2) % xr;
    std::vector<size_t> dims(rank);
    uint8_t bits = in_.byte();
    for (size_t i = rank; i-- > 0; bits >>= 2) {
      const size_t xd = x.dims[xr - rank + i];
      switch (bits & 3) {
        case 0: case 1: dims[i] = xd; break;
        case 2: dims[i] = 1; break;
        default: dims[i] = rdim(in_); break;
      }
    }
    if (rank == xr) dims[0] = 1;
    const uint32_t id = define(dims, constant(elements(dims), false), PQNN_INVALID_VALUE_ID, 0);
    return {id, dims, true};
  }

  // A broadcasting node over `operands` (x among them): its output has the broadcast shape
  // when they broadcast (else x's, and define must reject the node); with every operand
  // defined and broadcasting, define must accept it (`strict`: no other reason to reject).
  template <typename DefineNode>
  void broadcasting_node(const std::vector<Operand>& operands, const Value& x, bool external,
      bool strict, DefineNode def) {
    bool known = true, defined = true;
    std::vector<const std::vector<size_t>*> shapes;
    for (const Operand& o : operands) {
      known = known && o.known;
      defined = defined && o.id != PQNN_INVALID_VALUE_ID;
      shapes.push_back(&o.dims);
    }
    std::vector<size_t> out;
    const bool fits = broadcast(shapes, out);
    if (!fits) out = x.dims;
    if (!add(out, external ? PQNN_VALUE_FLAG_EXTERNAL_OUTPUT : 0, per_batch(out))) return;
    const pqnn_status status = def(values_.back().id);
    PQNN_FUZZ_CHECK(valid_status(status), "define node: %d", int(status));
    if (known && defined) {
      PQNN_FUZZ_CHECK(fits || status != pqnn_status_success,
          "a node over operands that do not broadcast was accepted");
      PQNN_FUZZ_CHECK(!fits || !strict || status == pqnn_status_success,
          "a node over broadcasting operands with the broadcast output shape was rejected: %d",
          int(status));
    }
    if (status == pqnn_status_success) {
      work_ = add_sat(work_, per_batch(out));
      return;
    }
    if (external) outputs_.pop_back();
    values_.pop_back();
  }

  // Defines the node's output value and the node (`define` given the output id); drops the
  // value again from the list when the node was rejected.
  template <typename DefineNode>
  void node(const std::vector<size_t>& out_dims, bool external, uint64_t work, DefineNode def) {
    if (!add(out_dims, external ? PQNN_VALUE_FLAG_EXTERNAL_OUTPUT : 0, work)) return;
    const pqnn_status status = def(values_.back().id);
    PQNN_FUZZ_CHECK(valid_status(status), "define node: %d", int(status));
    if (status == pqnn_status_success) {
      work_ = add_sat(work_, work);
      return;
    }
    if (external) outputs_.pop_back();
    values_.pop_back();
  }

  void define_node() {
    const uint8_t byte = in_.byte();
    const bool external = (byte & 0x80) != 0;
    const unsigned op = (byte & 0x7F) % 14;
    const Value x = pick();
    const size_t rank = x.dims.size();
    const size_t c = x.dims.back();
    const uint8_t b = in_.byte();
    const float out_min = bound_min(b, in_), out_max = bound_max(b >> 2, in_);
    switch (op) {
      case 0: {  // fully connected
        const size_t oc = rdim(in_);
        const bool transpose = (b & 0x10) != 0, bias = (b & 0x20) != 0;
        const float* w = constant(mul_sat(oc, c), true);
        std::vector<size_t> wd = transpose ? std::vector<size_t>{c, oc} : std::vector<size_t>{oc, c};
        const uint32_t wid = define(wd, w, PQNN_INVALID_VALUE_ID, 0);
        const uint32_t bid = bias ? define({oc}, constant(oc, true), PQNN_INVALID_VALUE_ID, 0)
                                  : PQNN_INVALID_VALUE_ID;
        std::vector<size_t> out = x.dims;
        out.back() = oc;
        node(out, external, mul_sat(per_batch(out), c), [&](uint32_t y) {
          return pqnn_define_fully_connected(sg_, out_min, out_max, x.id, wid, bid, y,
              transpose ? PQNN_FLAG_TRANSPOSE_WEIGHTS : 0);
        });
        break;
      }
      case 1:    // convolution
      case 2: {  // depthwise convolution
        if (rank != 4) break;
        const uint32_t kh = in_.byte() % 5 + 1, kw = in_.byte() % 5 + 1;
        const uint32_t sh = in_.byte() % 3 + 1, sw = in_.byte() % 3 + 1;
        const uint8_t g = in_.byte();
        const uint32_t dh = g % 2 + 1, dw = (g >> 1) % 2 + 1;
        const bool same = (g & 0x4) != 0;
        const uint32_t pt = same ? 0 : in_.byte() % 3, pb = same ? 0 : in_.byte() % 3;
        const uint32_t pl = same ? 0 : in_.byte() % 3, pr = same ? 0 : in_.byte() % 3;
        const size_t oh = window(x.dims[1], pt + pb, kh, sh, dh, same);
        const size_t ow = window(x.dims[2], pl + pr, kw, sw, dw, same);
        const uint32_t flags = same ? PQNN_FLAG_TENSORFLOW_SAME_PADDING : 0;
        if (op == 1) {
          const uint32_t groups = (g & 0x8) != 0 && c % 2 == 0 ? 2 : 1;
          const size_t gic = c / groups, goc = rdim(in_);
          const size_t oc = mul_sat(goc, groups);
          const float* w = constant(mul_sat(mul_sat(oc, kh * kw), gic), true);
          const uint32_t wid = define({oc, kh, kw, gic}, w, PQNN_INVALID_VALUE_ID, 0);
          const uint32_t bid = define({oc}, constant(oc, true), PQNN_INVALID_VALUE_ID, 0);
          const std::vector<size_t> out = {x.dims[0], oh, ow, oc};
          node(out, external, mul_sat(per_batch(out), mul_sat(kh * kw, gic)), [&](uint32_t y) {
            return pqnn_define_convolution_2d(sg_, pt, pr, pb, pl, kh, kw, sh, sw, dh, dw,
                groups, gic, goc, out_min, out_max, x.id, wid, bid, y, flags);
          });
        } else {
          const uint32_t multiplier = g % 3 + 1;
          const size_t oc = mul_sat(c, multiplier);
          const float* w = constant(mul_sat(oc, kh * kw), true);
          const uint32_t wid = define({1, kh, kw, oc}, w, PQNN_INVALID_VALUE_ID, 0);
          const std::vector<size_t> out = {x.dims[0], oh, ow, oc};
          node(out, external, mul_sat(per_batch(out), kh * kw), [&](uint32_t y) {
            return pqnn_define_depthwise_convolution_2d(sg_, pt, pr, pb, pl, kh, kw, sh, sw,
                dh, dw, multiplier, c, out_min, out_max, x.id, wid, PQNN_INVALID_VALUE_ID, y,
                flags);
          });
        }
        break;
      }
      case 3: {  // add2: with another value of the same shape, or a static [c] operand
        const Value& other = pick();
        uint32_t second = other.id;
        if (other.dims != x.dims || (b & 0x10) != 0) {
          second = define({c}, constant(c, false), PQNN_INVALID_VALUE_ID, 0);
        }
        node(x.dims, external, per_batch(x.dims), [&](uint32_t y) {
          return pqnn_define_add2(sg_, out_min, out_max, x.id, second, y, 0);
        });
        break;
      }
      case 4:
        node(x.dims, external, per_batch(x.dims), [&](uint32_t y) {
          return pqnn_define_clamp(sg_, out_min, out_max, x.id, y, 0);
        });
        break;
      case 5:
        node(x.dims, external, per_batch(x.dims), [&](uint32_t y) {
          return pqnn_define_gelu(sg_, x.id, y, 0);
        });
        break;
      case 6:
        node(x.dims, external, per_batch(x.dims), [&](uint32_t y) {
          return pqnn_define_softmax(sg_, x.id, y, 0);
        });
        break;
      case 7: {  // global average pooling to [N][C] or [N][1][1][C]
        if (rank != 4) break;
        const std::vector<size_t> out = (b & 0x10) != 0 ? std::vector<size_t>{x.dims[0], c}
                                                        : std::vector<size_t>{x.dims[0], 1, 1, c};
        node(out, external, per_batch(x.dims), [&](uint32_t y) {
          return pqnn_define_global_average_pooling_2d(sg_, out_min, out_max, x.id, y, 0);
        });
        break;
      }
      case 8: {  // max pooling
        if (rank != 4) break;
        const uint32_t ph = in_.byte() % 3 + 1, pw = in_.byte() % 3 + 1;
        const uint32_t s = in_.byte() % 3 + 1;
        const bool same = (b & 0x10) != 0;
        const uint32_t pad = same ? 0 : (b >> 5) % 2;
        const size_t oh = window(x.dims[1], 2 * pad, ph, s, 1, same);
        const size_t ow = window(x.dims[2], 2 * pad, pw, s, 1, same);
        const std::vector<size_t> out = {x.dims[0], oh, ow, c};
        node(out, external, mul_sat(per_batch(out), ph * pw), [&](uint32_t y) {
          return pqnn_define_max_pooling_2d(sg_, pad, pad, pad, pad, ph, pw, s, s, 1, 1,
              out_min, out_max, x.id, y, same ? PQNN_FLAG_TENSORFLOW_SAME_PADDING : 0);
        });
        break;
      }
      case 9: {  // static reshape to [N][rest], the batch inferred
        const std::vector<size_t> out = {x.dims[0], per_batch(x.dims)};
        const size_t shape[2] = {0, per_batch(x.dims)};
        node(out, external, per_batch(x.dims), [&](uint32_t y) {
          return pqnn_define_static_reshape(sg_, 2, shape, x.id, y, 0);
        });
        break;
      }
      case 11: {  // binary: operator byte (u8 % 16: 0, 14 and 15 are not operators), operand
        const unsigned bop = in_.byte() % 16;
        const bool valid = bop != pqnn_binary_invalid && bop <= pqnn_binary_less_equal;
        const std::vector<Operand> operands = {{x.id, x.dims, true}, operand(x)};
        const bool swap = (b & 0x10) != 0;  // x second
        const Operand& a = operands[swap ? 1 : 0];
        const Operand& o = operands[swap ? 0 : 1];
        // Strict only with a nonempty range (NaN, min >= max are rejected).
        const bool strict = valid && out_min < out_max;
        broadcasting_node(operands, x, external, strict, [&](uint32_t y) {
          const pqnn_status status = pqnn_define_binary(sg_, static_cast<pqnn_binary_operator>(bop),
              out_min, out_max, a.id, o.id, y, 0);
          PQNN_FUZZ_CHECK(valid || status != pqnn_status_success,
              "binary operator %u accepted", bop);
          return status;
        });
        break;
      }
      case 12: {  // unary: operator byte (u8 % 20: 0, 18, 19 are not operators), params
        const unsigned uop = in_.byte() % 20;
        const bool valid = uop != pqnn_unary_invalid && uop <= pqnn_unary_round;
        const bool needs = uop == pqnn_unary_leaky_relu || uop == pqnn_unary_hardsigmoid;
        pqnn_unary_params params = {0.0f, 0.0f};
        bool null_params = true;
        if (needs) {  // params byte: even: alpha and beta reals follow; odd: NULL
          null_params = in_.byte() % 2 != 0;
          if (!null_params) {
            params.alpha = in_.real();
            params.beta = in_.real();
          }
        }
        const bool bad_params = needs && (null_params || !std::isfinite(params.alpha) ||
            (uop == pqnn_unary_hardsigmoid && !std::isfinite(params.beta)));
        node(x.dims, external, per_batch(x.dims), [&](uint32_t y) {
          const pqnn_status status = pqnn_define_unary(sg_, static_cast<pqnn_unary_operator>(uop),
              null_params ? nullptr : &params, x.id, y, 0);
          PQNN_FUZZ_CHECK((valid && !bad_params) || status != pqnn_status_success,
              "unary operator %u (params %s) accepted", uop, null_params ? "NULL" : "set");
          return status;
        });
        break;
      }
      case 13: {  // select: x in slot (b >> 4) % 3, two operands; b & 0x40: a flags field
        const size_t slot = (b >> 4) % 3;
        std::vector<Operand> operands = {{x.id, x.dims, true}, operand(x), operand(x)};
        std::swap(operands[0], operands[slot]);
        const uint32_t flags = (b & 0x40) != 0 ? in_.flags() : 0;
        broadcasting_node(operands, x, external, flags == 0, [&](uint32_t y) {
          const pqnn_status status = pqnn_define_select(sg_, operands[0].id, operands[1].id,
              operands[2].id, y, flags);
          PQNN_FUZZ_CHECK(flags == 0 || status != pqnn_status_success,
              "select with flags 0x%x accepted", unsigned(flags));
          return status;
        });
        break;
      }
      default: {  // 10, hostile: a clamp over arbitrary ids and flags
        const uint32_t input_id = in_.u32(), output_id = in_.u32();
        const pqnn_status status = pqnn_define_clamp(sg_, out_min, out_max, input_id, output_id,
            in_.flags());
        PQNN_FUZZ_CHECK(valid_status(status), "define_clamp: %d", int(status));
        break;
      }
    }
  }

  FuzzInput& in_;
  pqnn_subgraph_t sg_;
  const Data& data_;
  uint32_t next_external_ = 0;
  std::vector<Value> values_, inputs_, outputs_;
  std::vector<std::vector<float>> filters_, others_;
  uint64_t work_ = 0;
  size_t max_per_batch_ = 0;
};

// Sets up exact-size external buffers for `batch` and invokes twice; the outputs must be
// bit-identical.
void run(pqnn_runtime_t rt, GraphBuilder& g, size_t batch, const Data& data) {
  std::vector<Block> blocks;
  std::vector<pqnn_external_value> externals;
  size_t total = 0;
  for (const std::vector<Value>* list : {&g.inputs_list(), &g.outputs_list()}) {
    for (const Value& v : *list) {
      const size_t bytes = mul_sat(mul_sat(per_batch(v.dims), batch), sizeof(float));
      total = add_sat(total, bytes);
      if (bytes == 0 || total > kMaxBufferBytes) return;
    }
  }
  if (mul_sat(g.work_per_batch(), batch) > kMaxWork) return;
  for (const std::vector<Value>* list : {&g.inputs_list(), &g.outputs_list()}) {
    for (const Value& v : *list) {
      const size_t count = per_batch(v.dims) * batch;
      blocks.push_back(Block::make(count * sizeof(float)));
      if (list == &g.inputs_list()) {
        data.fill_f32(static_cast<float*>(blocks.back().data()), count, v.external);
      }
      externals.push_back({v.external, blocks.back().data()});
    }
  }
  pqnn_status status = pqnn_setup_runtime(rt, externals.size(), externals.data());
  PQNN_FUZZ_CHECK(valid_status(status), "setup_runtime: %d", int(status));
  if (status != pqnn_status_success) return;
  status = pqnn_invoke_runtime(rt);
  PQNN_FUZZ_CHECK(valid_status(status), "invoke_runtime: %d", int(status));
  if (status != pqnn_status_success) return;
  const size_t first_output = g.inputs_list().size();
  std::vector<std::vector<uint8_t>> first;
  for (size_t i = first_output; i < blocks.size(); i++) {
    const uint8_t* p = static_cast<const uint8_t*>(blocks[i].data());
    first.emplace_back(p, p + blocks[i].bytes);
  }
  status = pqnn_invoke_runtime(rt);
  PQNN_FUZZ_CHECK(status == pqnn_status_success, "second invoke_runtime: %d", int(status));
  for (size_t i = first_output; i < blocks.size(); i++) {
    PQNN_FUZZ_CHECK(std::memcmp(first[i - first_output].data(), blocks[i].data(),
                        blocks[i].bytes) == 0,
        "external output %u differs between two invokes", externals[i].id);
  }
}

}  // namespace

void runtime(const uint8_t* bytes, size_t size) {
  initialize();
  FuzzInput in(bytes, size);
  const uint32_t subgraph_flags = in.flags() << 8;  // flag bits 0x100, 0x200 and others
  const uint32_t runtime_flags = in.flags() << 8;
  pthreadpool_t pool = pick_threadpool(in.byte());
  uint32_t ids = in.dim();
  if (!unguarded()) ids %= 4096;
  const Data data = Data::decode(in);

  pqnn_subgraph_t sg = nullptr;
  pqnn_status status = pqnn_create_subgraph(ids, subgraph_flags, &sg);
  PQNN_FUZZ_CHECK(valid_status(status), "create_subgraph: %d", int(status));
  if (status != pqnn_status_success) {
    PQNN_FUZZ_CHECK(sg == nullptr, "a failed create_subgraph wrote subgraph_out");
    return;
  }
  GraphBuilder g(in, sg, data);
  g.inputs();
  g.nodes();
  const std::vector<Value>& inputs = g.inputs_list();
  size_t batch = inputs.empty() ? 0 : inputs[0].dims[0];
  pqnn_runtime_t rt = nullptr;
  {
    // Values beyond the caps: create runs with every allocation failing.
    AllocationGuard guard(g.oversized(batch));
    status = pqnn_create_runtime(sg, pool, runtime_flags, &rt);
  }
  PQNN_FUZZ_CHECK(valid_status(status), "create_runtime: %d", int(status));
  PQNN_FUZZ_CHECK(pqnn_delete_subgraph(sg) == pqnn_status_success, "delete_subgraph");
  if (status != pqnn_status_success) return;
  // Filters and biases are packed: nothing may read them any more.
  g.poison_filters();

  if (!g.oversized(batch)) run(rt, g, batch, data);
  const size_t reshapes = in.byte() % 4;
  for (size_t r = 0; r < reshapes && !inputs.empty(); r++) {
    const uint8_t kind = in.byte();
    const Value& x = inputs[kind % inputs.size()];
    std::vector<size_t> dims = x.dims;
    bool batch_only = true;
    switch ((kind >> 1) % 4) {
      case 0: case 1: dims[0] = rdim(in); break;           // a new batch
      case 2: {  // one dim (index, then value)
        const size_t index = in.byte() % dims.size();
        dims[index] = rdim(in);
        batch_only = false;
        break;
      }
      default: {  // another rank (0: an empty shape, guarded)
        const size_t rank = in.byte() % 8;
        dims.resize(rank == 0 && !unguarded() ? 1 : rank);
        batch_only = false;
        break;
      }
    }
    status = pqnn_reshape_external_value(rt, x.external, dims.size(), dims.data());
    PQNN_FUZZ_CHECK(valid_status(status), "reshape_external_value: %d", int(status));
    if (status != pqnn_status_success) continue;
    // Every input shares the batch.
    for (const Value& other : inputs) {
      if (!batch_only || other.id == x.id || status != pqnn_status_success) continue;
      std::vector<size_t> od = other.dims;
      od[0] = dims[0];
      status = pqnn_reshape_external_value(rt, other.external, od.size(), od.data());
      PQNN_FUZZ_CHECK(valid_status(status), "reshape_external_value: %d", int(status));
    }
    // A reshape of other dims scales the values by at most the growth of the input (an
    // estimate: guard generously).
    const size_t growth = elements(dims) / std::max<size_t>(elements(x.dims), 1) + 1;
    const bool oversized = g.oversized(mul_sat(batch_only ? dims[0] : batch, growth));
    {
      AllocationGuard guard(oversized);
      status = pqnn_reshape_runtime(rt);
    }
    PQNN_FUZZ_CHECK(valid_status(status), "reshape_runtime: %d", int(status));
    // Shapes this decoder does not model, or a half-applied reshape: stop running.
    if (!batch_only || oversized || status != pqnn_status_success) break;
    batch = dims[0];
    run(rt, g, batch, data);
  }
  PQNN_FUZZ_CHECK(pqnn_delete_runtime(rt) == pqnn_status_success, "delete_runtime");
}

}  // namespace pqnn_fuzz
