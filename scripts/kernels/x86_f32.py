"""The f32 vector vocabulary of the x86 (and scalar) f32 emitters, f32_gemm.py and
f32_dwconv.py: C expression templates per ISA key ("scalar", "sse2" with a separate
multiply and add, "avx2_fma", "avx512f"). p: a float pointer expression; a, b, c, v, x,
y: vectors."""

PREFIX = {"sse2": "_mm", "avx2_fma": "_mm256", "avx512f": "_mm512"}


def set1(isa, x):
    return x if isa == "scalar" else f"{PREFIX[isa]}_set1_ps({x})"


def load(isa, p):
    return f"*({p})" if isa == "scalar" else f"{PREFIX[isa]}_loadu_ps({p})"


def bcast(isa, p):
    """One float at p in every lane."""
    return {"sse2": f"_mm_load1_ps({p})", "avx2_fma": f"_mm256_broadcast_ss({p})",
            "avx512f": f"_mm512_set1_ps(*{p if p.isidentifier() else f'({p})'})"}[isa]


def store(isa, p, v):
    return f"*({p}) = {v};" if isa == "scalar" else f"{PREFIX[isa]}_storeu_ps({p}, {v});"


def fma(isa, a, b, c):
    """c + a * b (SSE2: rounded twice, mul then add)."""
    if isa == "scalar":
        return f"{c} + {a} * {b}"
    if isa == "sse2":
        return f"_mm_add_ps({c}, _mm_mul_ps({a}, {b}))"
    return f"{PREFIX[isa]}_fmadd_ps({a}, {b}, {c})"


def mul(isa, a, b):
    return f"{a} * {b}" if isa == "scalar" else f"{PREFIX[isa]}_mul_ps({a}, {b})"


def add(isa, a, b):
    return f"{a} + {b}" if isa == "scalar" else f"{PREFIX[isa]}_add_ps({a}, {b})"


def max_(isa, x, y):
    return f"{PREFIX[isa]}_max_ps({x}, {y})"


def min_(isa, x, y):
    return f"{PREFIX[isa]}_min_ps({x}, {y})"


def clamp(isa, v):
    """Statements clamping v to [vmin, vmax]. Bound first: x86 max/min return the second
    operand when either is NaN, so a NaN accumulator stays NaN (pqnn.h: NaN in, NaN out),
    as in the scalar kernels."""
    if isa == "scalar":
        return [f"{v} = {v} < vmin ? vmin : {v};", f"{v} = {v} > vmax ? vmax : {v};"]
    return [f"{v} = {min_(isa, 'vmax', max_(isa, 'vmin', v))};"]
