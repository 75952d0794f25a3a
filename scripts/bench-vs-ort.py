#!/usr/bin/env python3
"""pqnn next to ONNX Runtime on the same models, inputs and thread counts; run through
scripts/bench-vs-ort.sh, which fetches the models, installs ONNX Runtime, builds pqnn-run
and documents the options.

Per model and thread count, rounds are interleaved: each round runs ORT f32, pqnn f32, f16
forced and qd8 once each (one process each: import, warm-up, then --iterations timed runs, their
median), so load from other processes hits every engine alike; the reported latency is the
median over rounds, and a speedup the median of the rounds' own ratios (ORT's time over
pqnn's in the same round, minutes apart at most: a machine that switches speed between
rounds moves both; the ratio of the medians is kept in the JSON as speedup_of_medians). One thread runs under `taskset -c 1`, two under `taskset -c 0,1` (when
taskset exists and the machine has 2+ CPUs). Accuracy: each pqnn output against ONNX
Runtime's f32 output on the same input (cosine, max abs error / max |reference|).

The f16 column is f16 forced (pqnn-run --dtype f16-force, PQNN_FLAG_FORCE_FP16_INFERENCE):
what the f16 kernels cost on this CPU. The hint PQNN_FLAG_FP16_INFERENCE (--dtype f16) runs
f16 only on a tier with f16 arithmetic and f32 elsewhere (x86: its time is the f32 column);
one probe run says which, printed under the table and stored in the JSON."""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

MODELS = {  # name: (file, input shape)
    "cls": ("ch_ppocr_mobile_v2.0_cls_infer.onnx", "1x3x48x192"),
    "rec": ("ch_PP-OCRv4_rec_infer.onnx", "1x3x48x320"),
    "det": ("ch_PP-OCRv4_det_infer.onnx", "1x3x640x640"),
}
DTYPES = ["f32", "f16", "qd8"]  # result keys; f16 runs forced (RUN_DTYPE)
RUN_DTYPE = {"f32": "f32", "f16": "f16-force", "qd8": "qd8"}


def pin(threads):
    if shutil.which("taskset") is None or (os.cpu_count() or 1) < 2:
        return []
    return ["taskset", "-c", "1" if threads == 1 else ",".join(str(c) for c in range(threads))]


def run(cmd):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if p.returncode != 0:
        sys.exit("bench-vs-ort: failed (%d): %s\n%s%s" % (p.returncode, " ".join(cmd), p.stdout,
                                                           p.stderr))
    return p.stdout


def ort_median(a, model, shape, inp, threads, iterations, prefix):
    out = run(pin(threads) + [a.ort, model, "--input", "x=" + inp, "--shape", "x=" + shape,
                              "--output-prefix", prefix, "--threads", str(threads),
                              "--iterations", str(iterations)])
    for line in out.splitlines():
        if line.startswith("{") and "median_ms" in line:
            return json.loads(line)["median_ms"]
    sys.exit("bench-vs-ort: no timing from ONNX Runtime:\n" + out)


def pqnn_run(a, model, shape, inp, dtype, threads, iterations, warmup, ref, report):
    cmd = pin(threads) + [a.pqnn_run, model, "--shape", shape, "--input", inp, "--dtype", dtype,
                          "--threads", str(threads), "--iterations", str(iterations),
                          "--warmup", str(warmup), "--json", report]
    if ref is not None:
        cmd += ["--compare", ref]
    run(cmd)
    return json.load(open(report))


def hint_probe(a, tmp):
    """What the hint (--dtype f16) runs on this CPU: one run of the first model."""
    file, shape = MODELS[a.models[0]]
    rep = pqnn_run(a, os.path.join(a.model_dir, file), shape,
                   os.path.join(a.input_dir, a.models[0] + ".in0.bin"), "f16", 1, 1, 0, None,
                   os.path.join(tmp, "hint.json"))
    return {"isa": rep.get("isa"), "dtype": rep.get("dtype"),
            "decision": rep.get("plan", {}).get("fp16_decision")}


def iterations_for(ort_ms, budget_ms):
    return max(3, min(200, int(budget_ms / max(ort_ms, 0.01))))


def bench(a, tmp):
    results = []
    for name in a.models:
        file, shape = MODELS[name]
        model = os.path.join(a.model_dir, file)
        inp = os.path.join(a.input_dir, name + ".in0.bin")  # scripts/ocr-inputs.py
        # ORT's f32 output at 1 thread: the accuracy reference (and a first timing to size
        # the iteration counts).
        prefix = os.path.join(tmp, name + ".ort")
        probe = ort_median(a, model, shape, inp, 1, 3, prefix)
        ref = prefix + "0.bin"
        iterations = iterations_for(probe, a.budget_ms)
        for threads in a.threads:
            times = {"ort_f32": []}
            for dt in DTYPES:
                times["pqnn_" + dt] = []
            accuracy = {}
            for r in range(a.rounds):
                times["ort_f32"].append(ort_median(a, model, shape, inp, threads, iterations,
                                                   os.path.join(tmp, "scratch")))
                for dt in DTYPES:
                    rep = pqnn_run(a, model, shape, inp, RUN_DTYPE[dt], threads, iterations, 2,
                                   ref if r == 0 else None, os.path.join(tmp, "run.json"))
                    times["pqnn_" + dt].append(rep["latency_ms"]["median"])
                    if r == 0:
                        acc = rep["outputs"][0].get("accuracy", {})
                        accuracy[dt] = {"cosine": acc.get("cosine"), "max_rel": acc.get("max_rel")}
                print("  %s %d thread%s round %d/%d: %s" % (
                    name, threads, "" if threads == 1 else "s", r + 1, a.rounds,
                    ", ".join("%s %.3f ms" % (k, v[-1]) for k, v in times.items())),
                    file=sys.stderr, flush=True)
            med = {k: statistics.median(v) for k, v in times.items()}
            results.append({"model": name, "input": shape, "threads": threads,
                            "iterations": iterations, "rounds": a.rounds, "median_ms": med,
                            "rounds_ms": times,
                            "speedup_vs_ort": {dt: statistics.median(
                                o / q for o, q in zip(times["ort_f32"], times["pqnn_" + dt]))
                                               for dt in DTYPES},
                            "speedup_of_medians": {dt: med["ort_f32"] / med["pqnn_" + dt]
                                                   for dt in DTYPES},
                            "accuracy_vs_ort_f32": accuracy})
    return results


