#!/usr/bin/python3
"""Writes the ONNX importer's unit models: one small model per op and attribute case.

Usage: /usr/bin/python3 scripts/onnx-unit-models.py OUT_DIR

Needs Debian's python3-onnx and python3-numpy (the Debian interpreter: a pyenv or venv
python may lack them). For each case NAME it writes OUT_DIR/NAME.onnx and its inputs
OUT_DIR/NAME.in<k>.bin (raw little-endian float32, model layout, fixed seed; int64 / int32
inputs, token ids, raw little-endian int64 / int32), and
OUT_DIR/manifest.txt with one line per case: `NAME NUM_INPUTS NUM_OUTPUTS EXPECT` where
EXPECT is `ok` (pqnn must match ONNX Runtime; `f32`: in f32 only, inputs beyond f16's
range or precision) or `unsupported:<OpType>` (the importer must list that op). scripts/ort-reference.sh --manifest OUT_DIR/manifest.txt then writes
ONNX Runtime's outputs NAME.out<k>.ort.bin; test/onnx/ compares pqnn with them.
Not a gen-*.py script: it writes into the build directory, never into the source tree.
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 13
rng = np.random.default_rng(20261204)
cases = []


def rand(*shape, scale=1.0):
    return (rng.standard_normal(shape) * scale).astype(np.float32)


def const(name, array):
    return numpy_helper.from_array(np.asarray(array), name)


def add_case(name, nodes, inputs, outputs, initializers=(), expect="ok", opset=OPSET,
             check=True, values=None):
    """inputs: [(name, shape)] or [(name, shape, elem_type)] (TensorProto.INT64 / INT32: token
    ids, whose values must be given), outputs: [name, (name, shape) or (name, shape or None,
    elem_type)] (float32 unless given; ONNX infers the shape of a bare name or None). values: the inputs' data (arrays of those shapes) instead of
    random normal values. check=False: for ops newer than Debian's onnx knows (Mish, opset 18):
    no shape inference and no checker (every output needs its shape; ONNX Runtime, which
    knows the op, validates the model when it loads it for the reference)."""
    graph = helper.make_graph(
        nodes, name,
        [helper.make_tensor_value_info(i[0], i[2] if len(i) > 2 else TensorProto.FLOAT, list(i[1]))
         for i in inputs],
        [helper.make_tensor_value_info(n, TensorProto.FLOAT, None) if isinstance(n, str) else
         helper.make_tensor_value_info(n[0], n[2] if len(n) > 2 else TensorProto.FLOAT,
                                       None if n[1] is None else list(n[1])) for n in outputs],
        initializer=list(initializers))
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)],
                              producer_name="pqnn-onnx-unit-models")
    model.ir_version = 8
    if values is None:
        values = [rand(*i[1]) for i in inputs]
    if not check:
        cases.append((name, model, input_values(inputs, values), len(outputs), expect))
        return
    # Validate, and give the outputs the shapes ONNX infers (the checker wants one).
    inferred = onnx.shape_inference.infer_shapes(model, strict_mode=True)
    known = {vi.name: vi for vi in list(inferred.graph.value_info) + list(inferred.graph.output)}
    for out in model.graph.output:
        if out.name in known and known[out.name].type.tensor_type.HasField("shape"):
            out.type.CopyFrom(known[out.name].type)
    onnx.checker.check_model(model)
    cases.append((name, model, input_values(inputs, values), len(outputs), expect))


INPUT_DTYPES = {TensorProto.INT64: np.int64, TensorProto.INT32: np.int32}


def input_values(inputs, values):
    if values is None:
        return [rand(*i[1]) for i in inputs]
    assert [tuple(v.shape) for v in values] == [tuple(i[1]) for i in inputs]
    return [np.asarray(v, INPUT_DTYPES.get(i[2] if len(i) > 2 else None, np.float32))
            for v, i in zip(values, inputs)]


def little_endian(x):
    """An input array as its file stores it: raw little-endian float32, int64 or int32."""
    return x.astype({np.dtype(np.int64): "<i8", np.dtype(np.int32): "<i4"}.get(x.dtype, "<f4"))


def conv_case(name, x_shape, w_shape, bias=True, **attrs):
    inits = [const("w", rand(*w_shape, scale=0.3))]
    ins = ["x", "w"]
    if bias:
        inits.append(const("b", rand(w_shape[0])))
        ins.append("b")
    add_case(name, [helper.make_node("Conv", ins, ["y"], name="conv", **attrs)],
             [("x", x_shape)], ["y"], inits)


def mobilenet_like():
    nodes, inits = [], []
    six = const("six", np.float32(6.0))
    zero = const("zero", np.float32(0.0))
    inits += [six, zero]

    def conv_bn_relu6(x, cin, cout, k, stride, group, tag):
        w = rand(cout, cin // group, k, k, scale=float(np.sqrt(2.0 / (k * k * cin / group))))
        inits.extend([const(tag + "_w", w), const(tag + "_s", 0.5 + np.abs(rand(cout))),
                      const(tag + "_o", rand(cout, scale=0.1)), const(tag + "_m", rand(cout, scale=0.1)),
                      const(tag + "_v", 0.5 + np.abs(rand(cout)))])
        nodes.extend([
            helper.make_node("Conv", [x, tag + "_w"], [tag + "_c"], name=tag + "_conv",
                             pads=[k // 2] * 4, strides=[stride, stride], group=group),
            helper.make_node("BatchNormalization", [tag + "_c", tag + "_s", tag + "_o",
                             tag + "_m", tag + "_v"], [tag + "_bn"], name=tag + "_bn"),
            helper.make_node("Clip", [tag + "_bn", "zero", "six"], [tag + "_y"], name=tag + "_relu6")])
        return tag + "_y"

    x = conv_bn_relu6("x", 3, 32, 3, 2, 1, "stem")
    channels = 32
    for i, (cout, stride) in enumerate([(64, 1), (128, 2), (128, 1), (256, 2), (256, 1)]):
        x = conv_bn_relu6(x, channels, channels, 3, stride, channels, "dw%d" % i)
        x = conv_bn_relu6(x, channels, cout, 1, 1, 1, "pw%d" % i)
        channels = cout
    inits += [const("fc", rand(10, channels, scale=0.1)), const("fcb", rand(10))]
    nodes += [helper.make_node("GlobalAveragePool", [x], ["pool"], name="pool"),
              helper.make_node("Flatten", ["pool"], ["flat"], name="flatten"),
              helper.make_node("Gemm", ["flat", "fc", "fcb"], ["logits"], name="fc", transB=1),
              helper.make_node("Softmax", ["logits"], ["y"], name="softmax", axis=1)]
    add_case("mobilenet_v1_like", nodes, [("x", (1, 3, 128, 128))], ["y"], inits)


def elementwise_cases():
    """Binary ops of two activations and with constants, unary ops, and the hardswish /
    swish patterns (PaddleOCR's cls: hardswish as x * Clip(x + 3, 0, 6) / 6 and
    squeeze-excite gates x * HardSigmoid(conv(pool(x))))."""
    def conv(x, y, cin, cout, tag):
        return helper.make_node("Conv", [x, tag], [y], name=tag + "_conv", pads=[1, 1, 1, 1]), \
            const(tag, rand(cout, cin, 3, 3, scale=0.4))

    c1, w1 = conv("x", "c", 3, 6, "w1")
    c2, w2 = conv("g", "g2", 6, 6, "w2")
    # Pow by constant exponents other than 2 / 0.5: chains (3, 4 on signed conv outputs; -1,
    # -2, -0.5, 1.5, -1.25 on |conv| + 0.5; 1 a copy; 5 unsupported).
    for e, tag in ((3.0, "3"), (4.0, "4"), (1.0, "1"), (-1.0, "m1"), (-2.0, "m2"),
                   (-0.5, "m0_5"), (1.5, "1_5"), (-1.25, "m1_25"), (5.0, "5")):
        positive = e < 0 or e != int(e)
        nodes = [c1]
        src = "c"
        if positive:
            nodes += [helper.make_node("Abs", ["c"], ["ca"], name="abs"),
                      helper.make_node("Add", ["ca", "half"], ["cp"], name="offset")]
            src = "cp"
        nodes.append(helper.make_node("Pow", [src, "e"], ["y"], name="pow"))
        add_case("pow_%s_after_conv" % tag, nodes, [("x", (1, 3, 5, 6))], ["y"],
                 [w1, const("e", np.float32(e)), const("half", np.float32(0.5))],
                 expect="unsupported:Pow" if e == 5.0 else "ok")
    # GPT-2's tanh GELU: 0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3))).
    add_case("gelu_tanh_with_pow3", [
        helper.make_node("Pow", ["x", "three"], ["x3"], name="pow3"),
        helper.make_node("Mul", ["x3", "k"], ["kx3"], name="mul_k"),
        helper.make_node("Add", ["x", "kx3"], ["inner"], name="add_x"),
        helper.make_node("Mul", ["inner", "r"], ["ri"], name="mul_r"),
        helper.make_node("Tanh", ["ri"], ["t"], name="tanh"),
        helper.make_node("Add", ["t", "one"], ["t1"], name="add1"),
        helper.make_node("Mul", ["x", "t1"], ["xt"], name="mul_x"),
        helper.make_node("Mul", ["xt", "h"], ["y"], name="mul_half")],
        [("x", (2, 8, 16))], ["y"],
        [const("three", np.float32(3.0)), const("k", np.float32(0.044715)),
         const("r", np.float32(np.sqrt(2.0 / np.pi))), const("one", np.float32(1.0)),
         const("h", np.float32(0.5))])
    add_case("se_gate_hardsigmoid", [
        c1, helper.make_node("GlobalAveragePool", ["c"], ["g"], name="gap"), c2,
        helper.make_node("HardSigmoid", ["g2"], ["h"], name="hsig", alpha=0.2, beta=0.5),
        helper.make_node("Mul", ["c", "h"], ["y"], name="gate")],
        [("x", (2, 3, 5, 7))], ["y"], [w1, w2])
    for opset in (9, 13):
        clip = (helper.make_node("Clip", ["a"], ["k"], name="clip", min=0.0, max=6.0) if opset < 11
                else helper.make_node("Clip", ["a", "zero", "six"], ["k"], name="clip"))
        add_case("hardswish_clip_opset%d" % opset, [
            c1, helper.make_node("Add", ["c", "three"], ["a"], name="add3"), clip,
            helper.make_node("Mul", ["c", "k"], ["m"], name="mul"),
            helper.make_node("Div", ["m", "six"], ["y"], name="div6")],
            [("x", (1, 3, 6, 5))], ["y"],
            [w1, const("three", np.float32(3.0)), const("six", np.float32(6.0)),
             const("zero", np.float32(0.0))], opset=opset)
    # PaddleOCR's exporter order: the Clip's bound constants are Constant nodes placed after
    # the Add that starts the pattern (and the divisor one before it); the conv's per-channel
    # scale-shift folds first.
    def constant(name, value):
        return helper.make_node("Constant", [], [name], value=numpy_helper.from_array(
            np.float32(value), name))
    add_case("hardswish_constant_nodes_after_add", [
        c1, helper.make_node("Mul", ["s", "c"], ["cs"], name="scale"),
        helper.make_node("Add", ["cs", "t"], ["ct"], name="shift"),
        constant("k6", 6.0), constant("k3", 3.0),
        helper.make_node("Add", ["ct", "k3"], ["a"], name="add3"),
        constant("k0", 0.0), constant("k6b", 6.0),
        helper.make_node("Clip", ["a", "k0", "k6b"], ["k"], name="clip"),
        helper.make_node("Mul", ["ct", "k"], ["m"], name="mul"),
        helper.make_node("Div", ["m", "k6"], ["y"], name="div6")],
        [("x", (1, 3, 6, 5))], ["y"],
        [w1, const("s", rand(1, 6, 1, 1)), const("t", rand(1, 6, 1, 1))])
    add_case("hardswish_hardsigmoid", [
        c1, helper.make_node("HardSigmoid", ["c"], ["h"], name="hsig", alpha=1.0 / 6, beta=0.5),
        helper.make_node("Mul", ["h", "c"], ["y"], name="mul")],
        [("x", (1, 3, 6, 5))], ["y"], [w1])
    add_case("swish_and_sigmoid", [
        c1, helper.make_node("Sigmoid", ["c"], ["s"], name="sig"),
        helper.make_node("Mul", ["c", "s"], ["y"], name="swish"),
        helper.make_node("Sigmoid", ["c"], ["y2"], name="sig_alone")],
        [("x", (1, 3, 6, 5))], ["y", "y2"], [w1])
    # PRelu: a slope per channel ([C, 1, 1], NHWC after the conv), a scalar slope, a slope
    # varying along W, and after a Gemm ([N] per output feature); negative and positive
    # slopes.
    slope_c = rand(6, 1, 1)
    add_case("prelu", [
        c1, helper.make_node("PRelu", ["c", "sc"], ["y"], name="prelu_channel"),
        helper.make_node("PRelu", ["c", "s1"], ["y2"], name="prelu_scalar"),
        helper.make_node("PRelu", ["c", "sw"], ["y3"], name="prelu_w")],
        [("x", (2, 3, 5, 7))], ["y", "y2", "y3"],
        [w1, const("sc", slope_c), const("s1", np.array([0.25], np.float32)),
         const("sw", rand(7))])
    add_case("prelu_after_gemm", [
        helper.make_node("Gemm", ["x", "gw", "gb"], ["g"], name="gemm", transB=1),
        helper.make_node("PRelu", ["g", "gs"], ["y"], name="prelu")],
        [("x", (4, 10))], ["y"],
        [const("gw", rand(12, 10)), const("gb", rand(12)), const("gs", rand(12))])
    # Two activations and constants of any shape, in the model's layout (no conv).
    add_case("binary_ops", [
        helper.make_node("Sub", ["a", "b"], ["s"], name="sub"),
        helper.make_node("Abs", ["b"], ["ab"], name="abs"),
        helper.make_node("Add", ["ab", "half"], ["d"], name="add"),
        helper.make_node("Div", ["s", "d"], ["q"], name="div"),
        helper.make_node("Max", ["q", "a"], ["mx"], name="max"),
        helper.make_node("Min", ["mx", "b"], ["mn"], name="min"),
        helper.make_node("Mul", ["mn", "row"], ["r"], name="mul_row"),
        helper.make_node("Sub", ["one", "r"], ["y"], name="one_minus"),
        helper.make_node("Div", ["two", "d"], ["y2"], name="two_over")],
        [("a", (2, 3, 4, 5)), ("b", (3, 1, 5))], ["y", "y2"],
        [const("half", np.float32(0.5)), const("row", rand(5)), const("one", np.float32(1.0)),
         const("two", rand(4, 1))])
    # NHWC activations (after a conv) against a constant varying along W, and every unary op.
    unary = [("Tanh", {}), ("Exp", {}), ("Neg", {}), ("Erf", {}), ("Sigmoid", {}),
             ("LeakyRelu", {"alpha": 0.1}), ("HardSigmoid", {"alpha": 0.3, "beta": 0.4})]
    nodes = [c1, helper.make_node("Mul", ["c", "wrow"], ["cw"], name="mul_w"),
             helper.make_node("Abs", ["c"], ["ca"], name="abs"),
             helper.make_node("Add", ["ca", "eps"], ["cp"], name="add_eps"),
             helper.make_node("Log", ["cp"], ["u0"], name="log"),
             helper.make_node("Sqrt", ["cp"], ["u1"], name="sqrt"),
             helper.make_node("Pow", ["c", "two"], ["u2"], name="pow2")]
    outs = ["cw", "u0", "u1", "u2"]
    for k, (op, attrs) in enumerate(unary):
        nodes.append(helper.make_node(op, ["c"], ["v%d" % k], name=op.lower(), **attrs))
        outs.append("v%d" % k)
    add_case("unary_ops", nodes, [("x", (1, 3, 4, 5))], outs,
             [w1, const("wrow", rand(5)), const("eps", np.float32(0.01)),
              const("two", np.float32(2.0))])
def layout_cases():
    """Data movement: Transpose, Concat, Split, Slice, Pad, Resize / Upsample, on NHWC conv
    outputs (axes remapped) and on model-order inputs (layout changes by transpose nodes)."""
    def conv(x, cin, cout, tag, inits, k=1):
        inits.append(const(tag, rand(cout, cin, k, k, scale=0.5)))
        return helper.make_node("Conv", [x, tag], [tag + "_y"], name=tag + "_conv",
                                pads=[k // 2] * 4)

    # A reshape that mixes channels with pixels: a transpose back to the model's order first.
    add_case("conv_mixing_reshape", [
        helper.make_node("Conv", ["x", "w"], ["c"], name="conv"),
        helper.make_node("Reshape", ["c", "shape"], ["y"], name="mixing_reshape")],
        [("x", (1, 3, 4, 4))], [("y", (1, 32))],
        [const("w", rand(2, 3, 1, 1)), const("shape", np.array([1, -1], np.int64))])
    inits = []
    add_case("transpose_after_conv", [conv("x", 3, 5, "w", inits, 3),
        helper.make_node("Transpose", ["w_y"], ["y"], name="to_nhwc", perm=[0, 2, 3, 1])],
        [("x", (2, 3, 6, 7))], ["y"], inits)
    add_case("transpose_generic_5d", [
        helper.make_node("Transpose", ["x"], ["y"], name="t", perm=[3, 1, 4, 0, 2])],
        [("x", (2, 3, 4, 5, 6))], ["y"])
    add_case("transpose_default_perm", [
        helper.make_node("Transpose", ["x"], ["y"], name="t")], [("x", (3, 4, 5))], ["y"])
    inits = []
    add_case("concat_channels", [conv("x", 3, 4, "a", inits), conv("x", 3, 6, "b", inits, 3),
        helper.make_node("Concat", ["a_y", "b_y", "a_y"], ["y"], name="cat", axis=1)],
        [("x", (1, 3, 5, 6))], ["y"], inits)
    inits = []
    add_case("concat_height_with_input", [conv("x", 3, 3, "a", inits),
        helper.make_node("Concat", ["a_y", "z"], ["y"], name="cat", axis=-2)],
        [("x", (1, 3, 5, 6)), ("z", (1, 3, 2, 6))], ["y"], inits)
    add_case("concat_model_order", [
        helper.make_node("Concat", ["x", "z"], ["y"], name="cat", axis=1)],
        [("x", (2, 3, 4)), ("z", (2, 5, 4))], ["y"])
    inits = [const("parts", np.array([2, 3, 1], np.int64))]
    add_case("split_channels", [conv("x", 3, 6, "a", inits, 3),
        helper.make_node("Split", ["a_y", "parts"], ["y0", "y1", "y2"], name="split", axis=1)],
        [("x", (1, 3, 5, 4))], ["y0", "y1", "y2"], inits)
    inits = []
    add_case("split_equal_width_opset11", [conv("x", 3, 4, "a", inits),
        helper.make_node("Split", ["a_y"], ["y0", "y1"], name="split", axis=3)],
        [("x", (1, 3, 5, 8))], ["y0", "y1"], inits, opset=11)
    inits = [const("starts", np.array([1, 0, 1], np.int64)),
             const("ends", np.array([4, 100, -1], np.int64)),
             const("axes", np.array([2, 3, 1], np.int64)),
             const("steps", np.array([1, 2, 1], np.int64))]
    add_case("slice_activation", [conv("x", 3, 6, "a", inits, 3),
        helper.make_node("Slice", ["a_y", "starts", "ends", "axes", "steps"], ["y"], name="slice")],
        [("x", (1, 3, 7, 9))], ["y"], inits)
    # Gather of activations by constant indices: a slice (and a reshape for a scalar index).
    def gather(name, x_shape, indices, axis, after_conv=True, expect="ok"):
        inits = [const("idx", np.array(indices, np.int64))]
        nodes = [conv("x", x_shape[1], 6, "a", inits, 3)] if after_conv else []
        src = "a_y" if after_conv else "x"
        nodes.append(helper.make_node("Gather", [src, "idx"], ["y"], name="gather", axis=axis))
        add_case(name, nodes, [("x", x_shape)], ["y"], inits, expect=expect)
    # Cast of float activations: to FLOAT / DOUBLE a copy, to FLOAT16 a rounding round trip
    # (values past 65504 become infinite, small ones lose bits, as in ONNX Runtime).
    inits = [const("big", np.float32(3000.0))]
    add_case("cast_half_round_trip_after_conv", [conv("x", 3, 6, "a", inits, 3),
        helper.make_node("Mul", ["a_y", "big"], ["m"], name="scale"),
        helper.make_node("Cast", ["m"], ["h"], name="to_half", to=TensorProto.FLOAT16),
        helper.make_node("Cast", ["h"], ["y"], name="to_float", to=TensorProto.FLOAT)],
        [("x", (1, 3, 6, 7))], ["y"], inits)
    add_case("cast_float_and_double_model_order", [
        helper.make_node("Cast", ["x"], ["d"], name="to_double", to=TensorProto.DOUBLE),
        helper.make_node("Cast", ["d"], ["f"], name="to_float", to=TensorProto.FLOAT),
        helper.make_node("Cast", ["f"], ["y"], name="same", to=TensorProto.FLOAT)],
        [("x", (2, 3, 5))], ["y"])
    add_case("cast_to_int_unsupported", [
        helper.make_node("Cast", ["x"], ["i"], name="to_int", to=TensorProto.INT32),
        helper.make_node("Cast", ["i"], ["y"], name="back", to=TensorProto.FLOAT)],
        [("x", (2, 3))], ["y"], expect="unsupported:Cast")
    # Constant folding of exporters' shape / mask logic: Range, comparisons, And / Or / Xor /
    # Not, Where, Min / Max / Pow, Floor / Ceil / Sqrt / Reciprocal / Neg / Abs of constants.
    i64 = lambda v: const(v[0], np.array(v[1], np.int64))
    f32 = lambda v: const(v[0], np.array(v[1], np.float32))
    add_case("fold_attention_mask", [
        helper.make_node("Range", ["zero", "len", "one"], ["pos"], name="range"),
        helper.make_node("Less", ["pos", "valid"], ["keep"], name="less"),
        helper.make_node("GreaterOrEqual", ["pos", "one"], ["not_first"], name="ge"),
        helper.make_node("And", ["keep", "not_first"], ["both"], name="and"),
        helper.make_node("Not", ["both"], ["masked"], name="not"),
        helper.make_node("Where", ["masked", "neg", "zerof"], ["bias"], name="where"),
        helper.make_node("Add", ["x", "bias"], ["y"], name="add_mask")],
        [("x", (2, 3, 6))], ["y"],
        [i64(("zero", 0)), i64(("len", 6)), i64(("one", 1)), i64(("valid", 4)),
         f32(("neg", -100.0)), f32(("zerof", 0.0))])
    add_case("fold_float_constants", [
        helper.make_node("Floor", ["c"], ["fl"], name="floor"),
        helper.make_node("Ceil", ["c"], ["ce"], name="ceil"),
        helper.make_node("Abs", ["c"], ["ab"], name="abs"),
        helper.make_node("Sqrt", ["ab"], ["sq"], name="sqrt"),
        helper.make_node("Reciprocal", ["sq"], ["re"], name="recip"),
        helper.make_node("Neg", ["fl"], ["ne"], name="neg"),
        helper.make_node("Max", ["ne", "ce"], ["mx"], name="max"),
        helper.make_node("Min", ["mx", "re"], ["mn"], name="min"),
        helper.make_node("Pow", ["ab", "e"], ["pw"], name="pow"),
        helper.make_node("Greater", ["c", "zf"], ["pos"], name="gt"),
        helper.make_node("LessOrEqual", ["c", "two"], ["small"], name="le"),
        helper.make_node("Xor", ["pos", "small"], ["x1"], name="xor"),
        helper.make_node("Or", ["x1", "pos"], ["o1"], name="or"),
        helper.make_node("Equal", ["fl", "ce"], ["eq"], name="eq"),
        helper.make_node("Where", ["o1", "mn", "pw"], ["w1"], name="where"),
        helper.make_node("Where", ["eq", "two", "w1"], ["w2"], name="where2"),
        helper.make_node("Mul", ["x", "w2"], ["y"], name="scale")],
        [("x", (2, 6))], ["y"],
        [f32(("c", [1.5, -1.5, 2.7, -0.2, 4.0, 0.0])), f32(("e", 1.5)), f32(("zf", 0.0)),
         f32(("two", 2.0))])
    # DequantizeLinear of quantized weights folds to float constants: int8 per output
    # channel (axis 0) into a 3x3 conv, uint8 per tensor with a zero point into a 1x1 one.
    # (Into a MatMul ONNX Runtime fuses the pair into its dynamically quantized MatMul, whose
    # outputs are 0.3% off the float product: no exact reference.)
    wq = rng.integers(-127, 128, size=(4, 3, 3, 3)).astype(np.int8)
    add_case("dequantize_int8_per_channel_conv", [
        helper.make_node("DequantizeLinear", ["wq", "ws"], ["w"], name="dq", axis=0),
        helper.make_node("Conv", ["x", "w"], ["y"], name="conv", pads=[1, 1, 1, 1])],
        [("x", (1, 3, 5, 6))], ["y"],
        [const("wq", wq), const("ws", np.array([0.01, 0.02, 0.005, 0.03], np.float32))])
    add_case("dequantize_uint8_per_tensor_conv1x1", [
        helper.make_node("DequantizeLinear", ["bq", "bs", "bz"], ["b"], name="dq"),
        helper.make_node("Conv", ["x", "b"], ["y"], name="conv")],
        [("x", (2, 8, 4, 3))], ["y"],
        [const("bq", rng.integers(0, 256, size=(5, 8, 1, 1)).astype(np.uint8)),
         const("bs", np.float32(0.0123)), const("bz", np.uint8(131))])
    # Tile: one concatenate of r copies per repeated axis (the NHWC axes of a conv output).
    def tile(name, x_shape, repeats, after_conv=True, expect="ok"):
        inits = [const("reps", np.array(repeats, np.int64))]
        nodes = [conv("x", x_shape[1], 4, "a", inits, 3)] if after_conv else []
        nodes.append(helper.make_node("Tile", ["a_y" if after_conv else "x", "reps"], ["y"],
                                      name="tile"))
        add_case(name, nodes, [("x", x_shape)], ["y"], inits, expect=expect)
    tile("tile_channels_and_width", (1, 3, 5, 6), [1, 2, 1, 3])
    tile("tile_batch_and_height", (2, 3, 4, 5), [2, 1, 3, 1])
    tile("tile_model_order", (2, 3, 4), [3, 1, 2], after_conv=False)
    tile("tile_ones_copy", (2, 3, 4), [1, 1, 1], after_conv=False)
    tile("tile_too_many_unsupported", (2, 3, 4), [1, 20, 1], after_conv=False,
         expect="unsupported:Tile")
    gather("gather_channel_scalar", (1, 3, 5, 7), 4, 1)
    gather("gather_row_scalar_negative", (2, 3, 5, 7), -2, 2)
    gather("gather_column_scalar", (1, 3, 5, 7), 0, -1)
    gather("gather_batch_scalar", (3, 3, 4, 5), 1, 0)
    gather("gather_channel_range", (1, 3, 5, 7), [1, 2, 3], 1)
    gather("gather_rows_every_other", (1, 3, 7, 6), [0, 2, 4, 6], 2)
    gather("gather_token_model_order", (2, 5, 8), 0, 1, after_conv=False)
    gather("gather_last_axis_model_order", (2, 5, 8), [-3, -2], 2, after_conv=False)
    gather("gather_unordered_unsupported", (1, 3, 5, 7), [2, 0, 1], 1, expect="unsupported:Gather")
    inits = [const("pads", np.array([0, 1, 1, 2, 0, 0, 2, 1], np.int64)),
             const("value", np.float32(0.5))]
    add_case("pad_constant", [conv("x", 3, 4, "a", inits, 3),
        helper.make_node("Pad", ["a_y", "pads", "value"], ["y"], name="pad")],
        [("x", (1, 3, 5, 6))], ["y"], inits)
    add_case("pad_opset2_model_order", [
        helper.make_node("Pad", ["x"], ["y"], name="pad", pads=[1, 0, 2, 0, 3, 1], value=-1.0)],
        [("x", (2, 3, 4))], ["y"], opset=2)

    def resize(name, x_shape, scales=None, sizes=None, opset=OPSET, **attrs):
        inits, ins = [], ["x"] if opset < 11 else ["x", ""]
        if scales is not None:
            inits.append(const("scales", np.array(scales, np.float32)))
            ins.append("scales")
        else:
            inits.append(const("sizes", np.array(sizes, np.int64)))
            ins += ["", "sizes"]
        add_case(name, [helper.make_node("Resize", ins, ["y"], name="resize", **attrs)],
                 [("x", x_shape)], ["y"], inits, opset=opset)
    resize("resize_nearest_x2", (1, 5, 4, 6), scales=[1, 1, 2, 2], mode="nearest")
    resize("resize_nearest_asym_floor_x4", (1, 3, 3, 5), scales=[1, 1, 4, 4], mode="nearest",
           coordinate_transformation_mode="asymmetric", nearest_mode="floor")
    resize("resize_nearest_down_ceil", (2, 3, 7, 5), sizes=[2, 3, 3, 2], mode="nearest",
           nearest_mode="round_prefer_ceil")
    resize("resize_nearest_align_corners", (1, 2, 4, 5), sizes=[1, 2, 7, 9], mode="nearest",
           coordinate_transformation_mode="align_corners")
    resize("resize_linear_half_pixel", (1, 4, 4, 5), sizes=[1, 4, 7, 9], mode="linear")
    resize("resize_linear_scales_2_5", (1, 3, 4, 6), scales=[1, 1, 2.5, 1.5], mode="linear")
    resize("resize_linear_align_corners", (1, 3, 5, 4), sizes=[1, 3, 9, 3], mode="linear",
           coordinate_transformation_mode="align_corners")
    resize("resize_linear_asymmetric", (1, 3, 4, 4), scales=[1, 1, 2, 3], mode="linear",
           coordinate_transformation_mode="asymmetric")
    resize("resize_linear_pytorch_half_pixel", (1, 3, 4, 6), sizes=[1, 3, 1, 9], mode="linear",
           coordinate_transformation_mode="pytorch_half_pixel")
    resize("resize_opset10_nearest", (1, 3, 4, 5), scales=[1, 1, 2, 2], opset=10, mode="nearest")
    add_case("upsample_opset9", [
        helper.make_node("Upsample", ["x", "scales"], ["y"], name="up", mode="nearest")],
        [("x", (1, 2, 3, 4))], ["y"], [const("scales", np.array([1, 1, 2, 3], np.float32))],
        opset=9)
    inits = [const("scales", np.array([1, 1, 2, 2], np.float32))]
    add_case("fpn_like", [conv("x", 3, 4, "a", inits, 3), conv("a_y", 4, 4, "b", inits),
        helper.make_node("Resize", ["b_y", "", "scales"], ["up"], name="up", mode="nearest"),
        helper.make_node("Concat", ["up", "big"], ["y"], name="cat", axis=1)],
        [("x", (1, 3, 4, 5)), ("big", (1, 2, 8, 10))], ["y"], inits)


# The logic cases' own generator (the cases after them keep their inputs).
logic_rng = np.random.default_rng(20261207)


def grid(*shape):
    """Random values on a grid of 1/2 (ties between inputs and with constants are common)."""
    return (np.round(logic_rng.standard_normal(shape) * 2.0) * 0.5).astype(np.float32)


def lrand(*shape, scale=1.0):
    return (logic_rng.standard_normal(shape) * scale).astype(np.float32)


def logic_cases():
    """Comparisons, Not / And / Or / Xor, Cast to bool and Where on activations (bool
    tensors are 0 / 1 floats inside pqnn; the models end with Cast(to=FLOAT) or a float
    Where). Inputs on a grid of 1/2, so that equal / greater_equal / less_equal ties
    matter."""
    to_float = TensorProto.FLOAT
    for op in ("Equal", "Greater", "GreaterOrEqual", "Less", "LessOrEqual"):
        add_case("compare_" + op.lower(), [
            helper.make_node(op, ["x", "z"], ["b1"], name="cmp_activations"),
            helper.make_node(op, ["half", "x"], ["b2"], name="cmp_scalar_first"),
            helper.make_node(op, ["x", "t"], ["b3"], name="cmp_per_channel"),
            helper.make_node("Cast", ["b1"], ["y1"], name="cast1", to=to_float),
            helper.make_node("Cast", ["b2"], ["y2"], name="cast2", to=to_float),
            helper.make_node("Cast", ["b3"], ["y3"], name="cast3", to=to_float)],
            [("x", (2, 3, 4, 5)), ("z", (3, 1, 5))], ["y1", "y2", "y3"],
            [const("half", np.float32(0.5)), const("t", np.array([0.0, 0.5, -0.5], np.float32).reshape(3, 1, 1))],
            values=[grid(2, 3, 4, 5), grid(3, 1, 5)])
    add_case("logic_not_and_or_xor", [
        helper.make_node("Less", ["x", "zero"], ["a"], name="neg"),
        helper.make_node("GreaterOrEqual", ["z", "half"], ["b"], name="big"),
        helper.make_node("Not", ["a"], ["na"], name="not"),
        helper.make_node("And", ["a", "b"], ["ab"], name="and"),
        helper.make_node("Or", ["na", "b"], ["ob"], name="or"),
        helper.make_node("Xor", ["a", "b"], ["xb"], name="xor"),
        helper.make_node("And", ["ob", "mask"], ["om"], name="and_const"),
        helper.make_node("Cast", ["x"], ["xbool"], name="to_bool", to=TensorProto.BOOL),
        helper.make_node("Equal", ["xbool", "xb"], ["eb"], name="eq_bool"),
        helper.make_node("Cast", ["na"], ["y1"], name="c1", to=to_float),
        helper.make_node("Cast", ["ab"], ["y2"], name="c2", to=to_float),
        helper.make_node("Cast", ["om"], ["y3"], name="c3", to=to_float),
        helper.make_node("Cast", ["xb"], ["y4"], name="c4", to=to_float),
        helper.make_node("Cast", ["eb"], ["y5"], name="c5", to=to_float)],
        [("x", (3, 4, 6)), ("z", (4, 1))], ["y1", "y2", "y3", "y4", "y5"],
        [const("zero", np.float32(0.0)), const("half", np.float32(0.5)),
         const("mask", np.array([True, False, True, True, False, True]))],
        values=[grid(3, 4, 6), grid(4, 1)])
    # Where(x > t, x, -1): a clamp written as Where, the branch a scalar constant.
    add_case("where_scalar_branch", [
        helper.make_node("Greater", ["x", "t"], ["m"], name="gt"),
        helper.make_node("Where", ["m", "x", "neg"], ["y"], name="where")],
        [("x", (2, 7, 9))], ["y"],
        [const("t", np.float32(0.5)), const("neg", np.float32(-1.0))], values=[grid(2, 7, 9)])
    # After a conv (NHWC inside): a per-channel threshold, a per-channel constant condition.
    add_case("where_per_channel_nhwc", [
        helper.make_node("Conv", ["x", "w"], ["c"], name="conv", pads=[1, 1, 1, 1]),
        helper.make_node("LessOrEqual", ["c", "t"], ["m"], name="le_channel"),
        helper.make_node("Where", ["m", "c", "quarter"], ["w1"], name="where_activation"),
        helper.make_node("Where", ["keep", "w1", "c"], ["y"], name="where_constant_condition")],
        [("x", (1, 3, 6, 5))], ["y"],
        [const("w", lrand(4, 3, 3, 3, scale=0.3)),
         const("t", np.array([0.0, 0.3, -0.2, 10.0], np.float32).reshape(1, 4, 1, 1)),
         const("quarter", np.float32(0.25)),
         const("keep", np.array([True, False, True, False]).reshape(1, 4, 1, 1))],
        values=[lrand(1, 3, 6, 5)])
    # The attention-mask style: mask = Less(positions, c) broadcast over the heads and the
    # query rows, Where(mask, scores, -10000) (f16-representable), then Softmax.
    add_case("where_attention_mask_softmax", [
        helper.make_node("Less", ["pos", "limit"], ["mask"], name="less"),
        helper.make_node("Where", ["mask", "s", "big_negative"], ["masked"], name="where"),
        helper.make_node("Softmax", ["masked"], ["y"], name="softmax", axis=-1)],
        [("s", (2, 3, 4, 6)), ("pos", (2, 1, 1, 6))], ["y"],
        [const("limit", np.float32(0.0)), const("big_negative", np.float32(-10000.0))],
        values=[lrand(2, 3, 4, 6), grid(2, 1, 1, 6)])
    # Both branches activations, broadcast against each other and the condition.
    add_case("where_activations_broadcast", [
        helper.make_node("Equal", ["x", "z"], ["m"], name="eq"),
        helper.make_node("Where", ["m", "x", "z"], ["w"], name="where"),
        helper.make_node("Where", ["rows", "w", "z"], ["y"], name="where_rows")],
        [("x", (3, 4)), ("z", (4,))], ["y"],
        [const("rows", np.array([[True], [False], [True]]))],
        values=[grid(3, 4), grid(4)])
    # Integer branches of a Where on an activation condition: unsupported (listed).
    add_case("where_integer_branches_unsupported", [
        helper.make_node("Less", ["x", "zero"], ["m"], name="less"),
        helper.make_node("Where", ["m", "one", "two"], ["i"], name="where_int"),
        helper.make_node("Cast", ["i"], ["y"], name="to_float", to=to_float)],
        [("x", (2, 5))], ["y"],
        [const("zero", np.float32(0.0)), const("one", np.array(1, np.int64)),
         const("two", np.array(2, np.int64))],
        values=[grid(2, 5)], expect="unsupported:Where")


def matmulnbits_case(name, a_shape, n, block, zero_points=None, bias=True, g_idx=False,
                     expect="qd8", out=None):
    """com.microsoft MatMulNBits (4-bit): B [N][blocks][block/2] uint8 (even k low nibble),
    scales [N * blocks], packed uint8 zero_points [N * ceil(blocks / 2)] (None: the default
    8), optional bias [N]. zero_points "fit": per-block zero points 6..10 with every
    q - zp in [-8, 7] (pqnn maps them exactly); "any": random 0..15 zero points and q
    (blocks pqnn must requantize). ONNX has no schema for the op: the output shape is given,
    not inferred. Written into `out` (not the manifest) when given."""
    k = a_shape[-1]
    blocks = (k + block - 1) // block
    zp = np.full((n, blocks), 8, dtype=np.int64)
    if zero_points == "fit":
        zp = rng.integers(6, 11, size=(n, blocks))
    elif zero_points == "any":
        zp = rng.integers(0, 16, size=(n, blocks))
    q = np.zeros((n, blocks * block), dtype=np.int64)
    for b in range(blocks):
        if zero_points == "any":
            q[:, b * block:(b + 1) * block] = rng.integers(0, 16, size=(n, block))
        else:
            lo = np.maximum(0, zp[:, b] - 8)[:, None]
            hi = np.minimum(15, zp[:, b] + 7)[:, None]
            q[:, b * block:(b + 1) * block] = lo + (rng.integers(0, 1 << 30, size=(n, block)) % (hi - lo + 1))
    q[:, k:] = 0  # the padding past K
    packed = (q[:, 0::2] | (q[:, 1::2] << 4)).astype(np.uint8).reshape(n, blocks, block // 2)
    scales = (0.02 + 0.08 * rng.random(n * blocks)).astype(np.float32)
    inits = [const("b", packed), const("scales", scales)]
    ins = ["a", "b", "scales"]
    if zero_points is not None:
        zpad = np.zeros((n, blocks + blocks % 2), dtype=np.int64)
        zpad[:, :blocks] = zp
        inits.append(const("zp", (zpad[:, 0::2] | (zpad[:, 1::2] << 4)).astype(np.uint8).reshape(-1)))
        ins.append("zp")
    if g_idx or bias:
        while len(ins) < 4:
            ins.append("")
        if g_idx:
            inits.append(const("g_idx", (np.arange(k) // block).astype(np.int32)))
        ins.append("g_idx" if g_idx else "")
    if bias:
        inits.append(const("bias", rand(n)))
        ins.append("bias")
    node = helper.make_node("MatMulNBits", ins, ["y"], name="matmulnbits",
                            domain="com.microsoft", K=k, N=n, bits=4, block_size=block)
    graph = helper.make_graph(
        [node], name, [helper.make_tensor_value_info("a", TensorProto.FLOAT, list(a_shape))],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, list(a_shape[:-1]) + [n])],
        initializer=inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET),
                                                    helper.make_opsetid("com.microsoft", 1)],
                              producer_name="pqnn-onnx-unit-models")
    model.ir_version = 8
    onnx.checker.check_model(model)
    if out is not None:
        onnx.save(model, os.path.join(out, name + ".onnx"))
        return
    cases.append((name, model, [rand(*a_shape)], 1, expect))


def matmulnbits_cases():
    matmulnbits_case("matmulnbits_block32", (3, 80), 20, 32)              # K tail, zp 8
    matmulnbits_case("matmulnbits_rank3", (2, 3, 128), 17, 64, bias=False)
    matmulnbits_case("matmulnbits_zero_points", (4, 160), 24, 32, zero_points="fit")
    matmulnbits_case("matmulnbits_block16", (2, 64), 8, 16, expect="unsupported:MatMulNBits")


def affine_cases():
    """A learnable affine block (Mul by a constant, then Add/Sub of a constant) after a
    Relu'd conv: the Add folds into the Mul's 1x1 depthwise conv (its bias), both operand
    orders, scalar and per-channel; c - x, a broadcast along W, a Mul output with a second
    reader or that is a graph output do not fold."""
    def block(name, mul_ins, add_op, add_ins, inits, extra=(), outputs=("a",)):
        add_case(name, [
            helper.make_node("Conv", ["x", "w", "b"], ["c"], name="conv", pads=[1, 1, 1, 1]),
            helper.make_node("Relu", ["c"], ["r"], name="relu"),
            helper.make_node("Mul", mul_ins, ["m"], name="scale"),
            helper.make_node(add_op, add_ins, ["a"], name="shift")] + list(extra),
            [("x", (1, 3, 5, 6))], list(outputs),
            [const("w", rand(6, 3, 3, 3, scale=0.3)), const("b", rand(6))] + inits)
    block("affine_scalar_fold", ["r", "s"], "Add", ["m", "t"],
          [const("s", np.float32(1.75)), const("t", np.float32(-0.5))])
    block("affine_channel_const_first_fold", ["s", "r"], "Add", ["t", "m"],
          [const("s", rand(1, 6, 1, 1)), const("t", rand(6, 1, 1))])
    block("affine_channel_sub_fold", ["r", "s"], "Sub", ["m", "t"],
          [const("s", rand(6, 1, 1)), const("t", rand(1, 6, 1, 1))])
    block("affine_rsub_no_fold", ["r", "s"], "Sub", ["t", "m"],
          [const("s", rand(6, 1, 1)), const("t", rand(1, 6, 1, 1))])
    block("affine_row_add_no_fold", ["r", "s"], "Add", ["m", "t"],
          [const("s", rand(6, 1, 1)), const("t", rand(1, 1, 1, 6))])
    block("affine_two_readers_no_fold", ["r", "s"], "Add", ["m", "t"],
          [const("s", rand(6, 1, 1)), const("t", rand(6, 1, 1))],
          [helper.make_node("Add", ["a", "m"], ["y"], name="second_reader")], outputs=("y",))
    block("affine_mul_output_no_fold", ["r", "s"], "Add", ["m", "t"],
          [const("s", rand(6, 1, 1)), const("t", rand(6, 1, 1))],
          outputs=("a", "m"))
    add_case("batchnorm_add_fold", [
        helper.make_node("BatchNormalization", ["x", "g", "beta", "mean", "var"], ["n"],
                         name="bn"),
        helper.make_node("Add", ["n", "t"], ["y"], name="shift")],
        [("x", (1, 4, 3, 5))], ["y"],
        [const("g", rand(4)), const("beta", rand(4)), const("mean", rand(4)),
         const("var", np.abs(rand(4)) + 0.5), const("t", rand(4, 1, 1))])


def chain_cases():
    """Ops lowered to chains of nodes (docs/onnx.md, "Ops lowered to chains") and other ops
    added since: on NHWC conv outputs and on model-order inputs."""
    def conv(x, y, cin, cout, tag, inits):
        inits.append(const(tag, rand(cout, cin, 3, 3, scale=0.4)))
        return helper.make_node("Conv", [x, tag], [y], name=tag + "_conv", pads=[1, 1, 1, 1])

    inits = []
    add_case("sum_mean_after_conv", [
        conv("x", "c", 3, 4, "w1", inits), conv("x", "d", 3, 4, "w2", inits),
        helper.make_node("Sum", ["c", "d", "cb"], ["y"], name="sum3"),
        helper.make_node("Mean", ["c", "d", "wrow"], ["y2"], name="mean3"),
        helper.make_node("Mean", ["cb", "c"], ["y3"], name="mean_const_first"),
        helper.make_node("Sum", ["d"], ["y4"], name="sum1")],
        [("x", (2, 3, 5, 6))], ["y", "y2", "y3", "y4"],
        inits + [const("cb", rand(4, 1, 1)), const("wrow", rand(6))])
    add_case("sum_mean_model_order", [
        helper.make_node("Sum", ["a", "b", "r"], ["y"], name="sum_broadcast"),
        helper.make_node("Mean", ["a", "b", "a", "b"], ["y2"], name="mean4")],
        [("a", (2, 3, 4)), ("b", (3, 4))], ["y", "y2"], [const("r", rand(1, 4))])
    inits = []
    add_case("reciprocal", [
        conv("x", "c", 3, 4, "w1", inits),
        helper.make_node("Abs", ["c"], ["ca"], name="abs"),
        helper.make_node("Add", ["ca", "half"], ["cp"], name="add_half"),
        helper.make_node("Reciprocal", ["cp"], ["y"], name="recip"),
        helper.make_node("Neg", ["cp"], ["cn"], name="neg"),
        helper.make_node("Reciprocal", ["cn"], ["y2"], name="recip_neg")],
        [("x", (1, 3, 5, 6))], ["y", "y2"], inits + [const("half", np.float32(0.5))])
    # Elu, Selu, Celu, Softplus (attribute variants; Mish below) after a conv, on a fixed
    # ramp from -100 to 100 (+-30 and +-88.5 included) where naive formulas overflow, and on
    # conv outputs x 15.
    acts = [("Elu", {}), ("Elu", {"alpha": 0.7}), ("Selu", {}),
            ("Selu", {"alpha": 1.5, "gamma": 2.0}), ("Celu", {}), ("Celu", {"alpha": 0.6}),
            ("Softplus", {})]

    def act_nodes(x, acts=acts):
        return [helper.make_node(op, [x], ["a%d" % k], name="%s_%d" % (op.lower(), k), **attrs)
                for k, (op, attrs) in enumerate(acts)], ["a%d" % k for k in range(len(acts))]
    inits = []
    nodes, outs = act_nodes("c")
    add_case("activation_chains_after_conv", [conv("x", "c", 3, 4, "w1", inits)] + nodes,
             [("x", (2, 3, 5, 6))], outs, inits)
    # x * 0 + ramp: exactly the ramp's values, an activation (not a constant).
    ramp = np.concatenate([np.linspace(-100, 100, 41), [-88.5, 88.5, -30, 30, -1e-3, 1e-3,
                                                        -15.5, 15.5]]).astype(np.float32)
    nodes, outs = act_nodes("r")
    add_case("activation_chains_extremes", [
        helper.make_node("Mul", ["x", "zero"], ["z"], name="times_zero"),
        helper.make_node("Add", ["z", "ramp"], ["r"], name="add_ramp")] + nodes,
        [("x", (2, ramp.size))], outs, [const("zero", np.float32(0.0)), const("ramp", ramp)])
    # Scaled conv output: values up to about +-40 through NHWC chains.
    inits = []
    nodes, outs = act_nodes("cs")
    add_case("activation_chains_large_nhwc", [
        conv("x", "c", 3, 4, "w1", inits),
        helper.make_node("Mul", ["c", "k"], ["cs"], name="scale")] + nodes,
        [("x", (1, 3, 4, 5))], outs, inits + [const("k", np.float32(15.0))])
    # Mish (opset 18, newer than Debian's onnx: written unchecked) after a conv, scaled up,
    # and on the ramp.
    inits = []
    add_case("mish_opset18", [
        conv("x", "c", 3, 4, "w1", inits),
        helper.make_node("Mul", ["c", "k"], ["cs"], name="scale"),
        helper.make_node("Mish", ["c"], ["y"], name="mish"),
        helper.make_node("Mish", ["cs"], ["y2"], name="mish_large"),
        helper.make_node("Mul", ["x2", "zero"], ["z"], name="times_zero"),
        helper.make_node("Add", ["z", "ramp"], ["r"], name="add_ramp"),
        helper.make_node("Mish", ["r"], ["y3"], name="mish_ramp")],
        [("x", (2, 3, 5, 6)), ("x2", (2, ramp.size))],
        [("y", (2, 4, 5, 6)), ("y2", (2, 4, 5, 6)), ("y3", (2, ramp.size))],
        inits + [const("k", np.float32(15.0)), const("zero", np.float32(0.0)),
                 const("ramp", ramp)], opset=18, check=False)
    # InstanceNormalization: after a conv (NHWC), a 3-D model-order input, an input whose
    # mean is far from 0.
    inits = []
    add_case("instancenorm_after_conv", [
        conv("x", "c", 3, 4, "w1", inits),
        helper.make_node("InstanceNormalization", ["c", "s", "b"], ["y"], name="in",
                         epsilon=1e-3)],
        [("x", (2, 3, 5, 6))], ["y"], inits + [const("s", rand(4)), const("b", rand(4))])
    add_case("instancenorm_3d_offset", [
        helper.make_node("Add", ["x", "off"], ["xo"], name="offset"),
        helper.make_node("InstanceNormalization", ["xo", "s", "b"], ["y"], name="in")],
        [("x", (2, 3, 7))], ["y"],
        [const("off", np.float32(50.0)), const("s", rand(3)), const("b", rand(3))])
    add_case("unsupported_instancenorm_scale_input", [
        helper.make_node("InstanceNormalization", ["x", "s", "b"], ["y"], name="in")],
        [("x", (1, 3, 4, 4)), ("s", (3,))], ["y"], [const("b", rand(3))],
        expect="unsupported:InstanceNormalization")
    # DepthToSpace (DCR, CRD) and SpaceToDepth, blocksize 2 and 3, after a conv and on a
    # model-order input.
    for b in (2, 3):
        inits = []
        add_case("depth_to_space_b%d" % b, [
            conv("x", "c", 3, 2 * b * b, "w1", inits),
            helper.make_node("DepthToSpace", ["c"], ["y"], name="d2s_dcr", blocksize=b),
            helper.make_node("DepthToSpace", ["c"], ["y2"], name="d2s_crd", blocksize=b,
                             mode="CRD")],
            [("x", (2, 3, 4, 5))], ["y", "y2"], inits)
        inits = []
        add_case("space_to_depth_b%d" % b, [
            conv("x", "c", 3, 2, "w1", inits),
            helper.make_node("SpaceToDepth", ["c"], ["y"], name="s2d", blocksize=b),
            helper.make_node("SpaceToDepth", ["x"], ["y2"], name="s2d_input", blocksize=b)],
            [("x", (2, 3, 2 * b, 3 * b))], ["y", "y2"], inits)
    # In the model's order (no conv): both modes and SpaceToDepth without a transpose.
    add_case("depth_space_model_order", [
        helper.make_node("DepthToSpace", ["x"], ["y"], name="d2s_crd", blocksize=2, mode="CRD"),
        helper.make_node("DepthToSpace", ["x"], ["y2"], name="d2s_dcr", blocksize=2),
        helper.make_node("SpaceToDepth", ["x"], ["y3"], name="s2d", blocksize=3)],
        [("x", (2, 8, 3, 6))], ["y", "y2", "y3"])
    # Expand with a constant shape: N and W of an NHWC conv output, a pooled [1, C, 1, 1] to
    # the full map, in the model's order to a higher rank and to a shape of 1s (no change);
    # to rank 5 after a conv (beyond the binary node's 4 dims) is unsupported.
    inits = []
    add_case("expand_after_conv", [
        conv("x", "c", 3, 4, "w1", inits),
        helper.make_node("Expand", ["c", "s"], ["y"], name="expand_nw"),
        helper.make_node("GlobalAveragePool", ["c"], ["g"], name="gap"),
        helper.make_node("Expand", ["g", "s2"], ["y2"], name="expand_hw")],
        [("x", (1, 3, 5, 1))], ["y", "y2"],
        inits + [const("s", np.array([2, 4, 5, 6], np.int64)),
                 const("s2", np.array([1, 4, 5, 6], np.int64))])
    add_case("expand_model_order", [
        helper.make_node("Expand", ["x", "s"], ["y"], name="expand_rank3"),
        helper.make_node("Expand", ["x2", "s2"], ["y2"], name="expand_ones")],
        [("x", (3, 1)), ("x2", (2, 3, 4))], ["y", "y2"],
        [const("s", np.array([2, 3, 4], np.int64)), const("s2", np.array([3, 1], np.int64))])
    inits = []
    add_case("unsupported_expand_5d_nhwc", [
        conv("x", "c", 3, 4, "w1", inits),
        helper.make_node("Expand", ["c", "s"], ["y"], name="expand5")],
        [("x", (1, 3, 5, 1))], ["y"], inits + [const("s", np.array([2, 1, 4, 5, 6], np.int64))],
        expect="unsupported:Expand")


def reduce_chain_cases():
    """ReduceMin / SumSquare / L1 / L2 / LogSum / LogSumExp (chains of unary, reduce and
    binary nodes): on NHWC conv outputs (spatial, channel and W axes, keepdims 0 and 1,
    negative axes), on model-order inputs, with axes as an input (opset 18) and
    noop_with_empty_axes, and LogSumExp on values up to +-100 (a naive exp overflows)."""
    ops = ["ReduceMin", "ReduceSumSquare", "ReduceL1", "ReduceL2", "ReduceLogSum",
           "ReduceLogSumExp"]
    # (axes, keepdims) on a 4-D NHWC conv output [2, 4, 5, 6].
    nhwc = [([2, 3], 1), ([1], 1), ([-1], 1), ([2, -1], 0), ([1, 2, 3], 0), ([-4, -3, -2, -1], 1)]

    def reductions(x, variants, tag):
        nodes, outs = [], []
        for op in ops:
            src = x + "_pos" if op == "ReduceLogSum" else x
            for k, (axes, keep) in enumerate(variants):
                out = "%s_%s%d" % (tag, op[6:].lower(), k)
                attrs = {"keepdims": keep}
                if axes is not None:
                    attrs["axes"] = axes
                nodes.append(helper.make_node(op, [src], [out], name=out, **attrs))
                outs.append(out)
        # LogSum reads |x| + 0.1 (a log of a positive sum).
        nodes[:0] = [helper.make_node("Abs", [x], [x + "_abs"], name=x + "_abs"),
                     helper.make_node("Add", [x + "_abs", "tenth"], [x + "_pos"],
                                      name=x + "_pos")]
        return nodes, outs

    nodes, outs = reductions("c", nhwc, "nhwc")
    add_case("reduce_chains_after_conv", [
        helper.make_node("Conv", ["x", "w"], ["c"], name="conv", pads=[1, 1, 1, 1])] + nodes,
        [("x", (2, 3, 5, 6))], outs,
        [const("w", rand(4, 3, 3, 3, scale=0.4)), const("tenth", np.float32(0.1))])
    # Model order: 3-D input, leading / trailing / all axes.
    nodes, outs = reductions("x", [([0], 1), ([-1], 0), ([1, 2], 1), (None, 1), ([0, 1], 0)],
                             "mo")
    add_case("reduce_chains_model_order", nodes, [("x", (2, 3, 4))], outs,
             [const("tenth", np.float32(0.1))])
    # LogSumExp, L2, SumSquare on conv outputs x 25 (up to about +-100) and on a ramp to
    # +-100 (x * 0 + ramp: an activation).
    ramp = np.concatenate([np.linspace(-100, 100, 21), [-88.5, 88.5, 95, 99.5]]).astype(np.float32)
    inits = [const("w", rand(4, 3, 3, 3, scale=0.4)), const("k", np.float32(25.0)),
             const("zero", np.float32(0.0)), const("ramp", ramp.reshape(5, 5))]
    add_case("reducelogsumexp_large", [
        helper.make_node("Conv", ["x", "w"], ["c"], name="conv", pads=[1, 1, 1, 1]),
        helper.make_node("Mul", ["c", "k"], ["cs"], name="scale"),
        helper.make_node("ReduceLogSumExp", ["cs"], ["y"], name="lse_hw", axes=[2, 3]),
        helper.make_node("ReduceLogSumExp", ["cs"], ["y2"], name="lse_c", axes=[1],
                         keepdims=1),
        helper.make_node("ReduceLogSumExp", ["cs"], ["y3"], name="lse_chw", axes=[1, 2, 3],
                         keepdims=0),
        helper.make_node("Mul", ["x2", "zero"], ["z"], name="times_zero"),
        helper.make_node("Add", ["z", "ramp"], ["r"], name="add_ramp"),
        helper.make_node("ReduceLogSumExp", ["r"], ["y4"], name="lse_ramp_rows", axes=[-1]),
        helper.make_node("ReduceLogSumExp", ["r"], ["y5"], name="lse_ramp_cols", axes=[0],
                         keepdims=0),
        helper.make_node("Neg", ["r"], ["rn"], name="neg"),
        helper.make_node("ReduceLogSumExp", ["rn"], ["y6"], name="lse_neg_rows", axes=[1],
                         keepdims=0)],
        [("x", (2, 3, 5, 6)), ("x2", (5, 5))], ["y", "y2", "y3", "y4", "y5", "y6"], inits)
    # Opset 18: axes as input 1; noop_with_empty_axes = 1 with axes given reduces them,
    # without axes (and = 0) every axis.
    axes_nodes, outs18 = [], []
    for k, op in enumerate(ops):
        src = "xp" if op == "ReduceLogSum" else "c"
        axes_nodes += [
            helper.make_node(op, [src, "ax"], ["a%d" % k], name="axes_in_%d" % k, keepdims=0),
            helper.make_node(op, [src, "ax2"], ["b%d" % k], name="noop_axes_%d" % k,
                             noop_with_empty_axes=1),
            helper.make_node(op, [src], ["e%d" % k], name="all_%d" % k, noop_with_empty_axes=0)]
        outs18 += [("a%d" % k, (2, 4)), ("b%d" % k, (2, 1, 5, 6)), ("e%d" % k, (1, 1, 1, 1))]
    add_case("reduce_chains_opset18", [
        helper.make_node("Conv", ["x", "w"], ["c"], name="conv", pads=[1, 1, 1, 1]),
        helper.make_node("Abs", ["c"], ["ca"], name="abs"),
        helper.make_node("Add", ["ca", "tenth"], ["xp"], name="pos")] + axes_nodes,
        [("x", (2, 3, 5, 6))], outs18,
        [const("w", rand(4, 3, 3, 3, scale=0.4)), const("tenth", np.float32(0.1)),
         const("ax", np.array([-2, -1], np.int64)), const("ax2", np.array([1], np.int64))],
        opset=18, check=False)
    add_case("unsupported_reduce_noop_empty_axes", [
        helper.make_node("ReduceL2", ["x"], ["y"], name="noop", noop_with_empty_axes=1)],
        [("x", (2, 3))], [("y", (2, 3))], opset=18, check=False,
        expect="unsupported:ReduceL2")
    # An NHWC reduction over H alone without keepdims reorders the dims: unsupported.
    add_case("unsupported_reducemin_nhwc_reorder", [
        helper.make_node("Conv", ["x", "w"], ["c"], name="conv"),
        helper.make_node("ReduceMin", ["c"], ["y"], name="min_h", axes=[2], keepdims=0)],
        [("x", (1, 3, 4, 5))], ["y"], [const("w", rand(4, 3, 1, 1))],
        expect="unsupported:ReduceMin")
    # No exact chain for a product (exp of a sum of logs is not).
    add_case("unsupported_reduceprod", [
        helper.make_node("ReduceProd", ["x"], ["y"], name="prod", axes=[1])],
        [("x", (2, 3))], ["y"], expect="unsupported:ReduceProd")


def lp_cases():
    """GlobalLpPool and LpNormalization (p = 1, 2) after a conv (NHWC: channel, H, W axes)
    and in the model's order, with an all-zero row (ONNX Runtime writes zeros) and a row
    whose squares underflow (ORT: zeros too)."""
    add_case("lp_after_conv", [
        helper.make_node("Conv", ["x", "w"], ["c"], name="conv", pads=[1, 1, 1, 1]),
        helper.make_node("GlobalLpPool", ["c"], ["y"], name="glp2"),
        helper.make_node("GlobalLpPool", ["c"], ["y2"], name="glp1", p=1),
        helper.make_node("LpNormalization", ["c"], ["y3"], name="lpn_c2", axis=1),
        helper.make_node("LpNormalization", ["c"], ["y4"], name="lpn_c1", axis=1, p=1),
        helper.make_node("LpNormalization", ["c"], ["y5"], name="lpn_w2"),
        helper.make_node("LpNormalization", ["c"], ["y6"], name="lpn_h1", axis=-2, p=1)],
        [("x", (2, 3, 5, 6))], ["y", "y2", "y3", "y4", "y5", "y6"],
        [const("w", rand(4, 3, 3, 3, scale=0.4))])
    # Rows: all zero, tiny (1e-30: squares underflow, p = 2 norm 0; p = 1 reads 1e-3 there,
    # which f16 inference can represent), normal, large.
    rows = np.array([0.0, 1e-30, 1.0, 30.0], np.float32).reshape(4, 1)
    rows1 = np.array([0.0, 1e-3, 1.0, 30.0], np.float32).reshape(4, 1)
    add_case("lpnormalization_zero_rows", [
        helper.make_node("Mul", ["x", "rows"], ["r"], name="row_scale"),
        helper.make_node("Mul", ["x", "rows1"], ["r1"], name="row_scale1"),
        helper.make_node("LpNormalization", ["r"], ["y"], name="lpn2"),
        helper.make_node("LpNormalization", ["r1"], ["y2"], name="lpn1", p=1),
        helper.make_node("LpNormalization", ["r"], ["y3"], name="lpn2_axis0", axis=0),
        helper.make_node("LpNormalization", ["r1"], ["y4"], name="lpn1_axis0", axis=-2, p=1)],
        [("x", (4, 5))], ["y", "y2", "y3", "y4"], [const("rows", rows), const("rows1", rows1)])
    # After a 1-D conv: NHWC rank 3 (stored [N][1][W][C]).
    add_case("lp_reduce_after_conv1d", [
        helper.make_node("Conv", ["x", "w"], ["c"], name="conv1d", pads=[1, 1]),
        helper.make_node("LpNormalization", ["c"], ["y"], name="lpn_w2"),
        helper.make_node("LpNormalization", ["c"], ["y2"], name="lpn_c1", axis=1, p=1),
        helper.make_node("GlobalLpPool", ["c"], ["y3"], name="glp2"),
        helper.make_node("ReduceLogSumExp", ["c"], ["y4"], name="lse_w", axes=[-1]),
        helper.make_node("ReduceMin", ["c"], ["y5"], name="min_cw", axes=[1, 2], keepdims=0),
        helper.make_node("ReduceL2", ["c"], ["y6"], name="l2_c", axes=[1])],
        [("x", (2, 3, 9))], ["y", "y2", "y3", "y4", "y5", "y6"],
        [const("w", rand(5, 3, 3, scale=0.4))])
    add_case("globallppool_model_order", [
        helper.make_node("GlobalLpPool", ["x"], ["y"], name="glp2"),
        helper.make_node("GlobalLpPool", ["x"], ["y2"], name="glp1", p=1)],
        [("x", (2, 3, 7))], ["y", "y2"])
    # (LpNormalization with p = 3 is listed unsupported too; ONNX Runtime refuses to load it,
    # so it has no unit model.)
    add_case("unsupported_globallppool_p3", [
        helper.make_node("Conv", ["x", "w"], ["c"], name="conv"),
        helper.make_node("GlobalLpPool", ["c"], ["y"], name="glp3", p=3)],
        [("x", (1, 3, 4, 5))], ["y"], [const("w", rand(4, 3, 1, 1))],
        expect="unsupported:GlobalLpPool")


def lrn_cases():
    """LRN (square, fully connected over C with a banded matrix, log, exp, multiply) after a
    conv (NHWC): AlexNet's alpha = 1e-4, beta = 0.75 with size 3 and 5 and bias 1 and 2, on
    conv outputs x 40 (where the window sum moves the result), a large alpha, a window wider
    than C; on a model-order input (a transpose first); bias 0 unsupported."""
    lrns = [("lrn3", 3, 1e-4, 0.75, 1.0, "c"), ("lrn5", 5, 1e-4, 0.75, 2.0, "c"),
            ("lrn3_large", 3, 1e-4, 0.75, 1.0, "cs"), ("lrn5_large", 5, 1e-4, 0.75, 2.0, "cs"),
            ("lrn3_alpha", 3, 0.5, 0.6, 1.0, "c"), ("lrn9_wide", 9, 0.3, 0.75, 2.0, "c")]
    add_case("lrn_after_conv", [
        helper.make_node("Conv", ["x", "w"], ["c"], name="conv", pads=[1, 1, 1, 1]),
        helper.make_node("Mul", ["c", "k"], ["cs"], name="scale")] + [
        helper.make_node("LRN", [src], [name], name=name, size=size, alpha=alpha, beta=beta,
                         bias=bias) for name, size, alpha, beta, bias, src in lrns],
        [("x", (2, 3, 6, 7))], [l[0] for l in lrns],
        [const("w", rand(8, 3, 3, 3, scale=0.4)), const("k", np.float32(40.0))])
    add_case("lrn_model_order", [
        helper.make_node("LRN", ["x"], ["y"], name="lrn3", size=3, alpha=0.3, beta=0.75,
                         bias=2.0),
        helper.make_node("LRN", ["x"], ["y2"], name="lrn5", size=5)],
        [("x", (1, 5, 4, 3))], ["y", "y2"])
    add_case("unsupported_lrn_bias0", [
        helper.make_node("Conv", ["x", "w"], ["c"], name="conv"),
        helper.make_node("LRN", ["c"], ["y"], name="lrn_bias0", size=3, bias=0.0)],
        [("x", (1, 3, 4, 5))], ["y"], [const("w", rand(4, 3, 1, 1))],
        expect="unsupported:LRN")


def build():
    conv_case("conv3x3", (1, 3, 9, 8), (4, 3, 3, 3), pads=[1, 1, 1, 1])
    conv_case("conv_stride_dilation", (2, 5, 13, 11), (6, 5, 3, 2), bias=False,
              strides=[2, 1], dilations=[2, 1], pads=[1, 0, 2, 1])
    conv_case("conv_groups", (1, 8, 7, 7), (6, 4, 3, 3), group=2, pads=[1, 1, 1, 1])
    conv_case("conv_depthwise", (1, 6, 10, 9), (12, 1, 3, 3), group=6, pads=[1, 1, 1, 1],
              strides=[2, 2])
    conv_case("conv_same_upper", (1, 3, 10, 9), (4, 3, 3, 3), auto_pad="SAME_UPPER",
              strides=[2, 2])
    conv_case("conv_same_lower", (1, 3, 10, 9), (4, 3, 4, 4), auto_pad="SAME_LOWER",
              strides=[2, 2])
    conv_case("conv_1x1", (1, 16, 5, 6), (8, 16, 1, 1))
    conv_case("conv1d", (2, 4, 17), (5, 4, 3), pads=[1, 1], strides=[2])

    # Conv + BatchNormalization (folded) + Relu
    c = 6
    add_case("conv_bn_relu", [
        helper.make_node("Conv", ["x", "w", "b"], ["c"], name="conv", pads=[1, 1, 1, 1]),
        helper.make_node("BatchNormalization", ["c", "s", "o", "m", "v"], ["n"], name="bn",
                         epsilon=1e-3),
        helper.make_node("Relu", ["n"], ["y"], name="relu")],
        [("x", (1, 3, 8, 8))], ["y"],
        [const("w", rand(c, 3, 3, 3, scale=0.3)), const("b", rand(c)),
         const("s", rand(c) + 1.5), const("o", rand(c)), const("m", rand(c)),
         const("v", np.abs(rand(c)) + 0.5)])
    add_case("batchnorm_alone", [
        helper.make_node("BatchNormalization", ["x", "s", "o", "m", "v"], ["y"], name="bn")],
        [("x", (2, 5, 4, 3))], ["y"],
        [const("s", rand(5)), const("o", rand(5)), const("m", rand(5)),
         const("v", np.abs(rand(5)) + 0.5)])

    # Gemm variants and MatMul with a constant operand
    add_case("gemm_transb_alpha_beta", [
        helper.make_node("Gemm", ["x", "w", "c"], ["y"], name="gemm", transB=1, alpha=0.5,
                         beta=2.0)],
        [("x", (3, 10))], ["y"], [const("w", rand(7, 10)), const("c", rand(7))])
    add_case("gemm_scalar_c", [
        helper.make_node("Gemm", ["x", "w", "c"], ["y"], name="gemm")],
        [("x", (2, 6))], ["y"], [const("w", rand(6, 4)), const("c", rand(1))])
    add_case("gemm_row_c", [
        helper.make_node("Gemm", ["x", "w", "c"], ["y"], name="gemm", transB=1)],
        [("x", (4, 5))], ["y"], [const("w", rand(3, 5)), const("c", rand(1, 3))])
    add_case("matmul_const_3d", [
        helper.make_node("MatMul", ["x", "w"], ["y"], name="matmul")],
        [("x", (2, 3, 8))], ["y"], [const("w", rand(8, 5))])

    # Elementwise: Add with broadcasting, Sub of a constant, clamps
    add_case("conv_add_channel_const", [
        helper.make_node("Conv", ["x", "w"], ["c"], name="conv"),
        helper.make_node("Add", ["c", "k"], ["y"], name="add")],
        [("x", (1, 3, 5, 4))], ["y"], [const("w", rand(4, 3, 1, 1)), const("k", rand(1, 4, 1, 1))])
    add_case("residual_add", [
        helper.make_node("Conv", ["x", "w"], ["c"], name="conv", pads=[1, 1, 1, 1]),
        helper.make_node("Add", ["c", "x"], ["y"], name="add")],
        [("x", (1, 4, 6, 5))], ["y"], [const("w", rand(4, 4, 3, 3, scale=0.3))])
    add_case("add_2d_broadcast", [
        helper.make_node("Add", ["x", "k"], ["a"], name="add"),
        helper.make_node("Sub", ["a", "z"], ["y"], name="sub")],
        [("x", (3, 5))], ["y"], [const("k", rand(5)), const("z", rand(3, 1))])
    add_case("clip_relu_max_min", [
        helper.make_node("Clip", ["x", "lo", "hi"], ["a"], name="clip"),
        helper.make_node("Max", ["a", "m"], ["b"], name="max"),
        helper.make_node("Min", ["b", "n"], ["c"], name="min"),
        helper.make_node("Relu", ["c"], ["y"], name="relu")],
        [("x", (2, 9))], ["y"],
        [const("lo", np.float32(-1.0)), const("hi", np.float32(1.5)),
         const("m", np.float32(-0.5)), const("n", np.float32(1.2))])
    add_case("conv_clip6", [
        helper.make_node("Conv", ["x", "w", "b"], ["c"], name="conv"),
        helper.make_node("Clip", ["c", "lo", "hi"], ["y"], name="relu6")],
        [("x", (1, 3, 4, 4))], ["y"],
        [const("w", rand(5, 3, 1, 1, scale=3.0)), const("b", rand(5)),
         const("lo", np.float32(0.0)), const("hi", np.float32(6.0))])
    add_case("channel_mul_div", [
        helper.make_node("Conv", ["x", "w"], ["c"], name="conv"),
        helper.make_node("Mul", ["c", "s"], ["m"], name="mul"),
        helper.make_node("Div", ["m", "d"], ["y"], name="div")],
        [("x", (1, 3, 4, 5))], ["y"],
        [const("w", rand(4, 3, 1, 1)), const("s", rand(4, 1, 1)), const("d", np.float32(3.0))])

    # Scale-shift chains after a conv fold into its weights; a value with two readers not.
    add_case("conv_scale_shift_fold", [
        helper.make_node("Conv", ["x", "w", "b"], ["c"], name="conv", pads=[1, 1, 1, 1]),
        helper.make_node("Mul", ["c", "s"], ["m"], name="scale"),
        helper.make_node("Add", ["t", "m"], ["a"], name="shift"),
        helper.make_node("Div", ["a", "d"], ["q"], name="div"),
        helper.make_node("Sub", ["q", "e"], ["r"], name="sub"),
        helper.make_node("Relu", ["r"], ["y"], name="relu")],
        [("x", (1, 3, 6, 7))], ["y"],
        [const("w", rand(5, 3, 3, 3, scale=0.3)), const("b", rand(5)),
         const("s", rand(1, 5, 1, 1)), const("t", rand(5, 1, 1)), const("d", np.float32(2.0)),
         const("e", np.array([0.25], np.float32))])
    add_case("conv_scale_two_readers", [
        helper.make_node("Conv", ["x", "w"], ["c"], name="conv"),
        helper.make_node("Mul", ["c", "s"], ["m"], name="scale"),
        helper.make_node("Add", ["m", "c"], ["y"], name="add")],
        [("x", (1, 4, 5, 5))], ["y"],
        [const("w", rand(4, 4, 1, 1)), const("s", rand(1, 4, 1, 1))])

    # Pooling, classifier head with shape arithmetic, softmax
    add_case("maxpool_3x3_s2", [
        helper.make_node("MaxPool", ["x"], ["y"], name="pool", kernel_shape=[3, 3],
                         strides=[2, 2], pads=[1, 1, 1, 1])],
        [("x", (1, 4, 9, 8))], ["y"])
    add_case("maxpool_2x2", [
        helper.make_node("MaxPool", ["x"], ["y"], name="pool", kernel_shape=[2, 2],
                         strides=[2, 2])],
        [("x", (2, 3, 6, 6))], ["y"])
    add_case("gap_reshape_gemm_softmax", [
        helper.make_node("Conv", ["x", "w"], ["c"], name="conv", pads=[1, 1, 1, 1]),
        helper.make_node("GlobalAveragePool", ["c"], ["g"], name="gap"),
        helper.make_node("Shape", ["g"], ["s"], name="shape"),
        helper.make_node("Gather", ["s", "zero"], ["n"], name="gather", axis=0),
        helper.make_node("Unsqueeze", ["n", "axes"], ["nu"], name="unsqueeze"),
        helper.make_node("Concat", ["nu", "minus1"], ["target"], name="concat", axis=0),
        helper.make_node("Reshape", ["g", "target"], ["f"], name="reshape"),
        helper.make_node("Gemm", ["f", "fc", "fb"], ["l"], name="fc", transB=1),
        helper.make_node("Softmax", ["l"], ["y"], name="softmax", axis=-1)],
        [("x", (2, 3, 7, 6))], [("y", (2, 5))],
        [const("w", rand(8, 3, 3, 3, scale=0.3)), const("zero", np.int64(0)),
         const("axes", np.array([0], np.int64)), const("minus1", np.array([-1], np.int64)),
         const("fc", rand(5, 8)), const("fb", rand(5))])
    add_case("flatten_gemm", [
        helper.make_node("GlobalAveragePool", ["x"], ["g"], name="gap"),
        helper.make_node("Flatten", ["g"], ["f"], name="flatten", axis=1),
        helper.make_node("Gemm", ["f", "fc"], ["y"], name="fc")],
        [("x", (1, 6, 3, 3))], ["y"], [const("fc", rand(6, 4))])
    add_case("softmax_channels", [
        helper.make_node("Conv", ["x", "w"], ["c"], name="conv"),
        helper.make_node("Softmax", ["c"], ["y"], name="softmax", axis=1)],
        [("x", (1, 3, 4, 5))], ["y"], [const("w", rand(6, 3, 1, 1))])
    add_case("softmax_opset11", [
        helper.make_node("Softmax", ["x"], ["y"], name="softmax")],
        [("x", (4, 7))], ["y"], opset=11)

    # Opset 9 forms (attributes where newer opsets take inputs), as PaddleOCR's cls uses.
    add_case("opset9_head", [
        helper.make_node("Conv", ["x", "w"], ["c"], name="conv"),
        helper.make_node("Clip", ["c"], ["r"], name="relu6", min=0.0, max=6.0),
        helper.make_node("GlobalAveragePool", ["r"], ["g"], name="gap"),
        helper.make_node("Shape", ["g"], ["s"], name="shape"),
        helper.make_node("Cast", ["s"], ["s32"], name="cast", to=TensorProto.INT32),
        helper.make_node("Slice", ["s32"], ["n"], name="slice", starts=[0], ends=[1], axes=[0]),
        helper.make_node("Cast", ["n"], ["n64"], name="cast64", to=TensorProto.INT64),
        helper.make_node("Concat", ["n64", "minus1"], ["target"], name="concat", axis=0),
        helper.make_node("Reshape", ["g", "target"], ["f"], name="reshape"),
        helper.make_node("Unsqueeze", ["f"], ["u"], name="unsqueeze", axes=[1]),
        helper.make_node("Squeeze", ["u"], ["q"], name="squeeze", axes=[1]),
        helper.make_node("Softmax", ["q"], ["y"], name="softmax")],
        [("x", (2, 3, 5, 4))], [("y", (2, 6))],
        [const("w", rand(6, 3, 1, 1, scale=2.0)), const("minus1", np.array([-1], np.int64))],
        opset=9)

    # A small MobileNet v1-like network end to end (BN folding, Clip 0..6, depthwise and
    # pointwise convs, global pooling, Flatten, Gemm, Softmax); also timed in docs/onnx.md.
    mobilenet_like()

    # Compute nodes: average pooling, layer normalization (op and exported chain),
    # transposed convolution.
    add_case("averagepool_pads_exclude", [
        helper.make_node("AveragePool", ["x"], ["y"], name="pool", kernel_shape=[3, 3],
                         strides=[2, 2], pads=[1, 1, 1, 1])],
        [("x", (1, 5, 9, 8))], ["y"])
    add_case("averagepool_include_pad_ceil", [
        helper.make_node("AveragePool", ["x"], ["y"], name="pool", kernel_shape=[3, 2],
                         strides=[2, 2], pads=[1, 0, 1, 1], count_include_pad=1,
                         ceil_mode=1)],
        [("x", (2, 3, 8, 7))], ["y"])
    add_case("averagepool_ceil_exclude", [
        helper.make_node("AveragePool", ["x"], ["y"], name="pool", kernel_shape=[3, 2],
                         strides=[3, 2], ceil_mode=1)],
        [("x", (1, 4, 10, 7))], ["y"])
    add_case("maxpool_ceil_mode", [
        helper.make_node("MaxPool", ["x"], ["y0"], name="pool_ceil", kernel_shape=[3, 3],
                         strides=[2, 2], ceil_mode=1),
        helper.make_node("MaxPool", ["x"], ["y1"], name="pool_ceil_pads", kernel_shape=[3, 2],
                         strides=[2, 2], pads=[1, 0, 1, 1], ceil_mode=1),
        helper.make_node("MaxPool", ["x"], ["y2"], name="pool_ceil_dilated", kernel_shape=[2, 2],
                         strides=[3, 2], dilations=[2, 1], ceil_mode=1),
        helper.make_node("MaxPool", ["x"], ["y3"], name="pool_ceil_last_in_padding",
                         kernel_shape=[3, 3], strides=[3, 3], pads=[1, 1, 1, 1], ceil_mode=1),
        helper.make_node("MaxPool", ["x1"], ["y4"], name="pool_ceil_1d", kernel_shape=[2],
                         strides=[2], ceil_mode=1)],
        [("x", (1, 3, 8, 7)), ("x1", (2, 3, 9))], ["y0", "y1", "y2", "y3", "y4"])
    add_case("layernorm_op", [
        helper.make_node("LayerNormalization", ["x", "g", "b"], ["y"], name="ln", axis=-1,
                         epsilon=1e-5)],
        [("x", (2, 7, 24))], ["y"], [const("g", rand(24)), const("b", rand(24))], opset=17)
    add_case("layernorm_chain_opset9", [
        helper.make_node("ReduceMean", ["x"], ["m"], name="mean", axes=[-1]),
        helper.make_node("Sub", ["x", "m"], ["d"], name="sub"),
        helper.make_node("Pow", ["d", "two"], ["p"], name="pow"),
        helper.make_node("ReduceMean", ["p"], ["v"], name="var", axes=[-1]),
        helper.make_node("Add", ["v", "eps"], ["e"], name="add_eps"),
        helper.make_node("Sqrt", ["e"], ["s"], name="sqrt"),
        helper.make_node("Div", ["d", "s"], ["n"], name="div"),
        helper.make_node("Mul", ["n", "g"], ["ng"], name="scale"),
        helper.make_node("Add", ["ng", "b"], ["y"], name="shift")],
        [("x", (3, 40))], ["y"],
        [const("two", np.float32(2.0)), const("eps", np.float32(1e-6)),
         const("g", rand(40)), const("b", rand(40))], opset=9)
    add_case("convtranspose_2x2_s2", [
        helper.make_node("ConvTranspose", ["x", "w", "bias"], ["y"], name="deconv",
                         kernel_shape=[2, 2], strides=[2, 2])],
        [("x", (1, 6, 5, 4))], ["y"], [const("w", rand(6, 3, 2, 2, scale=0.3)),
                                       const("bias", rand(3))])
    # Constant per-channel / scalar Add, Mul, Sub and BatchNormalization after a
    # ConvTranspose, Gemm or MatMul fold into its weights and bias (as after a Conv).
    add_case("convtranspose_add_bn_relu_fold", [
        helper.make_node("ConvTranspose", ["x", "w"], ["c"], name="deconv",
                         kernel_shape=[2, 2], strides=[2, 2]),
        helper.make_node("Add", ["c", "b"], ["a"], name="bias"),
        helper.make_node("BatchNormalization", ["a", "g", "beta", "mean", "var"], ["n"],
                         name="bn"),
        helper.make_node("Relu", ["n"], ["y"], name="relu")],
        [("x", (1, 6, 5, 4))], ["y"],
        [const("w", rand(6, 3, 2, 2, scale=0.3)), const("b", rand(1, 3, 1, 1)),
         const("g", rand(3)), const("beta", rand(3)), const("mean", rand(3)),
         const("var", np.abs(rand(3)) + 0.5)])
    add_case("convtranspose_scalar_add_sigmoid_fold", [
        helper.make_node("ConvTranspose", ["x", "w", "bias"], ["c"], name="deconv",
                         kernel_shape=[2, 2], strides=[2, 2]),
        helper.make_node("Mul", ["c", "s"], ["m"], name="scale"),
        helper.make_node("Add", ["m", "t"], ["a"], name="shift"),
        helper.make_node("Sigmoid", ["a"], ["y"], name="sigmoid")],
        [("x", (1, 8, 6, 5))], ["y"],
        [const("w", rand(8, 1, 2, 2, scale=0.3)), const("bias", rand(1)),
         const("s", np.float32(1.5)), const("t", np.full((1, 1, 1, 1), -0.5, np.float32))])
    add_case("convtranspose_add_two_readers", [
        helper.make_node("ConvTranspose", ["x", "w"], ["c"], name="deconv",
                         kernel_shape=[2, 2], strides=[2, 2]),
        helper.make_node("Sub", ["t", "c"], ["a"], name="rsub"),
        helper.make_node("Add", ["a", "c"], ["y"], name="add")],
        [("x", (1, 4, 3, 3))], ["y"],
        [const("w", rand(4, 2, 2, 2, scale=0.3)), const("t", rand(1, 2, 1, 1))])
    add_case("gemm_scale_shift_fold", [
        helper.make_node("Gemm", ["x", "w", "c"], ["g"], name="fc", transB=1, alpha=0.5),
        helper.make_node("Mul", ["g", "s"], ["m"], name="scale"),
        helper.make_node("Sub", ["m", "t"], ["y"], name="shift")],
        [("x", (3, 10))], ["y"],
        [const("w", rand(7, 10)), const("c", rand(7)), const("s", rand(1, 7)),
         const("t", np.float32(0.75))])
    add_case("matmul_bias_div_fold", [
        helper.make_node("MatMul", ["x", "w"], ["g"], name="fc"),
        helper.make_node("Add", ["b", "g"], ["a"], name="bias"),
        helper.make_node("Div", ["a", "d"], ["y"], name="div")],
        [("x", (2, 5, 12))], ["y"],
        [const("w", rand(12, 9)), const("b", rand(9)), const("d", np.float32(4.0))])
    add_case("convtranspose_groups_pads_outpad", [
        helper.make_node("ConvTranspose", ["x", "w"], ["y"], name="deconv", group=2,
                         kernel_shape=[3, 3], strides=[2, 3], pads=[1, 0, 1, 2],
                         output_padding=[1, 2], dilations=[1, 2])],
        [("x", (2, 4, 5, 4))], ["y"], [const("w", rand(4, 3, 3, 3, scale=0.3))])

    add_case("matmul_two_activations_softmax_axis", [
        helper.make_node("MatMul", ["q", "k"], ["s"], name="scores"),
        helper.make_node("Softmax", ["s"], ["a"], name="softmax_keys", axis=2),
        helper.make_node("MatMul", ["a", "v"], ["y"], name="context")],
        [("q", (2, 3, 5, 8)), ("k", (3, 8, 5)), ("v", (2, 1, 5, 4))], ["y"])
    add_case("softmax_spatial_axis_nhwc", [
        helper.make_node("Conv", ["x", "w"], ["c"], name="conv"),
        helper.make_node("Softmax", ["c"], ["y"], name="softmax_h", axis=2)],
        [("x", (1, 3, 6, 5))], ["y"], [const("w", rand(4, 3, 1, 1))])

    add_case("globalmaxpool", [
        helper.make_node("Conv", ["x", "w"], ["c"], name="conv"),
        helper.make_node("GlobalMaxPool", ["c"], ["y"], name="gmp")],
        [("x", (2, 3, 5, 4))], ["y"], [const("w", rand(6, 3, 1, 1))])
    add_case("reducemean_spatial_keepdims", [
        helper.make_node("Conv", ["x", "w"], ["c"], name="conv"),
        helper.make_node("ReduceMean", ["c"], ["y"], name="mean_hw", axes=[2, 3])],
        [("x", (1, 3, 6, 5))], ["y"], [const("w", rand(4, 3, 1, 1))])
    add_case("reducesum_axes_input", [
        helper.make_node("ReduceSum", ["x", "axes"], ["y"], name="sum", keepdims=0)],
        [("x", (2, 5, 7))], ["y"], [const("axes", np.array([0, 1], np.int64))])
    add_case("reducemax_last_opset11", [
        helper.make_node("ReduceMax", ["x"], ["y"], name="max", axes=[-1])],
        [("x", (3, 4, 9))], ["y"], opset=11)
    elementwise_cases()
    layout_cases()

    # Unsupported for now: listed with op type and node name.
    affine_cases()
    add_case("unsupported_acos", [
        helper.make_node("Conv", ["x", "w"], ["c"], name="conv"),
        helper.make_node("Acos", ["c"], ["y"], name="the_acos")],
        [("x", (1, 3, 4, 4))], ["y"], [const("w", rand(2, 3, 1, 1))],
        expect="unsupported:Acos")

    matmulnbits_cases()
    chain_cases()
    reduce_chain_cases()
    lp_cases()
    lrn_cases()
    rounding_cases()
    qdq_cases()
    logic_cases()
    gather_cases()
    log_softmax_cases()
    math_chain_cases()
    einsum_cases()
    group_norm_cases()
    softmax_flattened_cases()
    isnan_isinf_cases()
    argmax_cases()
    lstm_cases()

# Opset < 13 Softmax over several dims: its own generator (the cases before keep theirs).
softmax_rng = np.random.default_rng(20261209)


def softmax_flattened_cases():
    """Softmax of opset 11 over every dim from the axis on (x viewed as 2-D), where that is
    more than one physical axis: the chain reduce max, subtract, exp, reduce sum, divide. On
    an NHWC conv output (the default axis 1: C, H, W; axis 2: H, W; axis 0: everything), on
    model-order inputs (3-D axis 1, 4-D axis -3), and on magnitudes to about 300 (a naive
    exp overflows)."""
    def srand(*shape, scale=1.0):
        return (softmax_rng.standard_normal(shape) * scale).astype(np.float32)
    conv = helper.make_node("Conv", ["x", "w"], ["c"], name="conv", pads=[1, 1, 1, 1])
    add_case("softmax_opset11_flattened", [conv] + [
        helper.make_node("Softmax", ["c"], ["y"], name="softmax_default"),
        helper.make_node("Softmax", ["c"], ["y2"], name="softmax_hw", axis=2),
        helper.make_node("Softmax", ["c"], ["y3"], name="softmax_all", axis=0),
        helper.make_node("Softmax", ["x2"], ["y4"], name="softmax_3d", axis=1),
        helper.make_node("Softmax", ["x3"], ["y5"], name="softmax_4d", axis=-3)],
        [("x", (2, 3, 5, 6)), ("x2", (2, 3, 4)), ("x3", (2, 3, 2, 5))],
        ["y", "y2", "y3", "y4", "y5"], [const("w", srand(6, 3, 3, 3, scale=0.4))], opset=11,
        values=[srand(2, 3, 5, 6), srand(2, 3, 4), srand(2, 3, 2, 5)])
    add_case("softmax_opset11_large", [
        helper.make_node("Softmax", ["x"], ["y"], name="softmax_large", axis=1)],
        [("x", (3, 4, 5))], ["y"], opset=11, values=[srand(3, 4, 5, scale=300.0)])


# IsNaN / IsInf: their own generator (the cases before keep theirs).
special_rng = np.random.default_rng(20261210)


def isnan_isinf_cases():
    """IsNaN and IsInf (all four detect_negative / detect_positive pairs), their bool outputs
    cast to float, and torch's nan_to_num pattern (Where(IsNaN), Where(IsInf) with one sign
    each): on a model-order input holding NaN, +inf and -inf among normal values (every
    mode: nothing is quantized), and on an NHWC conv output whose window reaches planted
    infinities (+inf, -inf, both: NaN) -- f32 only, as qd8's per-row range of such a map
    is infinite."""
    x = special_rng.standard_normal((3, 7)).astype(np.float32)
    x[0, 1] = np.nan
    x[1, 2] = np.inf
    x[2, 3] = -np.inf
    x[2, 6] = np.nan
    x[0, 5] = -np.inf

    def flags(src, tag):
        nodes = [helper.make_node("IsNaN", [src], [tag + "n"], name=tag + "isnan")]
        outs = [tag + "n"]
        for k, (neg, pos) in enumerate([(1, 1), (0, 1), (1, 0), (0, 0)]):
            nodes.append(helper.make_node("IsInf", [src], ["%si%d" % (tag, k)], name="%sisinf%d" % (tag, k),
                                          detect_negative=neg, detect_positive=pos))
            outs.append("%si%d" % (tag, k))
        casts = [helper.make_node("Cast", [o], [o + "_f"], name=o + "_cast", to=TensorProto.FLOAT)
                 for o in outs]
        return nodes + casts, [o + "_f" for o in outs]
    nodes, outs = flags("x", "m")
    nan_to_num = [
        helper.make_node("IsNaN", ["x"], ["isn"], name="ntn_isnan"),
        helper.make_node("Where", ["isn", "zero", "x"], ["z1"], name="ntn_nan"),
        helper.make_node("IsInf", ["z1"], ["ispos"], name="ntn_ispos", detect_negative=0),
        helper.make_node("Where", ["ispos", "big", "z1"], ["z2"], name="ntn_pos"),
        helper.make_node("IsInf", ["z2"], ["isneg"], name="ntn_isneg", detect_positive=0),
        helper.make_node("Where", ["isneg", "nbig", "z2"], ["y"], name="ntn_neg")]
    add_case("isnan_isinf_model_order", nodes + nan_to_num, [("x", (3, 7))], outs + ["y"],
             [const("zero", np.float32(0.0)), const("big", np.float32(60000.0)),
              const("nbig", np.float32(-60000.0))], values=[x])
    xc = special_rng.standard_normal((1, 2, 6, 5)).astype(np.float32)
    xc[0, 0, 1, 1] = np.inf
    xc[0, 1, 4, 3] = -np.inf
    xc[0, 0, 3, 0] = np.inf
    xc[0, 1, 3, 1] = -np.inf
    xc[0, 0, 5, 4] = np.nan
    conv = helper.make_node("Conv", ["xc", "w"], ["c"], name="conv", pads=[1, 1, 1, 1])
    nodes, outs = flags("c", "c")
    add_case("isnan_isinf_after_conv", [conv] + nodes, [("xc", (1, 2, 6, 5))], outs,
             [const("w", (special_rng.standard_normal((3, 2, 3, 3)) * 0.5).astype(np.float32))],
             values=[xc], expect="f32")


# ArgMax / ArgMin: their own generator (the cases before keep theirs).
argmax_rng = np.random.default_rng(20261211)


def argmax_cases():
    """ArgMax / ArgMin (int64 graph outputs, pqnn_onnx_run_typed_outputs) against ONNX
    Runtime: on a model-order input of values on a 0.5 grid (ties everywhere: first and last
    index) with NaN planted first in a row (ORT keeps index 0), inside rows, a row of NaN
    only, and +-inf; every axis, keepdims 0 / 1, select_last_index, a 1-D input (a scalar
    output), a bool output (Greater), a Cast of indices to int32 and to float (every mode:
    the grid is exact in f16, nothing is quantized). And on an NHWC conv output: the
    segmentation head (over C, keepdims 0), over W and over H (last index), and Less as a
    bool output (f32)."""
    x = (np.round(argmax_rng.uniform(-2.0, 2.0, (5, 6, 7)) * 2.0) / 2.0).astype(np.float32)
    x[0, 0, 0] = np.nan   # first of its row along axes 1 and 2, and along axis 0
    x[1, 3, 2] = np.nan
    x[2, :, 4] = np.nan   # a whole row along axis 1
    x[3, 2, 5] = np.inf
    x[4, 1, 1] = -np.inf
    x[3, 4, :] = -np.inf  # a row of -inf along axis 2: ties of infinities
    x2 = (np.round(argmax_rng.uniform(-2.0, 2.0, (9,)) * 2.0) / 2.0).astype(np.float32)
    i64 = TensorProto.INT64
    nodes = [
        helper.make_node("ArgMax", ["x"], ["y0"], name="argmax_axis1", axis=1, keepdims=0),
        helper.make_node("ArgMax", ["x"], ["y1"], name="argmax_last", axis=-1, keepdims=1,
                         select_last_index=1),
        helper.make_node("ArgMin", ["x"], ["y2"], name="argmin_axis0", axis=0, keepdims=0),
        helper.make_node("ArgMin", ["x"], ["y3"], name="argmin_last", axis=2, keepdims=0,
                         select_last_index=1),
        helper.make_node("ArgMax", ["x2"], ["y4"], name="argmax_1d", keepdims=0),
        helper.make_node("Greater", ["x", "quarter"], ["y5"], name="greater"),
        helper.make_node("ArgMax", ["x"], ["i6"], name="argmax_axis2", axis=2),
        helper.make_node("Cast", ["i6"], ["y6"], name="indices_int32", to=TensorProto.INT32),
        helper.make_node("ArgMin", ["x"], ["i7"], name="argmin_axis1", axis=1),
        helper.make_node("Cast", ["i7"], ["y7"], name="indices_float", to=TensorProto.FLOAT)]
    add_case("argmax_argmin_model_order", nodes, [("x", (5, 6, 7)), ("x2", (9,))],
             [("y%d" % k, None, t) for k, t in enumerate([i64] * 5 + [TensorProto.BOOL,
                                                            TensorProto.INT32, TensorProto.FLOAT])],
             [const("quarter", np.float32(0.25))],
             values=[x, x2])
    xc = argmax_rng.standard_normal((1, 3, 6, 5)).astype(np.float32)
    conv = helper.make_node("Conv", ["xc", "w"], ["c"], name="conv", pads=[1, 1, 1, 1])
    add_case("argmax_after_conv", [conv,
        helper.make_node("ArgMax", ["c"], ["y0"], name="segmentation_head", axis=1, keepdims=0),
        helper.make_node("ArgMax", ["c"], ["y1"], name="argmax_w", axis=3),
        helper.make_node("ArgMin", ["c"], ["y2"], name="argmin_h_last", axis=2, keepdims=0,
                         select_last_index=1),
        helper.make_node("Less", ["c", "zero"], ["y3"], name="less")],
        [("xc", (1, 3, 6, 5))],
        [("y0", None, i64), ("y1", None, i64), ("y2", None, i64), ("y3", None, TensorProto.BOOL)],
        [const("w", (argmax_rng.standard_normal((4, 3, 3, 3)) * 0.5).astype(np.float32)),
         const("zero", np.float32(0.0))], values=[xc], expect="f32")
    # Hardmax: opset 13 along the last axis and axis 1, opset 11 where the 2-D view is the
    # last axis alone (a NaN first in its row: all zeros, as ORT); opset 11 over several
    # dims (unsupported); Trilu (upper, lower; k = 2 and -1 as a constant input with NaN /
    # +-inf on the two diagonals both leave out: zeros, never NaN) of model-order inputs.
    h = (np.round(argmax_rng.uniform(-2.0, 2.0, (4, 6, 5)) * 2.0) / 2.0).astype(np.float32)
    h[0, 0, 0] = np.nan
    h[1, 2, 3] = np.nan
    h[2, 4, :] = np.inf
    h[3, 0, 2] = -np.inf
    t = (np.round(argmax_rng.uniform(-2.0, 2.0, (4, 6, 5)) * 2.0) / 2.0).astype(np.float32)
    t_special = t.copy()
    for i in range(5):
        t_special[i % 4, i, i] = np.nan if i % 2 else np.inf   # j - i = 0
        t_special[(i + 1) % 4, i, i + 1 if i + 1 < 5 else 0] = -np.inf if i < 4 else 1.0
    add_case("hardmax_trilu_model_order", [
        helper.make_node("Hardmax", ["h"], ["y0"], name="hardmax_last"),
        helper.make_node("Hardmax", ["h"], ["y1"], name="hardmax_axis1", axis=1),
        helper.make_node("Trilu", ["t"], ["y2"], name="trilu_upper"),
        helper.make_node("Trilu", ["t"], ["y3"], name="trilu_lower", upper=0),
        helper.make_node("Trilu", ["ts", "k2"], ["y4"], name="trilu_upper_k2"),
        helper.make_node("Trilu", ["ts", "km1"], ["y5"], name="trilu_lower_km1", upper=0)],
        [("h", (4, 6, 5)), ("t", (4, 6, 5)), ("ts", (4, 6, 5))],
        ["y0", "y1", "y2", "y3", "y4", "y5"],
        [const("k2", np.array(2, np.int64)), const("km1", np.array(-1, np.int64))],
        values=[h, t, t_special], opset=14)
    add_case("hardmax_opset11_last_axis", [
        helper.make_node("Hardmax", ["h2"], ["y0"], name="hardmax_2d"),
        helper.make_node("Hardmax", ["h"], ["y1"], name="hardmax_3d_axis2", axis=2)],
        [("h2", (6, 5)), ("h", (4, 6, 5))], ["y0", "y1"],
        values=[h[1], h], opset=11)
    add_case("hardmax_opset11_several_dims", [
        helper.make_node("Hardmax", ["h"], ["y"], name="hardmax_flattened", axis=1)],
        [("h", (4, 6, 5))], ["y"], values=[h], opset=11, expect="unsupported:Hardmax")
    xt = argmax_rng.standard_normal((1, 3, 6, 5)).astype(np.float32)
    add_case("hardmax_trilu_after_conv", [conv,
        helper.make_node("Hardmax", ["c"], ["y0"], name="hardmax_channels", axis=1),
        helper.make_node("Trilu", ["c", "k1"], ["y1"], name="trilu_hw", upper=0)],
        [("xc", (1, 3, 6, 5))], ["y0", "y1"],
        [const("w", (argmax_rng.standard_normal((4, 3, 3, 3)) * 0.5).astype(np.float32)),
         const("k1", np.array(1, np.int64))], values=[xt], expect="f32", opset=14)


# LSTM: its own generator (the cases before keep theirs).
lstm_rng = np.random.default_rng(20261212)


def lstm_cases():
    """LSTM and GRU unrolled (lower-rnn.c) against ONNX Runtime: LSTM forward with biases
    over 20 steps (the steps' concatenation in two levels) and all three outputs; bidirectional with
    initial_h / initial_c as graph inputs and a constant full sequence_lens (Y only); reverse
    with a constant zero initial_h (Y_h only); a CRNN-style head (conv, the feature map
    reshaped to [W][N][C * H], a bidirectional LSTM, a classifier MatMul and Softmax); GRU
    with either linear_before_reset; and a form pqnn refuses (clip)."""
    def lr(*shape, scale=1.0):
        return (lstm_rng.standard_normal(shape) * scale).astype(np.float32)

    def weights(tag, dirs, hidden, inputs, bias=True):
        out = [const(tag + "W", lr(dirs, 4 * hidden, inputs, scale=0.5)),
               const(tag + "R", lr(dirs, 4 * hidden, hidden, scale=0.5))]
        if bias:
            out.append(const(tag + "B", lr(dirs, 8 * hidden, scale=0.3)))
        return out

    add_case("lstm_forward_20_steps", [
        helper.make_node("LSTM", ["x", "W", "R", "B"], ["y", "yh", "yc"], name="lstm",
                         hidden_size=6)],
        [("x", (20, 2, 5))], ["y", "yh", "yc"], weights("", 1, 6, 5), opset=14,
        values=[lr(20, 2, 5)])
    add_case("lstm_bidirectional_states", [
        helper.make_node("LSTM", ["x", "W", "R", "B", "lens", "h0", "c0"], ["y"], name="bilstm",
                         hidden_size=4, direction="bidirectional",
                         activations=["Sigmoid", "Tanh", "Tanh"] * 2)],
        [("x", (7, 3, 5)), ("h0", (2, 3, 4)), ("c0", (2, 3, 4))], ["y"],
        weights("", 2, 4, 5) + [const("lens", np.full(3, 7, np.int32))], opset=14,
        values=[lr(7, 3, 5), lr(2, 3, 4, scale=0.5), lr(2, 3, 4, scale=0.5)])
    add_case("lstm_reverse_zero_state", [
        helper.make_node("LSTM", ["x", "W", "R", "", "", "h0"], ["", "yh"], name="lstm_rev",
                         hidden_size=5, direction="reverse")],
        [("x", (9, 1, 4))], ["yh"],
        weights("", 1, 5, 4, bias=False) + [const("h0", np.zeros((1, 1, 5), np.float32))],
        opset=14, values=[lr(9, 1, 4)])
    # CRNN-style: conv [1, 4, 2, 18] -> [1, 8, 18] -> [18, 1, 8] -> BiLSTM (hidden 6) ->
    # [18, 2, 1, 6] -> [18, 1, 2, 6] -> [18, 1, 12] -> MatMul 12 -> 7 -> Softmax.
    add_case("lstm_crnn_head", [
        helper.make_node("Conv", ["img", "cw"], ["f"], name="conv", pads=[1, 1, 1, 1],
                         strides=[2, 1]),
        helper.make_node("Relu", ["f"], ["fr"], name="relu"),
        helper.make_node("Reshape", ["fr", "shape3"], ["fs"], name="to_seq"),
        helper.make_node("Transpose", ["fs"], ["seq"], name="time_major", perm=[2, 0, 1]),
        helper.make_node("LSTM", ["seq", "W", "R", "B"], ["y"], name="bilstm", hidden_size=6,
                         direction="bidirectional"),
        helper.make_node("Transpose", ["y"], ["yt"], name="dirs_inner", perm=[0, 2, 1, 3]),
        helper.make_node("Reshape", ["yt", "shape_feat"], ["feat"], name="concat_dirs"),
        helper.make_node("MatMul", ["feat", "proj"], ["logits"], name="classifier"),
        helper.make_node("Softmax", ["logits"], ["probs"], name="softmax", axis=-1)],
        [("img", (1, 3, 4, 18))], ["probs"],
        [const("cw", lr(4, 3, 3, 3, scale=0.4)), const("shape3", np.array([1, 8, 18], np.int64)),
         const("shape_feat", np.array([18, 1, 12], np.int64)), const("proj", lr(12, 7))]
        + weights("", 2, 6, 8), opset=14, values=[lr(1, 3, 4, 18)])
    # GRU: PyTorch's linear_before_reset = 1 forward over 18 steps with biases (Y and Y_h),
    # bidirectional with linear_before_reset = 0 and initial_h as a graph input, reverse
    # without biases from a zero state (Y_h only).
    def gru_weights(dirs, hidden, inputs, bias=True):
        out = [const("W", lr(dirs, 3 * hidden, inputs, scale=0.5)),
               const("R", lr(dirs, 3 * hidden, hidden, scale=0.5))]
        if bias:
            out.append(const("B", lr(dirs, 6 * hidden, scale=0.3)))
        return out

    add_case("gru_forward_linear_before_reset", [
        helper.make_node("GRU", ["x", "W", "R", "B"], ["y", "yh"], name="gru", hidden_size=6,
                         linear_before_reset=1)],
        [("x", (18, 2, 5))], ["y", "yh"], gru_weights(1, 6, 5), opset=14,
        values=[lr(18, 2, 5)])
    add_case("gru_bidirectional_state", [
        helper.make_node("GRU", ["x", "W", "R", "B", "", "h0"], ["y"], name="bigru",
                         hidden_size=4, direction="bidirectional")],
        [("x", (6, 3, 5)), ("h0", (2, 3, 4))], ["y"], gru_weights(2, 4, 5), opset=14,
        values=[lr(6, 3, 5), lr(2, 3, 4, scale=0.5)])
    add_case("gru_reverse_no_bias", [
        helper.make_node("GRU", ["x", "W", "R"], ["", "yh"], name="gru_rev", hidden_size=5,
                         direction="reverse")],
        [("x", (7, 1, 4))], ["yh"], gru_weights(1, 5, 4, bias=False), opset=14,
        values=[lr(7, 1, 4)])
    add_case("lstm_clip_unsupported", [
        helper.make_node("LSTM", ["x", "W", "R"], ["y"], name="lstm_clip", hidden_size=3,
                         clip=2.0)],
        [("x", (4, 1, 2))], ["y"], weights("", 1, 3, 2, bias=False), opset=14,
        expect="unsupported:LSTM", values=[lr(4, 1, 2)])
    # 260 steps: Y's concatenation in three levels, the last group of each shorter.
    add_case("lstm_260_steps", [
        helper.make_node("LSTM", ["x", "W", "R"], ["y"], name="lstm_long", hidden_size=3)],
        [("x", (260, 1, 3))], ["y"], weights("", 1, 3, 3, bias=False), opset=14,
        values=[lr(260, 1, 3)])


# The embedding cases' own generator (the cases before them keep their inputs).
gather_rng = np.random.default_rng(20261208)


def grand(*shape, scale=1.0):
    return (gather_rng.standard_normal(shape) * scale).astype(np.float32)


def ids(rows, *shape, negative=True):
    """Token ids in [-rows, rows) (negative ones count from the end, as ONNX Gather says), or
    in [0, rows)."""
    return gather_rng.integers(-rows if negative else 0, rows, size=shape).astype(np.int64)


def gather_cases():
    """Gather of a constant table by int64 / int32 graph inputs (token ids, an embedding
    lookup): 2-D and 3-D ids, a 3-D table, int32 ids, a tiny transformer (embedding +
    position embedding, LayerNormalization, one attention head, an MLP, logits) and the
    integer-input constructs the importer refuses (a reason each)."""
    i64, i32 = TensorProto.INT64, TensorProto.INT32
    gather = helper.make_node("Gather", ["table", "ids"], ["y"], name="embedding")
    for name, rows, cols, shape in (("gather_embedding_ids_1x7", 30, 16, (1, 7)),
                                    ("gather_embedding_ids_2x3x5", 40, 8, (2, 3, 5))):
        add_case(name, [gather], [("ids", shape, i64)], ["y"],
                 [const("table", grand(rows, cols))], values=[ids(rows, *shape)])
    add_case("gather_embedding_table_3d", [gather], [("ids", (4,), i64)], ["y"],
             [const("table", grand(12, 3, 5))], values=[ids(12, 4)])
    add_case("gather_embedding_int32_ids", [gather], [("ids", (2, 6), i32)], ["y"],
             [const("table", grand(25, 12))], values=[ids(25, 2, 6).astype(np.int32)])

    # Token ids [1, S] -> embedding + position embedding -> LayerNormalization -> one
    # attention head (Q K^T / sqrt(d), Softmax, V, output projection, residual) -> a Relu
    # MLP with its residual -> logits over the vocabulary.
    s, d, vocab, hidden = 8, 32, 50, 64
    inits = [const("emb", grand(vocab, d)), const("pos", grand(1, s, d, scale=0.5)),
             const("ln_g", 1.0 + grand(d, scale=0.1)), const("ln_b", grand(d, scale=0.1)),
             const("wq", grand(d, d, scale=d ** -0.5)), const("wk", grand(d, d, scale=d ** -0.5)),
             const("wv", grand(d, d, scale=d ** -0.5)), const("wo", grand(d, d, scale=d ** -0.5)),
             const("scale", np.float32(1.0 / np.sqrt(d))),
             const("w1", grand(d, hidden, scale=d ** -0.5)), const("b1", grand(hidden, scale=0.1)),
             const("w2", grand(hidden, d, scale=hidden ** -0.5)),
             const("lm", grand(d, vocab, scale=d ** -0.5))]
    nodes = [
        helper.make_node("Gather", ["emb", "ids"], ["tok"], name="token_embedding"),
        helper.make_node("Add", ["tok", "pos"], ["h"], name="add_position"),
        helper.make_node("LayerNormalization", ["h", "ln_g", "ln_b"], ["n"], name="ln",
                         axis=-1, epsilon=1e-5),
        helper.make_node("MatMul", ["n", "wq"], ["q"], name="q"),
        helper.make_node("MatMul", ["n", "wk"], ["k"], name="k"),
        helper.make_node("MatMul", ["n", "wv"], ["v"], name="v"),
        helper.make_node("Transpose", ["k"], ["kt"], name="k_t", perm=[0, 2, 1]),
        helper.make_node("MatMul", ["q", "kt"], ["qk"], name="scores"),
        helper.make_node("Mul", ["qk", "scale"], ["qks"], name="scale_scores"),
        helper.make_node("Softmax", ["qks"], ["a"], name="softmax", axis=-1),
        helper.make_node("MatMul", ["a", "v"], ["ctx"], name="context"),
        helper.make_node("MatMul", ["ctx", "wo"], ["o"], name="out_proj"),
        helper.make_node("Add", ["h", "o"], ["r"], name="residual"),
        helper.make_node("MatMul", ["r", "w1"], ["f1"], name="fc1"),
        helper.make_node("Add", ["f1", "b1"], ["f1b"], name="fc1_bias"),
        helper.make_node("Relu", ["f1b"], ["f1r"], name="relu"),
        helper.make_node("MatMul", ["f1r", "w2"], ["f2"], name="fc2"),
        helper.make_node("Add", ["r", "f2"], ["r2"], name="residual2"),
        helper.make_node("MatMul", ["r2", "lm"], ["y"], name="logits")]
    add_case("tiny_transformer_int64_ids", nodes, [("ids", (1, s), i64)], ["y"], inits,
             values=[ids(vocab, 1, s, negative=False)], opset=17)

    # Refused with a reason: an int64 input read by anything but Gather indices, Gather along
    # another axis or of an activation by runtime ids.
    add_case("gather_ids_through_unsqueeze", [
        helper.make_node("Unsqueeze", ["ids", "axes"], ["u"], name="unsqueeze_ids"),
        helper.make_node("Gather", ["table", "u"], ["y"], name="embedding")],
        [("ids", (1, 4), i64)], ["y"],
        [const("table", grand(9, 3)), const("axes", np.array([0], np.int64))],
        values=[ids(9, 1, 4)], expect="unsupported:Unsqueeze")
    add_case("gather_runtime_ids_axis1", [
        helper.make_node("Gather", ["table", "ids"], ["y"], name="gather_axis1", axis=1)],
        [("ids", (3,), i64)], ["y"], [const("table", grand(4, 6))], values=[ids(6, 3)],
        expect="unsupported:Gather")
    add_case("gather_activation_by_runtime_ids", [
        helper.make_node("Gather", ["x", "ids"], ["y"], name="gather_x")],
        [("x", (5, 3)), ("ids", (2,), i64)], ["y"], values=[grand(5, 3), ids(5, 2)],
        expect="unsupported:Gather")


# The cases of LogSoftmax, the unary chains, Einsum and GroupNormalization: their own
# generator (the cases before them keep their inputs).
ops_rng = np.random.default_rng(20261207)


def orand(*shape, scale=1.0):
    return (ops_rng.standard_normal(shape) * scale).astype(np.float32)


def ramp_nodes(src, ramp, out):
    """x * 0 + ramp: exactly the ramp's values as an activation (not a constant)."""
    return [helper.make_node("Mul", [src, out + "_zero"], [out + "_z"], name=out + "_times_zero"),
            helper.make_node("Add", [out + "_z", out + "_ramp"], [out], name=out + "_add_ramp")], \
        [const(out + "_zero", np.float32(0.0)), const(out + "_ramp", ramp)]


def log_softmax_cases():
    """LogSoftmax (reduce max, subtract, exp, reduce sum, log, subtract): opset 13 along one
    axis of a conv output (NHWC: channel, H, W) and of model-order inputs (negative axes),
    opset 11 over the dims from the axis on (flattened), inputs of magnitude 1000 (a naive
    log(sum(exp(x))) overflows) and rows of equal values."""
    inits = [const("w", orand(6, 3, 3, 3, scale=0.4))]
    conv = helper.make_node("Conv", ["x", "w"], ["c"], name="conv", pads=[1, 1, 1, 1])
    add_case("logsoftmax_after_conv", [conv] + [
        helper.make_node("LogSoftmax", ["c"], ["y%d" % k], name="lsm_%d" % k, axis=a)
        for k, a in enumerate([1, -1, 2, 0, -3])],
        [("x", (2, 3, 5, 6))], ["y%d" % k for k in range(5)], inits)
    add_case("logsoftmax_model_order", [
        helper.make_node("LogSoftmax", ["x"], ["y"], name="lsm_last"),
        helper.make_node("LogSoftmax", ["x"], ["y2"], name="lsm_0", axis=0),
        helper.make_node("LogSoftmax", ["x"], ["y3"], name="lsm_m2", axis=-2),
        helper.make_node("LogSoftmax", ["x2"], ["y4"], name="lsm_2d")],
        [("x", (3, 4, 7)), ("x2", (5, 9))], ["y", "y2", "y3", "y4"])
    inits = [const("w", orand(6, 3, 3, 3, scale=0.4))]
    add_case("logsoftmax_opset11_flattened", [conv] + [
        helper.make_node("LogSoftmax", ["c"], ["y"], name="lsm_default"),
        helper.make_node("LogSoftmax", ["c"], ["y2"], name="lsm_hw", axis=2),
        helper.make_node("LogSoftmax", ["c"], ["y3"], name="lsm_w", axis=-1),
        helper.make_node("LogSoftmax", ["c"], ["y4"], name="lsm_all", axis=0),
        helper.make_node("LogSoftmax", ["x2"], ["y5"], name="lsm_3d", axis=1)],
        [("x", (2, 3, 5, 6)), ("x2", (2, 3, 4))], ["y", "y2", "y3", "y4", "y5"], inits, opset=11)
    # Magnitudes up to about 1000 (f16 holds them) and rows of one repeated value.
    rows = np.array([1000.0, -1000.0, 0.0, 300.0], np.float32).reshape(4, 1)
    nodes, consts = ramp_nodes("x", np.tile(rows, (1, 6)), "r")
    add_case("logsoftmax_large", [
        helper.make_node("Mul", ["x", "k"], ["xs"], name="scale"),
        helper.make_node("LogSoftmax", ["xs"], ["y"], name="lsm_large"),
        helper.make_node("LogSoftmax", ["xs"], ["y2"], name="lsm_large_cols", axis=0)] + nodes + [
        helper.make_node("Add", ["r", "xs"], ["rx"], name="offset_rows"),
        helper.make_node("LogSoftmax", ["r"], ["y3"], name="lsm_equal"),
        helper.make_node("LogSoftmax", ["rx"], ["y4"], name="lsm_offset")],
        [("x", (4, 6))], ["y", "y2", "y3", "y4"], [const("k", np.float32(300.0))] + consts)
    add_case("unsupported_logsoftmax_constant", [
        helper.make_node("LogSoftmax", ["k"], ["l"], name="lsm_const"),
        helper.make_node("Add", ["x", "l"], ["y"], name="add")],
        [("x", (2, 3))], ["y"], [const("k", orand(2, 3))], expect="unsupported:LogSoftmax")


MATH_OPS = [("Sign", {}), ("Softsign", {}), ("ThresholdedRelu", {}),
            ("ThresholdedRelu", {"alpha": -0.5}), ("ThresholdedRelu", {"alpha": 0.3}),
            ("Shrink", {}), ("Shrink", {"lambd": 0.8, "bias": 0.3}),
            ("Shrink", {"lambd": 0.0, "bias": -0.2}), ("Shrink", {"lambd": 1.5, "bias": 1.5}),
            ("Sin", {}), ("Cos", {})]


def math_chain_cases():
    """Sign, Softsign, ThresholdedRelu, Shrink (attribute variants), Sin and Cos: on an NHWC
    conv output (scaled by 3), on a model-order ramp with zeros, ties at the thresholds and
    values to +-20, and Sin / Cos on +-1000 and beyond (f32 only: f16 has no such inputs)."""
    def nodes_of(src, tag, ops=MATH_OPS):
        return [helper.make_node(op, [src], ["%s%d" % (tag, k)], name="%s_%s%d" % (op.lower(), tag, k),
                                 **attrs) for k, (op, attrs) in enumerate(ops)], \
            ["%s%d" % (tag, k) for k in range(len(ops))]
    nodes, outs = nodes_of("cs", "a")
    add_case("math_chains_after_conv", [
        helper.make_node("Conv", ["x", "w"], ["c"], name="conv", pads=[1, 1, 1, 1]),
        helper.make_node("Mul", ["c", "k"], ["cs"], name="scale")] + nodes,
        [("x", (2, 3, 5, 6))], outs, [const("w", orand(4, 3, 3, 3, scale=0.4)),
                                      const("k", np.float32(3.0))])
    ramp = np.concatenate([np.linspace(-20, 20, 81), [0.0, -0.0, 0.5, -0.5, 0.8, -0.8, 1.0, -1.0,
                                                      0.3, 1.5, -1.5, 1e-3, -1e-3, 3.14159265,
                                                      -3.14159265, 1.5707964]]).astype(np.float32)
    rnodes, consts = ramp_nodes("x", ramp, "r")
    nodes, outs = nodes_of("r", "b")
    add_case("math_chains_ramp", rnodes + nodes, [("x", (2, ramp.size))], outs, consts)
    # Beyond f16: Sin / Cos of up to +-25000 (the range the reduction keeps exact), Sign and
    # Softsign of +-1e-30 and +-1e30.
    big = np.concatenate([np.linspace(-1000, 1000, 97), [-25000.0, 25000.0, 12345.678, 6283.1853,
                                                         -4096.5, 100.0, 1e-3, 24999.9,
                                                         -17.25]]).astype(np.float32)
    tiny = np.concatenate([big, [1e-30, -1e-30, 1e30, -1e30, 0.0, -0.0]]).astype(np.float32)
    # ThresholdedRelu of -inf and -FLT_MAX: 0 (selected, not -inf * 0 = NaN).
    low = np.array([-np.inf, -3.4e38, -5.0, 0.3, 0.31, 2.0, 7.0, -np.inf], np.float32)
    rnodes, consts = ramp_nodes("x", big, "r")
    tnodes, tconsts = ramp_nodes("x2", tiny, "t")
    lnodes, lconsts = ramp_nodes("x3", low, "l")
    add_case("math_chains_beyond_f16", rnodes + tnodes + lnodes + [
        helper.make_node("Sin", ["r"], ["y"], name="sin"),
        helper.make_node("Cos", ["r"], ["y2"], name="cos"),
        helper.make_node("Sign", ["t"], ["y3"], name="sign"),
        helper.make_node("Softsign", ["t"], ["y4"], name="softsign"),
        helper.make_node("ThresholdedRelu", ["l"], ["y5"], name="thresholded_relu", alpha=0.3),
        helper.make_node("ThresholdedRelu", ["l"], ["y6"], name="thresholded_relu_neg",
                         alpha=-7.0)],
        [("x", (1, big.size)), ("x2", (1, tiny.size)), ("x3", (2, low.size))],
        ["y", "y2", "y3", "y4", "y5", "y6"], consts + tconsts + lconsts, expect="f32")
    add_case("unsupported_shrink_negative_lambd", [
        helper.make_node("Shrink", ["x"], ["y"], name="shrink", lambd=-0.5)],
        [("x", (2, 3))], ["y"], expect="unsupported:Shrink")
    add_case("unsupported_sign_constant", [
        helper.make_node("Sign", ["k"], ["s"], name="sign_const"),
        helper.make_node("Add", ["x", "s"], ["y"], name="add")],
        [("x", (2, 3))], ["y"], [const("k", orand(2, 3))], expect="unsupported:Sign")


def einsum_cases():
    """Einsum as a (batched) matrix product: attention's Q K^T and A V, batched and plain
    matmuls, a constant right (and left) operand (fully connected), the implicit output,
    transposed outputs, several labels per group (reshapes), an outer product, a row-wise
    dot; and the equations it refuses (a reason each, the equation in it)."""
    def case(name, eq, a_shape, b_shape, b_const=False, a_const=False, expect="ok"):
        inputs, inits = [], []
        for n, shape, is_const in (("a", a_shape, a_const), ("b", b_shape, b_const)):
            if is_const:
                inits.append(const(n, orand(*shape)))
            else:
                inputs.append((n, shape))
        add_case(name, [helper.make_node("Einsum", ["a", "b"], ["y"], name="einsum",
                                         equation=eq)], inputs, ["y"], inits, expect=expect,
                 opset=12, values=[orand(*i[1]) for i in inputs])
    case("einsum_bmm", "bij,bjk->bik", (3, 4, 5), (3, 5, 6))
    case("einsum_attention_scores", "bhqd,bhkd->bhqk", (2, 3, 5, 8), (2, 3, 7, 8))
    case("einsum_attention_context", "bhqk,bhkd->bhqd", (2, 3, 5, 7), (2, 3, 7, 8))
    case("einsum_matmul", "ij,jk->ik", (5, 6), (6, 7))
    case("einsum_implicit_output", "ij,jk", (4, 3), (3, 5))
    case("einsum_transposed_output", "ik,kj->ji", (4, 3), (3, 5))
    case("einsum_fc_constant", "bid,jd->bij", (2, 5, 8), (6, 8), b_const=True)
    case("einsum_fc_constant_left", "jd,bid->bji", (6, 8), (2, 5, 8), a_const=True)
    case("einsum_fc_two_inner", "abc,bcd->ad", (3, 4, 5), (4, 5, 6), b_const=True)
    case("einsum_heads_transposed", "bqhd,bkhd->bhqk", (2, 5, 3, 4), (2, 6, 3, 4))
    case("einsum_grouped_labels", "ijk,jkl->il", (3, 4, 5), (4, 5, 6))
    case("einsum_outer", "bi,bj->bij", (3, 4), (3, 5))
    case("einsum_rowwise_dot", "ij,ij->i", (4, 6), (4, 6))
    case("einsum_spaces", "b i j , b j k -> b i k", (2, 3, 4), (2, 4, 5))
    case("einsum_vector_fc", "d,jd->j", (8,), (6, 8), b_const=True)
    case("einsum_matrix_vector", "ij,j->i", (3, 5), (5,))
    case("einsum_matrix_constant_vector", "ij,j->i", (3, 5), (5,), b_const=True)
    case("einsum_outer_4d", "ij,kl->ijkl", (2, 3), (4, 5))
    case("einsum_five_labels", "abcde,bcdef->af", (2, 2, 2, 2, 2), (2, 2, 2, 2, 3))
    case("unsupported_einsum_ellipsis", "...ij,...jk->...ik", (2, 3, 4), (2, 4, 5),
         expect="unsupported:Einsum")
    case("unsupported_einsum_diagonal", "ii,ij->ij", (4, 4), (4, 5), expect="unsupported:Einsum")
    case("unsupported_einsum_sum_one_operand", "ij,jk->k", (3, 4), (4, 5),
         expect="unsupported:Einsum")
    case("unsupported_einsum_constant_batch", "bij,bjk->bik", (3, 4, 5), (3, 5, 6), b_const=True,
         expect="unsupported:Einsum")
    add_case("unsupported_einsum_one_operand", [
        helper.make_node("Einsum", ["x"], ["y"], name="einsum", equation="ij->ji")],
        [("x", (3, 4))], ["y"], opset=12, expect="unsupported:Einsum")


def group_norm_cases():
    """GroupNormalization (opset 18: scale and bias per group; 21: per channel; written
    unchecked: newer than Debian's onnx) after a conv (NHWC) with 1, 2, 3 and C groups, on a
    3-D model-order input with an offset mean (10: with 40, ONNX Runtime's own output is
    2.8e-4 from the float64 result, pqnn's 7.6e-6) and a 2-D one, and what it refuses."""
    def gn(x, y, groups, count, tag, inits, **attrs):
        inits += [const(tag + "_s", 1.0 + orand(count, scale=0.3)), const(tag + "_b", orand(count))]
        return helper.make_node("GroupNormalization", [x, tag + "_s", tag + "_b"], [y],
                                name=tag, num_groups=groups, **attrs)
    for opset in (18, 21):
        inits = [const("w", orand(6, 3, 3, 3, scale=0.4))]
        per = (lambda g: 6) if opset >= 21 else (lambda g: g)
        add_case("groupnorm_after_conv_opset%d" % opset, [
            helper.make_node("Conv", ["x", "w"], ["c"], name="conv", pads=[1, 1, 1, 1]),
            gn("c", "y", 2, per(2), "gn2", inits),
            gn("c", "y2", 1, per(1), "gn1", inits, epsilon=1e-3),
            gn("c", "y3", 6, per(6), "gn6", inits),
            gn("c", "y4", 3, per(3), "gn3", inits)],
            [("x", (2, 3, 5, 6))], [("y", (2, 6, 5, 6)), ("y2", (2, 6, 5, 6)),
                                    ("y3", (2, 6, 5, 6)), ("y4", (2, 6, 5, 6))],
            inits, opset=opset, check=False)
        inits = []
        per = (lambda g: 4) if opset >= 21 else (lambda g: g)
        add_case("groupnorm_3d_offset_opset%d" % opset, [
            helper.make_node("Add", ["x", "off"], ["xo"], name="offset"),
            gn("xo", "y", 2, per(2), "gn2", inits),
            gn("x2", "y2", 4, per(4), "gn4", inits)],
            [("x", (2, 4, 7)), ("x2", (3, 4))], [("y", (2, 4, 7)), ("y2", (3, 4))],
            inits + [const("off", np.float32(10.0))], opset=opset, check=False)
    add_case("unsupported_groupnorm_scale_input", [
        helper.make_node("GroupNormalization", ["x", "s", "b"], ["y"], name="gn", num_groups=2)],
        [("x", (1, 4, 3, 3)), ("s", (4,))], [("y", (1, 4, 3, 3))], [const("b", orand(4))],
        opset=21, check=False, expect="unsupported:GroupNormalization")


def rounding_cases():
    """Floor, Ceil, Round (half to even) of activations: halves (ties), negatives, signed
    zeros, in the model's order and on a conv output (NHWC, the unary fused into the conv's
    tiles), whose exact sums of halves make ties too."""
    halves = np.concatenate([np.arange(-12, 12.5, 0.5), [-0.3, 0.3, -0.7, 0.7, -0.0, 0.0, 2.25,
                             -2.75, 1e-3, -1e-3, 1000.5, -1000.5, 5.5]]).astype(np.float32)
    x = np.resize(halves, (2, 3, 4, 5)).astype(np.float32)
    add_case("floor_ceil_round", [
        helper.make_node("Floor", ["x"], ["f"], name="floor"),
        helper.make_node("Ceil", ["x"], ["c"], name="ceil"),
        helper.make_node("Round", ["x"], ["r"], name="round")],
        [("x", (2, 3, 4, 5))], ["f", "c", "r"], values=[x])
    # Integers times weights of halves: exact sums, many of them n + 1/2.
    xi = rng.integers(-4, 5, size=(1, 3, 5, 6)).astype(np.float32)
    w = (rng.integers(-3, 4, size=(4, 3, 3, 3)) * 0.5).astype(np.float32)
    add_case("conv_round_floor_ceil", [
        helper.make_node("Conv", ["x", "w"], ["c"], name="conv", pads=[1, 1, 1, 1]),
        helper.make_node("Round", ["c"], ["r"], name="round"),
        helper.make_node("Floor", ["c"], ["f"], name="floor"),
        helper.make_node("Ceil", ["c"], ["e"], name="ceil")],
        [("x", (1, 3, 5, 6))], ["r", "f", "e"], [const("w", w)], values=[xi])


def qdq_cases():
    """QuantizeLinear -> DequantizeLinear of activations (QDQ models), lowered to float fake
    quantization: inputs that hit rounding ties (exact halves after the divide) and both
    saturation bounds."""
    # uint8 with a zero point, a scale that is not a power of two (3/8: its reciprocal is
    # not exact, so a multiply by it would miss ties the divide hits): k * 3/16 over
    # [-56.25, 56.25) at odd k (exact halves after the divide; saturates below -48 and
    # above 47.6), k * 0.05 near-ties in the second half of the batch.
    x = np.concatenate([(np.arange(-300, 300, 2) + 1) * 0.1875, np.arange(-150, 150) * 0.05])
    x = x.astype(np.float32).reshape(2, 3, 10, 10)
    add_case("qdq_uint8_zero_point", [
        helper.make_node("QuantizeLinear", ["x", "s", "z"], ["q"], name="q"),
        helper.make_node("DequantizeLinear", ["q", "s", "z"], ["y"], name="dq")],
        [("x", (2, 3, 10, 10))], ["y"], [const("s", np.float32(0.375)), const("z", np.uint8(128))],
        values=[x])
    # int8 per tensor, zero point -3, scale 2^-2: odd multiples of 1/8 are exact ties;
    # [-40, 40) saturates both ways.
    x = (np.arange(-320, 320) * 0.125).astype(np.float32).reshape(8, 80)
    add_case("qdq_int8_per_tensor", [
        helper.make_node("QuantizeLinear", ["x", "s", "z"], ["q"], name="q"),
        helper.make_node("DequantizeLinear", ["q", "s", "z"], ["y"], name="dq")],
        [("x", (8, 80))], ["y"], [const("s", np.float32(0.25)), const("z", np.int8(-3))],
        values=[x])
    # No zero point (uint8, 0: the DequantizeLinear chain is one multiply), scale 2^-3:
    # odd multiples of 1/16 are ties; negatives clamp to 0 (a -0.0 from the round must come
    # back +0 as in ONNX Runtime), above 31.875 to 255.
    x = (np.arange(-160, 640) * 0.0625).astype(np.float32).reshape(2, 400)
    add_case("qdq_uint8_no_zero_point", [
        helper.make_node("QuantizeLinear", ["x", "s"], ["q"], name="q"),
        helper.make_node("DequantizeLinear", ["q", "s"], ["y"], name="dq")],
        [("x", (2, 400))], ["y"], [const("s", np.float32(0.125))], values=[x])
    # Per axis (the channels of a conv output, NHWC inside), int8 zero points per channel:
    # the conv's sums of halves give exact ties at scale 1, near-ties at 0.05; 2^-5
    # saturates both ways.
    xi = rng.integers(-6, 7, size=(1, 3, 4, 5)).astype(np.float32)
    w = (rng.integers(-3, 4, size=(4, 3, 1, 1)) * 0.5).astype(np.float32)
    add_case("qdq_per_axis_after_conv", [
        helper.make_node("Conv", ["x", "w"], ["c"], name="conv"),
        helper.make_node("QuantizeLinear", ["c", "s", "z"], ["q"], name="q", axis=1),
        helper.make_node("DequantizeLinear", ["q", "s", "z"], ["y"], name="dq", axis=1)],
        [("x", (1, 3, 4, 5))], ["y"],
        [const("w", w), const("s", np.array([2.0 ** -5, 1.0, 0.125, 0.05], np.float32)),
         const("z", np.array([-3, 0, 5, 1], np.int8))], values=[xi])
    # A QDQ conv: Q / DQ (uint8, zero point 128, scale 2^-4) on the input, int8 weights
    # dequantized per output channel (powers of two), Conv, Q / DQ (uint8, zero point 100,
    # scale 2^-6) on the output. Every product and sum is exact in float, so ONNX Runtime's
    # integer QLinearConv (which it fuses the pattern into) and pqnn's float chain agree
    # to the bit, ties (exact halves) and saturation included.
    x = (rng.integers(-300, 300, size=(1, 3, 6, 6)) / 32.0).astype(np.float32)
    wq = rng.integers(-4, 5, size=(4, 3, 3, 3)).astype(np.int8)
    add_case("qdq_conv", [
        helper.make_node("QuantizeLinear", ["x", "xs", "xz"], ["xq"], name="qx"),
        helper.make_node("DequantizeLinear", ["xq", "xs", "xz"], ["xd"], name="dqx"),
        helper.make_node("DequantizeLinear", ["wq", "ws"], ["w"], name="dqw", axis=0),
        helper.make_node("Conv", ["xd", "w"], ["c"], name="conv", pads=[1, 1, 1, 1]),
        helper.make_node("QuantizeLinear", ["c", "ys", "yz"], ["yq"], name="qy"),
        helper.make_node("DequantizeLinear", ["yq", "ys", "yz"], ["y"], name="dqy")],
        [("x", (1, 3, 6, 6))], ["y"],
        [const("xs", np.float32(2.0 ** -4)), const("xz", np.uint8(128)), const("wq", wq),
         const("ws", np.array([2.0 ** -5, 2.0 ** -6, 2.0 ** -4, 2.0 ** -5], np.float32)),
         const("ys", np.float32(2.0 ** -6)), const("yz", np.uint8(100))], values=[x])
    # QuantizeLinear of constant float weights (folds to int8, per output channel, ties at
    # odd multiples of half a scale), DequantizeLinear (folds), Conv.
    wf = (rng.integers(-300, 300, size=(4, 3, 3, 3)) / 64.0).astype(np.float32)
    add_case("quantize_constant_weights_conv", [
        helper.make_node("QuantizeLinear", ["wf", "ws", "wz"], ["wq"], name="qw", axis=0),
        helper.make_node("DequantizeLinear", ["wq", "ws", "wz"], ["w"], name="dqw", axis=0),
        helper.make_node("Conv", ["x", "w"], ["y"], name="conv", pads=[1, 1, 1, 1])],
        [("x", (1, 3, 5, 6))], ["y"],
        [const("wf", wf), const("ws", np.array([2.0 ** -5, 0.03, 2.0 ** -3, 0.1], np.float32)),
         const("wz", np.array([0, 3, -2, 0], np.int8))])
    # Refused with a reason: a QuantizeLinear output read by anything but DequantizeLinear
    # (pqnn's values are float), a scale of zero.
    add_case("quantize_feeds_cast_unsupported", [
        helper.make_node("QuantizeLinear", ["x", "s", "z"], ["q"], name="q"),
        helper.make_node("Cast", ["q"], ["y"], name="cast", to=TensorProto.FLOAT)],
        [("x", (2, 5))], ["y"], [const("s", np.float32(0.1)), const("z", np.uint8(3))],
        expect="unsupported:QuantizeLinear")
    add_case("quantize_zero_scale_unsupported", [
        helper.make_node("QuantizeLinear", ["x", "s", "z"], ["q"], name="q"),
        helper.make_node("DequantizeLinear", ["q", "s", "z"], ["y"], name="dq")],
        [("x", (2, 5))], ["y"], [const("s", np.float32(0.0)), const("z", np.int8(3))],
        expect="unsupported:QuantizeLinear")


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    build()
    lines = []
    for name, model, inputs, num_outputs, expect in cases:
        onnx.save(model, os.path.join(out, name + ".onnx"))
        for k, x in enumerate(inputs):
            little_endian(x).tofile(os.path.join(out, "%s.in%d.bin" % (name, k)))
        lines.append("%s %d %d %s\n" % (name, len(inputs), num_outputs, expect))
        write_dynamic_variants(out, name, model)
    lines += write_batch_variants(out)
    write_dynamic(out)
    write_qdq_hostile(out)
    write_lse_infinities(out)
    write_softmax_infinities(out)
    write_math_nan_inf(out)
    matmulnbits_case("matmulnbits_g_idx", (2, 64), 8, 32, g_idx=True, out=out)
    matmulnbits_case("matmulnbits_any_zero_points", (2, 96), 12, 32, zero_points="any", out=out)
    write_corpus(os.path.join(out, "corpus"))
    write_hostile(out, os.path.join(out, "corpus"))
    with open(os.path.join(out, "manifest.txt"), "w") as f:
        f.writelines(lines)
    return 0


def write_dynamic_variants(out, name, model):
    """dynamic/NAME.batch.onnx and dynamic/NAME.spatial.onnx: the case with symbolic input
    dims, as exporters write them (the batch dim; every dim but the channels of a 3-D or
    higher input) and outputs of no declared shape. onnx-unit-test lists each before the
    shapes are set (a node whose support depends on a dim not set yet counts as supported),
    then sets the case's dims and expects the static model's bits."""
    os.makedirs(os.path.join(out, "dynamic"), exist_ok=True)
    constants = {i.name for i in model.graph.initializer}
    for mode in ("batch", "spatial"):
        variant = onnx.ModelProto()
        variant.CopyFrom(model)
        changed = False
        for value in variant.graph.input:
            if value.name in constants:
                continue
            dims = value.type.tensor_type.shape.dim
            for d, dim in enumerate(dims):
                if (mode == "batch" and d != 0) or (mode == "spatial" and len(dims) >= 3 and d == 1):
                    continue
                dim.ClearField("dim_value")
                dim.dim_param = "%s_%d" % (value.name, d)
                changed = True
        for value in variant.graph.output:
            value.type.tensor_type.ClearField("shape")
        if changed:
            onnx.save(variant, os.path.join(out, "dynamic", "%s.%s.onnx" % (name, mode)))


# Cases that also run with twice their batch (NAME_b2: the leading dim of every input
# doubled, the outputs' shapes left to the importer), checked against ONNX Runtime like any
# case: convolution stacks, pooling, normalizations, resizes, FPN adds.
BATCH_VARIANTS = [
    "mobilenet_v1_like", "conv_bn_relu", "residual_add", "fpn_like", "concat_channels",
    "maxpool_3x3_s2", "averagepool_pads_exclude", "instancenorm_after_conv", "layernorm_op",
    "flatten_gemm", "convtranspose_add_bn_relu_fold", "resize_nearest_x2", "softmax_channels",
    "depth_to_space_b2",
]


def write_batch_variants(out):
    """The BATCH_VARIANTS cases with the leading dim of every input doubled: their files
    and manifest lines."""
    lines = []
    by_name = {c[0]: c for c in cases}
    for name in BATCH_VARIANTS:
        _, model, inputs, num_outputs, expect = by_name[name]
        assert expect == "ok", name
        variant = onnx.ModelProto()
        variant.CopyFrom(model)
        constants = {i.name for i in variant.graph.initializer}
        for value in variant.graph.input:
            if value.name not in constants:
                dim = value.type.tensor_type.shape.dim[0]
                dim.dim_value = 2 * dim.dim_value
        for value in variant.graph.output:
            value.type.tensor_type.ClearField("shape")
        b2 = name + "_b2"
        onnx.save(variant, os.path.join(out, b2 + ".onnx"))
        for k, x in enumerate(inputs):
            rand(2 * x.shape[0], *x.shape[1:]).astype("<f4").tofile(
                os.path.join(out, "%s.in%d.bin" % (b2, k)))
        lines.append("%s %d %d ok\n" % (b2, len(inputs), num_outputs))
    return lines


def write_math_nan_inf(out):
    """math_chains_nan_inf.onnx (not in the manifest: NaN and infinite outputs defeat the
    error checks; onnx-unit-test runs it on fixed inputs with ONNX Runtime's outputs): Sign,
    ThresholdedRelu, Shrink (bias 0 and 0.3), Softsign, Sin, Cos of x [1, 8]."""
    ops = [("Sign", {}), ("ThresholdedRelu", {}), ("Shrink", {}), ("Shrink", {"bias": 0.3}),
           ("Softsign", {}), ("Sin", {}), ("Cos", {})]
    graph = helper.make_graph(
        [helper.make_node(op, ["x"], ["y%d" % k], name="%s_%d" % (op.lower(), k), **attrs)
         for k, (op, attrs) in enumerate(ops)], "math_chains_nan_inf",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 8])],
        [helper.make_tensor_value_info("y%d" % k, TensorProto.FLOAT, [1, 8])
         for k in range(len(ops))])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(out, "math_chains_nan_inf.onnx"))


