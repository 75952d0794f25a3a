"""Helpers shared by the WASM SIMD kernel generators (scripts/kernels/wasmsimd_*.py)."""
import os
import textwrap

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def wrap(text):
    """A C++-style comment paragraph, 88 columns."""
    return textwrap.fill(text, width=88, initial_indent="// ", subsequent_indent="// ",
                         break_on_hyphens=False)


def write(path, text):
    """Writes a generated file, path relative to the repository root."""
    full = os.path.join(ROOT, path)
    os.makedirs(os.path.dirname(full), exist_ok=True)
    with open(full, "w") as f:
        f.write(text)


def float_gemm_prologue(L, name, kind, mr, ctype):
    """Signature, f32 clamp bounds and row pointers of a float-output GEMM / IGEMM kernel
    whose A and C elements are `ctype` (rows i >= mr alias row mr - 1)."""
    if kind == "gemm":
        L(f"void {name}(size_t mr, size_t nc, size_t kc, const void* a, size_t a_stride,")
        L("    const void* w, void* c, size_t cm_stride, size_t cn_stride, const void* params) {")
    else:
        L(f"void {name}(size_t mr, size_t nc, size_t kc, size_t ks, const void** a,")
        L("    const void* w, void* c, size_t cm_stride, size_t cn_stride, size_t a_offset,")
        L("    const void* zero, const void* params) {")
    L("  const struct pqnn_f32_minmax_params* p = (const struct pqnn_f32_minmax_params*) params;")
    L("  const v128_t vmin = wasm_v128_load32_splat(&p->min);")
    L("  const v128_t vmax = wasm_v128_load32_splat(&p->max);")
    L(f"  const {ctype}* wp = (const {ctype}*) w;")
    for i in range(mr):
        if i == 0:
            if kind == "gemm":
                L(f"  const {ctype}* a0 = (const {ctype}*) a;")
            L(f"  {ctype}* c0 = ({ctype}*) c;")
            continue
        if kind == "gemm":
            L(f"  const {ctype}* a{i} = (const {ctype}*) ((uintptr_t) a{i-1} + a_stride);")
        L(f"  {ctype}* c{i} = ({ctype}*) ((uintptr_t) c{i-1} + cm_stride);")
        L(f"  if (mr <= {i}) {{")
        if kind == "gemm":
            L(f"    a{i} = a{i-1};")
        L(f"    c{i} = c{i-1};")
        L("  }")
    if mr == 1:
        L("  (void) mr;")
        L("  (void) cm_stride;")
        if kind == "gemm":
            L("  (void) a_stride;")


def igemm_tap_pointers(L, mr, ctype, ind="      "):
    """Loads one tap's row pointers from the indirection buffer (a_offset unless `zero`)."""
    for i in range(mr):
        L(f"{ind}const {ctype}* a{i} = (const {ctype}*) a[{i}];")
        L(f"{ind}if (a{i} != (const {ctype}*) zero) {{")
        L(f"{ind}  a{i} = (const {ctype}*) ((uintptr_t) a{i} + a_offset);")
        L(f"{ind}}}")
    L(f"{ind}a += {mr};")
