"""The one list of pqnn's microkernels: every kernel is one row here, and nowhere else.

A row names a kernel by (family, tile, ISA) and says whether a config selects it
(PROD: built into every library) or not (CAND: a candidate, built and tested only with
-DPQNN_BUILD_ALL_MICROKERNELS=ON, which the test builds of scripts/test*.sh set).
Everything else about the kernel follows from the row:
  file      src/microkernels/<family>/<tile>-<isa>.c  (the ISA suffix picks the compile
            flags, cmake/isa-flags.cmake)
  function  <family prefix>_<tile>__<isa with _>  (FAMILIES below)
  geometry  GEMM tiles "<MR>x<NR>[c<KR>]"; dwconv "<taps or any>p<channels>c"
  arch      from the ISA (ARCHES below); scalar kernels build everywhere
  tier      the pqnn_isa tier (src/hardware.h) a CPU needs to run it
offset (int8 GEMM only) is the activation input offset the kernel expects (128: the
VNNI/dpbusd kernels read A as uint8, see scripts/kernels/int8_gemm.py). hand=True marks
the few kernels written by hand (the converters): the generator checks they exist but
does not write them. scripts/generate-kernels.py turns this list into the kernel sources
(by the family emitters of scripts/kernels/), src/microkernels/<family>/<family>.inc
(declarations, test and bench tables, config geometry) and cmake/microkernels.cmake.
"""
import collections
import re

PROD, CAND = "PROD", "CAND"

# family -> (function name prefix, signature kind). Signature kinds: src/microkernels.h.
FAMILIES = {
    "f32-gemm": ("pqnn_f32_gemm_minmax_ukernel", "f32_gemm"),
    "f32-igemm": ("pqnn_f32_igemm_minmax_ukernel", "f32_igemm"),
    "f16-gemm": ("pqnn_f16_gemm_minmax_ukernel", "f32_gemm"),
    "f16-igemm": ("pqnn_f16_igemm_minmax_ukernel", "f32_igemm"),
    "qs8-qc8w-gemm": ("pqnn_qs8_qc8w_gemm_minmax_fp32_ukernel", "qs8_gemm"),
    "qs8-qc8w-igemm": ("pqnn_qs8_qc8w_igemm_minmax_fp32_ukernel", "qs8_igemm"),
    "qd8-f32-qc8w-gemm": ("pqnn_qd8_f32_qc8w_gemm_minmax_ukernel", "qd8_gemm"),
    "qd8-f32-qc8w-igemm": ("pqnn_qd8_f32_qc8w_igemm_minmax_ukernel", "qd8_igemm"),
    "qd8-f16-qc8w-gemm": ("pqnn_qd8_f16_qc8w_gemm_minmax_ukernel", "qd8_gemm"),
    "qd8-f16-qc8w-igemm": ("pqnn_qd8_f16_qc8w_igemm_minmax_ukernel", "qd8_igemm"),
    "qd8-f32-qb4w-gemm": ("pqnn_qd8_f32_qb4w_gemm_minmax_ukernel", "qd8_gemm"),
    "qd8-f16-qb4w-gemm": ("pqnn_qd8_f16_qb4w_gemm_minmax_ukernel", "qd8_gemm"),
    "f32-dwconv": ("pqnn_f32_dwconv_minmax_ukernel", "dwconv"),
    "f16-dwconv": ("pqnn_f16_dwconv_minmax_ukernel", "dwconv"),
    "qs8-dwconv": ("pqnn_qs8_qc8w_dwconv_minmax_fp32_ukernel", "dwconv"),
    "qd8-f32-qc8w-dwconv": ("pqnn_qd8_f32_qc8w_dwconv_minmax_ukernel", "dwconv"),
    "f32-f16-convert": ("pqnn_f32_f16_convert_ukernel", "convert"),
    "f16-f32-convert": ("pqnn_f16_f32_convert_ukernel", "convert"),
    "f32-qd8-convert": ("pqnn_f32_qd8_quantize_ukernel", "quantize"),
    "f16-qd8-convert": ("pqnn_f16_qd8_quantize_ukernel", "quantize"),
}

# ISA suffix -> (architecture, pqnn_isa tier).
ARCHES = {
    "scalar": ("any", "scalar"),
    "sse2": ("x86_64", "sse2"), "f16c": ("x86_64", "avx2"),
    "avx2": ("x86_64", "avx2"), "avx2-fma": ("x86_64", "avx2"),
    "avxvnni": ("x86_64", "avxvnni"),
    "avx512f": ("x86_64", "avx512"), "avx512skx": ("x86_64", "avx512"),
    "avx512vnni": ("x86_64", "avx512vnni"),
    "neon": ("aarch64", "neon"), "neonfma": ("aarch64", "neon"),
    "neonfp16arith": ("aarch64", "neonfp16arith"), "neondot": ("aarch64", "neondot"),
    "wasmsimd": ("wasm", "wasmsimd"),
}


