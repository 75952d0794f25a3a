#!/usr/bin/env python3
"""Instruction counts per MAC of the loops in aarch64 kernel objects (docs/arm.md).

Usage: scripts/analysis/count-loop-insns.py OBJECT.o...   (e.g. from build/aarch64/CMakeFiles/
pqnn_objects.dir/src/microkernels/f32-gemm/4x16-neonfma.c.o)
Disassembles each object with aarch64-linux-gnu-objdump and prints every loop (a backward
branch and the instructions from its target to it) that contains FMLA instructions: its
instruction, FMLA, load and FCVT counts and instructions per MAC (FMLA .4s = 4 MACs,
.8h = 8). The innermost loop is the shortest one with the most FMLAs per instruction.
"""
import re
import subprocess
import sys

BRANCHES = re.compile(r"^(b\.\w+|b|cbn?z|tbn?z)$")


def instructions(obj, objdump="aarch64-linux-gnu-objdump"):
    """(address, mnemonic, operands) of every instruction objdump disassembles in obj
    (scripts/analysis/check-inner-loops.py passes the host objdump for x86 objects)."""
    out = subprocess.run([objdump, "-d", "--no-show-raw-insn", obj],
                         capture_output=True, text=True, check=True).stdout
    insns = []
    for line in out.splitlines():
        m = re.match(r"\s+([0-9a-f]+):\s+(\S+)\s*(.*)", line)
        if m:
            insns.append((int(m.group(1), 16), m.group(2), m.group(3)))
    return insns


def loops(insns, branches=BRANCHES):
    """Every backward branch's loop: the instructions from its target to the branch."""
    for addr, op, args in insns:
        m = re.search(r"\b([0-9a-f]+) <", args)
        if branches.match(op) and m and int(m.group(1), 16) < addr:
            start = int(m.group(1), 16)
            yield [i for i in insns if start <= i[0] <= addr]


def main():
    for obj in sys.argv[1:]:
        for body in loops(instructions(obj)):
            fmla = [i for i in body if i[1] == "fmla"]
            if not fmla:
                continue
            macs = sum(8 if ".8h" in i[2] else 4 for i in fmla)
            loads = sum(1 for i in body if i[1].startswith("ld"))
            fcvt = sum(1 for i in body if i[1].startswith("fcvt"))
            print(f"{obj}: {body[0][0]:#x}-{body[-1][0]:#x} {len(body)} insns, {len(fmla)} fmla "
                  f"({macs} MACs), {loads} loads, {fcvt} fcvt: {len(body) / macs:.3f} insns/MAC")


if __name__ == "__main__":
    main()
