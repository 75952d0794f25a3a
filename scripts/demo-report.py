#!/usr/bin/env python3
"""Summarizes google-benchmark JSON files of pqnn operator benches side by side.

Usage: scripts/demo-report.py [--json OUT] FILE.json [FILE.json ...]

Benchmark names are "<datatype>_<operator>/<shape>/threads:<T>[/real_time]"; rows are
(operator, shape, threads), columns datatypes, with the time and the speedup over f32.
"""
import json
import sys
from collections import OrderedDict

ORDER = ["f32", "f16", "qs8", "qd8"]


def parse(paths):
    rows = OrderedDict()
    for path in paths:
        with open(path) as f:
            data = json.load(f)
        for b in data.get("benchmarks", []):
            if b.get("run_type") == "aggregate" and b.get("aggregate_name") != "median":
                continue
            if "error_occurred" in b and b["error_occurred"]:
                continue
            parts = b["run_name"].split("/") if "run_name" in b else b["name"].split("/")
            if len(parts) < 3:
                continue
            family, shape, threads = parts[0], parts[1], parts[2]
            for op in ("fully_connected", "convolution"):
                marker = "_" + op
                if marker in family:
                    dtype = family.split(marker)[0]
                    break
            else:
                continue
            unit = {"ns": 1e-3, "us": 1.0, "ms": 1e3, "s": 1e6}[b.get("time_unit", "ns")]
            key = (op, shape, threads)
            rows.setdefault(key, {})[dtype] = {
                "us": b["real_time"] * unit,
                "gflops": b.get("GFLOPS"),
            }
    return rows


def main():
    args = sys.argv[1:]
    out_json = None
    if len(args) >= 2 and args[0] == "--json":
        out_json, args = args[1], args[2:]
    rows = parse(args)
    dtypes = [d for d in ORDER if any(d in r for r in rows.values())]
    dtypes += sorted({d for r in rows.values() for d in r} - set(dtypes))
    header = f"{'operator':<16} {'shape':<34} {'thr':>3}"
    for d in dtypes:
        header += f" | {d + ' us':>10} {'x f32':>6}"
    print(header)
    print("-" * len(header))
    results = []
    for (op, shape, threads), by in rows.items():
        line = f"{op:<16} {shape:<34} {threads.split(':')[-1]:>3}"
        base = by.get("f32", {}).get("us")
        entry = {"operator": op, "shape": shape, "threads": int(threads.split(":")[-1])}
        for d in dtypes:
            if d in by:
                t = by[d]["us"]
                speedup = base / t if base else None
                line += f" | {t:>10.1f} {('%.2f' % speedup) if speedup else '':>6}"
                entry[d] = {"latency_us": t, "speedup_vs_f32": speedup, "gflops": by[d]["gflops"]}
            else:
                line += f" | {'':>10} {'':>6}"
        print(line)
        results.append(entry)
    if out_json:
        with open(out_json, "w") as f:
            json.dump(results, f, indent=2)


if __name__ == "__main__":
    main()