class K(collections.namedtuple("K", "family tile isa status offset hand")):
    """One microkernel."""

    def __new__(cls, family, tile, isa, status, offset=0, hand=False):
        assert family in FAMILIES and isa in ARCHES and status in (PROD, CAND), (family, isa)
        return super().__new__(cls, family, tile, isa, status, offset, hand)

    @property
    def name(self):
        prefix = FAMILIES[self.family][0]
        tile = "" if self.tile in ("convert", "quantize") else "_" + self.tile
        return f"{prefix}{tile}__{self.isa.replace('-', '_')}"

    @property
    def kind(self):
        """gemm, igemm, dwconv, convert: the family's last word."""
        return self.family.rsplit("-", 1)[1]

    @property
    def path(self):
        return f"src/microkernels/{self.family}/{self.tile}-{self.isa}.c"

    @property
    def arch(self):
        return ARCHES[self.isa][0]

    @property
    def tier(self):
        return ARCHES[self.isa][1]

    @property
    def geometry(self):
        """(mr, nr, kr) of a GEMM tile; (taps (0: any), channels, 1) of a dwconv tile;
        (0, 0, 0) for a converter."""
        m = re.fullmatch(r"(\d+)x(\d+)(?:c(\d+))?", self.tile)
        if m:
            return int(m[1]), int(m[2]), int(m[3] or 1)
        m = re.fullmatch(r"(\d+|any)p(\d+)c", self.tile)
        if m:
            return (0 if m[1] == "any" else int(m[1])), int(m[2]), 1
        return 0, 0, 0


