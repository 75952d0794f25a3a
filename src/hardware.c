#include "hardware.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if PQNN_USE_CPUINFO
  #include <cpuinfo.h>
#endif

#include "logging.h"

#if defined(__x86_64__) || defined(_M_X64)
  #define PQNN_ARCH_X86_64 1
  #include <cpuid.h>
#elif defined(__aarch64__)
  #define PQNN_ARCH_ARM64 1
  #if defined(__linux__)
    #include <sys/auxv.h>
  #endif
#elif defined(__wasm__)
  #define PQNN_ARCH_WASM 1
#endif

struct pqnn_hardware pqnn_hardware;

static const char* const isa_names[pqnn_isa_count] = {
  [pqnn_isa_scalar] = "scalar",
  [pqnn_isa_sse2] = "sse2",
  [pqnn_isa_avx2] = "avx2",
  [pqnn_isa_avxvnni] = "avxvnni",
  [pqnn_isa_avx512] = "avx512",
  [pqnn_isa_avx512vnni] = "avx512vnni",
  [pqnn_isa_neon] = "neon",
  [pqnn_isa_neonfp16arith] = "neonfp16arith",
  [pqnn_isa_neondot] = "neondot",
  [pqnn_isa_wasmsimd] = "wasmsimd",
};

const char* pqnn_isa_string(enum pqnn_isa isa) {
  return (unsigned) isa < pqnn_isa_count ? isa_names[isa] : "unknown";
}

/* The tiers of the architecture this library was built for, lowest first. */
static void arch_tiers(enum pqnn_isa* first, enum pqnn_isa* last) {
#if PQNN_ARCH_X86_64
  *first = pqnn_isa_sse2;
  *last = pqnn_isa_avx512vnni;
#elif PQNN_ARCH_ARM64
  *first = pqnn_isa_neon;
  *last = pqnn_isa_neondot;
#elif PQNN_ARCH_WASM && defined(__wasm_simd128__)
  *first = pqnn_isa_wasmsimd;
  *last = pqnn_isa_wasmsimd;
#else
  *first = pqnn_isa_scalar;
  *last = pqnn_isa_scalar;
#endif
}

#if PQNN_ARCH_X86_64
/* CPUID + XGETBV, used for what the packaged cpuinfo cannot see (AVX-VNNI, AVX512-FP16)
 * and as the whole detection when cpuinfo cannot initialize. */
