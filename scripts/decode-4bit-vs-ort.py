#!/usr/bin/python3
"""pqnn's 4-bit decode bench and ONNX Runtime's MatMulNBits on the same shapes, in one run.

Usage: /usr/bin/python3 scripts/decode-4bit-vs-ort.py BUILD_DIR [--threads 1,2]
       [--iterations N] [--workdir DIR] [--min-time S] [--cpu C]

The FC layers of bench/operators/decode-4bit.cc (2 transformer decoder layers, hidden 4096,
MLP 11008: q, k, v, o 4096x4096, gate and up 4096->11008, down 11008->4096; 202M weights per
layer, batch 1) as one ONNX model of com.microsoft MatMulNBits nodes (bits 4, block 32, the
default zero point, random nibbles and scales), written to --workdir (default
/tmp/pqnn-decode-ort, about 0.26 GB per model). The nodes are chained (q -> k -> v -> o,
gate and up from o, Add, down) so that ONNX Runtime runs every one per token, as pqnn's
bench runs every FC per token. Two models: accuracy_level 0 (ORT's f32 activations) and
accuracy_level 4 (int8 activations, the counterpart of pqnn's qd8). Both are timed through
scripts/ort-reference.sh --iterations (onnxruntime-node), then BUILD_DIR/bench/decode-4bit
runs the qd8 x qb4w block-32 and qd8 x qc8w rows; everything is pinned to one CPU (--cpu,
default 1; 2 threads get --cpu and the next one) and the table prints ms per token and
the ratios. pqnn's 1-thread rows count thread CPU time (its bench's convention) and ORT's
process CPU time is printed beside its wall time: on a loaded machine compare CPU with CPU.
Needs Debian's python3-onnx and numpy, node and the cached onnxruntime-node
(scripts/ort-reference.sh --install).
"""
import argparse
import json
import os
import subprocess
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HIDDEN, MLP, LAYERS, BLOCK = 4096, 11008, 2, 32
HERE = os.path.dirname(os.path.abspath(__file__))


def nbits(name, x, y, k, n, rng, inits, nodes, accuracy_level):
    blocks = (k + BLOCK - 1) // BLOCK
    b = np.frombuffer(rng.bytes(n * blocks * BLOCK // 2), dtype=np.uint8)
    inits.append(numpy_helper.from_array(b.reshape(n, blocks, BLOCK // 2), name + "_b"))
    scales = (0.001 + 0.009 * rng.random(n * blocks)).astype(np.float32)
    inits.append(numpy_helper.from_array(scales, name + "_s"))
    nodes.append(helper.make_node("MatMulNBits", [x, name + "_b", name + "_s"], [y], name=name,
                                  domain="com.microsoft", K=k, N=n, bits=4, block_size=BLOCK,
                                  accuracy_level=accuracy_level))


def write_model(path, accuracy_level):
    rng = np.random.default_rng(15)
    nodes, inits = [], []
    x = "x"
    for layer in range(LAYERS):
        t = "l%d_" % layer
        prev = x
        for proj in ("q", "k", "v", "o"):
            nbits(t + proj, prev, t + proj + "_y", HIDDEN, HIDDEN, rng, inits, nodes, accuracy_level)
            prev = t + proj + "_y"
        nbits(t + "gate", prev, t + "gate_y", HIDDEN, MLP, rng, inits, nodes, accuracy_level)
        nbits(t + "up", prev, t + "up_y", HIDDEN, MLP, rng, inits, nodes, accuracy_level)
        nodes.append(helper.make_node("Add", [t + "gate_y", t + "up_y"], [t + "mlp"], name=t + "add"))
        x = "y" if layer == LAYERS - 1 else t + "out"
        nbits(t + "down", t + "mlp", x, MLP, HIDDEN, rng, inits, nodes, accuracy_level)
    graph = helper.make_graph(
        nodes, "decode_4bit", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, HIDDEN])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, HIDDEN])], initializer=inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17),
                                                    helper.make_opsetid("com.microsoft", 1)])
    model.ir_version = 8
    onnx.save(model, path)


def cpus(first, threads):
    return ",".join(str(first + i) for i in range(threads))


def ort_time(model, workdir, threads, iterations, cpu):
    x = os.path.join(workdir, "x.bin")
    np.random.default_rng(1).standard_normal(HIDDEN).astype("<f4").tofile(x)
    out = subprocess.run(
        ["taskset", "-c", cpus(cpu, threads), os.path.join(HERE, "ort-reference.sh"), model,
         "--input", "x=" + x, "--output-prefix", os.path.join(workdir, "ort-out"),
         "--threads", str(threads), "--iterations", str(iterations)],
        check=True, capture_output=True, text=True).stdout
    for line in out.splitlines():
        if "median_ms" in line:
            return json.loads(line)
    raise RuntimeError("no timing from ort-reference.sh:\n" + out)


def pqnn_time(build, threads, min_time, cpu):
    bench = os.path.join(build, "bench", "decode-4bit")
    rows = "decode/(qc8w|qb4w_b32)_2x4096_11008_b1_t%d/" % threads
    out = subprocess.run(
        ["taskset", "-c", cpus(cpu, threads), bench, "--benchmark_filter=" + rows,
         "--benchmark_min_time=%g" % min_time, "--benchmark_format=json"],
        check=True, capture_output=True, text=True).stdout
    return {b["name"].split("/")[1].split("_2x")[0]: b["ms_per_token"]
            for b in json.loads(out)["benchmarks"]}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("build")
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--iterations", type=int, default=10)
    ap.add_argument("--min-time", type=float, default=0.5)
    ap.add_argument("--workdir", default="/tmp/pqnn-decode-ort")
    ap.add_argument("--cpu", type=int, default=1)
    a = ap.parse_args()
    os.makedirs(a.workdir, exist_ok=True)
    models = {}
    for level in (0, 4):
        models[level] = os.path.join(a.workdir, "decode-4bit-acc%d.onnx" % level)
        if not os.path.exists(models[level]):
            write_model(models[level], level)
    print("| threads | pqnn qc8w | pqnn qb4w b32 | ORT MatMulNBits acc 0 (wall / CPU) "
          "| ORT acc 4 (wall / CPU) | qb4w vs qc8w | qb4w vs ORT acc 0 | qb4w vs ORT acc 4 |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for threads in (int(t) for t in a.threads.split(",")):
        ort = {level: ort_time(models[level], a.workdir, threads, a.iterations, a.cpu)
               for level in (0, 4)}
        pq = pqnn_time(a.build, threads, a.min_time, a.cpu)
        # Like with like: pqnn's 1-thread rows are CPU time, its 2-thread rows wall time.
        key = "cpu_median_ms" if threads == 1 else "median_ms"
        q4 = pq["qb4w_b32"]
        print("| %d | %.2f | %.2f | %.2f / %.2f | %.2f / %.2f | %.2fx | %.2fx | %.2fx |" % (
            threads, pq["qc8w"], q4, ort[0]["median_ms"], ort[0]["cpu_median_ms"],
            ort[4]["median_ms"], ort[4]["cpu_median_ms"], pq["qc8w"] / q4,
            ort[0][key] / q4, ort[4][key] / q4))
    print("ms per token (batch 1, %d layers, %dM weights); ratios > 1: pqnn qb4w faster; "
          "vs ORT: %s" % (LAYERS, LAYERS * (4 * HIDDEN * HIDDEN + 3 * HIDDEN * MLP) // 10**6,
                          "CPU time at 1 thread, wall time at 2"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
