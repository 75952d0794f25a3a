/* The runtime's types. A runtime is a list of ops in execution order over a table of
 * tensors. Tensor i < num_values is subgraph value i (as defined; static data pointer kept);
 * later tensors are inserted by the planner's passes (f16 copies of external values, qd8
 * activations). Every op carries an executor chosen once at planning: reshape (kernel or
 * operator geometry from the input shapes), setup (bind pointers once the arena is placed)
 * and run. The generic loops in runtime.c and runtime-reshape.c only call through it. */
#ifndef PQNN_RUNTIME_RUNTIME_TYPES_H_
#define PQNN_RUNTIME_RUNTIME_TYPES_H_

#include <pqnn.h>

#include "runtime/node-kernels.h"
#include "runtime/nodes/layout-geometry.h"
#include "runtime/subgraph.h"

struct pqnn_runtime;
struct pqnn_rt_op;

/* What an op does at each step. reshape: the output shape is already inferred; set the
 * op's geometry (and the output's quantization_rows for qdint8). setup: bind the tensors'
 * data pointers (NULL: nothing to bind, node kernels read them at run). run: execute. */
struct pqnn_rt_executor {
  enum pqnn_status (*reshape)(struct pqnn_runtime* rt, struct pqnn_rt_op* op);
  enum pqnn_status (*setup)(struct pqnn_runtime* rt, struct pqnn_rt_op* op);
  enum pqnn_status (*run)(struct pqnn_runtime* rt, struct pqnn_rt_op* op);
};

/* One tile [start, end) of a node-kernel op, run on the runtime's pool. */
typedef void (*pqnn_rt_body_fn)(struct pqnn_runtime* rt, struct pqnn_rt_op* op, size_t start,
    size_t end);

struct pqnn_rt_tensor {
  enum pqnn_datatype datatype;      /* as executed (fp32 values become fp16 under f16 inference) */
  struct pqnn_shape shape;
  int32_t zero_point;
  float scale;
  const void* static_data;          /* static values (caller's memory or static_owned) */
  void* static_owned;               /* runtime-owned converted copy (f16 constants) */
  uint32_t external_flags;          /* PQNN_VALUE_FLAG_EXTERNAL_* of external values */
  uint32_t consumers;               /* ops reading it (planning) */
  uint32_t producer;                /* op index writing it, PQNN_NO_NODE when none (planning) */
  bool used;                        /* read or written by some op */
  bool qd8_per_image;               /* qdint8: one params entry per image (conv) or per row */
  bool qd8_per_image_row;           /* qdint8 NHWC: one range per image row, its params
                                       entry repeated for each of the row's pixels (a
                                       projection's input, runtime-passes.c) */
  bool unwritten;                   /* output of a resize folded into its concat: no storage */
  /* set by reshape */
  size_t quantization_rows;         /* qdint8: params entries */
  size_t bytes;                     /* storage incl. qdint8 params */
  size_t params_offset;             /* qdint8: byte offset of the params */
  /* set by the arena plan */
  bool in_arena;
  uint32_t first_op, last_op;
  size_t arena_offset;
  /* set by setup */
  void* data;
};

struct pqnn_rt_gemm_face;     /* runtime-ops-gemm.c: one public operator datatype face */
struct pqnn_rt_convert_face;  /* runtime-ops-convert.c: one convert_nc operator */
struct pqnn_winograd_part;    /* operator.h: a part of a Winograd convolution's input */

