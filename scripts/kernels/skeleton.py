"""The parts every GEMM / IGEMM emitter shares, whatever the datatype and ISA: the C
signature (src/microkernels.h), the A / C row pointers with rows >= mr aliased to row
mr - 1, the IGEMM walk over the indirection buffer, the qd8 per-row parameters; and the
DWCONV signature. Each returns C lines (or text)
for the emitter to place; the layout options only reproduce the emitters' committed
output byte for byte."""


def signature(name, kind, extra="", neon_wrap=False):
    """`void name(...)` of a GEMM (kind "gemm") or IGEMM ("igemm") microkernel, without
    the opening brace; extra: more parameters, appended after params."""
    if kind == "igemm":
        head = (f"void {name}(size_t mr, size_t nc, size_t kc, size_t ks, const void** a,\n"
                "    const void* w, void* c, size_t cm_stride, size_t cn_stride, size_t a_offset,\n"
                "    const void* zero, const void* params")
    elif neon_wrap:
        head = (f"void {name}(size_t mr, size_t nc, size_t kc, const void* a,\n"
                "    size_t a_stride, const void* w, void* c, size_t cm_stride, size_t cn_stride,\n"
                "    const void* params")
    else:
        head = (f"void {name}(size_t mr, size_t nc, size_t kc, const void* a, size_t a_stride,\n"
                "    const void* w, void* c, size_t cm_stride, size_t cn_stride, const void* params")
    return head + extra + ")"


def row_pointers(mr, kind, a_type, c_type, c_first=True, a_stride_void_early=False,
                 quantization=False):
    """Declares c0..c{mr-1} (and, for GEMM, a0..; with quantization, the per-row qd8
    parameters q0..) with rows i >= mr aliased to row i - 1; for mr 1 marks the unused
    parameters. c_first: c before a in each row (else a before c)."""
    gemm = kind == "gemm"
    q = gemm and quantization
    o = []
    for i in range(mr):
        if i == 0:
            c = [f"  {c_type}* c0 = ({c_type}*) c;"]
            a = [f"  const {a_type}* a0 = (const {a_type}*) a;"] if gemm else []
            qs = ["  const struct pqnn_quantization_params* q0 = quantization_params;"] if q else []
        else:
            c = [f"  {c_type}* c{i} = ({c_type}*) ((uintptr_t) c{i-1} + cm_stride);"]
            a = ([f"  const {a_type}* a{i} = (const {a_type}*) ((uintptr_t) a{i-1} + a_stride);"]
                 if gemm else [])
            qs = [f"  const struct pqnn_quantization_params* q{i} = q{i-1} + 1;"] if q else []
        o += (c + a if c_first else a + c) + qs
        if i:
            o.append(f"  if (mr <= {i}) {{")
            c = [f"    c{i} = c{i-1};"]
            a = [f"    a{i} = a{i-1};"] if gemm else []
            o += c + a if c_first else a + c
            if q:
                o.append(f"    q{i} = q{i-1};")
            o.append("  }")
    if mr == 1:
        unused = ["mr", "cm_stride"] + (["a_stride"] if gemm else [])
        if gemm and a_stride_void_early:
            unused = ["mr", "a_stride", "cm_stride"]
        o += [f"  (void) {p};" for p in unused]
    return o


def tap_pointers(mr, a_type, ind="      "):
    """One IGEMM tap's row pointers from the indirection buffer (a_offset added unless the
    pointer is `zero`), then a moved to the next tap."""
    o = []
    for i in range(mr):
        o.append(f"{ind}const {a_type}* a{i} = (const {a_type}*) a[{i}];")
        o.append(f"{ind}if (a{i} != (const {a_type}*) zero) {{")
        o.append(f"{ind}  a{i} = (const {a_type}*) ((uintptr_t) a{i} + a_offset);")
        o.append(f"{ind}}}")
    o.append(f"{ind}a += {mr};")
    return o


def taps_open(kind, mr, a_type, counter="p"):
    """(lines, indent of the K loop): nothing for a GEMM; for an IGEMM the loop over the
    taps of the indirection buffer (`counter` bytes left) and the tap's row pointers."""
    if kind == "gemm":
        return [], "    "
    return [f"    size_t {counter} = ks;", "    do {"] + tap_pointers(mr, a_type), "      "


def taps_close(kind, mr, counter="p"):
    """Closes the loop taps_open opened."""
    if kind == "gemm":
        return []
    return [f"      {counter} -= {mr} * sizeof(void*);", f"    }} while ({counter} != 0);"]


def over_taps(kind, mr, a_type, kloop, counter="p"):
    """The K loop of a GEMM, or of an IGEMM run once per tap (taps_open / taps_close);
    kloop(indent) returns the K loop's lines."""
    head, ind = taps_open(kind, mr, a_type, counter)
    return head + kloop(ind) + taps_close(kind, mr, counter)


def qd8_rows(kind, mr):
    """(parameters, register suffix) of each set of qd8 input quantization parameters a
    kernel keeps: one per row for GEMM (q0.., suffixes 0..), one for IGEMM (every row of
    a call shares quantization_params, no suffix)."""
    if kind == "gemm":
        return [(f"q{i}", str(i)) for i in range(mr)]
    return [("quantization_params", "")]


def row_reg(kind, name, i):
    """The register of row i holding a qd8 input parameter (see qd8_rows)."""
    return f"{name}{i}" if kind == "gemm" else name


def dwconv_signature(name, wide=False):
    """`void name(...)` of a DWCONV microkernel, without the opening brace; wide: the
    first line carries kernel_size too."""
    if wide:
        return (f"void {name}(size_t channels, size_t output_width, size_t kernel_size,\n"
                "    const void** input, const void* weights, void* output, size_t input_stride,\n"
                "    size_t output_increment, size_t a_offset, const void* zero, const void* params)")
    return (f"void {name}(size_t channels, size_t output_width,\n"
            "    size_t kernel_size, const void** input, const void* weights, void* output,\n"
            "    size_t input_stride, size_t output_increment, size_t a_offset, const void* zero,\n"
            "    const void* params)")