def write_lse_infinities(out):
    """reducelogsumexp_infinities.onnx (not in the manifest: infinite outputs defeat the
    f16 cosine check; onnx-unit-test runs it on fixed inputs with ONNX Runtime's outputs):
    ReduceLogSumExp over the last axis of x [4, 3]."""
    graph = helper.make_graph(
        [helper.make_node("ReduceLogSumExp", ["x"], ["y"], name="lse", axes=[1], keepdims=0)],
        "reducelogsumexp_infinities",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [4, 3])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [4])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(out, "reducelogsumexp_infinities.onnx"))


def write_softmax_infinities(out):
    """softmax_opset11_infinities.onnx (not in the manifest: NaN outputs defeat the error
    checks; onnx-unit-test runs it on fixed inputs with ONNX Runtime's outputs): opset 11
    Softmax over dims 1 and 2 of x [3, 2, 3] (the chain of the flattened view)."""
    graph = helper.make_graph(
        [helper.make_node("Softmax", ["x"], ["y"], name="softmax", axis=1)],
        "softmax_opset11_infinities",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [3, 2, 3])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [3, 2, 3])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 11)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(out, "softmax_opset11_infinities.onnx"))


def write_qdq_hostile(out):
    """qdq_hostile_*.onnx and qdq_hostile.txt (not in the manifest: ONNX Runtime refuses
    several of them, and Debian's onnx knows no opset 21): QuantizeLinear / DequantizeLinear
    with hostile or unsupported operands and attributes. Each line `NAME OP KIND`: KIND
    `unsupported` (listed as OP with a reason) or `invalid` (the import fails cleanly);
    onnx-unit-test imports each one. Also seeds of the importer's fuzz corpus."""
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4, 2, 3])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4, 2, 3])
    lines = []

    def model(name, op, kind, q_attrs=None, s=np.float32(0.1), z=np.uint8(3), dq_z=None,
              opset=13, dq_input=0, q_output=False, dq_attrs=None, z_type=None):
        inits = [const("s", s)]
        q_in = ["x", "s"]
        if z is not None:
            if z_type is not None:  # a type Debian's onnx 1.12 has no name for
                t = TensorProto()
                t.name = "z"
                t.data_type = z_type
                t.raw_data = bytes([int(z)])
                inits.append(t)
            else:
                inits.append(const("z", z))
            q_in.append("z")
        nodes = [helper.make_node("QuantizeLinear", q_in, ["q"], name="q", **(q_attrs or {}))]
        outputs = [y]
        if q_output:
            outputs = [helper.make_tensor_value_info("q", TensorProto.UINT8, [1, 4, 2, 3])]
        else:
            dq_in = ["q", "s"] if dq_input == 0 else ["x2", "q"]
            if dq_input != 0:
                nodes.insert(0, helper.make_node("Identity", ["s"], ["x2"], name="id"))
            if dq_z is not None:
                inits.append(const("dz", dq_z))
                dq_in.append("dz")
            elif z is not None and dq_input == 0:
                dq_in.append("z")
            nodes.append(helper.make_node("DequantizeLinear", dq_in, ["y"], name="dq",
                                          **(dq_attrs or {})))
        graph = helper.make_graph(nodes, name, [x], outputs, initializer=inits)
        m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
        m.ir_version = 8
        onnx.save(m, os.path.join(out, name + ".onnx"))
        lines.append("%s %s %s\n" % (name, op, kind))

    q = "QuantizeLinear"
    model("qdq_hostile_axis_out_of_range", q, "invalid", {"axis": 7},
          s=np.full(4, 0.1, np.float32), z=np.zeros(4, np.uint8))
    model("qdq_hostile_axis_negative_far", q, "invalid", {"axis": -9},
          s=np.full(4, 0.1, np.float32), z=np.zeros(4, np.uint8))
    model("qdq_hostile_scale_size", q, "invalid", {"axis": 1},
          s=np.full(3, 0.1, np.float32), z=np.zeros(3, np.uint8))
    model("qdq_hostile_zero_point_size", q, "invalid", {"axis": 1},
          s=np.full(4, 0.1, np.float32), z=np.zeros(2, np.uint8))
    model("qdq_hostile_scale_nan", q, "unsupported", s=np.float32(np.nan))
    model("qdq_hostile_scale_inf", q, "unsupported", s=np.float32(np.inf))
    model("qdq_hostile_scale_negative", q, "unsupported", s=np.float32(-0.5))
    model("qdq_hostile_scale_rank2", q, "unsupported", s=np.full((2, 2), 0.1, np.float32),
          z=np.zeros((2, 2), np.uint8))
    model("qdq_hostile_block_size", q, "unsupported", {"axis": 1, "block_size": 2},
          s=np.full((1, 2, 2, 3), 0.1, np.float32), z=None, opset=21)
    model("qdq_hostile_int16", q, "unsupported", z=np.int16(3), opset=21)
    model("qdq_hostile_int4", q, "unsupported", z=1, z_type=22, opset=21)  # INT4
    model("qdq_hostile_float8_saturate", q, "unsupported", {"saturate": 0}, z=0,
          z_type=17, opset=19)  # FLOAT8E4M3FN
    model("qdq_hostile_output_dtype_int16", q, "unsupported", {"output_dtype": 5}, z=None,
          opset=21)
    model("qdq_hostile_output_dtype_mismatch", q, "invalid", {"output_dtype": 3}, opset=21)
    model("qdq_hostile_dq_zero_point_type", "DequantizeLinear", "invalid", dq_z=np.int8(3))
    model("qdq_hostile_q_is_an_output", q, "unsupported", q_output=True)
    model("qdq_hostile_q_feeds_dq_scale", q, "unsupported", dq_input=1)
    # DequantizeLinear of a float activation (no QuantizeLinear before it).
    graph = helper.make_graph(
        [helper.make_node("DequantizeLinear", ["x", "s"], ["y"], name="dq")],
        "qdq_hostile_dq_of_float", [x], [y], initializer=[const("s", np.float32(0.1))])
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])
    m.ir_version = 8
    onnx.save(m, os.path.join(out, "qdq_hostile_dq_of_float.onnx"))
    lines.append("qdq_hostile_dq_of_float DequantizeLinear unsupported\n")
    with open(os.path.join(out, "qdq_hostile.txt"), "w") as f:
        f.writelines(lines)
    corpus = os.path.join(out, "corpus")
    os.makedirs(corpus, exist_ok=True)
    for line in lines:
        name = line.split()[0]
        with open(os.path.join(out, name + ".onnx"), "rb") as src:
            data = src.read()
        with open(os.path.join(corpus, name + ".onnx"), "wb") as dst:
            dst.write(data)


