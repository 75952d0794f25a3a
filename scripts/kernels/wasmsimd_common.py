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



def float_gemm(L, name, kind, mr, nr, dt):
    """A WASM SIMD MR x NR float GEMM / IGEMM, f32 accumulators (f32x4.mul + f32x4.add),
    K element by element; dt (wasmsimd_f32.F32 or wasmsimd_f16.F16) supplies the storage
    type's loads, widening, clamp and stores."""
    ct, nv = dt.ctype, nr // 4
    float_gemm_prologue(L, name, kind, mr, ct)
    L("  do {")
    dt.init_acc(L)
    for i in range(1, mr):
        for j in range(nv):
            L(f"    v128_t vacc{i}x{j} = vacc0x{j};")
    L(f"    wp += {nr};")
    head, ind = skeleton.taps_open(kind, mr, ct, counter="p_left")
    for line in head:
        L(line)
    L(f"{ind}size_t k = kc;")
    L(f"{ind}do {{")
    dt.load_b(L, ind)
    for i in range(mr):
        L(f"{ind}  const v128_t va{i} = {dt.load_a(i)};")
        L(f"{ind}  a{i} += 1;")
        for j in range(nv):
            L(f"{ind}  vacc{i}x{j} = wasm_f32x4_add(vacc{i}x{j}, wasm_f32x4_mul(va{i}, vb{j}));")
    L(f"{ind}  k -= sizeof({ct});")
    L(f"{ind}}} while (k != 0);")
    for line in skeleton.taps_close(kind, mr, counter="p_left"):
        L(line)
    dt.finish(L, mr)
    rows = list(reversed(range(mr)))
    L(f"    if (PQNN_LIKELY(nc >= {nr})) {{")
    for i in rows:
        dt.store_full(L, i)
        L(f"      c{i} = ({ct}*) ((uintptr_t) c{i} + cn_stride);")
    if kind == "gemm":
        for i in range(mr):
            L(f"      a{i} = (const {ct}*) ((uintptr_t) a{i} - kc);")
    else:
        L("      a = (const void**) ((uintptr_t) a - ks);")
    L(f"      nc -= {nr};")
    L("    } else {")
    dt.tail(L, rows)
    L("      nc = 0;")
    L("    }")
    L("  } while (nc != 0);")
    L("}")
