/*
 * pqnn: fast neural-network inference on CPUs.
 *
 * Public C API. The contract (names, argument order, flags, arithmetic) is fixed by
 * docs/api.md; this header is its C form. Every function returns an enum pqnn_status
 * unless shown otherwise, validates every argument, and never reads or writes outside
 * the extents the caller passes.
 *
 * Lifecycle of an operator: create (validate, pack weights) -> reshape (sizes, tiling,
 * workspace) -> setup (bind pointers) -> run (any number of times) -> delete.
 * After a reshape, setup must be called again before run. A reshape or setup of an
 * operator that fails (any status but success) leaves it not runnable: run returns
 * pqnn_status_invalid_state until a reshape (after a failed reshape) and a setup succeed,
 * so no run ever uses pointers bound before the failed call. (A call through the function
 * of another operator type is rejected without touching the operator.)
 *
 * Threads. pqnn_initialize may be called from any thread at any time. The library keeps
 * no other global mutable state, so:
 *   - distinct operators, and distinct runtimes, may be used from different threads at
 *     the same time (every call), including operators and subgraphs defined from the same
 *     caller arrays (weights, static data and inputs are only read);
 *   - pqnn_run_operator does not change the operator: several threads may run one
 *     operator at the same time. Each run reads the input and writes the output bound by
 *     the last setup, so they write the same values into the same output (a race
 *     detector reports those identical writes); the output is complete when every run
 *     has returned. (qd8 convolution runs of one operator take turns on an internal lock;
 *     every other operator runs them truly at the same time.)
 *   - create-side and sizing calls need the object to themselves: reshape, setup and
 *     delete of an operator must not overlap any other call on that operator (run
 *     included); every call on one runtime (reshape_external_value, reshape, setup,
 *     invoke, delete, the introspection calls) must not overlap another call on that
 *     runtime; a subgraph must not be used by two calls at once (defines, create_runtime,
 *     delete). An object may move between threads between calls.
 *   - the threadpool given to a call runs that call's tiles only; one pthreadpool may be
 *     shared by calls on different threads (pthreadpool serializes them).
 * A run never allocates memory.
 *
 * Numerical contract of dynamic-range quantization (qd8), see convert_nc_f32_qd8:
 *   - each row is quantized on its own; its range always includes 0:
 *       rmin = min(0, min x), rmax = max(0, max x);
 *   - an all-zero row (rmin == rmax) gets scale = 1, zero_point = 0 and zero data;
 *   - otherwise scale = (rmax - rmin) / 255 and the zero point is the integer nearest
 *     (round half to even) to the ideal one, taken from the end of the range whose
 *     error is smaller, clamped to [-128, 127]; q = clamp(rne(x / scale) + zp);
 *   - a row holding NaN or +-Inf gets scale = NaN, zero_point = 0 and zero data, so the
 *     qd8 results that depend on it are NaN, as f32 would give. Nothing crashes.
 */
#ifndef PQNN_H_
#define PQNN_H_

#include <stddef.h>
#include <stdint.h>

/* pthreadpool_t is the thread-pool handle of the API. Where <pthreadpool.h> is not
 * installed (builds without pthreadpool, e.g. WASM) the same opaque type is declared
 * here. A library built without pthreadpool (PQNN_USE_PTHREADPOOL=OFF) ignores the pool
 * argument and runs every tile in the caller's thread, in the same order. */
#if defined(__has_include)
  #if __has_include(<pthreadpool.h>)
    #include <pthreadpool.h>
  #else
typedef struct pthreadpool* pthreadpool_t;
  #endif
#else
  #include <pthreadpool.h>
#endif

#if defined(_WIN32)
  #define PQNN_API
#elif defined(__GNUC__)
  #define PQNN_API __attribute__((visibility("default")))
#else
  #define PQNN_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

#define PQNN_VERSION_MAJOR 0
#define PQNN_VERSION_MINOR 1
#define PQNN_VERSION_PATCH 0

/* ------------------------------------------------------------------------------------ */
/* Basics                                                                               */
/* ------------------------------------------------------------------------------------ */

enum pqnn_status {
  pqnn_status_success = 0,
  pqnn_status_uninitialized = 1,
  pqnn_status_invalid_parameter = 2,
  pqnn_status_invalid_state = 3,
  pqnn_status_unsupported_parameter = 4,
  pqnn_status_unsupported_hardware = 5,
  pqnn_status_out_of_memory = 6,
};

/* A short constant description of a status; never NULL (unknown values included). */
PQNN_API const char* pqnn_status_string(enum pqnn_status status);

/* Initialization is reference counted, so that independent components of one process
 * may each initialize and deinitialize the library. Both functions are thread-safe.
 *
 * pqnn_initialize: the first call (count 0 -> 1) detects the CPU; the environment
 * variable PQNN_ISA caps the ISA tier (x86-64: scalar, sse2, avx2, avxvnni, avx512,
 * avx512vnni; aarch64: scalar, neon, neonfp16arith, neondot; WASM: scalar, wasmsimd).
 * A PQNN_ISA naming no tier fails with pqnn_status_invalid_parameter and a message that
 * lists the valid values (reported unless the log level is explicitly 0). Every later
 * call only counts.
 *
 * pqnn_deinitialize: undoes one successful pqnn_initialize; pqnn_status_uninitialized
 * (and nothing changes) when there is none left to undo. After the final one, creating
 * operators, subgraphs or runtimes and running operators or runtimes return
 * pqnn_status_uninitialized until pqnn_initialize is called again; deleting them still
 * works. Objects created before stay valid and run again after a new pqnn_initialize.
 * Do not call the final pqnn_deinitialize while another thread runs pqnn code. */
PQNN_API enum pqnn_status pqnn_initialize(void);
PQNN_API enum pqnn_status pqnn_deinitialize(void);
/* The ISA tier selected, e.g. "avx512vnni"; "uninitialized" before pqnn_initialize. */
PQNN_API const char* pqnn_isa_name(void);

/* ------------------------------------------------------------------------------------ */
/* Messages                                                                             */
/* ------------------------------------------------------------------------------------ */

/* Every rejected argument and failed call produces one message: the function, the
 * argument, its value and the shapes involved, e.g.
 *   "pqnn_create_fully_connected_nc_f32: input_stride (7) is below input_channels (8)".
 * Messages have a level: 1 (error) or 2 (info: planner decisions). */
#define PQNN_LOG_LEVEL_NONE 0
#define PQNN_LOG_LEVEL_ERROR 1
#define PQNN_LOG_LEVEL_INFO 2

/* The last error message of the calling thread: "function: message", or "" when this
 * thread has had none. Recorded whatever the log level. Like errno it is meaningful right
 * after a call returned a status other than pqnn_status_success: later failing calls
 * overwrite it, successful calls do not clear it. The pointer is the thread's own buffer,
 * valid until that thread's next pqnn call. */
PQNN_API const char* pqnn_last_error_message(void);

/* Receives each message at or below the log level: level, function name, message (no
 * newline). It runs in the thread that made the call (never in pool threads), possibly in
 * several threads at once, so it must be thread-safe; it must not call pqnn functions. */
typedef void (*pqnn_log_callback)(void* user_data, int level, const char* function,
    const char* message);
/* Routes messages to `callback` (with `user_data`) instead of stderr; NULL restores
 * stderr. Thread-safe; takes effect for messages started after it returns. */
PQNN_API enum pqnn_status pqnn_set_log_callback(pqnn_log_callback callback, void* user_data);
/* Sets the log level (PQNN_LOG_LEVEL_NONE, _ERROR or _INFO), overriding the environment
 * variable PQNN_LOG_LEVEL and the default (errors in debug builds, nothing in release
 * builds). Other values: pqnn_status_invalid_parameter. Thread-safe. */
PQNN_API enum pqnn_status pqnn_set_log_level(int level);

typedef struct pqnn_operator* pqnn_operator_t;
/* threadpool may be NULL (single thread); results do not depend on it. Several threads
 * may run one operator at once (see "Threads" above). */
PQNN_API enum pqnn_status pqnn_run_operator(pqnn_operator_t op, pthreadpool_t threadpool);
/* NULL is fine. */
PQNN_API enum pqnn_status pqnn_delete_operator(pqnn_operator_t op);

/* Flags (bit values fixed). */
#define PQNN_FLAG_TRANSPOSE_WEIGHTS 0x00000001u
#define PQNN_FLAG_DEPTHWISE_CONVOLUTION 0x00000002u
#define PQNN_FLAG_TENSORFLOW_SAME_PADDING 0x00000004u
#define PQNN_FLAG_FP32_STATIC_WEIGHTS 0x00000008u
/* Average pooling: padded positions count in the divisor (ONNX count_include_pad = 1). */
#define PQNN_FLAG_COUNT_INCLUDE_PAD 0x00000010u
/* Pooling: output size rounded up (ONNX ceil_mode = 1); a last window starting in the
   bottom / right padding is dropped. */
#define PQNN_FLAG_CEIL_MODE 0x00000020u
/* f32 convolution: never take the Winograd path (3x3 stride 1, one group, >= 8 input
   channels or no more outputs than inputs; each output within 1e-5 of the largest sum of
   |input x weight| of an output, docs/architecture.md "Winograd"), e.g. for results
   within the rounding of direct convolution. Overflow and Inf / NaN need no flag: a tile
   whose transforms meet a value that is not finite is computed directly, so outputs are
   finite wherever direct convolution's are, and Inf / NaN where its are. */
#define PQNN_FLAG_NO_WINOGRAD 0x00000080u

struct pqnn_quantization_params {
  int32_t zero_point;
  float scale;
};

/* ------------------------------------------------------------------------------------ */
/* Fully connected: output[b][n] = clamp(sum_k input[b][k] * kernel[n][k] + bias[n])    */
/* Input rows input_stride elements apart (>= input_channels), output rows             */
/* output_stride apart (>= output_channels). Kernel [output_channels][input_channels]  */
/* unless PQNN_FLAG_TRANSPOSE_WEIGHTS ([input_channels][output_channels]). bias may be  */
/* NULL.                                                                                */
/* ------------------------------------------------------------------------------------ */

PQNN_API enum pqnn_status pqnn_create_fully_connected_nc_f32(size_t input_channels,
    size_t output_channels, size_t input_stride, size_t output_stride, const float* kernel,
    const float* bias, float output_min, float output_max, uint32_t flags,
    pqnn_operator_t* op_out);
PQNN_API enum pqnn_status pqnn_reshape_fully_connected_nc_f32(pqnn_operator_t op,
    size_t batch_size, pthreadpool_t threadpool);
PQNN_API enum pqnn_status pqnn_setup_fully_connected_nc_f32(pqnn_operator_t op,
    const float* input, float* output);

/* f16: kernel/bias f16 (or f32 with PQNN_FLAG_FP32_STATIC_WEIGHTS). */
PQNN_API enum pqnn_status pqnn_create_fully_connected_nc_f16(size_t input_channels,
    size_t output_channels, size_t input_stride, size_t output_stride, const void* kernel,
    const void* bias, float output_min, float output_max, uint32_t flags,
    pqnn_operator_t* op_out);
PQNN_API enum pqnn_status pqnn_reshape_fully_connected_nc_f16(pqnn_operator_t op,
    size_t batch_size, pthreadpool_t threadpool);
