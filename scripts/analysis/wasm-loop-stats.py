#!/usr/bin/env python3
"""Instruction counts of the WASM SIMD kernels' innermost loops, per multiply-accumulate.

Compiles each kernel with emcc (-O2 -msimd128, as the library), disassembles the object
with llvm-objdump and takes the innermost `loop ... br_if` block of the kernel (the K loop
of GEMM/IGEMM, the tap loop of DWCONV). Reports all WebAssembly instructions and those
that are not local.get / local.set / local.tee (stack-machine bookkeeping that engines
turn into register allocation), each divided by the MACs one iteration performs.
Usage: scripts/analysis/wasm-loop-stats.py   (prints a Markdown table; docs/wasm.md quotes it)
"""
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# (source, MACs per innermost-loop iteration)
KERNELS = [
    ("src/microkernels/f32-gemm/1x8-wasmsimd.c", 8),
    ("src/microkernels/f32-gemm/4x8-wasmsimd.c", 32),
    ("src/microkernels/f32-gemm/5x8-wasmsimd.c", 40),
    ("src/microkernels/f32-igemm/4x8-wasmsimd.c", 32),
    ("src/microkernels/f32-dwconv/anyp8c-wasmsimd.c", 8),
    ("src/microkernels/qs8-qc8w-gemm/1x4c8-wasmsimd.c", 32),
    ("src/microkernels/qs8-qc8w-gemm/3x4c8-wasmsimd.c", 96),
    ("src/microkernels/qs8-qc8w-gemm/4x4c8-wasmsimd.c", 128),
    ("src/microkernels/qd8-f32-qc8w-gemm/3x4c8-wasmsimd.c", 96),
    ("src/microkernels/qs8-dwconv/anyp8c-wasmsimd.c", 8),
    ("src/microkernels/qd8-f32-qc8w-dwconv/anyp8c-wasmsimd.c", 16),  # a tap pair per iteration
    ("src/microkernels/qd8-f32-qc8w-dwconv/9p8c-wasmsimd.c", 72),  # the channel loop: 9 taps x 8
    ("src/microkernels/f16-gemm/4x8-wasmsimd.c", 32),
    ("src/microkernels/f16-dwconv/anyp8c-wasmsimd.c", 8),
    ("src/microkernels/f32-tgemm/4x4-wasmsimd.c", 64),  # 4 channels x 4 pixels x 4 columns
]

BOOKKEEPING = {"local.get", "local.set", "local.tee"}


def innermost_loop(lines):
    """Instruction mnemonics of the innermost loop (the last loop whose body has no loop)."""
    best = None
    stack = []
    for idx, (mn, _) in enumerate(lines):
        if mn in ("loop", "block", "if"):
            stack.append((mn, idx, False))
        elif mn == "end" and stack:
            kind, start, has_inner = stack.pop()
            if kind == "loop":
                if not has_inner:
                    body = [m for m, _ in lines[start + 1:idx]]
                    if best is None or len(body) > len(best):
                        best = body
                for j in range(len(stack)):
                    k, s, _ = stack[j]
                    stack[j] = (k, s, True)
    return best or []


def main():
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for src, macs in KERNELS:
            obj = os.path.join(tmp, "k.o")
            subprocess.run(["emcc", "-O2", "-msimd128", "-std=c11", "-ffp-contract=off",
                            "-I", os.path.join(ROOT, "include"), "-I", os.path.join(ROOT, "src"),
                            "-c", os.path.join(ROOT, src), "-o", obj], check=True)
            dis = subprocess.run(["llvm-objdump", "-d", obj], check=True, capture_output=True,
                                 text=True).stdout
            lines = []
            for line in dis.splitlines():
                m = re.match(r"\s+[0-9a-f]+:(?:\s[0-9a-f]{2})+\s+\t?(\S+)\s*(.*)", line)
                if m:
                    lines.append((m.group(1), m.group(2)))
            body = innermost_loop(lines)
            work = [m for m in body if m not in BOOKKEEPING]
            simd = [m for m in work if m.startswith(("v128", "f32x4", "i32x4", "i16x8", "i8x16",
                                                     "i64x2", "f64x2"))]
            rows.append((src, macs, len(body), len(work), len(simd)))
    print("| kernel | MACs / iteration | instructions | without local.get/set/tee | SIMD | "
          "non-bookkeeping per MAC |")
    print("|---|---:|---:|---:|---:|---:|")
    for src, macs, total, work, simd in rows:
        print(f"| {src.replace('src/microkernels/', '')} | {macs} | {total} | {work} | {simd} | "
              f"{work / macs:.2f} |")


if __name__ == "__main__":
    sys.exit(main())