KERNELS = [
    # f16-dwconv
    K("f16-dwconv", "25p16c", "avx512skx", PROD),
    K("f16-dwconv", "25p1c", "scalar", PROD),
    K("f16-dwconv", "25p8c", "avx2", PROD),
    K("f16-dwconv", "25p8c", "neonfp16arith", PROD),
    K("f16-dwconv", "25p8c", "wasmsimd", PROD),
    K("f16-dwconv", "9p16c", "avx512skx", PROD),
    K("f16-dwconv", "9p1c", "scalar", PROD),
    K("f16-dwconv", "9p8c", "avx2", PROD),
    K("f16-dwconv", "9p8c", "neonfp16arith", PROD),
    K("f16-dwconv", "9p8c", "wasmsimd", PROD),
    K("f16-dwconv", "anyp16c", "avx512skx", PROD),
    K("f16-dwconv", "anyp1c", "scalar", PROD),
    K("f16-dwconv", "anyp8c", "avx2", PROD),
    K("f16-dwconv", "anyp8c", "neonfp16arith", PROD),
    K("f16-dwconv", "anyp8c", "wasmsimd", PROD),
    # f16-f32-convert
    K("f16-f32-convert", "convert", "avx512skx", PROD, hand=True),
    K("f16-f32-convert", "convert", "f16c", PROD, hand=True),
    K("f16-f32-convert", "convert", "neon", PROD),
    K("f16-f32-convert", "convert", "scalar", PROD, hand=True),
    K("f16-f32-convert", "convert", "sse2", PROD, hand=True),
    K("f16-f32-convert", "convert", "wasmsimd", PROD, hand=True),
    # f16-gemm
    K("f16-gemm", "1x16", "avx2", PROD),
    K("f16-gemm", "1x16", "neonfp16arith", PROD),
    K("f16-gemm", "1x32", "avx512skx", PROD),
    K("f16-gemm", "1x4", "scalar", PROD),
    K("f16-gemm", "1x8", "wasmsimd", PROD),
    K("f16-gemm", "4x16", "avx2", CAND),
    K("f16-gemm", "4x16", "neonfp16arith", PROD),
    K("f16-gemm", "4x4", "scalar", PROD),
    K("f16-gemm", "4x8", "wasmsimd", PROD),
    K("f16-gemm", "6x16", "avx2", PROD),
    K("f16-gemm", "7x32", "avx512skx", CAND),
    K("f16-gemm", "8x32", "avx512skx", PROD),
    # f16-igemm
    K("f16-igemm", "1x16", "avx2", PROD),
    K("f16-igemm", "1x16", "neonfp16arith", PROD),
    K("f16-igemm", "1x32", "avx512skx", PROD),
    K("f16-igemm", "1x4", "scalar", PROD),
    K("f16-igemm", "1x8", "wasmsimd", PROD),
    K("f16-igemm", "4x16", "avx2", CAND),
    K("f16-igemm", "4x16", "neonfp16arith", PROD),
    K("f16-igemm", "4x4", "scalar", PROD),
    K("f16-igemm", "4x8", "wasmsimd", PROD),
    K("f16-igemm", "6x16", "avx2", PROD),
    K("f16-igemm", "7x32", "avx512skx", CAND),
    K("f16-igemm", "8x32", "avx512skx", PROD),
    # f16-qd8-convert
    K("f16-qd8-convert", "quantize", "avx2", PROD, hand=True),
    K("f16-qd8-convert", "quantize", "avx512skx", PROD, hand=True),
    K("f16-qd8-convert", "quantize", "neon", PROD, hand=True),
    K("f16-qd8-convert", "quantize", "scalar", PROD, hand=True),
    K("f16-qd8-convert", "quantize", "wasmsimd", PROD, hand=True),
    # f32-dwconv
    K("f32-dwconv", "25p16c", "avx2-fma", PROD),
    K("f32-dwconv", "25p16c", "avx512f", CAND),
    K("f32-dwconv", "25p1c", "scalar", CAND),
    K("f32-dwconv", "25p2c", "scalar", PROD),
    K("f32-dwconv", "25p32c", "avx512f", PROD),
    K("f32-dwconv", "25p4c", "neonfma", CAND),
    K("f32-dwconv", "25p4c", "sse2", PROD),
    K("f32-dwconv", "25p4c", "wasmsimd", CAND),
    K("f32-dwconv", "25p8c", "avx2-fma", CAND),
    K("f32-dwconv", "25p8c", "neonfma", PROD),
    K("f32-dwconv", "25p8c", "sse2", CAND),
    K("f32-dwconv", "25p8c", "wasmsimd", PROD),
    K("f32-dwconv", "9p16c", "avx2-fma", PROD),
    K("f32-dwconv", "9p16c", "avx512f", CAND),
    K("f32-dwconv", "9p1c", "scalar", CAND),
    K("f32-dwconv", "9p2c", "scalar", PROD),
    K("f32-dwconv", "9p32c", "avx512f", PROD),
    K("f32-dwconv", "9p4c", "neonfma", CAND),
    K("f32-dwconv", "9p4c", "sse2", CAND),
    K("f32-dwconv", "9p4c", "wasmsimd", CAND),
    K("f32-dwconv", "9p8c", "avx2-fma", CAND),
    K("f32-dwconv", "9p8c", "neonfma", PROD),
    K("f32-dwconv", "9p8c", "sse2", PROD),
    K("f32-dwconv", "9p8c", "wasmsimd", PROD),
    K("f32-dwconv", "anyp16c", "avx2-fma", PROD),
    K("f32-dwconv", "anyp16c", "avx512f", CAND),
    K("f32-dwconv", "anyp1c", "scalar", CAND),
    K("f32-dwconv", "anyp2c", "scalar", PROD),
    K("f32-dwconv", "anyp32c", "avx512f", PROD),
    K("f32-dwconv", "anyp4c", "neonfma", CAND),
    K("f32-dwconv", "anyp4c", "sse2", CAND),
    K("f32-dwconv", "anyp4c", "wasmsimd", CAND),
    K("f32-dwconv", "anyp8c", "avx2-fma", CAND),
    K("f32-dwconv", "anyp8c", "neonfma", PROD),
    K("f32-dwconv", "anyp8c", "sse2", PROD),
    K("f32-dwconv", "anyp8c", "wasmsimd", PROD),
    # f32-f16-convert
    K("f32-f16-convert", "convert", "avx512skx", PROD, hand=True),
    K("f32-f16-convert", "convert", "f16c", PROD, hand=True),
    K("f32-f16-convert", "convert", "neon", PROD),
    K("f32-f16-convert", "convert", "scalar", PROD, hand=True),
    K("f32-f16-convert", "convert", "sse2", PROD, hand=True),
    K("f32-f16-convert", "convert", "wasmsimd", PROD, hand=True),
    # f32-gemm
    K("f32-gemm", "1x16", "avx2-fma", PROD),
    K("f32-gemm", "1x16", "avx512f", CAND),
    K("f32-gemm", "1x16", "neonfma", PROD),
    K("f32-gemm", "1x32", "avx512f", PROD),
    K("f32-gemm", "1x4", "scalar", PROD),
    K("f32-gemm", "1x8", "sse2", PROD),
    K("f32-gemm", "1x8", "wasmsimd", PROD),
    K("f32-gemm", "4x16", "avx2-fma", CAND),
    K("f32-gemm", "4x16", "neonfma", PROD),
    K("f32-gemm", "4x24", "avx2-fma", CAND),
    K("f32-gemm", "4x4", "scalar", PROD),
    K("f32-gemm", "4x8", "sse2", PROD),
    K("f32-gemm", "4x8", "wasmsimd", PROD),
    K("f32-gemm", "5x16", "avx2-fma", CAND),
    K("f32-gemm", "5x8", "wasmsimd", CAND),
    K("f32-gemm", "6x16", "avx2-fma", PROD),
    K("f32-gemm", "6x8", "neonfma", CAND),
    K("f32-gemm", "7x16", "avx512f", CAND),
    K("f32-gemm", "7x32", "avx512f", CAND),
    K("f32-gemm", "8x32", "avx512f", PROD),
    # f32-igemm
    K("f32-igemm", "1x16", "avx2-fma", PROD),
    K("f32-igemm", "1x16", "avx512f", CAND),
    K("f32-igemm", "1x16", "neonfma", PROD),
    K("f32-igemm", "1x32", "avx512f", PROD),
    K("f32-igemm", "1x4", "scalar", PROD),
    K("f32-igemm", "1x8", "sse2", PROD),
    K("f32-igemm", "1x8", "wasmsimd", PROD),
    K("f32-igemm", "4x16", "avx2-fma", CAND),
    K("f32-igemm", "4x16", "neonfma", PROD),
    K("f32-igemm", "4x24", "avx2-fma", CAND),
    K("f32-igemm", "4x4", "scalar", PROD),
    K("f32-igemm", "4x8", "sse2", PROD),
    K("f32-igemm", "4x8", "wasmsimd", PROD),
    K("f32-igemm", "5x16", "avx2-fma", CAND),
    K("f32-igemm", "5x8", "wasmsimd", CAND),
    K("f32-igemm", "6x16", "avx2-fma", PROD),
    K("f32-igemm", "6x8", "neonfma", CAND),
    K("f32-igemm", "7x16", "avx512f", CAND),
    K("f32-igemm", "7x32", "avx512f", CAND),
    K("f32-igemm", "8x32", "avx512f", PROD),
    # f32-qd8-convert
    K("f32-qd8-convert", "quantize", "avx2", PROD, hand=True),
    K("f32-qd8-convert", "quantize", "avx512skx", PROD, hand=True),
    K("f32-qd8-convert", "quantize", "neon", PROD, hand=True),
    K("f32-qd8-convert", "quantize", "scalar", PROD, hand=True),
    K("f32-qd8-convert", "quantize", "sse2", PROD, hand=True),
    K("f32-qd8-convert", "quantize", "wasmsimd", PROD, hand=True),
    # qd8-f16-qc8w-gemm
    K("qd8-f16-qc8w-gemm", "1x16c4", "avx2", CAND, offset=128),
    K("qd8-f16-qc8w-gemm", "1x16c4", "avx512vnni", CAND, offset=128),
    K("qd8-f16-qc8w-gemm", "1x16c4", "avxvnni", PROD, offset=128),
    K("qd8-f16-qc8w-gemm", "1x16c4", "neondot", PROD, offset=0),
    K("qd8-f16-qc8w-gemm", "1x16c8", "avx512skx", PROD, offset=0),
    K("qd8-f16-qc8w-gemm", "1x4", "scalar", PROD, offset=0),
    K("qd8-f16-qc8w-gemm", "1x4c8", "wasmsimd", PROD, offset=0),
    K("qd8-f16-qc8w-gemm", "1x64c4", "avx512vnni", PROD, offset=128),
    K("qd8-f16-qc8w-gemm", "1x8c16", "neon", PROD, offset=0),
    K("qd8-f16-qc8w-gemm", "1x8c8", "avx2", PROD, offset=0),
    K("qd8-f16-qc8w-gemm", "2x4", "scalar", CAND, offset=0),
    K("qd8-f16-qc8w-gemm", "2x4c8", "wasmsimd", CAND, offset=0),
    K("qd8-f16-qc8w-gemm", "2x8c16", "neon", PROD, offset=0),
    K("qd8-f16-qc8w-gemm", "2x8c8", "avx2", PROD, offset=0),
    K("qd8-f16-qc8w-gemm", "3x4c8", "wasmsimd", PROD, offset=0),
    K("qd8-f16-qc8w-gemm", "3x8c8", "avx2", CAND, offset=0),
    K("qd8-f16-qc8w-gemm", "4x16c4", "avx2", CAND, offset=128),
    K("qd8-f16-qc8w-gemm", "4x16c4", "avxvnni", PROD, offset=128),
    K("qd8-f16-qc8w-gemm", "4x16c4", "neondot", PROD, offset=0),
    K("qd8-f16-qc8w-gemm", "4x16c8", "avx512skx", PROD, offset=0),
    K("qd8-f16-qc8w-gemm", "4x4", "scalar", PROD, offset=0),
    K("qd8-f16-qc8w-gemm", "4x4c8", "wasmsimd", CAND, offset=0),
    K("qd8-f16-qc8w-gemm", "4x64c4", "avx512vnni", PROD, offset=128),
    K("qd8-f16-qc8w-gemm", "5x16c4", "avxvnni", CAND, offset=128),
    K("qd8-f16-qc8w-gemm", "6x64c4", "avx512vnni", CAND, offset=128),
    K("qd8-f16-qc8w-gemm", "7x16c4", "avx512vnni", CAND, offset=128),
    # qd8-f16-qc8w-igemm
    K("qd8-f16-qc8w-igemm", "1x16c4", "avx2", CAND, offset=128),
    K("qd8-f16-qc8w-igemm", "1x16c4", "avx512vnni", PROD, offset=128),
    K("qd8-f16-qc8w-igemm", "1x16c4", "avxvnni", PROD, offset=128),
    K("qd8-f16-qc8w-igemm", "1x16c4", "neondot", PROD, offset=0),
    K("qd8-f16-qc8w-igemm", "1x16c8", "avx512skx", PROD, offset=0),
    K("qd8-f16-qc8w-igemm", "1x4", "scalar", PROD, offset=0),
    K("qd8-f16-qc8w-igemm", "1x4c8", "wasmsimd", PROD, offset=0),
    K("qd8-f16-qc8w-igemm", "1x64c4", "avx512vnni", PROD, offset=128),
    K("qd8-f16-qc8w-igemm", "1x8c16", "neon", PROD, offset=0),
    K("qd8-f16-qc8w-igemm", "1x8c8", "avx2", PROD, offset=0),
    K("qd8-f16-qc8w-igemm", "2x4", "scalar", CAND, offset=0),
    K("qd8-f16-qc8w-igemm", "2x4c8", "wasmsimd", CAND, offset=0),
    K("qd8-f16-qc8w-igemm", "2x8c16", "neon", PROD, offset=0),
    K("qd8-f16-qc8w-igemm", "2x8c8", "avx2", PROD, offset=0),
    K("qd8-f16-qc8w-igemm", "3x4c8", "wasmsimd", PROD, offset=0),
    K("qd8-f16-qc8w-igemm", "3x8c8", "avx2", CAND, offset=0),
    K("qd8-f16-qc8w-igemm", "4x16c4", "avx2", CAND, offset=128),
    K("qd8-f16-qc8w-igemm", "4x16c4", "avxvnni", PROD, offset=128),
    K("qd8-f16-qc8w-igemm", "4x16c4", "neondot", PROD, offset=0),
    K("qd8-f16-qc8w-igemm", "4x16c8", "avx512skx", PROD, offset=0),
    K("qd8-f16-qc8w-igemm", "4x4", "scalar", PROD, offset=0),
    K("qd8-f16-qc8w-igemm", "4x4c8", "wasmsimd", CAND, offset=0),
    K("qd8-f16-qc8w-igemm", "4x64c4", "avx512vnni", PROD, offset=128),
    K("qd8-f16-qc8w-igemm", "5x16c4", "avxvnni", CAND, offset=128),
    K("qd8-f16-qc8w-igemm", "6x64c4", "avx512vnni", CAND, offset=128),
    K("qd8-f16-qc8w-igemm", "7x16c4", "avx512vnni", PROD, offset=128),
    # qd8-f32-qc8w-gemm
    K("qd8-f32-qc8w-gemm", "1x16c4", "avx2", CAND, offset=128),
    K("qd8-f32-qc8w-gemm", "1x16c4", "avx512vnni", CAND, offset=128),
    K("qd8-f32-qc8w-gemm", "1x16c4", "avxvnni", PROD, offset=128),
    K("qd8-f32-qc8w-gemm", "1x16c4", "neondot", PROD, offset=0),
    K("qd8-f32-qc8w-gemm", "1x16c8", "avx512skx", PROD, offset=0),
    K("qd8-f32-qc8w-gemm", "1x4", "scalar", PROD, offset=0),
    K("qd8-f32-qc8w-gemm", "1x4c8", "sse2", PROD, offset=0),
    K("qd8-f32-qc8w-gemm", "1x4c8", "wasmsimd", PROD, offset=0),
    K("qd8-f32-qc8w-gemm", "1x64c4", "avx512vnni", PROD, offset=128),
    K("qd8-f32-qc8w-gemm", "1x8c16", "neon", PROD, offset=0),
    K("qd8-f32-qc8w-gemm", "1x8c8", "avx2", PROD, offset=0),
    K("qd8-f32-qc8w-gemm", "2x4", "scalar", CAND, offset=0),
    K("qd8-f32-qc8w-gemm", "2x4c8", "wasmsimd", CAND, offset=0),
    K("qd8-f32-qc8w-gemm", "2x8c16", "neon", PROD, offset=0),
    K("qd8-f32-qc8w-gemm", "2x8c8", "avx2", PROD, offset=0),
    K("qd8-f32-qc8w-gemm", "3x4c8", "sse2", PROD, offset=0),
    K("qd8-f32-qc8w-gemm", "3x4c8", "wasmsimd", PROD, offset=0),
    K("qd8-f32-qc8w-gemm", "3x8c8", "avx2", CAND, offset=0),
    K("qd8-f32-qc8w-gemm", "4x16c4", "avx2", CAND, offset=128),
    K("qd8-f32-qc8w-gemm", "4x16c4", "avxvnni", PROD, offset=128),
    K("qd8-f32-qc8w-gemm", "4x16c4", "neondot", PROD, offset=0),
    K("qd8-f32-qc8w-gemm", "4x16c8", "avx512skx", PROD, offset=0),
    K("qd8-f32-qc8w-gemm", "4x4", "scalar", PROD, offset=0),
    K("qd8-f32-qc8w-gemm", "4x4c8", "wasmsimd", CAND, offset=0),
    K("qd8-f32-qc8w-gemm", "4x64c4", "avx512vnni", PROD, offset=128),
    K("qd8-f32-qc8w-gemm", "5x16c4", "avxvnni", CAND, offset=128),
    K("qd8-f32-qc8w-gemm", "6x64c4", "avx512vnni", CAND, offset=128),
    K("qd8-f32-qc8w-gemm", "7x16c4", "avx512vnni", CAND, offset=128),
    # qd8-f16-qb4w-gemm
    K("qd8-f16-qb4w-gemm", "1x8c8", "avx2", PROD, offset=128),
    K("qd8-f16-qb4w-gemm", "1x32c8", "avx512vnni", PROD, offset=128),
    K("qd8-f16-qb4w-gemm", "1x4c8", "scalar", PROD, offset=0),
    K("qd8-f16-qb4w-gemm", "3x8c8", "avx2", PROD, offset=128),
    K("qd8-f16-qb4w-gemm", "4x32c8", "avx512vnni", PROD, offset=128),
    K("qd8-f16-qb4w-gemm", "4x4c8", "scalar", PROD, offset=0),
    # qd8-f32-qb4w-gemm
    K("qd8-f32-qb4w-gemm", "1x8c8", "avx2", PROD, offset=128),
    K("qd8-f32-qb4w-gemm", "1x32c8", "avx512vnni", PROD, offset=128),
    K("qd8-f32-qb4w-gemm", "1x4c8", "scalar", PROD, offset=0),
    K("qd8-f32-qb4w-gemm", "3x8c8", "avx2", PROD, offset=128),
    K("qd8-f32-qb4w-gemm", "4x32c8", "avx512vnni", PROD, offset=128),
    K("qd8-f32-qb4w-gemm", "4x4c8", "scalar", PROD, offset=0),
    # qd8-f32-qc8w-igemm
    K("qd8-f32-qc8w-igemm", "1x16c4", "avx2", CAND, offset=128),
    K("qd8-f32-qc8w-igemm", "1x16c4", "avx512vnni", PROD, offset=128),
    K("qd8-f32-qc8w-igemm", "1x16c4", "avxvnni", PROD, offset=128),
    K("qd8-f32-qc8w-igemm", "1x16c4", "neondot", PROD, offset=0),
    K("qd8-f32-qc8w-igemm", "1x16c8", "avx512skx", PROD, offset=0),
    K("qd8-f32-qc8w-igemm", "1x4", "scalar", PROD, offset=0),
    K("qd8-f32-qc8w-igemm", "1x4c8", "sse2", PROD, offset=0),
    K("qd8-f32-qc8w-igemm", "1x4c8", "wasmsimd", PROD, offset=0),
    K("qd8-f32-qc8w-igemm", "1x64c4", "avx512vnni", PROD, offset=128),
    K("qd8-f32-qc8w-igemm", "1x8c16", "neon", PROD, offset=0),
    K("qd8-f32-qc8w-igemm", "1x8c8", "avx2", PROD, offset=0),
    K("qd8-f32-qc8w-igemm", "2x4", "scalar", CAND, offset=0),
    K("qd8-f32-qc8w-igemm", "2x4c8", "wasmsimd", CAND, offset=0),
    K("qd8-f32-qc8w-igemm", "2x8c16", "neon", PROD, offset=0),
    K("qd8-f32-qc8w-igemm", "2x8c8", "avx2", PROD, offset=0),
    K("qd8-f32-qc8w-igemm", "3x4c8", "sse2", PROD, offset=0),
    K("qd8-f32-qc8w-igemm", "3x4c8", "wasmsimd", PROD, offset=0),
    K("qd8-f32-qc8w-igemm", "3x8c8", "avx2", CAND, offset=0),
    K("qd8-f32-qc8w-igemm", "4x16c4", "avx2", CAND, offset=128),
    K("qd8-f32-qc8w-igemm", "4x16c4", "avxvnni", PROD, offset=128),
    K("qd8-f32-qc8w-igemm", "4x16c4", "neondot", PROD, offset=0),
    K("qd8-f32-qc8w-igemm", "4x16c8", "avx512skx", PROD, offset=0),
    K("qd8-f32-qc8w-igemm", "4x4", "scalar", PROD, offset=0),
    K("qd8-f32-qc8w-igemm", "4x4c8", "wasmsimd", CAND, offset=0),
    K("qd8-f32-qc8w-igemm", "4x64c4", "avx512vnni", PROD, offset=128),
    K("qd8-f32-qc8w-igemm", "5x16c4", "avxvnni", CAND, offset=128),
    K("qd8-f32-qc8w-igemm", "6x64c4", "avx512vnni", CAND, offset=128),
    K("qd8-f32-qc8w-igemm", "7x16c4", "avx512vnni", PROD, offset=128),
    # qd8-f32-qc8w-dwconv
    K("qd8-f32-qc8w-dwconv", "25p16c", "avx2", PROD),
    K("qd8-f32-qc8w-dwconv", "25p1c", "scalar", PROD),
    K("qd8-f32-qc8w-dwconv", "25p32c", "avx512skx", PROD),
    K("qd8-f32-qc8w-dwconv", "25p8c", "sse2", PROD),
    K("qd8-f32-qc8w-dwconv", "9p16c", "avx2", PROD),
    K("qd8-f32-qc8w-dwconv", "9p1c", "scalar", PROD),
    K("qd8-f32-qc8w-dwconv", "9p32c", "avx512skx", PROD),
    K("qd8-f32-qc8w-dwconv", "9p8c", "sse2", PROD),
    K("qd8-f32-qc8w-dwconv", "anyp16c", "avx2", PROD),
    K("qd8-f32-qc8w-dwconv", "anyp1c", "scalar", PROD),
    K("qd8-f32-qc8w-dwconv", "anyp32c", "avx512skx", PROD),
    K("qd8-f32-qc8w-dwconv", "anyp8c", "sse2", PROD),
    # qs8-dwconv
    K("qs8-dwconv", "25p16c", "avx2", PROD),
    K("qs8-dwconv", "25p16c", "neon", PROD),
    K("qs8-dwconv", "25p1c", "scalar", PROD),
    K("qs8-dwconv", "25p32c", "avx512skx", PROD),
    K("qs8-dwconv", "25p8c", "sse2", PROD),
    K("qs8-dwconv", "25p8c", "wasmsimd", PROD),
    K("qs8-dwconv", "9p16c", "avx2", PROD),
    K("qs8-dwconv", "9p16c", "neon", PROD),
    K("qs8-dwconv", "9p1c", "scalar", PROD),
    K("qs8-dwconv", "9p32c", "avx512skx", PROD),
    K("qs8-dwconv", "9p8c", "sse2", PROD),
    K("qs8-dwconv", "9p8c", "wasmsimd", PROD),
    K("qs8-dwconv", "anyp16c", "avx2", PROD),
    K("qs8-dwconv", "anyp16c", "neon", PROD),
    K("qs8-dwconv", "anyp1c", "scalar", PROD),
    K("qs8-dwconv", "anyp32c", "avx512skx", PROD),
    K("qs8-dwconv", "anyp8c", "sse2", PROD),
    K("qs8-dwconv", "anyp8c", "wasmsimd", PROD),
    # qs8-qc8w-gemm
    K("qs8-qc8w-gemm", "1x16c4", "avx2", CAND, offset=128),
    K("qs8-qc8w-gemm", "1x16c4", "avx512vnni", CAND, offset=128),
    K("qs8-qc8w-gemm", "1x16c4", "avxvnni", PROD, offset=128),
    K("qs8-qc8w-gemm", "1x16c4", "neondot", PROD, offset=0),
    K("qs8-qc8w-gemm", "1x16c8", "avx512skx", PROD, offset=0),
    K("qs8-qc8w-gemm", "1x4", "scalar", PROD, offset=0),
    K("qs8-qc8w-gemm", "1x4c8", "sse2", PROD, offset=0),
    K("qs8-qc8w-gemm", "1x4c8", "wasmsimd", PROD, offset=0),
    K("qs8-qc8w-gemm", "1x64c4", "avx512vnni", PROD, offset=128),
    K("qs8-qc8w-gemm", "1x8c16", "neon", PROD, offset=0),
    K("qs8-qc8w-gemm", "1x8c8", "avx2", PROD, offset=0),
    K("qs8-qc8w-gemm", "2x4", "scalar", CAND, offset=0),
    K("qs8-qc8w-gemm", "2x4c8", "wasmsimd", CAND, offset=0),
    K("qs8-qc8w-gemm", "2x8c16", "neon", PROD, offset=0),
    K("qs8-qc8w-gemm", "2x8c8", "avx2", PROD, offset=0),
    K("qs8-qc8w-gemm", "3x4c8", "sse2", PROD, offset=0),
    K("qs8-qc8w-gemm", "3x4c8", "wasmsimd", PROD, offset=0),
    K("qs8-qc8w-gemm", "3x8c8", "avx2", CAND, offset=0),
    K("qs8-qc8w-gemm", "4x16c4", "avx2", CAND, offset=128),
    K("qs8-qc8w-gemm", "4x16c4", "avxvnni", PROD, offset=128),
    K("qs8-qc8w-gemm", "4x16c4", "neondot", PROD, offset=0),
    K("qs8-qc8w-gemm", "4x16c8", "avx512skx", PROD, offset=0),
    K("qs8-qc8w-gemm", "4x4", "scalar", PROD, offset=0),
    K("qs8-qc8w-gemm", "4x4c8", "wasmsimd", CAND, offset=0),
    K("qs8-qc8w-gemm", "4x64c4", "avx512vnni", PROD, offset=128),
    K("qs8-qc8w-gemm", "5x16c4", "avxvnni", CAND, offset=128),
    K("qs8-qc8w-gemm", "6x64c4", "avx512vnni", CAND, offset=128),
    K("qs8-qc8w-gemm", "7x16c4", "avx512vnni", CAND, offset=128),
    # qs8-qc8w-igemm
    K("qs8-qc8w-igemm", "1x16c4", "avx2", CAND, offset=128),
    K("qs8-qc8w-igemm", "1x16c4", "avx512vnni", PROD, offset=128),
    K("qs8-qc8w-igemm", "1x16c4", "avxvnni", PROD, offset=128),
    K("qs8-qc8w-igemm", "1x16c4", "neondot", PROD, offset=0),
    K("qs8-qc8w-igemm", "1x16c8", "avx512skx", PROD, offset=0),
    K("qs8-qc8w-igemm", "1x4", "scalar", PROD, offset=0),
    K("qs8-qc8w-igemm", "1x4c8", "sse2", PROD, offset=0),
    K("qs8-qc8w-igemm", "1x4c8", "wasmsimd", PROD, offset=0),
    K("qs8-qc8w-igemm", "1x64c4", "avx512vnni", PROD, offset=128),
    K("qs8-qc8w-igemm", "1x8c16", "neon", PROD, offset=0),
    K("qs8-qc8w-igemm", "1x8c8", "avx2", PROD, offset=0),
    K("qs8-qc8w-igemm", "2x4", "scalar", CAND, offset=0),
    K("qs8-qc8w-igemm", "2x4c8", "wasmsimd", CAND, offset=0),
    K("qs8-qc8w-igemm", "2x8c16", "neon", PROD, offset=0),
    K("qs8-qc8w-igemm", "2x8c8", "avx2", PROD, offset=0),
    K("qs8-qc8w-igemm", "3x4c8", "sse2", PROD, offset=0),
    K("qs8-qc8w-igemm", "3x4c8", "wasmsimd", PROD, offset=0),
    K("qs8-qc8w-igemm", "3x8c8", "avx2", CAND, offset=0),
    K("qs8-qc8w-igemm", "4x16c4", "avx2", CAND, offset=128),
    K("qs8-qc8w-igemm", "4x16c4", "avxvnni", PROD, offset=128),
    K("qs8-qc8w-igemm", "4x16c4", "neondot", PROD, offset=0),
    K("qs8-qc8w-igemm", "4x16c8", "avx512skx", PROD, offset=0),
    K("qs8-qc8w-igemm", "4x4", "scalar", PROD, offset=0),
    K("qs8-qc8w-igemm", "4x4c8", "wasmsimd", CAND, offset=0),
    K("qs8-qc8w-igemm", "4x64c4", "avx512vnni", PROD, offset=128),
    K("qs8-qc8w-igemm", "5x16c4", "avxvnni", CAND, offset=128),
    K("qs8-qc8w-igemm", "6x64c4", "avx512vnni", CAND, offset=128),
    K("qs8-qc8w-igemm", "7x16c4", "avx512vnni", PROD, offset=128),
]


def by_family():
    """family -> its kernels, in manifest order."""
    out = collections.OrderedDict((f, []) for f in FAMILIES)
    for k in KERNELS:
        out[k.family].append(k)
    return out