PQNN_API enum pqnn_status pqnn_setup_fully_connected_nc_f16(pqnn_operator_t op,
    const void* input, void* output);

/* qs8, per-tensor weights. Arithmetic (both qs8 variants, FC and conv), bit-exact:
 *   acc   = bias[n] + sum_k (x[k] - input_zero_point) * w[n][k]            (int32)
 *   scale = input_scale * kernel_scale[n] / output_scale  (float, left to right;
 *                                                           2^-32 <= scale < 256)
 *   y     = clamp(rne((float) acc * scale) + output_zero_point, output_min, output_max) */
PQNN_API enum pqnn_status pqnn_create_fully_connected_nc_qs8(size_t input_channels,
    size_t output_channels, size_t input_stride, size_t output_stride,
    int8_t input_zero_point, float input_scale, float kernel_scale, const int8_t* kernel,
    const int32_t* bias, int8_t output_zero_point, float output_scale, int8_t output_min,
    int8_t output_max, uint32_t flags, pqnn_operator_t* op_out);
PQNN_API enum pqnn_status pqnn_reshape_fully_connected_nc_qs8(pqnn_operator_t op,
    size_t batch_size, pthreadpool_t threadpool);
PQNN_API enum pqnn_status pqnn_setup_fully_connected_nc_qs8(pqnn_operator_t op,
    const int8_t* input, int8_t* output);

/* qs8 activations, qc8w per-channel weights (kernel_scale has output_channels entries). */
PQNN_API enum pqnn_status pqnn_create_fully_connected_nc_qs8_qc8w(size_t input_channels,
    size_t output_channels, size_t input_stride, size_t output_stride,
    int8_t input_zero_point, float input_scale, const float* kernel_scale,
    const int8_t* kernel, const int32_t* bias, int8_t output_zero_point, float output_scale,
    int8_t output_min, int8_t output_max, uint32_t flags, pqnn_operator_t* op_out);
PQNN_API enum pqnn_status pqnn_reshape_fully_connected_nc_qs8_qc8w(pqnn_operator_t op,
    size_t batch_size, pthreadpool_t threadpool);
PQNN_API enum pqnn_status pqnn_setup_fully_connected_nc_qs8_qc8w(pqnn_operator_t op,
    const int8_t* input, int8_t* output);

/* qd8 activations (from convert_nc_f32_qd8), qc8w weights, f32 bias, f32 output:
 *   acc = sum_k (x[m][k] - zero_point[m]) * w[n][k]                          (int32)
 *   y   = clamp((float) acc * (scale[m] * kernel_scale[n]) + bias[n], output_min, output_max)
 * The f16-output variant rounds the same f32 value to f16 (nearest even), then clamps.
 * Every params zero point must lie in [-128, 127] (qd8 data is int8): pqnn_run_operator
 * returns pqnn_status_invalid_parameter, computing nothing, otherwise (also for qd8
 * convolution). */
PQNN_API enum pqnn_status pqnn_create_fully_connected_nc_qd8_f32_qc8w(size_t input_channels,
    size_t output_channels, size_t input_stride, size_t output_stride,
    const float* kernel_scale, const int8_t* kernel, const float* bias, float output_min,
    float output_max, uint32_t flags, pqnn_operator_t* op_out);
PQNN_API enum pqnn_status pqnn_reshape_fully_connected_nc_qd8_f32_qc8w(pqnn_operator_t op,
    size_t batch_size, pthreadpool_t threadpool);
PQNN_API enum pqnn_status pqnn_setup_fully_connected_nc_qd8_f32_qc8w(pqnn_operator_t op,
    const int8_t* input, float* output,
    const struct pqnn_quantization_params* quantization_params /* batch_size entries */);

PQNN_API enum pqnn_status pqnn_create_fully_connected_nc_qd8_f16_qc8w(size_t input_channels,
    size_t output_channels, size_t input_stride, size_t output_stride,
    const float* kernel_scale, const int8_t* kernel, const float* bias, float output_min,
    float output_max, uint32_t flags, pqnn_operator_t* op_out);
PQNN_API enum pqnn_status pqnn_reshape_fully_connected_nc_qd8_f16_qc8w(pqnn_operator_t op,
    size_t batch_size, pthreadpool_t threadpool);
PQNN_API enum pqnn_status pqnn_setup_fully_connected_nc_qd8_f16_qc8w(pqnn_operator_t op,
    const int8_t* input, void* output,
    const struct pqnn_quantization_params* quantization_params /* batch_size entries */);

/* qd8 activations x 4-bit weights, f32 bias, f32 or f16 output (batch-1 decode of large
 * language models is bound by reading the weights: 4 bits halve that against qc8w).
 *
 * Kernel layout (no PQNN_FLAG_TRANSPOSE_WEIGHTS: flags must be 0): output_channels rows of
 * (input_channels + 1) / 2 bytes; weight w[n][k] is a signed two's-complement nibble in
 * [-8, 7], in byte n * ((input_channels + 1) / 2) + k / 2: the LOW nibble (bits 0-3) when k is
 * even, the HIGH nibble (bits 4-7) when k is odd. With odd input_channels the high nibble of
 * each row's last byte is ignored.
 *
 * qc4w: one scale per output channel, kernel_scale[output_channels].
 * qb4w: one scale per output channel per block of block_size input channels (block_size a
 *   positive multiple of 32); blocks = ceil(input_channels / block_size), the last one may
 *   be shorter; kernel_scale[output_channels][blocks] (row n at n * blocks), f32.
 * Every scale must be finite and positive; bias (output_channels f32) may be NULL.
 *
 *   acc[b] = sum over k in block b of (x[m][k] - zero_point[m]) * w[n][k]      (exact)
 *   y      = clamp(scale[m] * sum_b kernel_scale[n][b] * acc[b] + bias[n], output_min, output_max)
 * qc4w is the one-block case. The int products are exact; the block sums are combined in
 * f32 (relative error about 1e-6 of sum_b kernel_scale * sum_k |x - zero_point| |w| per
 * output, plus the rounding of the per-channel zero-point term), so results are not
 * bit-identical across ISA tiers, but are across thread counts. The f16-output variants
 * round the same f32 value to f16 (nearest even). Zero points must lie in [-128, 127]. */
PQNN_API enum pqnn_status pqnn_create_fully_connected_nc_qd8_f32_qc4w(size_t input_channels,
    size_t output_channels, size_t input_stride, size_t output_stride,
    const float* kernel_scale, const uint8_t* kernel, const float* bias, float output_min,
    float output_max, uint32_t flags, pqnn_operator_t* op_out);
PQNN_API enum pqnn_status pqnn_reshape_fully_connected_nc_qd8_f32_qc4w(pqnn_operator_t op,
    size_t batch_size, pthreadpool_t threadpool);
PQNN_API enum pqnn_status pqnn_setup_fully_connected_nc_qd8_f32_qc4w(pqnn_operator_t op,
    const int8_t* input, float* output,
    const struct pqnn_quantization_params* quantization_params /* batch_size entries */);

PQNN_API enum pqnn_status pqnn_create_fully_connected_nc_qd8_f16_qc4w(size_t input_channels,
    size_t output_channels, size_t input_stride, size_t output_stride,
    const float* kernel_scale, const uint8_t* kernel, const float* bias, float output_min,
    float output_max, uint32_t flags, pqnn_operator_t* op_out);
PQNN_API enum pqnn_status pqnn_reshape_fully_connected_nc_qd8_f16_qc4w(pqnn_operator_t op,
    size_t batch_size, pthreadpool_t threadpool);
PQNN_API enum pqnn_status pqnn_setup_fully_connected_nc_qd8_f16_qc4w(pqnn_operator_t op,
    const int8_t* input, void* output,
    const struct pqnn_quantization_params* quantization_params /* batch_size entries */);

PQNN_API enum pqnn_status pqnn_create_fully_connected_nc_qd8_f32_qb4w(size_t input_channels,
    size_t output_channels, size_t input_stride, size_t output_stride, size_t block_size,
    const float* kernel_scale, const uint8_t* kernel, const float* bias, float output_min,
    float output_max, uint32_t flags, pqnn_operator_t* op_out);
PQNN_API enum pqnn_status pqnn_reshape_fully_connected_nc_qd8_f32_qb4w(pqnn_operator_t op,
    size_t batch_size, pthreadpool_t threadpool);
PQNN_API enum pqnn_status pqnn_setup_fully_connected_nc_qd8_f32_qb4w(pqnn_operator_t op,
    const int8_t* input, float* output,
    const struct pqnn_quantization_params* quantization_params /* batch_size entries */);

PQNN_API enum pqnn_status pqnn_create_fully_connected_nc_qd8_f16_qb4w(size_t input_channels,
    size_t output_channels, size_t input_stride, size_t output_stride, size_t block_size,
    const float* kernel_scale, const uint8_t* kernel, const float* bias, float output_min,
    float output_max, uint32_t flags, pqnn_operator_t* op_out);
PQNN_API enum pqnn_status pqnn_reshape_fully_connected_nc_qd8_f16_qb4w(pqnn_operator_t op,
    size_t batch_size, pthreadpool_t threadpool);
PQNN_API enum pqnn_status pqnn_setup_fully_connected_nc_qd8_f16_qb4w(pqnn_operator_t op,
    const int8_t* input, void* output,
    const struct pqnn_quantization_params* quantization_params /* batch_size entries */);

/* qb4w with the blockwise scales in the type the user has them (models ship bf16 or f16
 * scales): kernel_scale points at output_channels x blocks values of kernel_scale_type,
 * laid out as the f32 kernel_scale of pqnn_create_fully_connected_nc_qd8_*_qb4w. Each is
 * widened exactly to f32 at create (f16 and bf16 are subsets of f32) and must then be finite
 * and positive; an unknown kernel_scale_type -> pqnn_status_invalid_parameter. The operator
 * is a qb4w one: reshape and setup with the pqnn_*_fully_connected_nc_qd8_*_qb4w functions. */
enum pqnn_scale_type {
  pqnn_scale_type_fp32 = 0,
  pqnn_scale_type_fp16 = 1,  /* IEEE binary16, as uint16_t */
  pqnn_scale_type_bf16 = 2,  /* bfloat16: the high 16 bits of an f32, as uint16_t */
};
PQNN_API enum pqnn_status pqnn_create_fully_connected_nc_qd8_f32_qb4w_scale_type(
    size_t input_channels, size_t output_channels, size_t input_stride, size_t output_stride,
    size_t block_size, enum pqnn_scale_type kernel_scale_type, const void* kernel_scale,
    const uint8_t* kernel, const float* bias, float output_min, float output_max,
    uint32_t flags, pqnn_operator_t* op_out);
PQNN_API enum pqnn_status pqnn_create_fully_connected_nc_qd8_f16_qb4w_scale_type(
    size_t input_channels, size_t output_channels, size_t input_stride, size_t output_stride,
    size_t block_size, enum pqnn_scale_type kernel_scale_type, const void* kernel_scale,
    const uint8_t* kernel, const float* bias, float output_min, float output_max,
    uint32_t flags, pqnn_operator_t* op_out);

/* ------------------------------------------------------------------------------------ */
/* Dynamic quantization and conversions                                                 */
/* ------------------------------------------------------------------------------------ */

