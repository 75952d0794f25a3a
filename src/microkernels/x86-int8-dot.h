/* vpdpbusd and vpaddd accumulate helpers for the x86 int8 GEMM / IGEMM microkernels (issue 13).
 *
 * acc = acc + dot4(a as uint8, b as int8) in every int32 lane, as _mm512_dpbusd_epi32 and
 * _mm256_dpbusd_avx_epi32. gcc 12 compiles those intrinsics into loops that copy every
 * accumulator to a fresh register around each vpdpbusd and spill some of them to the stack
 * (issue 13 measured the 4x64c4 kernels at 68% of the vpdpbusd peak on a quiet Zen 5). An
 * inline-asm vpdpbusd whose accumulator is a tied read-write operand ("+v") gives the
 * register allocator nothing to copy; with PQNN_X86_ACC_REG below for gcc's IGEMM loops,
 * gcc 12 and clang 14 both emit the bare loop of broadcasts (broadcast-XORs where they XOR),
 * loads and vpdpbusd.
 * scripts/analysis/check-inner-loops.py keeps it that way in CI.
 *
 * The asm is used only when the compiler targets the instruction natively and understands
 * GNU inline asm. The emulated-x86 test build compiles these kernels with AVX2 flags against
 * test/emulation/include/immintrin.h (SIMDe), which defines PQNN_EMULATED_INTRINSICS: there,
 * and with any other compiler, the intrinsics are used.
 *
 * Include after <immintrin.h>; only from kernel sources compiled with the matching ISA flags.
 */
#ifndef PQNN_X86_INT8_DOT_H_
#define PQNN_X86_INT8_DOT_H_

#include <immintrin.h>
#include <stdint.h>
#include <string.h>

#if (defined(__GNUC__) || defined(__clang__)) && !defined(PQNN_EMULATED_INTRINSICS)
#define PQNN_X86_INT8_DOT_ASM 1
#else
#define PQNN_X86_INT8_DOT_ASM 0
#endif

/* Declares a copy of an accumulator in a fixed vector register for the main K loop:
 *   register __m512i vp0_0 PQNN_X86_ACC_REG("zmm16") = acc0_0;
 * Even with the tied operand, gcc 12 still copied three of the sixteen accumulators of the
 * 4x64c4 IGEMM (whose K loop nests in the loop over the indirection pointers) to another
 * register and back around their vpdpbusd every iteration. A local register variable that
 * is an asm operand lives in its register (GCC manual, "Local Register Variables"), so
 * there is nothing to copy. gcc does not save such a register around a call, so the
 * generator declares these copies only around the main K loop, which makes no calls (the K
 * tail, whose memcpy may be a call, works on the accumulators themselves), and gives them
 * the highest-numbered registers, leaving the low ones to A, the weights and constants.
 * gcc only, optimized, without AddressSanitizer: clang 14 allocates these loops cleanly
 * by itself, and instrumentation may add calls to the loop. */
#if PQNN_X86_INT8_DOT_ASM && defined(__GNUC__) && !defined(__clang__) && \
    defined(__OPTIMIZE__) && !defined(__SANITIZE_ADDRESS__)
#define PQNN_X86_ACC_REG(name) __asm__(name)
#else
#define PQNN_X86_ACC_REG(name)
#endif

#if defined(__AVX512VNNI__) || defined(PQNN_EMULATED_INTRINSICS)
/* zmm vpdpbusd (AVX512-VNNI). The {att|intel} alternatives keep -masm=intel builds working. */
static inline __m512i pqnn_dpbusd_zmm(__m512i acc, __m512i a, __m512i b) {
#if PQNN_X86_INT8_DOT_ASM && defined(__AVX512VNNI__)
  __asm__("vpdpbusd {%2, %1, %0|%0, %1, %2}" : "+v"(acc) : "v"(a), "v"(b));
  return acc;
#else
  return _mm512_dpbusd_epi32(acc, a, b);
#endif
}
#endif