def write_dynamic(out):
    """dynamic_conv.onnx (not in the manifest: ORT needs the dims): input [N, 3, H, W]
    with symbolic dims, for the tests of set_input_shape."""
    graph = helper.make_graph(
        [helper.make_node("Conv", ["x", "w"], ["c"], name="conv", pads=[1, 1, 1, 1], strides=[2, 2]),
         helper.make_node("Relu", ["c"], ["y"], name="relu")],
        "dynamic_conv",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 3, "H", "W"])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 4, "OH", "OW"])],
        initializer=[const("w", rand(4, 3, 3, 3))])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(out, "dynamic_conv.onnx"))


def hostile_logic_models():
    """Malformed comparison / logic / Where models (no checker): (name, model, expect), expect
    `load` (pqnn_onnx_load refuses the file), `malformed` (it loads, and listing the
    unsupported ops says invalid_parameter, the node named in the log) or `listed:<Op>` (it
    loads, lists that op as unsupported with a reason and create_runtime refuses it). Fuzz
    seeds too."""
    f32 = TensorProto.FLOAT

    def model(name, nodes, inputs, outputs, inits=()):
        graph = helper.make_graph(
            nodes, name, [helper.make_tensor_value_info(n, f32, list(s)) for n, s in inputs],
            [helper.make_tensor_value_info(n, t, None) for n, t in outputs],
            initializer=list(inits))
        m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])
        m.ir_version = 8
        return m

    zero = const("zero", np.float32(0.0))
    return [
        ("hostile_where_two_inputs", model("w2", [
            helper.make_node("Less", ["x", "zero"], ["m"], name="less"),
            helper.make_node("Where", ["m", "x"], ["y"], name="where")],
            [("x", (2, 3))], [("y", f32)], [zero]), "malformed"),
        ("hostile_where_no_broadcast", model("wb", [
            helper.make_node("Less", ["x", "zero"], ["m"], name="less"),
            helper.make_node("Where", ["m", "x", "z"], ["y"], name="where")],
            [("x", (2, 3)), ("z", (4,))], [("y", f32)], [zero]), "malformed"),
        ("hostile_equal_one_input", model("e1", [
            helper.make_node("Equal", ["x"], ["b"], name="eq"),
            helper.make_node("Cast", ["b"], ["y"], name="c", to=f32)],
            [("x", (2, 3))], [("y", f32)]), "malformed"),
        ("hostile_not_two_inputs", model("n2", [
            helper.make_node("Less", ["x", "zero"], ["m"], name="less"),
            helper.make_node("Not", ["m", "m"], ["b"], name="not"),
            helper.make_node("Cast", ["b"], ["y"], name="c", to=f32)],
            [("x", (2, 3))], [("y", f32)], [zero]), "malformed"),
        ("hostile_uint8_output", model("u8", [
            helper.make_node("Relu", ["x"], ["y"], name="relu")],
            [("x", (2, 3))], [("y", TensorProto.UINT8)]), "load"),
        ("hostile_bool_output_of_float", model("bf", [
            helper.make_node("Relu", ["x"], ["y"], name="relu")],
            [("x", (2, 3))], [("y", TensorProto.BOOL)]), "build"),
        ("hostile_int64_output_of_float", model("if", [
            helper.make_node("Relu", ["x"], ["y"], name="relu")],
            [("x", (2, 3))], [("y", TensorProto.INT64)]), "build"),
        ("hostile_argmax_into_add", model("aa", [
            helper.make_node("ArgMax", ["x"], ["i"], name="argmax", axis=1),
            helper.make_node("Add", ["i", "i"], ["y"], name="add_indices")],
            [("x", (2, 3))], [("y", TensorProto.INT64)]), "listed:Add"),
        ("hostile_where_huge_broadcast", model("wh", [
            helper.make_node("Less", ["x", "zero"], ["m"], name="less"),
            helper.make_node("Where", ["m", "x", "z"], ["y"], name="where")],
            [("x", (65536, 1)), ("z", (1, 65536))], [("y", f32)], [zero]), "listed:Where"),
        ("hostile_and_float_constant", model("af", [
            helper.make_node("Less", ["x", "zero"], ["m"], name="less"),
            helper.make_node("And", ["m", "zero"], ["b"], name="and"),
            helper.make_node("Cast", ["b"], ["y"], name="c", to=f32)],
            [("x", (2, 3))], [("y", f32)], [zero]), "listed:And"),
    ]