PQNN_API enum pqnn_status pqnn_create_convert_nc_f32_qd8(size_t channels, size_t input_stride,
    size_t output_stride, uint32_t flags, pqnn_operator_t* op_out);
PQNN_API enum pqnn_status pqnn_reshape_convert_nc_f32_qd8(pqnn_operator_t op,
    size_t batch_size, pthreadpool_t threadpool);
PQNN_API enum pqnn_status pqnn_setup_convert_nc_f32_qd8(pqnn_operator_t op,
    const float* input, int8_t* output, struct pqnn_quantization_params* quantization_params);

PQNN_API enum pqnn_status pqnn_create_convert_nc_f16_qd8(size_t channels, size_t input_stride,
    size_t output_stride, uint32_t flags, pqnn_operator_t* op_out);
PQNN_API enum pqnn_status pqnn_reshape_convert_nc_f16_qd8(pqnn_operator_t op,
    size_t batch_size, pthreadpool_t threadpool);
PQNN_API enum pqnn_status pqnn_setup_convert_nc_f16_qd8(pqnn_operator_t op,
    const void* input, int8_t* output, struct pqnn_quantization_params* quantization_params);

/* f32 -> f16 rounds to nearest even; overflow gives +-Inf; NaN stays NaN. */
PQNN_API enum pqnn_status pqnn_create_convert_nc_f32_f16(size_t channels, size_t input_stride,
    size_t output_stride, uint32_t flags, pqnn_operator_t* op_out);
PQNN_API enum pqnn_status pqnn_reshape_convert_nc_f32_f16(pqnn_operator_t op,
    size_t batch_size, pthreadpool_t threadpool);
PQNN_API enum pqnn_status pqnn_setup_convert_nc_f32_f16(pqnn_operator_t op,
    const float* input, void* output);

PQNN_API enum pqnn_status pqnn_create_convert_nc_f16_f32(size_t channels, size_t input_stride,
    size_t output_stride, uint32_t flags, pqnn_operator_t* op_out);
PQNN_API enum pqnn_status pqnn_reshape_convert_nc_f16_f32(pqnn_operator_t op,
    size_t batch_size, pthreadpool_t threadpool);
PQNN_API enum pqnn_status pqnn_setup_convert_nc_f16_f32(pqnn_operator_t op,
    const void* input, float* output);

/* Symmetric per-output-channel quantization of f32 weights [output_channels][input_channels]:
 *   kernel_scale[n] = max_k |w[n][k]| / 127   (1.0 for an all-zero channel)
 *   kernel[n][k]    = clamp(rne(w[n][k] / kernel_scale[n]), -127, 127)
 * NaN or Inf weights -> pqnn_status_invalid_parameter. */
PQNN_API enum pqnn_status pqnn_quantize_weights_qc8w(size_t output_channels,
    size_t input_channels, const float* weights, int8_t* kernel_out, float* kernel_scale_out);

/* Symmetric 4-bit quantization of f32 weights [output_channels][input_channels] into the
 * qc4w / qb4w kernel layout above ((input_channels + 1) / 2 bytes per row; an odd row's
 * unused high nibble is written 0). Per group G of weights (qc4w: a whole row; qb4w: a
 * row's block of block_size, the last one possibly shorter):
 *   scale_G = max_{k in G} |w[n][k]| / 7        (1.0 when that is 0: an all-zero group)
 *   q[n][k] = clamp(rne(w[n][k] / scale_G), -8, 7)   (f32 division, round half to even;
 *                                                     the result lies in [-7, 7])
 * kernel_scale_out: output_channels entries (qc4w), output_channels x
 * ceil(input_channels / block_size) (qb4w, row-major). block_size: a positive multiple
 * of 32. NaN or Inf weights -> pqnn_status_invalid_parameter, nothing written. */
PQNN_API enum pqnn_status pqnn_quantize_weights_qc4w(size_t output_channels,
    size_t input_channels, const float* weights, uint8_t* kernel_out, float* kernel_scale_out);
PQNN_API enum pqnn_status pqnn_quantize_weights_qb4w(size_t output_channels,
    size_t input_channels, size_t block_size, const float* weights, uint8_t* kernel_out,
    float* kernel_scale_out);

/* ------------------------------------------------------------------------------------ */
/* Convolution 2D, NHWC                                                                 */
/* Kernel [groups][group_output_channels][kernel_height][kernel_width][group_input_ch]  */
/* unless PQNN_FLAG_DEPTHWISE_CONVOLUTION ([kernel_height][kernel_width][channels]).     */
/* Output size: (in + pad_before + pad_after - ((k - 1) * dilation + 1)) / stride + 1.  */
/* ------------------------------------------------------------------------------------ */

PQNN_API enum pqnn_status pqnn_create_convolution2d_nhwc_f32(
    uint32_t input_padding_top, uint32_t input_padding_right,
    uint32_t input_padding_bottom, uint32_t input_padding_left,
    uint32_t kernel_height, uint32_t kernel_width,
    uint32_t subsampling_height, uint32_t subsampling_width,
    uint32_t dilation_height, uint32_t dilation_width, uint32_t groups,
    size_t group_input_channels, size_t group_output_channels,
    size_t input_channel_stride, size_t output_channel_stride,
    const float* kernel, const float* bias, float output_min, float output_max,
    uint32_t flags, pqnn_operator_t* op_out);
PQNN_API enum pqnn_status pqnn_reshape_convolution2d_nhwc_f32(pqnn_operator_t op, size_t batch_size,
    size_t input_height, size_t input_width, size_t* output_height_out, size_t* output_width_out,
    pthreadpool_t threadpool);
PQNN_API enum pqnn_status pqnn_setup_convolution2d_nhwc_f32(pqnn_operator_t op, const float* input, float* output);

PQNN_API enum pqnn_status pqnn_create_convolution2d_nhwc_f16(
    uint32_t input_padding_top, uint32_t input_padding_right,
    uint32_t input_padding_bottom, uint32_t input_padding_left,
    uint32_t kernel_height, uint32_t kernel_width,
    uint32_t subsampling_height, uint32_t subsampling_width,
    uint32_t dilation_height, uint32_t dilation_width, uint32_t groups,
    size_t group_input_channels, size_t group_output_channels,
    size_t input_channel_stride, size_t output_channel_stride,
    const void* kernel, const void* bias, float output_min, float output_max,
    uint32_t flags, pqnn_operator_t* op_out);
PQNN_API enum pqnn_status pqnn_reshape_convolution2d_nhwc_f16(pqnn_operator_t op, size_t batch_size,
    size_t input_height, size_t input_width, size_t* output_height_out, size_t* output_width_out,
    pthreadpool_t threadpool);
PQNN_API enum pqnn_status pqnn_setup_convolution2d_nhwc_f16(pqnn_operator_t op, const void* input, void* output);

PQNN_API enum pqnn_status pqnn_create_convolution2d_nhwc_qs8(
    uint32_t input_padding_top, uint32_t input_padding_right,
    uint32_t input_padding_bottom, uint32_t input_padding_left,
    uint32_t kernel_height, uint32_t kernel_width,
    uint32_t subsampling_height, uint32_t subsampling_width,
    uint32_t dilation_height, uint32_t dilation_width, uint32_t groups,
    size_t group_input_channels, size_t group_output_channels,
    size_t input_channel_stride, size_t output_channel_stride,
    int8_t input_zero_point, float input_scale, float kernel_scale,
    const int8_t* kernel, const int32_t* bias, int8_t output_zero_point, float output_scale,
    int8_t output_min, int8_t output_max, uint32_t flags, pqnn_operator_t* op_out);
PQNN_API enum pqnn_status pqnn_reshape_convolution2d_nhwc_qs8(pqnn_operator_t op, size_t batch_size,
    size_t input_height, size_t input_width, size_t* output_height_out, size_t* output_width_out,
    pthreadpool_t threadpool);
PQNN_API enum pqnn_status pqnn_setup_convolution2d_nhwc_qs8(pqnn_operator_t op, const int8_t* input, int8_t* output);

PQNN_API enum pqnn_status pqnn_create_convolution2d_nhwc_qs8_qc8w(
    uint32_t input_padding_top, uint32_t input_padding_right,
    uint32_t input_padding_bottom, uint32_t input_padding_left,
    uint32_t kernel_height, uint32_t kernel_width,
    uint32_t subsampling_height, uint32_t subsampling_width,
    uint32_t dilation_height, uint32_t dilation_width, uint32_t groups,
    size_t group_input_channels, size_t group_output_channels,
    size_t input_channel_stride, size_t output_channel_stride,
    int8_t input_zero_point, float input_scale, const float* kernel_scale,
    const int8_t* kernel, const int32_t* bias, int8_t output_zero_point, float output_scale,
    int8_t output_min, int8_t output_max, uint32_t flags, pqnn_operator_t* op_out);
PQNN_API enum pqnn_status pqnn_reshape_convolution2d_nhwc_qs8_qc8w(pqnn_operator_t op, size_t batch_size,
    size_t input_height, size_t input_width, size_t* output_height_out, size_t* output_width_out,
    pthreadpool_t threadpool);
PQNN_API enum pqnn_status pqnn_setup_convolution2d_nhwc_qs8_qc8w(pqnn_operator_t op, const int8_t* input, int8_t* output);

PQNN_API enum pqnn_status pqnn_create_convolution2d_nhwc_qd8_f32_qc8w(
    uint32_t input_padding_top, uint32_t input_padding_right,
    uint32_t input_padding_bottom, uint32_t input_padding_left,
    uint32_t kernel_height, uint32_t kernel_width,
    uint32_t subsampling_height, uint32_t subsampling_width,
    uint32_t dilation_height, uint32_t dilation_width, uint32_t groups,
    size_t group_input_channels, size_t group_output_channels,
    size_t input_channel_stride, size_t output_channel_stride,
    const float* kernel_scale, const int8_t* kernel, const float* bias,
    float output_min, float output_max, uint32_t flags, pqnn_operator_t* op_out);
PQNN_API enum pqnn_status pqnn_reshape_convolution2d_nhwc_qd8_f32_qc8w(pqnn_operator_t op, size_t batch_size,
    size_t input_height, size_t input_width, size_t* output_height_out, size_t* output_width_out,
    pthreadpool_t threadpool);
PQNN_API enum pqnn_status pqnn_setup_convolution2d_nhwc_qd8_f32_qc8w(pqnn_operator_t op, const int8_t* input, float* output,
    const struct pqnn_quantization_params* quantization_params);

PQNN_API enum pqnn_status pqnn_create_convolution2d_nhwc_qd8_f16_qc8w(
    uint32_t input_padding_top, uint32_t input_padding_right,
    uint32_t input_padding_bottom, uint32_t input_padding_left,
    uint32_t kernel_height, uint32_t kernel_width,
    uint32_t subsampling_height, uint32_t subsampling_width,
    uint32_t dilation_height, uint32_t dilation_width, uint32_t groups,
    size_t group_input_channels, size_t group_output_channels,
    size_t input_channel_stride, size_t output_channel_stride,
    const float* kernel_scale, const int8_t* kernel, const float* bias,
    float output_min, float output_max, uint32_t flags, pqnn_operator_t* op_out);
