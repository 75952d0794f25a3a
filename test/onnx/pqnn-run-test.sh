#!/usr/bin/env bash
# pqnn-run, the installed tool, as a user meets it (ctest pqnn-run-test): its exit status
# and message for a missing file, a bad or missing shape and an unsupported op; float32 and
# int64 input files, a float32 reference file (read back exactly; the wrong size); and on a
# unit model --profile, --layer-error, --verbose, --json and --dtype f16 (the hint: f32 on a
# tier without f16 arithmetic) / f16-force, checked by content.
# With PaddleOCR's det (PADDLEOCR_DIR, from the onnx-paddleocr fixture), its --profile JSON:
# each chain the runtime runs in row bands is one row under "banded chain" with its members'
# MACs, the members' own rows empty.
# usage: pqnn-run-test.sh PQNN_RUN UNIT_MODEL_DIR PYTHON [PADDLEOCR_DIR]
set -u
run=$1 dir=$2 python=$3 ocr=${4:-}
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
expect 3 "Acos 'the_acos'" "$dir/unsupported_acos.onnx"
expect 3 "unsupported Acos node" "$dir/unsupported_acos.onnx" --list
expect 2 "--layer-error needs --dtype f16, f16-force or qd8" "$dir/conv3x3.onnx" --layer-error
expect 2 "--dtype must be f32, f16, f16-force or qd8, not: f8" "$dir/conv3x3.onnx" --dtype f8
expect 2 "cannot read|cannot open" "$dir/conv3x3.onnx" --input "$tmp/none.bin"

# Float32 files: an input file, the output it gives written and read back as the reference
# (max abs 0), an input and a reference of the wrong size.
conv=$dir/conv3x3.onnx
"$python" -c "import struct, sys; sys.stdout.buffer.write(struct.pack('<216f', \
  *[(k * 37 % 101) / 50.0 - 1.0 for k in range(216)]))" >"$tmp/x.bin"
expect 0 "input  x: 1x3x9x8 <- $tmp/x.bin" "$conv" --input "x=$tmp/x.bin" \
  --output "y=$tmp/y.bin" --iterations 1 --warmup 0
expect 0 "max abs 0," "$conv" --input "x=$tmp/x.bin" --compare "y=$tmp/y.bin" \
  --iterations 1 --warmup 0
head -c 860 "$tmp/x.bin" >"$tmp/short_x.bin"
expect 2 "must hold exactly 216 float32 values \(864 bytes\)" "$conv" --input "x=$tmp/short_x.bin"
expect 2 "'$tmp/x.bin' must hold exactly 288 float32 values \(1152 bytes\)" "$conv" \
  --input "x=$tmp/x.bin" --compare "y=$tmp/x.bin" --iterations 1 --warmup 0

# Token ids (int64 input): random ids below the table's rows, a raw int64 file against
# ONNX Runtime's output when the fixture wrote it, a file of the wrong size, an id out of
# the table (the run fails).
ids=$dir/gather_embedding_ids_1x7
expect 0 "input  ids: 1x7 <- random" "$ids.onnx" --iterations 2 --warmup 1
expect 0 "layer error vs f32" "$dir/tiny_transformer_int64_ids.onnx" --dtype qd8 --layer-error \
  --iterations 1 --warmup 0
if [ -f "$ids.out0.ort.bin" ]; then
  expect 0 "max abs 0," "$ids.onnx" --input "ids=$ids.in0.bin" --compare "$ids.out0.ort.bin" \
    --iterations 1 --warmup 0
fi
head -c 48 "$ids.in0.bin" >"$tmp/short_ids.bin"
expect 2 "must hold exactly 7 int64 values \\(56 bytes\\)" "$ids.onnx" --input "ids=$tmp/short_ids.bin"
"$python" -c "import sys; sys.stdout.buffer.write((30).to_bytes(8, 'little') * 7)" \
  >"$tmp/bad_ids.bin"
expect 1 "run failed: invalid parameter" "$ids.onnx" --input "ids=$tmp/bad_ids.bin" \
  --iterations 1 --warmup 0

# Int64 and bool outputs (ArgMax over a conv's channels, Less): written as float32, the
# indices equal to ONNX Runtime's when the fixture wrote them; --profile and --layer-error
# run through them.
am=$dir/argmax_after_conv
expect 0 "output y0: 1x6x5 \(int64; written and compared as float32\)" "$am.onnx" \
  --input "xc=$am.in0.bin" --output "y0=$tmp/am0.bin" --output "y3=$tmp/am3.bin" \
  --iterations 1 --warmup 0