#if defined(__AVXVNNI__) || defined(PQNN_EMULATED_INTRINSICS)
/* ymm vpdpbusd in its VEX encoding (AVX-VNNI): "x" keeps every operand in ymm0-15, which
 * VEX can encode, and {vex} forbids the assembler the EVEX (AVX512-VNNI) form. */
static inline __m256i pqnn_dpbusd_ymm_vex(__m256i acc, __m256i a, __m256i b) {
#if PQNN_X86_INT8_DOT_ASM && defined(__AVXVNNI__)
  __asm__("%{vex%} vpdpbusd {%2, %1, %0|%0, %1, %2}" : "+x"(acc) : "x"(a), "x"(b));
  return acc;
#else
  return _mm256_dpbusd_avx_epi32(acc, a, b);
#endif
}
#endif

/* acc + x in every int32 lane (vpaddd / paddd), as _mm*_add_epi32: the accumulate step of
 * the vpmaddwd / pmaddwd kernels (int8 GEMM / IGEMM c8 on sse2, avx2, avx512skx; the 4-bit
 * qb4w kernels). The intrinsic is a GNU vector add on a view of __m*i as unsigned int32
 * lanes; at -O3 gcc 12's partial PRE (-ftree-partial-pre) finds that view of the
 * accumulator partially redundant between the K loop and its K tail and keeps it live in a
 * second register beside the accumulator, so every iteration copied each accumulator
 * (vmovdqa) and the 2x8c8 / 4x16c8 loops spilled one to the stack (Release builds only; -O2
 * and clang 14 were clean). The asm's tied accumulator is opaque to PRE and gives the
 * register allocator nothing to copy. Emulated builds and other compilers use the
 * intrinsics. */
#if defined(__AVX512F__) || defined(PQNN_EMULATED_INTRINSICS)
static inline __m512i pqnn_acc_add_epi32_zmm(__m512i acc, __m512i x) {
#if PQNN_X86_INT8_DOT_ASM && defined(__AVX512F__)
  __asm__("vpaddd {%1, %0, %0|%0, %0, %1}" : "+v"(acc) : "v"(x));
  return acc;
#else
  return _mm512_add_epi32(acc, x);
#endif
}
#endif

/* a ^ b as one 512-bit vpxord. The XOR loop of the c8 kernels (scripts/kernels/int8_c8.py)
 * broadcasts a row's 8 bytes and flips them; clang 14 folds the XOR with the splat
 * constant into the 64-bit value (vmovq, an xmm vpxor, then vpbroadcastq from the register:
 * a port 5 instruction more per row than gcc's broadcast from memory and zmm XOR). The asm
 * keeps the broadcast a load. */
#if defined(__AVX512F__) || defined(PQNN_EMULATED_INTRINSICS)
static inline __m512i pqnn_xor_zmm(__m512i a, __m512i b) {
#if PQNN_X86_INT8_DOT_ASM && defined(__AVX512F__)
  __m512i r;
  __asm__("vpxord {%2, %1, %0|%0, %1, %2}" : "=v"(r) : "v"(a), "v"(b));
  return r;
#else
  return _mm512_xor_si512(a, b);
#endif
}
#endif

#if defined(__AVX2__) || defined(PQNN_EMULATED_INTRINSICS)
/* "v" lets an AVX512VL build use ymm16-31 (EVEX); under plain AVX2 it is "x". */
static inline __m256i pqnn_acc_add_epi32_ymm(__m256i acc, __m256i x) {
#if PQNN_X86_INT8_DOT_ASM && defined(__AVX2__)
  __asm__("vpaddd {%1, %0, %0|%0, %0, %1}" : "+v"(acc) : "v"(x));
  return acc;
#else
  return _mm256_add_epi32(acc, x);
#endif
}
#endif