static void detect_x86_cpuid(bool use_cpuinfo) {
  unsigned eax, ebx, ecx, edx;
  bool osxsave_avx = false, osxsave_avx512 = false;
  unsigned max_leaf = __get_cpuid_max(0, NULL);
  if (max_leaf >= 1) {
    __cpuid(0, eax, ebx, ecx, edx);
    /* "GenuineIntel" in ebx, edx, ecx. */
    pqnn_hardware.intel = ebx == 0x756E6547u && edx == 0x49656E69u && ecx == 0x6C65746Eu;
  }
  bool sse2 = false, fma = false, f16c = false, avx = false;
  bool avx2 = false, avx512f = false, avx512bw = false, avx512dq = false, avx512vl = false;
  bool avx512vnni = false, avxvnni = false, avx512fp16 = false;
  if (max_leaf >= 1) {
    __cpuid(1, eax, ebx, ecx, edx);
    sse2 = (edx >> 26) & 1;
    fma = (ecx >> 12) & 1;
    f16c = (ecx >> 29) & 1;
    avx = (ecx >> 28) & 1;
    const bool osxsave = (ecx >> 27) & 1;
    if (osxsave) {
      unsigned xcr0_lo, xcr0_hi;
      __asm__ volatile("xgetbv" : "=a"(xcr0_lo), "=d"(xcr0_hi) : "c"(0));
      osxsave_avx = (xcr0_lo & 0x6) == 0x6;
      osxsave_avx512 = osxsave_avx && (xcr0_lo & 0xE0) == 0xE0;
    }
  }
  if (max_leaf >= 7) {
    __cpuid_count(7, 0, eax, ebx, ecx, edx);
    avx2 = (ebx >> 5) & 1;
    avx512f = (ebx >> 16) & 1;
    avx512dq = (ebx >> 17) & 1;
    avx512bw = (ebx >> 30) & 1;
    avx512vl = (ebx >> 31) & 1;
    avx512vnni = (ecx >> 11) & 1;
    avx512fp16 = (edx >> 23) & 1;
    const unsigned max_subleaf = eax;
    if (max_subleaf >= 1) {
      __cpuid_count(7, 1, eax, ebx, ecx, edx);
      avxvnni = (eax >> 4) & 1;
    }
  }
  const bool has_avx2 = osxsave_avx && avx && avx2 && fma && f16c;
  const bool has_avx512 = has_avx2 && osxsave_avx512 && avx512f && avx512bw && avx512dq && avx512vl;
  if (use_cpuinfo) {
    pqnn_hardware.detected[pqnn_isa_sse2] = cpuinfo_has_x86_sse2();
    pqnn_hardware.detected[pqnn_isa_avx2] =
        cpuinfo_has_x86_avx2() && cpuinfo_has_x86_fma3() && cpuinfo_has_x86_f16c();
    pqnn_hardware.detected[pqnn_isa_avx512] = pqnn_hardware.detected[pqnn_isa_avx2] &&
        cpuinfo_has_x86_avx512f() && cpuinfo_has_x86_avx512bw() &&
        cpuinfo_has_x86_avx512dq() && cpuinfo_has_x86_avx512vl();
    pqnn_hardware.detected[pqnn_isa_avx512vnni] =
        pqnn_hardware.detected[pqnn_isa_avx512] && cpuinfo_has_x86_avx512vnni();
  } else {
    pqnn_hardware.detected[pqnn_isa_sse2] = sse2;
    pqnn_hardware.detected[pqnn_isa_avx2] = has_avx2;
    pqnn_hardware.detected[pqnn_isa_avx512] = has_avx512;
    pqnn_hardware.detected[pqnn_isa_avx512vnni] = has_avx512 && avx512vnni;
  }
  /* cpuinfo (2022) cannot see AVX-VNNI or AVX512-FP16: CPUID decides. */
  pqnn_hardware.detected[pqnn_isa_avxvnni] = pqnn_hardware.detected[pqnn_isa_avx2] && avxvnni;
  pqnn_hardware.avx512fp16 = pqnn_hardware.detected[pqnn_isa_avx512] && avx512fp16;
#if PQNN_EMULATED_X86
  /* Test-only build: AVX512 and VNNI kernels run on SIMDe emulation over AVX2. */
  if (pqnn_hardware.detected[pqnn_isa_avx2]) {
    pqnn_hardware.detected[pqnn_isa_avxvnni] = true;
    pqnn_hardware.detected[pqnn_isa_avx512] = true;
    pqnn_hardware.detected[pqnn_isa_avx512vnni] = true;
  }
#endif
}
#endif

#if PQNN_ARCH_ARM64
static void detect_arm64(bool use_cpuinfo) {
  pqnn_hardware.detected[pqnn_isa_neon] = true;  /* mandatory on aarch64 */
  if (use_cpuinfo) {
    pqnn_hardware.detected[pqnn_isa_neonfp16arith] = cpuinfo_has_arm_neon_fp16_arith();
    pqnn_hardware.detected[pqnn_isa_neondot] =
        cpuinfo_has_arm_neon_fp16_arith() && cpuinfo_has_arm_neon_dot();
  } else {
  #if defined(__linux__)
    /* Auxiliary vector: HWCAP_FPHP (bit 9), HWCAP_ASIMDHP (bit 10), HWCAP_ASIMDDP (bit 20). */
    const unsigned long hwcap = getauxval(AT_HWCAP);
    const bool fp16 = (hwcap & (1ul << 9)) && (hwcap & (1ul << 10));
    const bool dot = (hwcap & (1ul << 20)) != 0;
    pqnn_hardware.detected[pqnn_isa_neonfp16arith] = fp16;
    pqnn_hardware.detected[pqnn_isa_neondot] = fp16 && dot;
  #endif
  }
}
#endif