if [ -f "$am.out0.ort.bin" ]; then
  expect 0 "vs $am.out3.ort.bin: cosine 1.0000000, max abs 0," "$am.onnx" --input "xc=$am.in0.bin" \
    --compare "y0=$am.out0.ort.bin" --compare "y3=$am.out3.ort.bin" --iterations 1 --warmup 0
  cmp -s "$tmp/am0.bin" "$am.out0.ort.bin" && cmp -s "$tmp/am3.bin" "$am.out3.ort.bin" || {
    echo "FAIL: pqnn-run's ArgMax / bool output files differ from ONNX Runtime's"
    failures=$((failures + 1))
  }
fi
expect 0 "layer error vs f32" "$am.onnx" --dtype qd8 --layer-error --profile --iterations 2 \
  --warmup 0

# A working run: profile table, planner report node by node, layer errors, JSON.
model=$dir/mobilenet_v1_like.onnx
expect 0 "by node type" "$model" --profile --iterations 3 --warmup 1
expect 0 "slowest nodes" "$model" --profile --iterations 3 --warmup 1
expect 0 "plan, node by node" "$model" --verbose --iterations 1 --warmup 0
expect 0 "layer error vs f32" "$model" --dtype f16-force --layer-error --iterations 1
expect 0 "f16 forced, runs f16" "$model" --dtype f16-force --iterations 1 --warmup 0
# The hint: f16 only on a tier with f16 arithmetic; the plan and the JSON say what ran.
expect 0 "f16 requested, runs f(16: .* has f16 arithmetic|32: .* has no f16 arithmetic)" \
  "$model" --dtype f16 --iterations 1 --warmup 0 --json "$tmp/hint.json"
expect 0 "dtype f16," "$model" --dtype f16-force --iterations 1 --warmup 0 --json "$tmp/force.json"
if ! "$python" - "$tmp/hint.json" "$tmp/force.json" <<'PY'
import json, sys
hint, force = (json.load(open(f)) for f in sys.argv[1:3])
arith = hint["isa"] in ("neonfp16arith", "neondot")
assert hint["dtype_requested"] == "f16" and hint["dtype"] == ("f16" if arith else "f32"), hint
assert ("f16 arithmetic" if arith else "no f16 arithmetic") in hint["plan"]["fp16_decision"], hint
datatypes = {n["datatype"] for n in hint["plan"]["node_list"]}
assert ("fp16" in datatypes) == arith, datatypes
assert force["dtype_requested"] == "f16-force" and force["dtype"] == "f16", force
assert "forced" in force["plan"]["fp16_decision"], force["plan"]
assert "fp16" in {n["datatype"] for n in force["plan"]["node_list"]}, force["plan"]
PY
then
  echo "FAIL: the f16 hint / forced JSON reports"
  failures=$((failures + 1))
fi
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
# det's banded chains in the profile (row bands need intermediates past the L2: det's
# 320x320 and 160x160 chains are 6-13 MB, past any L2).
det=""
[ -n "$ocr" ] && [ -f "$ocr/det.model" ] && det=$(cat "$ocr/det.model")
if [ -n "$det" ] && [ -f "$det" ]; then
  expect 0 "banded chain +fp32" "$det" --shape x=1x3x640x640 --iterations 2 --warmup 1 \
    --profile --json "$tmp/det.json"
  if ! "$python" - "$tmp/det.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
p = r["profile"]
assert sum(t["nodes"] for t in p["by_type"]) == r["plan"]["nodes"] == len(p["nodes"])
assert abs(sum(t["ms"] for t in p["by_type"]) - p["ms"]) <= 1e-6 * p["ms"], p["by_type"]
assert abs(sum(n["macs"] for n in p["nodes"]) - p["macs"]) <= 1e-6 * p["macs"]
chains = [t for t in p["by_type"] if t["type"] == "banded chain"]
assert chains and r["plan"]["banded_nodes"] == sum(t["nodes"] for t in chains), (chains, r["plan"])
heads = {n["index"]: n for n in p["nodes"] if "band_nodes" in n}
members = [n for n in p["nodes"] if "in_band_of" in n]
assert heads and all(n["ms"] == 0 and n["macs"] == 0 for n in members), members
for i, h in heads.items():
    assert h["type"] == "banded chain" and h["ms"] > 0 and h["macs"] > 0, h
    assert sum(m["in_band_of"] == i for m in members) == h["band_nodes"] - 1, h
    assert h["onnx"].count(" + ") == h["band_nodes"] - 1, h["onnx"]
PY
  then
    echo "FAIL: det's banded chains in the profile JSON"
    failures=$((failures + 1))
  fi
elif [ -n "${CI:-}" ] && [ -n "$ocr" ]; then
  echo "FAIL: no PaddleOCR det model under $ocr (CI)"
  failures=$((failures + 1))
else
  echo "skip: det's banded chains (no PaddleOCR models)"
fi
[ "$failures" = 0 ] && echo "pqnn-run-test: all passed"
exit $((failures != 0))