PQNN_API enum pqnn_status pqnn_reshape_convolution2d_nhwc_qd8_f16_qc8w(pqnn_operator_t op, size_t batch_size,
    size_t input_height, size_t input_width, size_t* output_height_out, size_t* output_width_out,
    pthreadpool_t threadpool);
PQNN_API enum pqnn_status pqnn_setup_convolution2d_nhwc_qd8_f16_qc8w(pqnn_operator_t op, const int8_t* input, void* output,
    const struct pqnn_quantization_params* quantization_params);

/* ------------------------------------------------------------------------------------ */
/* Transposed convolution (deconvolution), NHWC                                         */
/* ------------------------------------------------------------------------------------ */
/* output[n][oy][ox][g * group_output_channels + oc] = clamp(bias[g * goc + oc] +
 *   sum over (iy, ix, ky, kx) with oy = iy * stride_height + ky * dilation_height - padding_top
 *   and ox = ix * stride_width + kx * dilation_width - padding_left of
 *   input[n][iy][ix][g * gic + ic] * kernel[g * goc + oc][ky][kx][ic]).
 * Kernel layout: [groups * group_output_channels][kernel_height][kernel_width]
 * [group_input_channels]; bias (may be NULL): [groups * group_output_channels].
 * Paddings crop the full output; reshape takes the output padding (adjustment, below the
 * stride) added at the bottom / right. Output size:
 *   (input - 1) * stride + (kernel - 1) * dilation + 1 + adjustment - padding_before - padding_after
 * (must be positive). Pixels are input_pixel_stride / output_pixel_stride elements apart.
 * Output elements no tap reaches hold clamp(bias). qd8: one quantization params entry per
 * input pixel (batch_size * input_height * input_width entries, as the f32 -> qd8 convert
 * writes for rows of group-input channels), kernel_scale one per output channel. */
PQNN_API enum pqnn_status pqnn_create_deconvolution2d_nhwc_f32(
    uint32_t output_padding_top, uint32_t output_padding_right,
    uint32_t output_padding_bottom, uint32_t output_padding_left,
    uint32_t kernel_height, uint32_t kernel_width,
    uint32_t stride_height, uint32_t stride_width,
    uint32_t dilation_height, uint32_t dilation_width, uint32_t groups,
    size_t group_input_channels, size_t group_output_channels,
    size_t input_pixel_stride, size_t output_pixel_stride,
    const float* kernel, const float* bias, float output_min, float output_max,
    uint32_t flags, pqnn_operator_t* op_out);
PQNN_API enum pqnn_status pqnn_reshape_deconvolution2d_nhwc_f32(pqnn_operator_t op,
    size_t batch_size, size_t input_height, size_t input_width, uint32_t adjustment_height,
    uint32_t adjustment_width, size_t* output_height_out, size_t* output_width_out,
    pthreadpool_t threadpool);
PQNN_API enum pqnn_status pqnn_setup_deconvolution2d_nhwc_f32(pqnn_operator_t op,
    const float* input, float* output);

/* f16: kernel and bias f16, or f32 with PQNN_FLAG_FP32_STATIC_WEIGHTS. */
PQNN_API enum pqnn_status pqnn_create_deconvolution2d_nhwc_f16(
    uint32_t output_padding_top, uint32_t output_padding_right,
    uint32_t output_padding_bottom, uint32_t output_padding_left,
    uint32_t kernel_height, uint32_t kernel_width,
    uint32_t stride_height, uint32_t stride_width,
    uint32_t dilation_height, uint32_t dilation_width, uint32_t groups,
    size_t group_input_channels, size_t group_output_channels,
    size_t input_pixel_stride, size_t output_pixel_stride,
    const void* kernel, const void* bias, float output_min, float output_max,
    uint32_t flags, pqnn_operator_t* op_out);
PQNN_API enum pqnn_status pqnn_reshape_deconvolution2d_nhwc_f16(pqnn_operator_t op,
    size_t batch_size, size_t input_height, size_t input_width, uint32_t adjustment_height,
    uint32_t adjustment_width, size_t* output_height_out, size_t* output_width_out,
    pthreadpool_t threadpool);
PQNN_API enum pqnn_status pqnn_setup_deconvolution2d_nhwc_f16(pqnn_operator_t op,
    const void* input, void* output);

PQNN_API enum pqnn_status pqnn_create_deconvolution2d_nhwc_qd8_f32_qc8w(
    uint32_t output_padding_top, uint32_t output_padding_right,
    uint32_t output_padding_bottom, uint32_t output_padding_left,
    uint32_t kernel_height, uint32_t kernel_width,
    uint32_t stride_height, uint32_t stride_width,
    uint32_t dilation_height, uint32_t dilation_width, uint32_t groups,
    size_t group_input_channels, size_t group_output_channels,
    size_t input_pixel_stride, size_t output_pixel_stride,
    const float* kernel_scale, const int8_t* kernel, const float* bias,
    float output_min, float output_max, uint32_t flags, pqnn_operator_t* op_out);
PQNN_API enum pqnn_status pqnn_reshape_deconvolution2d_nhwc_qd8_f32_qc8w(pqnn_operator_t op,
    size_t batch_size, size_t input_height, size_t input_width, uint32_t adjustment_height,
    uint32_t adjustment_width, size_t* output_height_out, size_t* output_width_out,
    pthreadpool_t threadpool);
PQNN_API enum pqnn_status pqnn_setup_deconvolution2d_nhwc_qd8_f32_qc8w(pqnn_operator_t op,
    const int8_t* input, float* output,
    const struct pqnn_quantization_params* quantization_params /* one per input pixel */);

PQNN_API enum pqnn_status pqnn_create_deconvolution2d_nhwc_qd8_f16_qc8w(
    uint32_t output_padding_top, uint32_t output_padding_right,
    uint32_t output_padding_bottom, uint32_t output_padding_left,
    uint32_t kernel_height, uint32_t kernel_width,
    uint32_t stride_height, uint32_t stride_width,
    uint32_t dilation_height, uint32_t dilation_width, uint32_t groups,
    size_t group_input_channels, size_t group_output_channels,
    size_t input_pixel_stride, size_t output_pixel_stride,
    const float* kernel_scale, const int8_t* kernel, const float* bias,
    float output_min, float output_max, uint32_t flags, pqnn_operator_t* op_out);
PQNN_API enum pqnn_status pqnn_reshape_deconvolution2d_nhwc_qd8_f16_qc8w(pqnn_operator_t op,
    size_t batch_size, size_t input_height, size_t input_width, uint32_t adjustment_height,
    uint32_t adjustment_width, size_t* output_height_out, size_t* output_width_out,
    pthreadpool_t threadpool);
PQNN_API enum pqnn_status pqnn_setup_deconvolution2d_nhwc_qd8_f16_qc8w(pqnn_operator_t op,
    const int8_t* input, void* output,
    const struct pqnn_quantization_params* quantization_params /* one per input pixel */);

/* ------------------------------------------------------------------------------------ */
/* Runtime (subgraph): a graph of values and nodes that the runtime plans, packs and     */
/* runs. With PQNN_FLAG_DYNAMIC_RANGE_QUANTIZATION the runtime quantizes the static f32  */
/* weights of every fully connected and convolution node per output channel at create, */
/* quantizes their activations on the fly and dequantizes outputs back to f32; a filter */
/* defined as a channelwise quantized int8 tensor with an f32 input gets the same        */
/* treatment without the flag. With PQNN_FLAG_FP16_INFERENCE it runs f32 graphs in f16  */
/* where that is faster: on an ISA tier with f16 arithmetic (pqnn_fp16_inference_       */
/* decision); elsewhere they stay f32. PQNN_FLAG_FORCE_FP16_INFERENCE runs them in f16   */
/* on every tier. See docs/runtime.md.                                                  */
/* ------------------------------------------------------------------------------------ */

typedef struct pqnn_subgraph* pqnn_subgraph_t;
typedef struct pqnn_runtime* pqnn_runtime_t;

enum pqnn_datatype {
  pqnn_datatype_invalid = 0,
  pqnn_datatype_fp32 = 1,
  pqnn_datatype_fp16 = 2,
  pqnn_datatype_qint8 = 3,
  pqnn_datatype_qcint8 = 4,
  pqnn_datatype_int32 = 5,
  pqnn_datatype_qcint32 = 6,
  pqnn_datatype_qdint8 = 7,
  /* Signed 4-bit static fully connected weights with blockwise scales (qd8 x qb4w): see
   * pqnn_define_blockwise_quantized_tensor_value. */
  pqnn_datatype_qbint4 = 8,
};

#define PQNN_INVALID_VALUE_ID UINT32_MAX
/* Most external value ids a subgraph may reserve (pqnn_create_subgraph): value ids index
 * per-value tables and internal ids follow the external ones. */
#define PQNN_MAX_EXTERNAL_VALUE_IDS 65536u
/* Most dims of a value (every value has 1 to PQNN_MAX_TENSOR_DIMS dims, none 0). */
#define PQNN_MAX_TENSOR_DIMS 6
#define PQNN_VALUE_FLAG_EXTERNAL_INPUT 0x1u
#define PQNN_VALUE_FLAG_EXTERNAL_OUTPUT 0x2u
/* Flags of pqnn_create_subgraph and pqnn_create_runtime (OR-ed together).
 * PQNN_FLAG_FP16_INFERENCE is a hint: an f32 graph runs in f16 where that is faster, i.e.
 * on an ISA tier with f16 arithmetic (aarch64 neonfp16arith and above); on the others
 * (x86, WASM, plain NEON: their f16 kernels widen to f32 and round back) it stays f32,
 * says so in an info log line and in pqnn_get_runtime_fp16_decision.
 * PQNN_FLAG_FORCE_FP16_INFERENCE runs an f32 graph in f16 on every tier (f16 accuracy
 * checks, tests, half the activation memory), whether or not that is faster; it implies
 * the hint. Neither applies to a graph with non-f32 activations or convert nodes: such a
 * graph runs as defined. */
#define PQNN_FLAG_FP16_INFERENCE 0x100u
#define PQNN_FLAG_DYNAMIC_RANGE_QUANTIZATION 0x200u
#define PQNN_FLAG_FORCE_FP16_INFERENCE 0x400u

PQNN_API enum pqnn_status pqnn_create_subgraph(uint32_t external_value_ids, uint32_t flags,
    pqnn_subgraph_t* subgraph_out);
PQNN_API enum pqnn_status pqnn_delete_subgraph(pqnn_subgraph_t subgraph);
PQNN_API enum pqnn_status pqnn_define_tensor_value(pqnn_subgraph_t subgraph,
    enum pqnn_datatype datatype, size_t num_dims, const size_t* dims, const void* data,
    uint32_t external_id, uint32_t flags, uint32_t* id_out);
PQNN_API enum pqnn_status pqnn_define_quantized_tensor_value(pqnn_subgraph_t subgraph,
    enum pqnn_datatype datatype, int32_t zero_point, float scale, size_t num_dims,
    const size_t* dims, const void* data, uint32_t external_id, uint32_t flags,
    uint32_t* id_out);