def hostile_gather_models():
    """Hostile embedding models (no checker): (name, model, expect) as hostile_logic_models,
    and `runfails`: it imports and builds, and a run with ids outside the table (or int32)
    fails with invalid_parameter. Fuzz seeds too."""
    f32, i64 = TensorProto.FLOAT, TensorProto.INT64

    def model(name, nodes, inputs, outputs, inits=()):
        graph = helper.make_graph(
            nodes, name, [helper.make_tensor_value_info(n, t, list(s)) for n, s, t in inputs],
            [helper.make_tensor_value_info(n, t, None) for n, t in outputs],
            initializer=list(inits))
        m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])
        m.ir_version = 8
        return m

    table = const("table", np.arange(12, dtype=np.float32).reshape(4, 3))
    gather = helper.make_node("Gather", ["table", "ids"], ["y"], name="embedding")
    # A table whose declared first dim is 2^31 + 1 with 12 floats of data.
    huge = onnx.TensorProto()
    huge.name = "table"
    huge.data_type = f32
    huge.dims.extend([2 ** 31 + 1, 3])
    huge.raw_data = np.zeros(12, np.float32).tobytes()
    return [
        ("hostile_gather_ids_out_of_range", model("oor", [gather],
            [("ids", (1, 5), i64)], [("y", f32)], [table]), "runfails"),
        ("hostile_int64_ids_into_add", model("add", [
            helper.make_node("Add", ["ids", "ids"], ["s"], name="add_ids"),
            helper.make_node("Gather", ["table", "s"], ["y"], name="embedding")],
            [("ids", (1, 5), i64)], [("y", f32)], [table]), "listed:Add"),
        ("hostile_int64_ids_into_cast", model("cast", [
            helper.make_node("Cast", ["ids"], ["y"], name="cast_ids", to=f32)],
            [("ids", (1, 5), i64)], [("y", f32)]), "listed:Cast"),
        ("hostile_gather_float_ids", model("fid", [gather],
            [("ids", (1, 5), f32)], [("y", f32)], [table]), "listed:Gather"),
        ("hostile_gather_huge_table_dim", model("huge", [gather],
            [("ids", (1, 5), i64)], [("y", f32)], [huge]), "load"),
        ("hostile_gather_huge_output", model("hugeout", [gather],
            [("ids", (1, 2 ** 20), i64)], [("y", f32)],
            [const("table", np.zeros((4, 1024), np.float32))]), "listed:Gather"),
        ("hostile_int64_output", model("out", [
            helper.make_node("Identity", ["ids"], ["y"], name="copy")],
            [("ids", (1, 5), i64)], [("y", i64)]), "listed:Identity"),
    ]


