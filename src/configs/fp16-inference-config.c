/* Whether PQNN_FLAG_FP16_INFERENCE (the hint: "f16 where that is faster") runs a graph in
 * f16 on the selected ISA tier: the one place that decides it (the runtime's f16 pass and,
 * through pqnn_fp16_inference_decision, the ONNX importer's rounding and the tools).
 *
 * Yes only on a tier with f16 arithmetic, where f16 storage halves the bytes every node
 * moves at no conversion cost: aarch64 neonfp16arith and the tiers above it. Everywhere
 * else the f16 kernels widen each f16 load to f32, compute and round back, and the f16
 * plan keeps the model's literal rounding steps (docs/onnx.md), so f16 is slower than f32:
 * on an AMD Zen 5 (avx512vnni tier, 1 thread) PaddleOCR det 107.8 ms f16 against 40.3 ms
 * f32, rec 21.4 against 14.4, cls 1.26 against 0.46 (docs/benchmarks.md). x86's
 * AVX512-FP16 is detected (pqnn_hardware.avx512fp16) but no kernel uses it yet: a tier with
 * such kernels says yes here. */
#include "configs/config.h"
#include "hardware.h"

bool pqnn_fp16_inference_is_faster(void) {
#if defined(__aarch64__)
  return pqnn_isa_enabled(pqnn_isa_neonfp16arith);
#else
  return false;
#endif
}
