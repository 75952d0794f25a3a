#!/usr/bin/env bash
# pqnn-run, the installed tool, as a user meets it (ctest pqnn-run-test): its exit status
# and message for a missing file, a bad or missing shape and an unsupported op; and on a
# unit model --profile, --layer-error, --verbose and --json, checked by content.
# usage: pqnn-run-test.sh PQNN_RUN UNIT_MODEL_DIR PYTHON
set -u
run=$1 dir=$2 python=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0

# expect STATUS REGEX ARGS...: pqnn-run exits with STATUS and its output matches REGEX.
expect() {
  local want=$1 regex=$2
  shift 2
  "$run" "$@" >"$tmp/out" 2>&1
  local got=$?
  if [ "$got" != "$want" ] || ! grep -Eq -- "$regex" "$tmp/out"; then
    echo "FAIL: pqnn-run $* -> status $got (want $want), output:"
    sed 's/^/  | /' "$tmp/out"
    echo "  (wanted a line matching: $regex)"
    failures=$((failures + 1))
  else
    echo "ok: pqnn-run $*"
  fi
}

expect 2 "cannot load '$tmp/missing.onnx'" "$tmp/missing.onnx"
expect 2 "no model given"
expect 2 "unknown option" "$dir/conv3x3.onnx" --frobnicate
expect 2 "bad shape '1x3x' for input" "$dir/conv3x3.onnx" --shape 1x3x
expect 2 "bad shape '1x3x8' for input 'x' \\(the model has [0-9x]+;" "$dir/conv3x3.onnx" --shape 1x3x8
expect 2 "no input 'y'|bad shape '1x3x8x8' for input 'y'" "$dir/conv3x3.onnx" --shape y=1x3x8x8
expect 2 "has dynamic dims .*give them with --shape" "$dir/dynamic_conv.onnx"
expect 3 "Sin 'the_sin'" "$dir/unsupported_sin.onnx"
expect 3 "unsupported Sin node" "$dir/unsupported_sin.onnx" --list
expect 2 "--layer-error needs --dtype f16 or qd8" "$dir/conv3x3.onnx" --layer-error
expect 2 "cannot read|cannot open" "$dir/conv3x3.onnx" --input "$tmp/none.bin"

# A working run: profile table, planner report node by node, layer errors, JSON.
model=$dir/mobilenet_v1_like.onnx
expect 0 "by node type" "$model" --profile --iterations 3 --warmup 1
expect 0 "slowest nodes" "$model" --profile --iterations 3 --warmup 1
expect 0 "plan, node by node" "$model" --verbose --iterations 1 --warmup 0
expect 0 "layer error vs f32" "$model" --dtype f16 --layer-error --iterations 1
expect 0 "layer error vs f32" "$model" --dtype qd8 --layer-error --iterations 1 \
  --profile --verbose --json "$tmp/report.json"
if ! "$python" - "$tmp/report.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
assert r["dtype"] == "qd8" and r["threads"] == 1, r
assert r["latency_ms"]["median"] > 0 and r["latency_ms"]["p90"] >= r["latency_ms"]["median"]
p = r["profile"]
assert p["runs"] == 1 and p["ms"] > 0 and p["macs"] > 0, p
convs = [n for n in p["nodes"] if n["type"] == "convolution_2d"]
assert convs and all(n["macs"] > 0 and "(Conv+BatchNormalization+Clip)" in n["onnx"]
                     for n in convs), convs
assert sum(t["nodes"] for t in p["by_type"]) == r["plan"]["nodes"] == len(p["nodes"])
layers = r["layer_error"]
assert len(layers) > 5, layers
for l in layers:
    assert 0.9 < l["cosine"] <= 1.0 + 1e-9 and l["rel_rms"] < 0.5, l
# each conv with its folded BatchNormalization and fused ReLU6 as one row under the conv's
# name, the classifier at the end
convs = [l for l in layers if l["op_type"] == "Conv+BatchNormalization+Clip"]
assert len(convs) >= 10 and all(l["node"].endswith("_conv") for l in convs), layers
assert layers[-1]["tensor"] == "y" and layers[-1]["cosine"] > 0.999, layers[-1]
assert any(n.get("qd8_decision") for n in r["plan"]["node_list"]), r["plan"]
PY
then
  echo "FAIL: the JSON report"
  failures=$((failures + 1))
fi
[ "$failures" = 0 ] && echo "pqnn-run-test: all passed"
exit $((failures != 0))