PQNN_API enum pqnn_status pqnn_define_channelwise_quantized_tensor_value(
    pqnn_subgraph_t subgraph, enum pqnn_datatype datatype, const float* scale,
    size_t num_dims, size_t channel_dim, const size_t* dims, const void* data,
    uint32_t external_id, uint32_t flags, uint32_t* id_out);

/* A qbint4 static value: the filter of a fully connected node (no
 * PQNN_FLAG_TRANSPOSE_WEIGHTS), dims {output_channels, input_channels}; data is the qd8_*_qb4w
 * operator's kernel layout (rows of (input_channels + 1) / 2 bytes, signed nibbles, even k in
 * the low nibble); scale: f32 [output_channels][ceil(input_channels / block_size)] (copied),
 * each finite and positive; block_size a positive multiple of 32. data is the caller's and
 * must outlive the runtimes created from the subgraph. Such a node always runs qd8 x qb4w
 * (its f32 / f16 input quantized per row by an inserted convert), with or without
 * PQNN_FLAG_DYNAMIC_RANGE_QUANTIZATION. */
PQNN_API enum pqnn_status pqnn_define_blockwise_quantized_tensor_value(
    pqnn_subgraph_t subgraph, enum pqnn_datatype datatype, size_t block_size,
    const float* scale, size_t num_dims, const size_t* dims, const void* data,
    uint32_t external_id, uint32_t flags, uint32_t* id_out);

/* filter [output_channels][input_channels]; input [..., input_channels]; output [..., output_channels] */
PQNN_API enum pqnn_status pqnn_define_fully_connected(pqnn_subgraph_t subgraph,
    float output_min, float output_max, uint32_t input_id, uint32_t filter_id,
    uint32_t bias_id, uint32_t output_id, uint32_t flags);
/* input [N][H][W][C]; filter [groups*group_output_channels][kh][kw][group_input_channels];
   flags: PQNN_FLAG_TENSORFLOW_SAME_PADDING, PQNN_FLAG_NO_WINOGRAD (f32 nodes). */
PQNN_API enum pqnn_status pqnn_define_convolution_2d(pqnn_subgraph_t subgraph,
    uint32_t input_padding_top, uint32_t input_padding_right,
    uint32_t input_padding_bottom, uint32_t input_padding_left,
    uint32_t kernel_height, uint32_t kernel_width,
    uint32_t subsampling_height, uint32_t subsampling_width,
    uint32_t dilation_height, uint32_t dilation_width, uint32_t groups,
    size_t group_input_channels, size_t group_output_channels, float output_min,
    float output_max, uint32_t input_id, uint32_t filter_id, uint32_t bias_id,
    uint32_t output_id, uint32_t flags);
/* filter [1][kh][kw][input_channels*depth_multiplier] */
PQNN_API enum pqnn_status pqnn_define_depthwise_convolution_2d(pqnn_subgraph_t subgraph,
    uint32_t input_padding_top, uint32_t input_padding_right,
    uint32_t input_padding_bottom, uint32_t input_padding_left,
    uint32_t kernel_height, uint32_t kernel_width,
    uint32_t subsampling_height, uint32_t subsampling_width,
    uint32_t dilation_height, uint32_t dilation_width, uint32_t depth_multiplier,
    size_t input_channels, float output_min, float output_max, uint32_t input_id,
    uint32_t filter_id, uint32_t bias_id, uint32_t output_id, uint32_t flags);
/* output = clamp(input1 + input2); numpy-style broadcasting of the trailing dims (a dim of 1
   or a missing leading dim broadcasts). */
PQNN_API enum pqnn_status pqnn_define_add2(pqnn_subgraph_t subgraph, float output_min,
    float output_max, uint32_t input1_id, uint32_t input2_id, uint32_t output_id,
    uint32_t flags);
PQNN_API enum pqnn_status pqnn_define_clamp(pqnn_subgraph_t subgraph, float output_min,
    float output_max, uint32_t input_id, uint32_t output_id, uint32_t flags);
/* GELU, exact erf form: 0.5 * x * (1 + erf(x / sqrt(2))), fp32 or fp16; relative error below
   2^-21 for normal results on every ISA tier (worst seen over the whole float range: 5.3 ulp),
   1e-44 absolute for denormal ones; GELU(-inf) = -0, GELU(+inf) = +inf. The same bits on the
   tiers without FMA (scalar, SSE2, WASM SIMD); AVX2, AVX512 and NEON fuse its multiply-adds. */
PQNN_API enum pqnn_status pqnn_define_gelu(pqnn_subgraph_t subgraph, uint32_t input_id,
    uint32_t output_id, uint32_t flags);
/* input [N][H][W][C] -> output [N][1][1][C] (or [N][C]) */
PQNN_API enum pqnn_status pqnn_define_global_average_pooling_2d(pqnn_subgraph_t subgraph,
    float output_min, float output_max, uint32_t input_id, uint32_t output_id,
    uint32_t flags);
PQNN_API enum pqnn_status pqnn_define_max_pooling_2d(pqnn_subgraph_t subgraph,
    uint32_t input_padding_top, uint32_t input_padding_right,
    uint32_t input_padding_bottom, uint32_t input_padding_left,
    uint32_t pooling_height, uint32_t pooling_width, uint32_t stride_height,
    uint32_t stride_width, uint32_t dilation_height, uint32_t dilation_width,
    float output_min, float output_max, uint32_t input_id, uint32_t output_id,
    uint32_t flags);
/* softmax over the last dimension */
PQNN_API enum pqnn_status pqnn_define_softmax(pqnn_subgraph_t subgraph, uint32_t input_id,
    uint32_t output_id, uint32_t flags);
/* Layer normalization over the trailing dims from `axis` (0 <= axis < the input's num_dims):
   every slice input[i_0]...[i_{axis-1}] becomes (x - mean) / sqrt(var + epsilon) * scale
   + bias, mean and (biased) var over the slice. scale and bias (optional:
   PQNN_INVALID_VALUE_ID) have the slice's shape (input dims axis..num_dims-1). fp32 or fp16,
   every value of one datatype. epsilon must be finite and >= 0. */
PQNN_API enum pqnn_status pqnn_define_layer_normalization(pqnn_subgraph_t subgraph,
    size_t axis, float epsilon, uint32_t input_id, uint32_t scale_id, uint32_t bias_id,
    uint32_t output_id, uint32_t flags);
/* input [N][H][W][C] -> output [N][OH][OW][C], each output the mean of its window's
   positions inside the input (flags: PQNN_FLAG_COUNT_INCLUDE_PAD also counts the positions
   in the explicit padding; PQNN_FLAG_CEIL_MODE rounds the output size up), clamped.
   OH = floor-or-ceil((H + pad_top + pad_bottom - pooling_height) / stride_height) + 1. */
PQNN_API enum pqnn_status pqnn_define_average_pooling_2d(pqnn_subgraph_t subgraph,
    uint32_t input_padding_top, uint32_t input_padding_right,
    uint32_t input_padding_bottom, uint32_t input_padding_left,
    uint32_t pooling_height, uint32_t pooling_width, uint32_t stride_height,
    uint32_t stride_width, float output_min, float output_max, uint32_t input_id,
    uint32_t output_id, uint32_t flags);
/* Transposed convolution: input [N][H][W][groups * group_input_channels], static filter
   [groups * group_output_channels][kh][kw][group_input_channels], optional static bias
   [groups * group_output_channels] -> output [N][OH][OW][groups * group_output_channels],
   OH = (H - 1) * upsampling_height + (kh - 1) * dilation_height + 1 + adjustment_height
        - padding_top - padding_bottom (OW likewise). Input pixel (iy, ix) with filter tap
   (ky, kx) adds to output pixel (iy * upsampling_height + ky * dilation_height - padding_top,
   ...) when that lies in the output. adjustment < upsampling (ONNX output_padding). fp32 or
   fp16 (input, filter, bias, output all one datatype). */
PQNN_API enum pqnn_status pqnn_define_deconvolution_2d(pqnn_subgraph_t subgraph,
    uint32_t padding_top, uint32_t padding_right, uint32_t padding_bottom,
    uint32_t padding_left, uint32_t adjustment_height, uint32_t adjustment_width,
    uint32_t kernel_height, uint32_t kernel_width, uint32_t upsampling_height,
    uint32_t upsampling_width, uint32_t dilation_height, uint32_t dilation_width,
    uint32_t groups, size_t group_input_channels, size_t group_output_channels,
    float output_min, float output_max, uint32_t input_id, uint32_t filter_id,
    uint32_t bias_id, uint32_t output_id, uint32_t flags);
/* Softmax over dim `axis` (0 <= axis < num_dims) of a tensor of any rank: for every index of
   the other dims, y = exp(x - max) / sum(exp(x - max)) along axis. A NaN or +inf along
   axis gives NaN for that whole line. axis = num_dims - 1 is pqnn_define_softmax. fp32 or
   fp16. */
PQNN_API enum pqnn_status pqnn_define_softmax_axis(pqnn_subgraph_t subgraph, size_t axis,
    uint32_t input_id, uint32_t output_id, uint32_t flags);
/* Batch matrix multiply of two activations (ONNX MatMul): input1 [..., M, K] x input2
   [..., K, N] -> output [..., M, N]; both at least 2-D; the batch dims (all but the last
   two, at most 4) broadcast numpy-style. Each output is an f32 sum over k in order. fp32 or
   fp16 (all three one datatype). */
PQNN_API enum pqnn_status pqnn_define_batch_matrix_multiply(pqnn_subgraph_t subgraph,
    uint32_t input1_id, uint32_t input2_id, uint32_t output_id, uint32_t flags);
/* Reductions over a set of dims (pqnn_define_reduce). */
enum pqnn_reduce_operator {
  pqnn_reduce_invalid = 0,
  pqnn_reduce_sum,
  pqnn_reduce_mean,
  pqnn_reduce_max,   /* a NaN in the reduced elements gives NaN */
};
/* Reduce keeps the reduced dims as 1s (else they are removed). */
#define PQNN_FLAG_KEEP_DIMS 0x00000040u
/* output = op over the dims axes[0..num_axes) of input: the axes strictly ascending and
   consecutive (axes[i + 1] = axes[i] + 1; a non-consecutive set: unsupported_parameter),
   below the input's num_dims. Sum and mean accumulate in f32 in order; mean multiplies by
   1 / count. With PQNN_FLAG_KEEP_DIMS the output has the input's rank (else the reduced dims are
   removed; removing every dim leaves [1]). fp32 or fp16.
   NHWC global max pooling is a max over axes {1, 2} with PQNN_FLAG_KEEP_DIMS. */
PQNN_API enum pqnn_status pqnn_define_reduce(pqnn_subgraph_t subgraph,
    enum pqnn_reduce_operator reduce_operator, size_t num_axes, const size_t* axes,
    uint32_t input_id, uint32_t output_id, uint32_t flags);
/* fp32 <-> fp16, fp32 -> qint8 (quantize, output's zero point/scale), qint8 -> fp32
   (dequantize), fp32 -> qdint8 (dynamic quantization, per row) */
PQNN_API enum pqnn_status pqnn_define_convert(pqnn_subgraph_t subgraph, uint32_t input_id,
    uint32_t output_id, uint32_t flags);