struct pqnn_rt_op {
  struct pqnn_runtime_node_info info;
  const struct pqnn_rt_executor* exec;   /* chosen once at planning */
  struct pqnn_node node;            /* the defined node (conv params, bounds); inserted: a convert */
  struct pqnn_shape weight_shapes[2];  /* filter, bias shapes (FC/conv); bias num_dims 0 = none */
  uint32_t weights[2];              /* FC/conv: filter, bias value ids (bias may be invalid) */
  uint64_t weights_key;             /* its operator's packed weights (runtime-weights.c) */
  const struct pqnn_shape* in_shapes[PQNN_NODE_MAX_INPUTS];  /* what reshape infers from */
  uint32_t num_inputs;
  uint32_t inputs[PQNN_NODE_MAX_INPUTS];  /* tensor indices */
  uint32_t output;
  float output_min, output_max;     /* after clamp fusion */
  /* A fused residual add (runtime-passes.c; the residual is the last input: FC / conv
   * inputs[1], binary / add2 inputs[2]): the add's bounds, applied after it. */
  float residual_min, residual_max;
  /* A fused unary activation (runtime-pass-activation.c): the unary / gelu node it was
   * (type invalid: none), applied to each output tile after the op's bounds, before the
   * fused add or after it (after_add). */
  struct pqnn_rt_activation {
    enum pqnn_node_type type;         /* pqnn_node_type_unary or _gelu; invalid: none */
    uint32_t unary;                   /* unary: enum pqnn_unary_operator */
    struct pqnn_unary_params params;  /* unary: alpha, beta */
    bool after_add;
  } activation;
  /* A fused per-channel affine (runtime-pass-affine.c): the 1x1 depthwise node it was
   * (fused false: none), applied to each output tile after everything else, by affine_op,
   * that node's operator, created at planning with the same face the node would have. */
  struct pqnn_rt_affine {
    bool fused;
    struct pqnn_node node;            /* its conv params and bounds (after clamp fusion) */
    uint32_t weights[2];              /* filter, bias value ids (bias may be invalid) */
    uint32_t input;                   /* the tensor it read (the op's output before) */
  } affine;
  pqnn_operator_t affine_op;
  /* A nearest-upsampled residual (runtime-pass-upsample.c): an FPN top-down add of a
   * resized map folded into the binary / add2 op that writes the other operand, after its
   * fused same-shape residual, or into an FC / conv op with a folded channel scale; the
   * source map is the op's last input (inputs[input]: binary 3). resize:
   * the resize node it was; min, max: its add's bounds; columns: per output column its
   * source column (reshape sets them, capacity columns_capacity; released with the op). */
  struct pqnn_rt_upsampled {
    bool fused;
    uint32_t input;                   /* index in inputs of the source map */
    struct pqnn_node resize;
    float min, max;
    size_t* columns;
    size_t columns_capacity;
  } upsampled;
  /* A per-channel multiply folded into an FC / conv op (runtime-pass-sefold.c), applied
   * by its epilogue tail (runtime-ops-scaled.c) to each output tile x: clamp(x * s) with
   * the multiply's bounds (min, max; operands in the node's order), then + the residual
   * (x itself or inputs[residual_input]) with residual_min / max, then the upsampled map
   * (upsampled, fused) -- the binary node's kernels in its order. */
  struct pqnn_rt_scaled {
    bool fused;
    bool scale_first;                 /* the multiply read (s, x) */
    bool residual;                    /* a fused add follows */
    uint32_t scale_input;             /* index in inputs of s ([N or 1, 1, 1, C]) */
    uint32_t residual_input;          /* index in inputs of the residual; 0: x itself */
    bool stepped;                     /* on a binary multiply its Winograd reader runs as
                                         that reader's input step (fused false; x is
                                         inputs[1 - scale_input]: runtime-pass-scaled-input.c) */
    float min, max;
    size_t image_pixels, channels, scale_batch_stride;  /* set by reshape */
    const struct pqnn_runtime* rt;    /* set by setup, for the tail */
  } scaled;
  /* A channel concatenation this f32 convolution's Winograd input transform reads part by
   * part (runtime-pass-concat-input.c): concat is that op, which then does no work (its
   * output is never written); storage holds the operator's parts and the nearest source
   * rows / columns of the resized ones, set at setup (grown only; released with the op). */
  struct pqnn_rt_concat_input {
    bool fused;
    uint32_t concat;
    void* storage;
    size_t storage_bytes;
  } concat_input;
  /* A per-channel multiply (a binary node, runtime-pass-scaled-input.c) that this f32
   * convolution's Winograd input transform runs on each input pixel it reads: op is that
   * node (scaled.stepped), which then does no work (its output is never written); part is
   * the operator's one input part, set at setup (allocated once; released with the op). */
  struct pqnn_rt_scaled_input {
    bool fused;
    uint32_t op;
    struct pqnn_winograd_part* part;
  } scaled_input;
  int8_t qmin, qmax;                /* qs8 outputs */
  pqnn_operator_t op;               /* FC / conv / convert operators */
  const struct pqnn_rt_gemm_face* gemm;        /* FC / conv: the operator face */
  const struct pqnn_rt_convert_face* convert;  /* operator converts: the convert face */
  size_t op_channels;               /* convert operators: channels they were created for */
  size_t row_pixels;                /* f32/f16 -> qd8 converts: params entries per quantized
                                       row (the pixels of an image row; 1: per row) */
  size_t weight_block;              /* FC with f32 filter quantized to qb4w: the block size */
  bool qd8_pixel_rows;              /* a qd8 1x1 convolution reading params per pixel (its
                                       input quantized per image row), run by the fully
                                       connected face (runtime-passes.c) */
  bool removed;                     /* planning: dropped by a pass (a fused clamp) */
  bool folded;                      /* a resize its concat reader runs (runtime-pass-concat.c),
                                       a concat its Winograd conv reader reads
                                       (runtime-pass-concat-input.c), or a multiply that
                                       reader steps (runtime-pass-scaled-input.c) */
  /* Output range fusion (runtime-output-range.c), on an f32 -> qd8 convert quantizing per
   * image: the FC / conv op writing its input (PQNN_NO_NODE: none), and, while that op's
   * epilogue merges the ranges (bound at reshape), the slots, the ranges read from them and
   * the reciprocal scales of the run (range_capacity entries each). */
  uint32_t range_source;
  bool range_bound;
  struct pqnn_output_ranges* ranges;
  struct pqnn_qd8_range* range_values;
  float* range_inv;
  size_t range_capacity;
  /* Row-band chains (runtime-band.h): 1 + the index of the op's chain in rt->bands (0:
   * none); its own executor, which the band executor wraps. */
  uint32_t band;
  const struct pqnn_rt_executor* inner_exec;
  /* node kernels: tile body chosen at planning; range and minimum tile set by reshape */
  pqnn_rt_body_fn body;
  size_t range, min_tile, rows, channels, pixels;
  struct pqnn_add2_shape add2;
  struct pqnn_pool_geometry pool;
  struct pqnn_layout_geometry layout;  /* data-movement nodes: set by reshape */
};

