#!/usr/bin/env python3
"""Predicted cycles per K-loop iteration of x86 GEMM / IGEMM kernels, from llvm-mca.

Usage: scripts/analysis/mca-inner-loops.py [--mcpu CPU] [--per-cycle N] [--filter REGEX] BUILD_DIR

For each x86 kernel object of BUILD_DIR (as scripts/analysis/check-inner-loops.py finds them,
and whose path matches --filter), the K loop the guard checks is disassembled, turned back
into assembly (the closing branch jumps to a label at the loop's top) and given to
llvm-mca-16 (Debian llvm-16) for --mcpu (default icelake-server; alderlake / sapphirerapids
model AVX-VNNI). Prints, per kernel, the instructions, the dot-product / FMA instructions,
llvm-mca's cycles per iteration and the ideal (dot instructions / --per-cycle, default 2: two
vpdpbusd or FMA pipes) with their ratio. This is how a machine without the ISA (for example
without AVX-VNNI) still estimates how close a kernel's loop comes to the core's peak (issue 13).
Exit status 2 when llvm-mca-16 is missing or no kernel matched.
"""
import argparse
import importlib.util
import os
import re
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.util.spec_from_file_location("guard", os.path.join(HERE, "check-inner-loops.py"))
guard = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(guard)


def loop_assembly(body):
    """AT&T text of one loop body; the closing branch targets the loop's own label."""
    lines = ["loop_top:"]
    for _, op, args in body:
        text = re.sub(r"\s*<[^>]*>", "", args).split("#")[0].strip()
        if guard.X86_BRANCHES.match(op):
            text = "loop_top"
        lines.append(f"  {op} {text}".rstrip())
    return "\n".join(lines) + "\n"


def mca_cycles(asm, mcpu, iterations=200):
    out = subprocess.run(["llvm-mca-16", f"-mcpu={mcpu}", f"-iterations={iterations}"],
                         input=asm, capture_output=True, text=True, check=True).stdout
    total = int(re.search(r"Total Cycles:\s+(\d+)", out).group(1))
    return total / iterations


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("build_dir")
    ap.add_argument("--mcpu", default="icelake-server")
    ap.add_argument("--per-cycle", type=float, default=2.0)
    ap.add_argument("--filter", default="")
    args = ap.parse_args(argv)
    if shutil.which("llvm-mca-16") is None:
        print("mca-inner-loops: llvm-mca-16 not found (Debian llvm-16)", file=sys.stderr)
        return 2
    pattern = re.compile(args.filter)
    rows = 0
    for path in guard.kernel_objects(args.build_dir):
        if not pattern.search(path):
            continue
        dot, _, _ = guard.FAMILIES[guard.family_of(path)]
        insns = guard.normalize(guard.count_loop_insns.instructions(path, objdump="objdump"))
        bodies = guard.hot_loop(list(guard.count_loop_insns.loops(insns, guard.X86_BRANCHES)), dot)
        if not bodies:
            print(f"{path}: no K loop found")
            continue
        body = bodies[0]
        ndot = sum(1 for i in body if dot.match(i[1]))
        cycles = mca_cycles(loop_assembly(body), args.mcpu)
        ideal = ndot / args.per_cycle
        name = os.path.join(os.path.basename(os.path.dirname(path)), os.path.basename(path)[:-4])
        print(f"{name:48s} {len(body):4d} insns {ndot:3d} dot  {cycles:7.2f} cycles/iter "
              f"(ideal {ideal:5.2f}: {100 * ideal / cycles:5.1f}%)  -mcpu={args.mcpu}")
        rows += 1
    return 0 if rows else 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