def hostile_einsum_models():
    """Einsum equations and GroupNormalization attributes a model file may carry (no
    checker): (name, model, expect) as hostile_logic_models. Fuzz seeds too."""
    f32 = TensorProto.FLOAT

    def model(name, nodes, inputs, inits=(), opset=12):
        graph = helper.make_graph(
            nodes, name, [helper.make_tensor_value_info(n, f32, list(s)) for n, s in inputs],
            [helper.make_tensor_value_info("y", f32, None)], initializer=list(inits))
        m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
        m.ir_version = 8
        return m

    def einsum(name, eq, a=(2, 3), b=(3, 4), expect="malformed"):
        return (name, model(name, [helper.make_node("Einsum", ["a", "b"], ["y"], name="einsum",
                                                    equation=eq)], [("a", a), ("b", b)]), expect)

    def group_norm(name, groups, scale=4, c=4, opset=21, **attrs):
        inits = [const("s", np.ones(scale, np.float32)), const("b", np.zeros(scale, np.float32))]
        return (name, model(name, [helper.make_node("GroupNormalization", ["x", "s", "b"], ["y"],
                                                    name="gn", num_groups=groups, **attrs)],
                            [("x", (1, c, 3, 3))], inits, opset))
    return [
        einsum("hostile_einsum_bad_character", "ij,j$k->ik"),
        einsum("hostile_einsum_rank_mismatch", "ijk,jk->ik"),
        einsum("hostile_einsum_dims_differ", "ij,ik->jk", (2, 3), (3, 4)),
        einsum("hostile_einsum_unknown_output_label", "ij,jk->iz"),
        einsum("hostile_einsum_arrow_only", "->"),
        einsum("hostile_einsum_empty", ""),
        einsum("hostile_einsum_long", "ij,jk->ik" + " " * 200, expect="listed:Einsum"),
        einsum("hostile_einsum_three_terms", "ij,jk,kl->il"),
        einsum("hostile_einsum_non_ascii", "i\u00e9,\u00e9k->ik"),
        (lambda t: (t[0], t[1], "malformed"))(group_norm("hostile_groupnorm_indivisible", 3)),
        (lambda t: (t[0], t[1], "malformed"))(group_norm("hostile_groupnorm_zero_groups", 0)),
        (lambda t: (t[0], t[1], "listed:GroupNormalization"))(
            group_norm("hostile_groupnorm_scale_count", 2, scale=2)),
        (lambda t: (t[0], t[1], "listed:GroupNormalization"))(
            group_norm("hostile_groupnorm_opset17", 2, opset=17)),
        (lambda t: (t[0], t[1], "malformed"))(
            group_norm("hostile_groupnorm_nan_epsilon", 2, epsilon=float("nan"))),
    ]