struct pqnn_runtime {
  pthreadpool_t threadpool;
  /* Set by reshape: the inference is small enough that every node runs on the calling
   * thread alone (pqnn_rt_runs_serial, runtime-shared.c). */
  bool serial;
  uint32_t flags;
  enum pqnn_fp16_decision fp16_decision;  /* set by the f16 inference pass */
  size_t qd8_min_reduction;         /* dynamic quantization threshold (runtime option) */
  bool qd8_min_reduction_default;   /* the option was 0: the tier may take small convs */
  bool qd8_float_depthwise;         /* depthwise stays float under DRQ (runtime option) */
  bool qd8_fc_4bit;                 /* DRQ quantizes f32 FC filters to 4 bits (option) */
  size_t qd8_fc_4bit_block_size;    /* 0: qc4w, else qb4w blocks (option) */
  uint32_t num_values;              /* tensors [0, num_values) are the subgraph's values */
  uint32_t external_value_ids;
  uint32_t num_tensors, max_tensors;
  struct pqnn_rt_tensor* tensors;
  uint32_t num_ops, max_ops;
  struct pqnn_rt_op* ops;
  void* arena;
  size_t arena_capacity, arena_size, unshared_size;
  bool needs_reshape, needs_setup, ready;
  bool keep_values;                 /* runtime option: no arena sharing (pqnn_get_runtime_value) */
  bool no_residual_fusion;          /* runtime option: adds stay nodes of their own */
  bool no_activation_fusion;        /* runtime option: unary nodes stay nodes of their own */
  bool no_affine_fusion;            /* runtime option: 1x1 depthwise affines stay nodes */
  bool no_banding;                  /* runtime option: no row-band chains (runtime-band.h) */
  bool no_pool_commute;             /* runtime option: GAP keeps reading a 1x1 layer's output */
  bool f32_pool_commute;            /* runtime option: commute in f32 inference too */
  bool no_scale_fusion;             /* runtime option: x * s stays a node (runtime-pass-sefold.c) */
  bool no_range_fusion;             /* runtime option: converts run their own range pass
                                       (runtime-output-range.c) */
  struct pqnn_rt_band* bands;       /* the chains found at planning */
  uint32_t num_bands;
  /* Profiling (runtime-profile.c): per-op counters, NULL until first enabled. */
  bool profiling;
  uint64_t* profile_ns;
  uint64_t* profile_runs;
};

#endif  /* PQNN_RUNTIME_RUNTIME_TYPES_H_ */