def table(results):
    lines = ["| model | threads | ORT f32 ms | pqnn f32 ms | pqnn f16 forced ms | pqnn qd8 ms | "
             "f32 vs ORT | f16 forced vs ORT | qd8 vs ORT | f16 forced cosine | qd8 cosine |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        m, s, acc = r["median_ms"], r["speedup_vs_ort"], r["accuracy_vs_ort_f32"]

        def cos(dt):
            c = acc.get(dt, {}).get("cosine")
            return "-" if c is None else "%.6f" % c
        lines.append("| %s %s | %d | %.3f | %.3f | %.3f | %.3f | %.2fx | %.2fx | %.2fx | %s | %s |" % (
            r["model"], r["input"], r["threads"], m["ort_f32"], m["pqnn_f32"], m["pqnn_f16"],
            m["pqnn_qd8"], s["f32"], s["f16"], s["qd8"], cos("f16"), cos("qd8")))
    return "\n".join(lines)


def chart(results, png, tmp):
    """A bar chart of pqnn's speedup over ORT f32 per model and thread count (gnuplot)."""
    if shutil.which("gnuplot") is None:
        print("bench-vs-ort: gnuplot not found (Debian: gnuplot-nox); no chart", file=sys.stderr)
        return False
    data = os.path.join(tmp, "chart.dat")
    with open(data, "w") as f:
        f.write('case f32 "f16 forced" qd8\n')
        for r in results:
            s = r["speedup_vs_ort"]
            f.write('"%s %dT" %.3f %.3f %.3f\n' % (r["model"], r["threads"], s["f32"], s["f16"],
                                                  s["qd8"]))
    script = """
set terminal pngcairo size 900,480 font "DejaVu Sans,11"
set output '%s'
set title "pqnn speedup over ONNX Runtime f32 (same model, input, threads; higher is better)"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set ylabel "ORT f32 latency / pqnn latency"
set yrange [0:*]
set grid ytics
set key top left
set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 2 lc rgb "black"
plot '%s' using 2:xtic(1) title columnheader(2) lc rgb "#4477aa", \\
     '' using 3 title columnheader(3) lc rgb "#66ccee", \\
     '' using 4 title columnheader(4) lc rgb "#ee6677"
""" % (png, data)
    p = subprocess.run(["gnuplot"], input=script, text=True, stderr=subprocess.PIPE)
    if p.returncode != 0:
        # pngcairo missing: the plain png terminal (libgd) instead.
        script = script.replace('pngcairo size 900,480 font "DejaVu Sans,11"', "png size 900,480")
        p = subprocess.run(["gnuplot"], input=script, text=True, stderr=subprocess.PIPE)
    if p.returncode != 0:
        print("bench-vs-ort: gnuplot failed: " + p.stderr, file=sys.stderr)
        return False
    return True


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pqnn-run", required=True)
    ap.add_argument("--ort", required=True, help="scripts/ort-reference.sh")
    ap.add_argument("--model-dir", required=True)
    ap.add_argument("--input-dir", required=True)
    ap.add_argument("--models", default="cls,rec,det")
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--budget-ms", type=float, default=400.0,
                    help="timed milliseconds per process (sets --iterations)")
    ap.add_argument("--json")
    ap.add_argument("--png")
    a = ap.parse_args()
    a.models = [m for m in a.models.split(",") if m]
    for m in a.models:
        if m not in MODELS:
            sys.exit("bench-vs-ort: unknown model %s (cls, rec, det)" % m)
    a.threads = [int(t) for t in a.threads.split(",")]
    if a.rounds < 1 or any(t < 1 for t in a.threads):
        sys.exit("bench-vs-ort: --rounds and --threads must be >= 1")
    tmp = tempfile.mkdtemp(prefix="bench-vs-ort.")
    try:
        results = bench(a, tmp)
        hint = hint_probe(a, tmp)
        print(table(results))
        print("f16 forced: PQNN_FLAG_FORCE_FP16_INFERENCE (pqnn-run --dtype f16-force). The hint "
              "PQNN_FLAG_FP16_INFERENCE (--dtype f16) runs %s on %s (%s)%s." % (
                  hint["dtype"], hint["isa"], hint["decision"],
                  ": its latency is the f32 column" if hint["dtype"] == "f32" else ""))
        cpu = ""
        try:
            for line in open("/proc/cpuinfo"):
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
        except OSError:
            pass
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
        print("CPU: %s, %d CPUs, load average %.1f at the end" % (cpu, os.cpu_count() or 0,
                                                               load or 0.0))
        if a.json:
            with open(a.json, "w") as f:
                json.dump({"cpu": cpu, "cpus": os.cpu_count(), "load_average": load,
                           "f16_column": "forced", "f16_hint": hint, "results": results}, f,
                          indent=2)
            print("wrote " + a.json)
        if a.png and chart(results, os.path.abspath(a.png), tmp):
            print("wrote " + a.png)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