/* new_shape: num_dims dims; at most one entry may be 0 = inferred from the element count */
PQNN_API enum pqnn_status pqnn_define_static_reshape(pqnn_subgraph_t subgraph,
    size_t num_dims, const size_t* new_shape, uint32_t input_id, uint32_t output_id,
    uint32_t flags);

/* Elementwise binary node: output = clamp(input1 OP input2, output_min, output_max), numpy-style
   broadcasting of up to 4 dims as add2 (a dim of 1 or a missing leading dim broadcasts; that
   covers per-channel and scalar operands). fp32 or fp16, all three values one datatype.
   maximum / minimum propagate NaN (a NaN operand gives NaN); every operator is one IEEE
   operation rounded once (add2 is pqnn_binary_add with qint8 support besides); prelu keeps
   input1 where it is not below zero (NaN, -0 and +inf unchanged, whatever the slope).
   Errors: invalid_parameter for an unknown operator, a bad range or a bad value id / shape /
   datatype as every define. */
enum pqnn_binary_operator {
  pqnn_binary_invalid = 0,
  pqnn_binary_add,
  pqnn_binary_subtract,       /* input1 - input2 */
  pqnn_binary_multiply,
  pqnn_binary_divide,         /* input1 / input2 */
  pqnn_binary_maximum,
  pqnn_binary_minimum,
  pqnn_binary_prelu,          /* input1 < 0 ? input1 * input2 : input1 (input2: the slope;
                                 ONNX PRelu, leaky relu with a slope per element or channel) */
  /* Comparisons: 1.0 where input1 OP input2 holds, else 0.0 (then clamped as every binary
     operator). A NaN operand compares false, except for not_equal (true). -0 == +0. */
  pqnn_binary_equal,
  pqnn_binary_not_equal,
  pqnn_binary_greater,
  pqnn_binary_greater_equal,
  pqnn_binary_less,
  pqnn_binary_less_equal,
};
PQNN_API enum pqnn_status pqnn_define_binary(pqnn_subgraph_t subgraph,
    enum pqnn_binary_operator op, float output_min, float output_max, uint32_t input1_id,
    uint32_t input2_id, uint32_t output_id, uint32_t flags);
/* Select node (ONNX Where): output = condition != 0 ? input1 : input2, elementwise, with
   numpy-style broadcasting over the three inputs (right-aligned; a dim of 1 or a missing
   leading dim broadcasts; the output's rank is the largest, each of its dims the inputs'
   one that is not 1; up to PQNN_MAX_TENSOR_DIMS dims). fp32 or fp16, all four values one
   datatype (the condition too: a comparison's 0 / 1 output). The condition is true unless
   it is +0 or -0 (NaN is true, since NaN != 0); the element chosen is copied bit for bit
   (Inf, NaN payloads and -0 pass untouched), the same on every ISA tier. flags must be 0.
   Errors: invalid_parameter for a NULL subgraph, an undefined or repeated value id, input
   shapes that do not broadcast, an output shape other than the broadcast one, or a
   datatype mismatch (a quantized datatype included). */
PQNN_API enum pqnn_status pqnn_define_select(pqnn_subgraph_t subgraph, uint32_t condition_id,
    uint32_t input1_id, uint32_t input2_id, uint32_t output_id, uint32_t flags);
/* Gather node (an embedding lookup; ONNX Gather along axis 0 of a constant):
     output[i..., j...] = table[indices[i...], j...]
   table: a static fp32 or fp16 value of rank r >= 1 (rows = dims[0]); indices: an int32
   value of any rank q (static, or an external input: never converted, quantized or
   retyped by the planner, so it may feed a graph that runs in f16); output: dims
   indices.dims ++ table.dims[1..r-1] (rank q + r - 1, at most PQNN_MAX_TENSOR_DIMS), the
   table's datatype. Under f16 inference an fp32 table gets a runtime-owned f16 copy and
   the node copies f16 rows. An index i in [-rows, -1] reads row rows + i (ONNX); any other
   index outside [0, rows) makes pqnn_invoke_runtime return pqnn_status_invalid_parameter
   (logged with its position and value) before the node writes anything: nothing is read
   out of bounds and nothing is clamped (static indices are checked here already).
   flags must be 0. Errors: invalid_parameter for a NULL subgraph, an undefined or repeated
   value id, indices that are not int32, a table that is not fp32 / fp16, an output
   datatype other than the table's, an output shape other than the one above, or a static
   index out of range; unsupported_parameter for a table that is not static. */
PQNN_API enum pqnn_status pqnn_define_gather(pqnn_subgraph_t subgraph, uint32_t table_id,
    uint32_t indices_id, uint32_t output_id, uint32_t flags);
/* Elementwise unary node: output = OP(input), same shape, fp32 or fp16. NaN in gives NaN
   out (relu and leaky_relu included).
     relu        x < 0 ? 0 : x
     leaky_relu  x < 0 ? alpha * x : x                     (params->alpha, finite)
     sigmoid     1 / (1 + exp(-x)), evaluated as e / (1 + e), e = exp(x), for x < 0
     tanh, exp, erf, abs, log (log(0) = -inf, log(x < 0) = NaN), sqrt (sqrt(x < 0) = NaN)
     hardsigmoid clamp(alpha * x + beta, 0, 1)             (params->alpha, beta, finite)
     hardswish   x * clamp(x + 3, 0, 6) * (1 / 6)
     swish       x * sigmoid(x)
     square      x * x
     negate      -x
     floor, ceil, round  the integral value below / above / nearest (round: ties to even, as
                 ONNX Round and QuantizeLinear; floor(-0.5) = -1, ceil(-0.5) = -0,
                 round(-0.5) = -0, round(2.5) = 2); exact: the C library's floorf / ceilf /
                 nearbyintf bits on every ISA tier, |x| >= 2^23, +-inf and NaN unchanged
   hardswish and swish of -inf are NaN (-inf * 0), of +inf +inf.
   Accuracy against a double-precision reference (tested on every ISA tier): relu,
   leaky_relu, sqrt, square, abs, negate exact or correctly rounded; hardsigmoid, hardswish
   2 ulp (or 1.2e-7 absolute where the terms cancel); these and every binary operator give
   the same bits on every ISA tier (NaN payloads aside). exp, sigmoid, swish, tanh: the
   scalar tier uses the C library (expf, tanhf), the SIMD tiers one polynomial exp; both are
   within 4 ulp (worst seen: 1.1, 2.4, 3.0, 2.8), or 1e-37 absolute for results below 2^-125
   (exp(x) for x < -86.64 may be 0) and |x| 2^-125 absolute for swish of x < -86.64; same
   NaN / Inf results on every tier (exp(+-inf) = +inf / 0, sigmoid(+-inf) = 1 / 0,
   tanh(+-inf) = +-1). log, erf: one vectorized formula with the same bits on every tier,
   within 4 ulp over the whole float range (worst seen: log 1.9, erf 2.6); erf(+-inf) = +-1,
   log(+inf) = +inf. fp16: the f32 result on the widened input, rounded to fp16 once.
   params: read for leaky_relu and hardsigmoid (NULL there: invalid_parameter), ignored (may
   be NULL) for the others. Errors: invalid_parameter for an unknown operator, bad params,
   or a bad value id / shape / datatype as every define. */
enum pqnn_unary_operator {
  pqnn_unary_invalid = 0,
  pqnn_unary_relu,
  pqnn_unary_leaky_relu,
  pqnn_unary_sigmoid,
  pqnn_unary_tanh,
  pqnn_unary_hardsigmoid,
  pqnn_unary_hardswish,
  pqnn_unary_swish,
  pqnn_unary_exp,
  pqnn_unary_log,
  pqnn_unary_sqrt,
  pqnn_unary_square,
  pqnn_unary_abs,
  pqnn_unary_negate,
  pqnn_unary_erf,
  pqnn_unary_floor,
  pqnn_unary_ceil,
  pqnn_unary_round,
};
struct pqnn_unary_params {
  float alpha;
  float beta;
};
PQNN_API enum pqnn_status pqnn_define_unary(pqnn_subgraph_t subgraph,
    enum pqnn_unary_operator op, const struct pqnn_unary_params* params, uint32_t input_id,
    uint32_t output_id, uint32_t flags);
/* ---- Data movement (src/runtime/nodes/). Every node here takes and produces fp32, fp16 or
 * qint8 values of one datatype (qint8: identical zero point and scale on every input and
 * output); a node the f16 inference pass retypes runs in fp16 unchanged. Axes count from 0
 * (outermost). All return invalid_parameter for a NULL subgraph or array, an axis or rank out
 * of range, an inconsistent shape or a datatype mismatch, unsupported_parameter for a rank
 * above PQNN_MAX_TENSOR_DIMS or more inputs / outputs than PQNN_MAX_CONCAT_INPUTS. */
#define PQNN_MAX_CONCAT_INPUTS 16
/* Concatenation of num_inputs (1 to PQNN_MAX_CONCAT_INPUTS) values along `axis`: every input
 * has the output's rank and the output's dims except along `axis`, where the output's dim is
 * the sum of theirs. */
PQNN_API enum pqnn_status pqnn_define_concatenate(pqnn_subgraph_t subgraph, size_t axis,
    size_t num_inputs, const uint32_t* input_ids, uint32_t output_id, uint32_t flags);
/* Split of `input_id` along `axis` into num_outputs (1 to PQNN_MAX_CONCAT_INPUTS) values, in
 * order: each output has the input's dims except along `axis`, where the outputs' dims (as
 * defined) must sum to the input's. Defines one node per output (reported as split nodes);
 * nothing is defined when any check fails. The parts keep their sizes along `axis` when the
 * runtime is reshaped (each must still fit the input); the other dims follow the input. */
PQNN_API enum pqnn_status pqnn_define_split(pqnn_subgraph_t subgraph, size_t axis,
    uint32_t input_id, size_t num_outputs, const uint32_t* output_ids, uint32_t flags);
/* output[i0..] = input[offsets[d] + i_d * steps[d] ...]: a static window of num_dims (the
 * input's rank) dims, the output's shape given by sizes (each >= 1); steps NULL means 1 (each
 * >= 1). Every read element must lie inside the input (also after a reshape). */
PQNN_API enum pqnn_status pqnn_define_static_slice(pqnn_subgraph_t subgraph, size_t num_dims,
    const size_t* offsets, const size_t* sizes, const size_t* steps, uint32_t input_id,
    uint32_t output_id, uint32_t flags);
/* Constant padding: output dim d = pre_paddings[d] + input dim d + post_paddings[d] over the
 * input's num_dims dims, the new elements set to padding_value (qint8: quantized with the
 * output's parameters, round half to even, saturated; NaN allowed in float). */
PQNN_API enum pqnn_status pqnn_define_static_constant_pad(pqnn_subgraph_t subgraph,
    size_t num_dims, const size_t* pre_paddings, const size_t* post_paddings,
    float padding_value, uint32_t input_id, uint32_t output_id, uint32_t flags);
/* output dim d = input dim perm[d]; perm is a permutation of 0..num_dims-1 (num_dims = the
 * input's rank). Batched 2-D transposes after merging dims (NCHW <-> NHWC among them) take a
 * cache-blocked path. */
PQNN_API enum pqnn_status pqnn_define_static_transpose(pqnn_subgraph_t subgraph,
    size_t num_dims, const size_t* perm, uint32_t input_id, uint32_t output_id, uint32_t flags);
