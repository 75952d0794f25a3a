#!/bin/bash
# Runs one google-benchmark binary of bench/ once, at a minimal time per case (ctest
# bench-smoke-*, label bench-smoke), so that a bench cannot rot unnoticed: fails on a
# non-zero exit (a crash) or on a case that reports an error other than a skipped ISA
# ("ISA not available / enabled": the kernel benches register every tier's kernels).
# It times nothing worth reading: the benches' numbers come from their own runs.
set -uo pipefail
if [ $# -lt 1 ]; then
  echo "usage: $0 BENCH_BINARY [ARGS...]" >&2
  exit 2
fi
out=$("$@" --benchmark_min_time=0.0001 2>&1)
rc=$?
cases=$(printf '%s\n' "$out" | grep -cE '^[A-Za-z0-9_]+/' || true)
errors=$(printf '%s\n' "$out" | grep 'ERROR OCCURRED' | grep -v "ISA not" || true)
if [ $rc -ne 0 ]; then
  printf '%s\n' "$out" | tail -n 30
  echo "bench-smoke: $1 exited with status $rc" >&2
  exit 1
fi
if [ -n "$errors" ]; then
  printf '%s\n' "$errors"
  echo "bench-smoke: $1: cases reported errors" >&2
  exit 1
fi
echo "bench-smoke: $1: $cases cases ran"