def write_hostile(out, corpus):
    lines = []
    for name, model, expect in (hostile_logic_models() + hostile_gather_models() +
                                hostile_einsum_models()):
        data = model.SerializeToString()
        for path in (os.path.join(out, name + ".onnx"), os.path.join(corpus, name + ".onnx")):
            with open(path, "wb") as f:
                f.write(data)
        lines.append("%s %s\n" % (name, expect))
    with open(os.path.join(out, "hostile.txt"), "w") as f:
        f.writelines(lines)


def write_corpus(corpus):
    """Seed corpus of the importer's fuzz target (test/onnx/fuzz): every unit model, and
    truncated and bit-flipped copies of a few."""
    os.makedirs(corpus, exist_ok=True)
    mutate = np.random.default_rng(7)
    for k, (name, model, _, _, _) in enumerate(cases):
        data = model.SerializeToString()
        with open(os.path.join(corpus, name + ".onnx"), "wb") as f:
            f.write(data)
        if k % 3 != 0:
            continue
        for cut in (len(data) // 3, len(data) // 2, len(data) - 7):
            with open(os.path.join(corpus, "%s.cut%d" % (name, cut)), "wb") as f:
                f.write(data[:cut])
        for trial in range(3):
            flipped = bytearray(data)
            for _ in range(1 + trial):
                i = int(mutate.integers(len(flipped)))
                flipped[i] ^= 1 << int(mutate.integers(8))
            with open(os.path.join(corpus, "%s.flip%d" % (name, trial)), "wb") as f:
                f.write(bytes(flipped))


if __name__ == "__main__":
    sys.exit(main())