/* 2-D resize of an NHWC value [N][H][W][C] to [N][OH][OW][C], with ONNX Resize semantics. */
enum pqnn_resize_mode {
  pqnn_resize_nearest = 0,
  pqnn_resize_bilinear = 1,      /* f32 / f16 only */
};
/* Source coordinate of output index o along an axis of in -> out with scale s:
 * half_pixel (o + 0.5) / s - 0.5; pytorch_half_pixel the same, 0 when out = 1;
 * asymmetric o / s; align_corners o * (in - 1) / (out - 1), 0 when out = 1. */
enum pqnn_resize_coordinates {
  pqnn_resize_half_pixel = 0,
  pqnn_resize_pytorch_half_pixel = 1,
  pqnn_resize_asymmetric = 2,
  pqnn_resize_align_corners = 3,
};
/* Nearest mode: how a source coordinate becomes an index (then clamped to [0, in - 1]). */
enum pqnn_resize_nearest_rounding {
  pqnn_resize_round_prefer_floor = 0,
  pqnn_resize_round_prefer_ceil = 1,
  pqnn_resize_floor = 2,
  pqnn_resize_ceil = 3,
};
struct pqnn_resize_params {
  enum pqnn_resize_mode mode;
  enum pqnn_resize_coordinates coordinates;
  enum pqnn_resize_nearest_rounding rounding;  /* nearest only */
  size_t output_height, output_width;  /* 0: floor(input dim * scale) */
  float height_scale, width_scale;     /* > 0 and finite, or 0: output dim / input dim */
};
/* Bilinear: the source coordinate is clamped to [0, in - 1] and the two neighbours weighted
 * (ONNX "linear"); f16 computes in f32 and rounds once. A NULL params, an unknown enum value,
 * a scale that is negative, NaN or infinite, or neither a size nor a scale on an axis is
 * invalid_parameter; bilinear on qint8 is unsupported_parameter. */
PQNN_API enum pqnn_status pqnn_define_static_resize_2d(pqnn_subgraph_t subgraph,
    const struct pqnn_resize_params* params, uint32_t input_id, uint32_t output_id,
    uint32_t flags);

struct pqnn_external_value {
  uint32_t id;
  void* data;
};
PQNN_API enum pqnn_status pqnn_create_runtime(pqnn_subgraph_t subgraph,
    pthreadpool_t threadpool, uint32_t flags, pqnn_runtime_t* runtime_out);
/* Runtime options (pqnn_create_runtime_with_options; NULL or 0 fields: the defaults). */
struct pqnn_runtime_options {
  /* Dynamic quantization (PQNN_FLAG_DYNAMIC_RANGE_QUANTIZATION) quantizes an FC / conv /
   * deconvolution with an f32 filter only from this many multiply-adds per output (FC input
   * channels, conv kh * kw * group input channels, deconvolution group input channels: the
   * K of its per-tap GEMMs); smaller ones stay float. 0: the default, 64.
   * 1: every FC, (non-depthwise) conv and deconvolution. qcint8 filters always run qd8.
   * With the default, CPUs whose int8 kernels beat f32 on small reductions (AVX512 and
   * AVX512-VNNI) run every convolution with more than 4 input channels as qd8
   * (pqnn_qd8_decision_quantized_small_conv; stems stay f32 for accuracy);
   * an explicit value applies to every layer. */
  size_t qd8_min_reduction;
  /* Dynamic quantization takes a depthwise convolution with an f32 filter (quantized per
   * channel), multiplier 1 and stride 1 unless this is nonzero, where the f32 depthwise
   * would not run it through its faster row kernels; strided depthwise layers always stay
   * float (their input convert costs more than int8 saves; measurements in
   * docs/qd8-performance.md and docs/runtime.md). */
  uint32_t qd8_float_depthwise;
  /* Nonzero: dynamic quantization quantizes the f32 filters of fully connected nodes to 4
   * bits (pqnn_quantize_weights_qc4w / _qb4w) instead of 8 (convolutions stay qc8w); the
   * other DRQ rules (qd8_min_reduction) are unchanged. Batch-1 decode streams half the
   * weight bytes of qc8w; accuracy in docs/qd8-4bit.md. */
  uint32_t qd8_fc_4bit_weights;
  /* With qd8_fc_4bit_weights: 0 for one scale per output channel (qc4w), else the block
   * size of blockwise scales (qb4w; a positive multiple of 32, else pqnn_create_runtime_*
   * fails with pqnn_status_invalid_parameter). */
  size_t qd8_fc_4bit_block_size;
  /* Nonzero: every intermediate value keeps its own arena bytes (no lifetime sharing), so
   * pqnn_get_runtime_value can read any value after pqnn_invoke_runtime (debugging and
   * per-layer accuracy; the arena grows to the unshared size). */
  uint32_t keep_values;
  /* Nonzero: an add is never fused into the fully connected / convolution node that
   * produces one of its operands (pqnn_runtime_node_info.fused_add; docs/runtime.md), for
   * comparisons and debugging. */
  uint32_t no_residual_fusion;
  /* Nonzero: a unary node (pqnn_define_unary, gelu) is never fused into the fully connected
   * / convolution node that writes its input (pqnn_runtime_node_info.fused_activation;
   * docs/runtime.md), for comparisons and debugging. */
  uint32_t no_activation_fusion;
  /* Nonzero: a per-channel affine (a 1x1 stride-1 unpadded depthwise convolution, e.g. an
   * ONNX Mul / Add by per-channel constants after an activation) is never fused into the
   * fully connected / convolution / deconvolution node that writes its input
   * (pqnn_runtime_node_info.fused_affine; docs/runtime.md), for comparisons and debugging. */
  uint32_t no_affine_fusion;
  /* Nonzero: depthwise / pointwise chains and direct deconvolution pairs never run in row
   * bands (pqnn_runtime_node_info.banded; docs/runtime.md), for comparisons and debugging. */
  uint32_t no_banding;
  /* Nonzero: a global average pooling of a linear 1x1 convolution / fully connected node's
   * output keeps reading that output (pqnn_runtime_node_info.pool_commuted), and so no
   * per-channel multiply folds into that node either (fused_channel_scale;
   * docs/runtime.md), for comparisons and debugging. */
  uint32_t no_pool_commute;
  /* Nonzero: the pooling is commuted, but the per-channel multiply (x * s [+ r] [+ an
   * upsampled map]) stays a node of its own: neither folded into the 1x1 layer before it
   * (pqnn_runtime_node_info.fused_channel_scale) nor run by the Winograd convolution that
   * reads it (fused_scaled_input), for comparisons and debugging. */
  uint32_t no_scale_fusion;
  /* Nonzero: the pooling also commutes when the runtime computes in f32 (neither
   * PQNN_FLAG_DYNAMIC_RANGE_QUANTIZATION nor f16 inference); by default it commutes only
   * under those, because a commuted pooling rounds unlike the graph's own: PaddleOCR det's
   * f32 map then differs from ONNX Runtime's by 1.42e-4 of its maximum, over the 1e-4 its
   * f32 import is held to (ORT moves 1.09e-4 itself under the same rewrite; docs/runtime.md).
   * Faster (det f32: the neck's squeeze-excites fold, docs/benchmarks.md). */
  uint32_t f32_pool_commute;
  /* Nonzero: an inserted f32 -> qd8 convert that quantizes per image the output of a fully
   * connected / convolution node always reads that output once more for its range, instead
   * of taking the ranges the node's epilogue merged while writing it
   * (pqnn_runtime_node_info.range_fused; same bits either way), for comparisons. */
  uint32_t no_range_fusion;
};
/* pqnn_create_runtime with options; pqnn_create_runtime is this with options NULL. */
PQNN_API enum pqnn_status pqnn_create_runtime_with_options(pqnn_subgraph_t subgraph,
    pthreadpool_t threadpool, uint32_t flags, const struct pqnn_runtime_options* options,
    pqnn_runtime_t* runtime_out);
PQNN_API enum pqnn_status pqnn_reshape_external_value(pqnn_runtime_t runtime,
    uint32_t external_id, size_t num_dims, const size_t* dims);
PQNN_API enum pqnn_status pqnn_reshape_runtime(pqnn_runtime_t runtime);
/* The shape of external value `external_id` (input or output) as of the last successful
 * pqnn_reshape_runtime (or create): *num_dims_out dims written to dims_out, which must
 * hold PQNN_MAX_TENSOR_DIMS entries. invalid_state after pqnn_reshape_external_value
 * until pqnn_reshape_runtime succeeds (an output's size follows its inputs). */
PQNN_API enum pqnn_status pqnn_get_external_value_shape(pqnn_runtime_t runtime,
    uint32_t external_id, size_t* num_dims_out, size_t* dims_out);
PQNN_API enum pqnn_status pqnn_setup_runtime(pqnn_runtime_t runtime,
    size_t num_external_values, const struct pqnn_external_value* external_values);
PQNN_API enum pqnn_status pqnn_invoke_runtime(pqnn_runtime_t runtime);
PQNN_API enum pqnn_status pqnn_delete_runtime(pqnn_runtime_t runtime);

