"""Helpers shared by the WASM SIMD kernel generators (scripts/kernels/wasmsimd_*.py)."""
import textwrap

from kernels import skeleton


def wrap(text):
    """A C++-style comment paragraph, 88 columns."""
    return textwrap.fill(text, width=88, initial_indent="// ", subsequent_indent="// ",
                         break_on_hyphens=False)


def float_gemm_prologue(L, name, kind, mr, ctype):
    """Signature, f32 clamp bounds and row pointers of a float-output GEMM / IGEMM kernel
    whose A and C elements are `ctype` (rows i >= mr alias row mr - 1)."""
    L(skeleton.signature(name, kind) + " {")
    L("  const struct pqnn_f32_minmax_params* p = (const struct pqnn_f32_minmax_params*) params;")
    L("  const v128_t vmin = wasm_v128_load32_splat(&p->min);")
    L("  const v128_t vmax = wasm_v128_load32_splat(&p->max);")
    L(f"  const {ctype}* wp = (const {ctype}*) w;")
    for line in skeleton.row_pointers(mr, kind, ctype, ctype, c_first=False):
        L(line)


def igemm_tap_pointers(L, mr, ctype, ind="      "):
    """Loads one tap's row pointers from the indirection buffer (a_offset unless `zero`)."""
    for line in skeleton.tap_pointers(mr, ctype, ind):
        L(line)