#if defined(__SSE2__) || defined(PQNN_EMULATED_INTRINSICS)
/* The VEX form where the file is built with AVX (no SSE/AVX transition), else SSE2's. */
static inline __m128i pqnn_acc_add_epi32_xmm(__m128i acc, __m128i x) {
#if PQNN_X86_INT8_DOT_ASM && defined(__AVX__)
  __asm__("vpaddd {%1, %0, %0|%0, %0, %1}" : "+v"(acc) : "v"(x));
  return acc;
#elif PQNN_X86_INT8_DOT_ASM && defined(__SSE2__)
  __asm__("paddd {%1, %0|%0, %1}" : "+x"(acc) : "x"(x));
  return acc;
#else
  return _mm_add_epi32(acc, x);
#endif
}
#endif

/* The flipped copy of A of the VNNI GEMM kernels (scripts/kernels/int8_gemm.py, FLIP_CHUNK):
 * vpdpbusd multiplies A as uint8, x + 128 = x ^ 0x80. XORing every broadcast of A in the K
 * loop costs one vector ALU instruction per row and 4 k; on Intel cores 512-bit vector ALU
 * work issues on ports 0 and 5 only, the ports of vpdpbusd itself, so the 4 XORs per 16
 * vpdpbusd of the 4x64c4 loop took ~20% of the peak (Xeon, 2026-12-06, docs/qd8-performance.md).
 * The kernels flip their rows once into a per-call stack buffer (per K chunk when kc exceeds
 * it) and the K loop broadcasts from there. The VNNI IGEMM kernels of more than one row do
 * the same for every tap (int8_gemm.py IGEMM_FLIP) on the calls where it pays.
 *
 * pqnn_flip_u8_ymm: dst[0, round_up(n, 32)) = src[0, n) ^ 0x80, bytes past n from zero
 * (0x80): dst is 32-byte aligned and has room for the rounded length; src is read exactly
 * n bytes (the tail through a small zeroed copy). The 512-bit kernels use it too: it runs
 * once per call (per chunk and nc tile above the chunk), 1/32 of a row's K loop work. */
#if defined(__AVX2__) || defined(PQNN_EMULATED_INTRINSICS)
/* The whole 32-byte blocks of both flips below: dst[0, i) = src[0, i) ^ 0x80 for i = n
 * rounded down to 32 (unaligned stores: on the aligned copies of pqnn_flip_u8_ymm they cost
 * what aligned ones do); returns i. */
static inline size_t pqnn_flip_u8_blocks_ymm(uint8_t* dst, const int8_t* src, size_t n) {
  const __m256i vsign = _mm256_set1_epi32((int) 0x80808080);
  size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    _mm256_storeu_si256((__m256i*) (dst + i),
        _mm256_xor_si256(_mm256_loadu_si256((const __m256i*) (src + i)), vsign));
  }
  return i;
}

static inline void pqnn_flip_u8_ymm(uint8_t* dst, const int8_t* src, size_t n) {
  const size_t i = pqnn_flip_u8_blocks_ymm(dst, src, n);
  if (i != n) {
    const __m256i vsign = _mm256_set1_epi32((int) 0x80808080);
    uint8_t t[32];
    memset(t, 0, sizeof(t));
    memcpy(t, src + i, n - i);
    _mm256_store_si256((__m256i*) (dst + i), _mm256_xor_si256(_mm256_loadu_si256((const __m256i*) t), vsign));
  }
}
#endif

/* pqnn_flip_u8_masked_tail: as pqnn_flip_u8_ymm, dst[0, round_up(n, 32)) = src[0, n) ^ 0x80
 * with bytes past n from zero (0x80), but dst needs no alignment and the tail is a masked
 * load: the avx512vnni c8 IGEMM twins (scripts/kernels/int8_c8.py) lay a row's taps
 * round_up(kc, 8) bytes apart, each tap's copy overwriting the previous one's padding. */
