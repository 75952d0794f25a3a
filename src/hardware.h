/* CPU feature detection and the ISA tier. pqnn_initialize() fills pqnn_hardware once;
 * only src/configs/ and tests look at it. A tier is usable when the CPU has its features
 * and it does not exceed the cap set by the PQNN_ISA environment variable. */
#ifndef PQNN_HARDWARE_H_
#define PQNN_HARDWARE_H_

#include <stdbool.h>

#include "common.h"

/* Ordered within each architecture: a higher tier may use every lower tier's kernels.
 * avxvnni = avx2 + AVX-VNNI (int8 kernels where AVX512 is absent). */
enum pqnn_isa {
  pqnn_isa_scalar = 0,
  pqnn_isa_sse2,
  pqnn_isa_avx2,        /* AVX2 + FMA + F16C */
  pqnn_isa_avxvnni,     /* avx2 + AVX-VNNI */
  pqnn_isa_avx512,      /* AVX512 F + BW + DQ + VL */
  pqnn_isa_avx512vnni,  /* avx512 + AVX512-VNNI */
  pqnn_isa_neon,
  pqnn_isa_neonfp16arith,
  pqnn_isa_neondot,
  pqnn_isa_wasmsimd,
  pqnn_isa_count,
};

struct pqnn_hardware {
  bool initialized;
  bool from_cpuinfo;      /* false: detected by the fallback (CPUID / auxv / build) */
  enum pqnn_isa tier;     /* best usable tier */
  enum pqnn_isa cap;      /* PQNN_ISA, or the highest tier of the architecture */
  bool detected[pqnn_isa_count];  /* CPU (and OS) support per tier, before the cap */
  /* Individual features, for kernels that need one beyond their tier. */
  bool avx512fp16;
  /* x86: an Intel CPU (CPUID vendor "GenuineIntel"). Tiles measured faster on Intel's cores
   * than on AMD's, where the two were measured apart, are chosen by it (the configs say
   * where and with which numbers). */
  bool intel;
  /* Per-core L2 size in bytes (cpuinfo; 1 MiB when unknown): guides GEMM cache blocking. */
  size_t l2_cache_size;
};

PQNN_INTERNAL extern struct pqnn_hardware pqnn_hardware;

/* Fills pqnn_hardware. Returns false when PQNN_ISA names no tier of this architecture. */
PQNN_INTERNAL bool pqnn_detect_hardware(void);
/* Tier supported by the CPU and within the cap. */
PQNN_INTERNAL bool pqnn_isa_enabled(enum pqnn_isa isa);
PQNN_INTERNAL const char* pqnn_isa_string(enum pqnn_isa isa);

#endif  /* PQNN_HARDWARE_H_ */