bool pqnn_detect_hardware(void) {
  memset(&pqnn_hardware, 0, sizeof(pqnn_hardware));
  pqnn_hardware.detected[pqnn_isa_scalar] = true;
#if PQNN_USE_CPUINFO
  const char* no_cpuinfo = getenv("PQNN_NO_CPUINFO");
  const bool use_cpuinfo = (no_cpuinfo == NULL || no_cpuinfo[0] == '\0' || no_cpuinfo[0] == '0') &&
      cpuinfo_initialize();
#else
  /* Built without cpuinfo (WASM: the SIMD tier is fixed when the module is compiled). */
  const bool use_cpuinfo = false;
#endif
  pqnn_hardware.from_cpuinfo = use_cpuinfo;
#if PQNN_ARCH_X86_64
  detect_x86_cpuid(use_cpuinfo);
#elif PQNN_ARCH_ARM64
  detect_arm64(use_cpuinfo);
#elif PQNN_ARCH_WASM && defined(__wasm_simd128__)
  pqnn_hardware.detected[pqnn_isa_wasmsimd] = true;
#endif

  pqnn_hardware.l2_cache_size = 1024 * 1024;
#if PQNN_USE_CPUINFO
  if (use_cpuinfo && cpuinfo_get_l2_caches_count() != 0) {
    const struct cpuinfo_cache* l2 = cpuinfo_get_l2_cache(0);
    if (l2 != NULL && l2->size >= 64 * 1024) {
      pqnn_hardware.l2_cache_size = l2->size / (l2->processor_count != 0 ? l2->processor_count : 1);
      if (pqnn_hardware.l2_cache_size < 128 * 1024) pqnn_hardware.l2_cache_size = 128 * 1024;
    }
  }
#endif

  enum pqnn_isa first, last;
  arch_tiers(&first, &last);
  pqnn_hardware.cap = last;
  const char* cap = getenv("PQNN_ISA");
  bool ok = true;
  if (cap != NULL && cap[0] != '\0') {
    bool found = false;
    if (strcmp(cap, "scalar") == 0) {
      pqnn_hardware.cap = pqnn_isa_scalar;
      found = true;
    }
    for (int isa = first; !found && isa <= (int) last; isa++) {
      if (strcmp(cap, isa_names[isa]) == 0) {
        pqnn_hardware.cap = (enum pqnn_isa) isa;
        found = true;
      }
    }
    if (!found) {
      /* Said whatever the default log level: initialization fails because of it. */
      char valid[128] = "scalar";
      size_t used = strlen(valid);
      for (int isa = first; isa <= (int) last && used < sizeof(valid); isa++) {
        if (isa != pqnn_isa_scalar) {
          used += (size_t) snprintf(valid + used, sizeof(valid) - used, ", %s", isa_names[isa]);
        }
      }
      pqnn_log_config_error("pqnn_initialize",
          "PQNN_ISA=\"%s\" names no ISA tier of this architecture; valid values: %s "
          "(or unset: the best tier of this CPU)", cap, valid);
      ok = false;
    }
  }
  pqnn_hardware.tier = pqnn_isa_scalar;
  for (int isa = first; isa <= (int) pqnn_hardware.cap && isa <= (int) last; isa++) {
    if (pqnn_hardware.detected[isa]) {
      pqnn_hardware.tier = (enum pqnn_isa) isa;
    }
  }
  pqnn_hardware.initialized = ok;
  return ok;
}

bool pqnn_isa_enabled(enum pqnn_isa isa) {
  if ((unsigned) isa >= pqnn_isa_count || !pqnn_hardware.initialized) {
    return false;
  }
  if (isa == pqnn_isa_scalar) {
    return true;
  }
  return pqnn_hardware.detected[isa] && isa <= pqnn_hardware.cap;
}