#if (defined(__AVX512BW__) && defined(__AVX512VL__)) || defined(PQNN_EMULATED_INTRINSICS)
static inline void pqnn_flip_u8_masked_tail(uint8_t* dst, const int8_t* src, size_t n) {
  const size_t i = pqnn_flip_u8_blocks_ymm(dst, src, n);
  if (i != n) {
    const __m256i vsign = _mm256_set1_epi32((int) 0x80808080);
    const __mmask32 vmask = (__mmask32) ((UINT32_C(1) << (n - i)) - 1);
    _mm256_storeu_si256((__m256i*) (dst + i),
        _mm256_xor_si256(_mm256_maskz_loadu_epi8(vmask, src + i), vsign));
  }
}
#endif

/* p, opaque to the optimizer: the K loop addresses the flipped copy of A through a pointer
 * register, as it addresses A (a stack array is otherwise addressed off %rsp, which the
 * inner-loop guard reads as a spill), and every access to the copy goes through it. */
static inline uint8_t* pqnn_launder_u8(uint8_t* p) {
#if PQNN_X86_INT8_DOT_ASM
  __asm__("" : "+r"(p));
#endif
  return p;
}

/* The widened copy of A of the c8 (vpmaddwd) GEMM kernels of the avx2 and avx512skx tiers
 * (scripts/kernels/int8_gemm.py, WIDEN_CHUNK): their K loop multiplies int16 pairs, and
 * sign-extending 8 k of every row of A in the loop costs a vpmovsxbw per row and step, a
 * shuffle-port instruction beside the vpmaddwd / vpaddd pairs (on Intel cores 512-bit work
 * issues on ports 0 and 5 only: 4 rows' extensions of the 4x16c8 step are 4 of its 40 port
 * 0/5 instructions). The kernels widen their rows once per call (per K chunk when kc exceeds
 * it) and the K loop broadcasts 8 int16 of a row straight from memory (vbroadcasti128 /
 * vbroadcasti32x4: a load, no shuffle port).
 *
 * The c8 IGEMM kernels do the same per call for every tap that fits (their widening twins).
 *
 * pqnn_widen_i8_ymm: dst[0, round_up(n, 16)) = (int16) src[0, n), elements past n zero: dst
 * is 32-byte aligned with room for the rounded length; src is read only within its n bytes
 * (a tail of n >= 16 as the row's last 16 bytes shifted down by pshufb, a shorter row through
 * a small zeroed copy: the IGEMM twins widen 9 taps x MR rows a call, and a memcpy tail each
 * cost them 0.86-0.99x at 40 channels where the pshufb tail gives 1.04-1.09x). */
#if defined(__AVX2__) || defined(PQNN_EMULATED_INTRINSICS)
static inline void pqnn_widen_i8_ymm(int16_t* dst, const int8_t* src, size_t n) {
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    _mm256_store_si256((__m256i*) (dst + i),
        _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i*) (src + i))));
  }
  if (i != n && n >= 16) {
    /* The last 16 bytes of the row, shifted down by the 16 - (n - i) already widened
     * (pshufb with a window of the table: index x < 16 keeps byte x, 0x80 zeroes). */
    static const int8_t kWindow[32] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
        -128, -128, -128, -128, -128, -128, -128, -128, -128, -128, -128, -128, -128, -128, -128, -128};
    const __m128i vlast = _mm_loadu_si128((const __m128i*) (src + n - 16));
    const __m128i vmask = _mm_loadu_si128((const __m128i*) (kWindow + 16 - (n - i)));
    _mm256_store_si256((__m256i*) (dst + i), _mm256_cvtepi8_epi16(_mm_shuffle_epi8(vlast, vmask)));
  } else if (i != n) {
    int8_t t[16];
    memset(t, 0, sizeof(t));
    memcpy(t, src + i, n - i);
    _mm256_store_si256((__m256i*) (dst + i), _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i*) t)));
  }
}
#endif

/* p, opaque to the optimizer (as pqnn_launder_u8, for the widened copy). */
static inline int16_t* pqnn_launder_i16(int16_t* p) {
#if PQNN_X86_INT8_DOT_ASM
  __asm__("" : "+r"(p));
#endif
  return p;
}

#endif /* PQNN_X86_INT8_DOT_H_ */