/* Introspection: what the planner decided (pass behaviour is testable and the demo prints it). */
enum pqnn_node_type {
  pqnn_node_type_invalid = 0,
  pqnn_node_type_fully_connected,
  pqnn_node_type_convolution_2d,
  pqnn_node_type_depthwise_convolution_2d,
  pqnn_node_type_add2,
  pqnn_node_type_clamp,
  pqnn_node_type_gelu,
  pqnn_node_type_global_average_pooling_2d,
  pqnn_node_type_max_pooling_2d,
  pqnn_node_type_softmax,
  pqnn_node_type_convert,
  pqnn_node_type_static_reshape,
  pqnn_node_type_layer_normalization,
  pqnn_node_type_average_pooling_2d,
  pqnn_node_type_deconvolution_2d,
  pqnn_node_type_softmax_axis,
  pqnn_node_type_batch_matrix_multiply,
  pqnn_node_type_reduce,
  pqnn_node_type_binary,      /* pqnn_define_binary (any operator) */
  pqnn_node_type_unary,       /* pqnn_define_unary (any operator) */
  pqnn_node_type_concatenate,
  pqnn_node_type_split,
  pqnn_node_type_static_slice,
  pqnn_node_type_static_constant_pad,
  pqnn_node_type_static_transpose,
  pqnn_node_type_static_resize_2d,
  pqnn_node_type_select,      /* pqnn_define_select */
  pqnn_node_type_gather,      /* pqnn_define_gather */
};
/* What the dynamic-quantization pass decided for a fully connected or convolution node. */
enum pqnn_qd8_decision {
  pqnn_qd8_decision_none = 0,               /* not a candidate: another node type, a quantized
                                               input, or an f32 filter without the DRQ flag */
  pqnn_qd8_decision_quantized,              /* runs qd8: f32 filter quantized per channel */
  pqnn_qd8_decision_quantized_qc8w,         /* runs qd8: qcint8 filter (always) */
  pqnn_qd8_decision_defined,                /* runs qd8: the graph defines its input qdint8 */
  pqnn_qd8_decision_float_depthwise,        /* stays float (DRQ on): depthwise convolution */
  pqnn_qd8_decision_float_small_reduction,  /* stays float (DRQ on): fewer multiply-adds per
                                               output than the runtime's qd8_min_reduction */
  pqnn_qd8_decision_quantized_qc4w,         /* runs qd8: f32 FC filter quantized to 4 bits per
                                               channel (runtime option qd8_fc_4bit_weights) */
  pqnn_qd8_decision_quantized_qb4w,         /* runs qd8: f32 FC filter quantized to 4 bits per
                                               block (qd8_fc_4bit_block_size) */
  pqnn_qd8_decision_qbint4,                 /* runs qd8: qbint4 filter (always) */
  pqnn_qd8_decision_quantized_small_conv,   /* runs qd8: a convolution (not a stem: more
                                               than 4 input channels) below the default
                                               qd8_min_reduction, on a CPU whose int8
                                               kernels beat f32 there (its input is
                                               quantized once per image, or per image
                                               row for a 1x1 reading a depthwise) */
  pqnn_qd8_decision_float_winograd,         /* stays f32 (DRQ on): a convolution the f32
                                               Winograd path takes, with at most a third
                                               as many output as input channels (faster
                                               there than qd8 with its convert) */
};
struct pqnn_runtime_node_info {
  enum pqnn_node_type type;
  enum pqnn_datatype compute_datatype;  /* fp32, fp16, qint8 or qdint8 (qd8 x qc8w) */
  uint32_t fused_clamp;                 /* 1 when a following clamp node was fused into this one */
  uint32_t inserted;                    /* 1 for a conversion node the planner inserted */
  const char* type_name;                /* pqnn_node_type_string(type) */
  enum pqnn_qd8_decision qd8_decision;  /* FC / conv / depthwise / deconv; none for others */
  /* The compute path of the node's operator at the current shapes ("gemm", "igemm",
     "dwconv", "patch", "winograd", "deconv", "convert"; docs/architecture.md), "" for
     nodes without one; a constant string, never NULL. */
  const char* compute_path;
  /* 1 when a following add node (a residual: f32 / f16, both operands of the output's
     shape) was fused into this fully connected, convolution, binary, add2 or resize node, which
     then reads the add's other operand and writes the add's output (and its fused
     clamp's). */
  uint32_t fused_add;
  /* 1 when a following unary node (pqnn_define_unary, any operator, or gelu) was fused into
     this fully connected or convolution node, which then applies it to each output tile
     and writes the unary's output; fused_activation_name is its operator ("hardswish",
     "gelu", ...; "" when none, never NULL). activation_after_add: 1 when the activation
     follows the fused add (node -> add -> activation), 0 when it comes before it (node ->
     activation -> add) or there is no fused add. */
  uint32_t fused_activation;
  uint32_t activation_after_add;
  const char* fused_activation_name;
  /* 1 for a nearest resize whose only reader is a concatenation along the channels: the
     concat reads the resize's input through its source indices and this node does no work
     (its output is never stored); also for such a concatenation whose only reader, an f32
     Winograd convolution, reads its parts itself (fused_concat_input). */
  uint32_t folded_into_consumer;
  /* 1 when a following per-channel affine (a 1x1 stride-1 unpadded depthwise convolution
     node, the only reader of this node's output) was fused into this fully connected,
     convolution or deconvolution node, which then applies it to each output tile after
     everything else (its bounds, a fused activation and add) and writes its output. */
  uint32_t fused_affine;
  /* 1 when the node runs in row bands with the chain it belongs to (f32 [1x1 conv ->]
     depthwise [-> 1x1 conv], under dynamic quantization also depthwise -> convert -> qd8
     1x1 conv quantized per image row, or two deconvolutions with kernel == stride, whose
     intermediates would not stay in L2; docs/runtime.md): the chain's first node then does
     the whole chain's work (and its profile time), the others none. At the current
     shapes. */
  uint32_t banded;
  /* 1 when, besides its fused add, this binary or add2 node adds a nearest-upsampled map
     (an FPN top-down add of a resized map): the resize node and its add were folded into
     it, which then reads the resize's input at each output pixel's nearest source pixel
     (the upsampled map is never written). */
  uint32_t fused_upsampled_add;
  /* 1 for a global average pooling that reads the input y of the linear 1x1 convolution /
     fully connected node that wrote its input (mean commutes with a linear map), and for
     the 1-row node with that layer's weights right after it, which writes the pooling's
     output. */
  uint32_t pool_commuted;
  /* 1 when a following per-channel multiply x * s (a binary node, s one value per image
     and channel, this node's output x read by nothing else), with its fused add and
     upsampled add if any, was folded into this fully connected / convolution node: it runs
     at the multiply's place and applies it to each output tile (x is never written). */
  uint32_t fused_channel_scale;
  /* 1 when this f32 convolution (Winograd path) reads the channel concatenation that feeds
     it part by part, resized parts at their nearest source pixels: the concatenate node
     (then folded_into_consumer) does no work and its output is never written. */
  uint32_t fused_concat_input;
  /* 1 for the first node of a chain that runs in row bands (banded): the node that does
     the chain's work; the chain's other nodes follow it in execution order. */
  uint32_t band_first;
  /* 1 for an inserted f32 -> qd8 convert quantizing per image (one range per image: the
     input of a qd8 convolution) whose input's writer, a fully connected or convolution node,
     merged each image's range in its epilogue as it wrote the tiles: the convert then runs
     its quantize pass only, not a range pass over the image (the same bits). At the
     current shapes. */
  uint32_t range_fused;
  /* 1 when this f32 convolution (Winograd path) is the only reader of a per-channel
     multiply x * s (a binary node, s one value per image and channel, with its fused add
     and upsampled add if any) and computes it on each input pixel as its input transform
     reads it: the binary node (then folded_into_consumer) does no work and its output is
     never written. The same bits as the two nodes. */
  uint32_t fused_scaled_input;
};
/* Node counts/info are in planned execution order, fused clamps, adds, activations and affines removed, inserted converts included. */
PQNN_API enum pqnn_status pqnn_get_runtime_node_count(pqnn_runtime_t runtime, size_t* count_out);
PQNN_API enum pqnn_status pqnn_get_runtime_node_info(pqnn_runtime_t runtime, size_t index,
    struct pqnn_runtime_node_info* info_out);
/* Bytes of the intermediate-value arena, and what it would be without lifetime reuse. */
PQNN_API enum pqnn_status pqnn_get_runtime_arena_size(pqnn_runtime_t runtime,
    size_t* arena_bytes_out, size_t* unshared_bytes_out);
/* What the f16 inference flags decided for a runtime (pqnn_get_runtime_fp16_decision) or
 * would decide for flags on this CPU (pqnn_fp16_inference_decision). */
enum pqnn_fp16_decision {
  pqnn_fp16_decision_none = 0,          /* neither f16 flag: the graph runs as defined */
  pqnn_fp16_decision_fp16,              /* PQNN_FLAG_FP16_INFERENCE on a tier with f16
                                           arithmetic: runs in f16 */
  pqnn_fp16_decision_forced,            /* PQNN_FLAG_FORCE_FP16_INFERENCE: runs in f16 */
  pqnn_fp16_decision_fp32_no_arithmetic,/* PQNN_FLAG_FP16_INFERENCE only, on a tier without
                                           f16 arithmetic (pqnn_isa_name()): stays f32 */
  pqnn_fp16_decision_as_defined,        /* an f16 flag, but the graph has non-f32
                                           activations or convert nodes: runs as defined */
};
/* The decision the runtime made at create. */
PQNN_API enum pqnn_status pqnn_get_runtime_fp16_decision(pqnn_runtime_t runtime,
    enum pqnn_fp16_decision* decision_out);
/* The decision pqnn_create_runtime would make with `flags` for an f32 graph (every
 * activation fp32, no convert node) on this CPU and ISA tier: none, fp16, forced or
 * fp32_no_arithmetic. Needs pqnn_initialize; flags outside those of pqnn_create_runtime
 * are invalid_parameter. */
PQNN_API enum pqnn_status pqnn_fp16_inference_decision(uint32_t flags,
    enum pqnn_fp16_decision* decision_out);
/* A short constant reason for an f16 decision; never NULL. */
PQNN_API const char* pqnn_fp16_decision_string(enum pqnn_fp16_decision decision);
/* A short constant name of a datatype ("fp32", "qdint8", ...); never NULL. */
PQNN_API const char* pqnn_datatype_string(enum pqnn_datatype datatype);
/* A short constant name of a node type ("fully_connected", "convert", ...); never NULL. */
PQNN_API const char* pqnn_node_type_string(enum pqnn_node_type type);
/* A short constant reason for a dynamic-quantization decision; never NULL. */
PQNN_API const char* pqnn_qd8_decision_string(enum pqnn_qd8_decision decision);

/* Profiling (docs/runtime.md, "Profiling"). Off by default: an invoke then costs one
 * branch more. pqnn_enable_runtime_profiling(runtime, 1) turns it on and clears the
 * counters, 0 turns it off (the counters stay readable); while on, every
 * pqnn_invoke_runtime adds each node's wall time (monotonic clock, ns) to its counter. */
PQNN_API enum pqnn_status pqnn_enable_runtime_profiling(pqnn_runtime_t runtime, uint32_t enable);
/* Clears the counters (profiling stays as it is). */
PQNN_API enum pqnn_status pqnn_reset_runtime_profile(pqnn_runtime_t runtime);
struct pqnn_runtime_node_profile {
  uint64_t time_ns;       /* summed over the profiled invokes since enable / reset */
  uint64_t runs;          /* profiled invokes that ran this node */
  uint64_t macs;          /* multiply-adds of one run at the current shapes: fully connected,
                             convolution, depthwise, deconvolution, batch matrix multiply;
                             0 for other nodes */
  uint32_t output_value;  /* the subgraph value the node writes; PQNN_INVALID_VALUE_ID when
                             it writes a tensor the planner inserted (a convert's f16 copy,
                             a qd8 activation) */
};
/* Node `index` in the order of pqnn_get_runtime_node_info. Readable whether or not
 * profiling was ever enabled (time_ns and runs are then 0). */
PQNN_API enum pqnn_status pqnn_get_runtime_node_profile(pqnn_runtime_t runtime, size_t index,
    struct pqnn_runtime_node_profile* profile_out);
/* The data of subgraph value `value_id` after an invoke: its datatype as executed (fp32, or
 * fp16 when the graph runs in f16: pqnn_get_runtime_fp16_decision), its dims (PQNN_MAX_TENSOR_DIMS entries of dims_out
 * written at most) and a pointer to its bytes, valid until the next reshape, setup or
 * delete. External values: the caller's buffer. Intermediate values need the runtime
 * option keep_values (else pqnn_status_invalid_state). A value no node reads or computes
 * as an activation (FC / conv weights, a fused clamp's input, an unused value) gives
 * pqnn_status_invalid_parameter, as does a runtime not set up. */
PQNN_API enum pqnn_status pqnn_get_runtime_value(pqnn_runtime_t runtime, uint32_t value_id,
    enum pqnn_datatype* datatype_out, size_t* num_dims_out, size_t* dims_out,
    const void** data_out);

#ifdef __cplusplus
}  /* extern "C" */
#endif

#endif  /* PQNN_H_ */
