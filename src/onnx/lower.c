/* The import pass: walks the nodes in graph order, folds constants, defines pqnn values
 * and nodes (or, listing, records what is unsupported), and owns the constant data. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "onnx/internal.h"


static const char* node_name(const struct ox_node* n) {
  return n->proto->name != NULL ? n->proto->name : "";
}

/* Op types lowered onto pqnn nodes (by their name) and the function doing it. */
static enum pqnn_status lower_node(struct ox_pass* p, const char* op) {
  if (strcmp(op, "Conv") == 0) return ox_lower_conv(p);
  if (strcmp(op, "BatchNormalization") == 0) return ox_lower_batch_norm(p);
  if (strcmp(op, "MaxPool") == 0) return ox_lower_max_pool(p);
  if (strcmp(op, "GlobalAveragePool") == 0) return ox_lower_global_average_pool(p);
  if (strcmp(op, "Gemm") == 0) return ox_lower_gemm(p, false);
  if (strcmp(op, "MatMul") == 0) return ox_lower_matmul(p);
  if (strcmp(op, "Add") == 0) {
    bool fused;
    const enum pqnn_status status = ox_fuse_hardswish(p, &fused);
    return status != pqnn_status_success || fused ? status : ox_lower_add(p, false);
  }
  if (strcmp(op, "Sub") == 0) return ox_lower_add(p, true);
  if (strcmp(op, "Mul") == 0) return ox_lower_mul_div(p, false);
  if (strcmp(op, "Div") == 0) return ox_lower_mul_div(p, true);
  if (strcmp(op, "Relu") == 0 || strcmp(op, "Clip") == 0) return ox_lower_clamp(p);
  if (strcmp(op, "Max") == 0 || strcmp(op, "Min") == 0) return ox_lower_max_min(p);
  if (strcmp(op, "PRelu") == 0) return ox_lower_prelu(p);
  if (ox_is_unary_op(op)) return ox_lower_unary(p);
  if (strcmp(op, "Softmax") == 0) return ox_lower_softmax(p);
  if (strcmp(op, "Reshape") == 0 || strcmp(op, "Flatten") == 0 || strcmp(op, "Squeeze") == 0 ||
      strcmp(op, "Unsqueeze") == 0 || strcmp(op, "Identity") == 0 || strcmp(op, "Dropout") == 0) {
    return ox_lower_reshape(p);
  }
  if (strcmp(op, "Gelu") == 0) return ox_lower_gelu(p);
  if (strcmp(op, "AveragePool") == 0) return ox_lower_average_pool(p);
  if (strcmp(op, "LayerNormalization") == 0) return ox_lower_layer_norm(p);
  if (strcmp(op, "ReduceMean") == 0) return ox_lower_reduce_mean(p);
  if (strcmp(op, "ConvTranspose") == 0) return ox_lower_conv_transpose(p);
  if (strcmp(op, "ReduceSum") == 0) return ox_lower_reduce(p, pqnn_reduce_sum);
  if (strcmp(op, "ReduceMax") == 0 || strcmp(op, "GlobalMaxPool") == 0) {
    return ox_lower_reduce(p, pqnn_reduce_max);
  }
  if (strcmp(op, "Transpose") == 0) return ox_lower_transpose(p);
  if (strcmp(op, "Concat") == 0) return ox_lower_concat(p);
  if (strcmp(op, "Split") == 0) return ox_lower_split(p);
  if (strcmp(op, "Slice") == 0) return ox_lower_slice(p);
  if (strcmp(op, "Gather") == 0) return ox_lower_gather(p);
  if (strcmp(op, "Cast") == 0) return ox_lower_cast(p);
  if (strcmp(op, "Tile") == 0) return ox_lower_tile(p);
  if (strcmp(op, "Pad") == 0) return ox_lower_pad(p);
  if (strcmp(op, "Resize") == 0 || strcmp(op, "Upsample") == 0) return ox_lower_resize(p);
  if (strcmp(op, "Sum") == 0 || strcmp(op, "Mean") == 0) return ox_lower_sum_mean(p, op[0] == 'M');
  if (strcmp(op, "Reciprocal") == 0) return ox_lower_reciprocal(p);
  if (strcmp(op, "Expand") == 0) return ox_lower_expand(p);
  if (strcmp(op, "Elu") == 0 || strcmp(op, "Selu") == 0 || strcmp(op, "Celu") == 0) {
    return ox_lower_exp_linear(p);
  }
  if (strcmp(op, "Softplus") == 0 || strcmp(op, "Mish") == 0) {
    return ox_lower_softplus(p, op[0] == 'M');
  }
  if (strcmp(op, "InstanceNormalization") == 0) return ox_lower_instance_norm(p);
  if (strcmp(op, "ReduceMin") == 0 || strcmp(op, "ReduceSumSquare") == 0 ||
      strcmp(op, "ReduceL1") == 0 || strcmp(op, "ReduceL2") == 0 ||
      strcmp(op, "ReduceLogSum") == 0 || strcmp(op, "ReduceLogSumExp") == 0) {
    return ox_lower_reduce_chain(p);
  }
  if (strcmp(op, "GlobalLpPool") == 0) return ox_lower_global_lp_pool(p);
  if (strcmp(op, "LpNormalization") == 0) return ox_lower_lp_normalization(p);
  if (strcmp(op, "LRN") == 0) return ox_lower_lrn(p);
  if (strcmp(op, "DepthToSpace") == 0 || strcmp(op, "SpaceToDepth") == 0) {
    return ox_lower_depth_space(p, op[0] == 'D');
  }
  if (strcmp(op, "MatMulNBits") == 0) return ox_lower_matmulnbits(p);  /* com.microsoft */
  if (strcmp(op, "QuantizeLinear") == 0) return ox_lower_quantize(p);
  if (strcmp(op, "DequantizeLinear") == 0) return ox_lower_dequantize(p);
  if (strcmp(op, "LogSoftmax") == 0) return ox_lower_log_softmax(p);
  if (ox_is_math_chain_op(op)) return ox_lower_math_chain(p, op);
  if (strcmp(op, "Einsum") == 0) return ox_lower_einsum(p);
  if (strcmp(op, "GroupNormalization") == 0) return ox_lower_group_norm(p);
  if (ox_is_logic_op(op)) return ox_lower_logic(p, op);  /* comparisons, Not, And, Or, Xor, Where */
  if (strcmp(op, "ArgMax") == 0 || strcmp(op, "ArgMin") == 0) {
    return ox_lower_argmax(p, strcmp(op, "ArgMin") == 0);
  }
  if (strcmp(op, "Hardmax") == 0) return ox_lower_hardmax(p);
  if (strcmp(op, "LSTM") == 0 || strcmp(op, "GRU") == 0) {
    return ox_lower_rnn(p, strcmp(op, "GRU") == 0);
  }
  if (strcmp(op, "Trilu") == 0) return ox_lower_trilu(p);
  return ox_unsupported(p, "no pqnn node type for this op yet");
}

static bool known_op(const char* op) {
  static const char* const kOps[] = {"Conv", "BatchNormalization", "MaxPool",
      "GlobalAveragePool", "Gemm", "MatMul", "Add", "Sub", "Mul", "Div", "Relu", "Clip", "Max",
      "Min", "Softmax", "Reshape", "Flatten", "Squeeze", "Unsqueeze", "Identity", "Dropout",
      "Gelu", "Constant", "Shape", "Gather", "Cast", "Slice", "Concat", "ConstantOfShape",
      "AveragePool", "LayerNormalization", "ReduceMean", "ConvTranspose", "ReduceSum",
      "ReduceMax", "GlobalMaxPool",
      "Sigmoid", "HardSigmoid", "Tanh", "Exp", "Log", "Sqrt", "Abs", "Neg", "Erf", "LeakyRelu",
      "HardSwish", "Pow", "PRelu", "Tile", "Equal", "Less", "Greater", "LessOrEqual",
      "GreaterOrEqual", "And", "Or", "Xor", "Not", "Where", "Range", "Floor", "Ceil",
      "DequantizeLinear",
      "Transpose", "Split", "Pad", "Resize", "Upsample",
      "Sum", "Mean", "Reciprocal", "Elu", "Selu", "Celu", "Softplus", "Mish",
      "InstanceNormalization", "DepthToSpace", "SpaceToDepth", "Expand",
      "ReduceMin", "ReduceSumSquare", "ReduceL1", "ReduceL2", "ReduceLogSum", "ReduceLogSumExp",
      "GlobalLpPool", "LpNormalization", "LRN",
      "Round", "QuantizeLinear", "LogSoftmax", "Sign", "Sin", "Cos", "Softsign",
      "ThresholdedRelu", "Shrink", "Einsum", "GroupNormalization", "IsNaN", "IsInf", "ArgMax",
      "ArgMin", "Hardmax", "Trilu", "LSTM", "GRU"};
  for (size_t k = 0; k < sizeof(kOps) / sizeof(kOps[0]); k++) {
    if (strcmp(op, kOps[k]) == 0) return true;
  }
  return false;
}

static enum pqnn_status record(struct ox_pass* p, const struct ox_node* n) {
  void* items = p->unsupported;
  const enum pqnn_status status = ox_grow(&items, &p->cap_unsupported, p->num_unsupported,
      sizeof(*p->unsupported));
  p->unsupported = items;
  if (status != pqnn_status_success) return status;
  struct ox_unsupported* u = &p->unsupported[p->num_unsupported++];
  u->op_type = n->proto->op_type;
  u->node_name = node_name(n);
  snprintf(u->reason, sizeof(u->reason), "%s", p->reason);
  return pqnn_status_success;
}

/* Ops the importer folds when their data is constant (Slice, Concat, Gather and Cast also
 * lower onto activations). */
static bool fold_only(const char* op) {
  static const char* const kFolded[] = {"Gather", "Cast", "Slice", "Concat", "ConstantOfShape",
      "Equal", "Less", "Greater", "LessOrEqual", "GreaterOrEqual", "And", "Or", "Xor", "Not",
      "Where", "Range"};
  for (size_t k = 0; k < sizeof(kFolded) / sizeof(kFolded[0]); k++) {
    if (strcmp(op, kFolded[k]) == 0) return true;
  }
  return false;
}

/* Outputs of a node that cannot be judged: unknown shape; integer (shape arithmetic) when
 * a fold-only op read integers, else float activations. */
static void poison_outputs(struct ox_pass* p, const struct ox_node* n) {
  int32_t type = strcmp(n->proto->op_type, "Shape") == 0 ? OX_INT64 : OX_FLOAT;
  if (fold_only(n->proto->op_type) && n->num_inputs > 0 && n->inputs[0] >= 0) {
    type = p->t[n->inputs[0]].elem_type;
  }
  for (size_t o = 0; o < n->num_outputs; o++) {
    if (n->outputs[o] < 0) continue;
    struct ox_tensor* t = &p->t[n->outputs[o]];
    t->available = true;
    t->poisoned = true;
    t->is_const = false;
    t->elem_type = type;
    t->rank = -1;
  }
}

/* Whether t is an integer activation: an int64 / int32 graph input (token ids). */
static bool int_activation(const struct ox_tensor* t) {
  return !t->is_const && !t->poisoned && !t->indices &&
      (t->elem_type == OX_INT64 || t->elem_type == OX_INT32);
}

/* An integer graph input may be read only as the indices of a Gather (of a constant table:
 * ox_lower_gather says what else it refuses) or by Shape (its dims only). */
static enum pqnn_status check_int_readers(struct ox_pass* p, const struct ox_node* n) {
  const char* op = n->proto->op_type;
  for (size_t i = 0; i < n->num_inputs; i++) {
    if (n->inputs[i] < 0 || !int_activation(&p->t[n->inputs[i]])) continue;
    if (strcmp(op, "Shape") == 0 || (strcmp(op, "Gather") == 0 && i == 1)) continue;
    const struct ox_tensor* t = &p->t[n->inputs[i]];
    return ox_unsupported(p, "%s input '%s' feeds %s (input %zu): an integer input is supported "
        "only as Gather indices (an embedding lookup)", t->elem_type == OX_INT64 ? "int64" : "int32",
        t->name, op, i);
  }
  /* ArgMax / ArgMin indices (floats inside pqnn): a graph output, or cast. */
  for (size_t i = 0; i < n->num_inputs; i++) {
    if (n->inputs[i] < 0 || !p->t[n->inputs[i]].indices || strcmp(op, "Cast") == 0) continue;
    return ox_unsupported(p, "the indices '%s' feed %s (input %zu): ArgMax / ArgMin outputs are "
        "supported as graph outputs and through Cast", p->t[n->inputs[i]].name, op, i);
  }
  return pqnn_status_success;
}

static enum pqnn_status visit(struct ox_pass* p, const struct ox_node* n) {
  p->node = n;
  p->reason[0] = '\0';
  const char* op = n->proto->op_type;
  bool poisoned = false;
  for (size_t i = 0; i < n->num_inputs; i++) {
    if (n->inputs[i] < 0) continue;
    const struct ox_tensor* t = &p->t[n->inputs[i]];
    if (!t->available) {
      return ox_invalid(p, "input '%s' is not produced before this node (graph not sorted or "
          "value missing)", t->name);
    }
    poisoned |= t->poisoned;
  }
  if (n->proto->domain != NULL && n->proto->domain[0] != '\0' &&
      strcmp(n->proto->domain, "ai.onnx") != 0 &&
      !(strcmp(n->proto->domain, "com.microsoft") == 0 && strcmp(op, "MatMulNBits") == 0)) {
    return ox_unsupported(p, "op domain '%s' is not supported", n->proto->domain);
  }
  enum pqnn_status int_status = check_int_readers(p, n);
  if (int_status != pqnn_status_success) return int_status;
  if (poisoned) {
    /* Reading an unsupported node's output: only the op type can be judged. */
    if (!known_op(op)) return ox_unsupported(p, "no pqnn node type for this op yet");
    const bool lowered = strcmp(op, "Slice") == 0 || strcmp(op, "Concat") == 0 ||
        strcmp(op, "Gather") == 0 || strcmp(op, "Cast") == 0;
    /* Comparisons, logic and Where also lower onto activations (lower-logic.c). */
    if (ox_is_logic_op(op)) {
      poison_outputs(p, n);
      return pqnn_status_success;
    }
    for (size_t i = 0; i < n->num_inputs && fold_only(op) && !lowered; i++) {
      if (n->inputs[i] >= 0 && p->t[n->inputs[i]].poisoned && p->t[n->inputs[i]].elem_type == OX_FLOAT) {
        return ox_unsupported(p, "no pqnn node type for this op yet");
      }
    }
    poison_outputs(p, n);
    return pqnn_status_success;
  }
  bool folded = false;
  enum pqnn_status status = ox_fold(p, &folded);
  if (status != pqnn_status_success || folded) return status;
  /* Extra outputs (Dropout's mask, MaxPool's indices, ...) are fine while unused. */
  const bool several = strcmp(op, "Split") == 0 || strcmp(op, "LSTM") == 0 ||
      strcmp(op, "GRU") == 0;
  for (size_t o = 1; o < n->num_outputs && !several; o++) {
    const struct ox_tensor* t = n->outputs[o] < 0 ? NULL : &p->t[n->outputs[o]];
    if (t != NULL && (t->consumers > 0 || t->graph_output >= 0)) {
      return ox_unsupported(p, "output %zu ('%s') is used; only the first is supported", o, t->name);
    }
  }
  return lower_node(p, op);
}

/* Whether tensor `index` is read by an op that runs NHWC (conv, pooling, batch norm). */
static bool feeds_nhwc_op(const struct pqnn_onnx_model* m, int index) {
  static const char* const kOps[] = {"Conv", "MaxPool", "GlobalAveragePool",
      "BatchNormalization", "AveragePool", "GlobalMaxPool", "ConvTranspose", "Resize"};
  for (size_t k = 0; k < m->num_nodes; k++) {
    const struct ox_node* n = &m->nodes[k];
    for (size_t i = 0; i < n->num_inputs; i++) {
      if (n->inputs[i] != index) continue;
      for (size_t o = 0; o < sizeof(kOps) / sizeof(kOps[0]); o++) {
        if (strcmp(n->proto->op_type, kOps[o]) == 0) return true;
      }
    }
  }
  return false;
}

/* A hostile file can make one op's output huge from small inputs (a Pad, a Resize, a
 * broadcast); the runtime would then allocate it. Activations are capped at
 * OX_MAX_ACTIVATION_ELEMENTS (1 GiB of float32; a 4K image with 32 channels is 2^28 too). */
static enum pqnn_status check_output_sizes(struct ox_pass* p, const struct ox_node* n) {
  for (size_t o = 0; o < n->num_outputs; o++) {
    if (n->outputs[o] < 0) continue;
    const struct ox_tensor* t = &p->t[n->outputs[o]];
    if (t->is_const || t->poisoned || !ox_shape_known(t)) continue;
    int64_t elements;
    if (!ox_elements(t, &elements) || elements > OX_MAX_ACTIVATION_ELEMENTS) {
      return ox_unsupported(p, "output '%s' would have more than 2^28 elements", t->name);
    }
  }
  return pqnn_status_success;
}

enum pqnn_status ox_run_pass(struct ox_pass* p) {
  struct pqnn_onnx_model* m = p->m;
  p->t = malloc((m->num_tensors + 1) * sizeof(*p->t));
  p->absorbed = calloc(m->num_nodes + 1, sizeof(*p->absorbed));
  if (p->t == NULL || p->absorbed == NULL) return pqnn_status_out_of_memory;
  memcpy(p->t, m->tensors, m->num_tensors * sizeof(*p->t));
  p->blob_budget = OX_PASS_BUDGET_MIN + 4 * m->model_bytes;
  /* Layout of the graph inputs: channels-last where a consumer wants NHWC. */
  for (size_t k = 0; k < m->num_inputs; k++) {
    struct ox_tensor* t = &p->t[m->inputs[k]];
    const bool integer = t->elem_type != OX_FLOAT;
    t->channels_last = !integer && t->rank >= 3 && feeds_nhwc_op(m, m->inputs[k]);
    if (ox_emitting(p) && integer) {
      /* int64 / int32 ids: an int32 value in the model's order (pqnn_onnx_run_typed narrows
       * int64 ids at the boundary, runtime.c); a scalar becomes [1]. */
      size_t dims[OX_MAX_RANK + 1] = {1};
      const size_t num_dims = t->rank == 0 ? 1 : ox_physical_dims(t, dims);
      enum pqnn_status status = pqnn_define_tensor_value(p->sg, pqnn_datatype_int32, num_dims,
          dims, NULL, (uint32_t) k, PQNN_VALUE_FLAG_EXTERNAL_INPUT, &t->id);
      if (status != pqnn_status_success) {
        ox_log("input '%s': the runtime refused it (%s)", t->name, pqnn_status_string(status));
        return status;
      }
    } else if (ox_emitting(p) && t->channels_last && !ox_layout_free(t)) {
      /* Model order outside, one transpose node to channels-last inside. */
      enum pqnn_status status = ox_boundary_transpose(p, t, (uint32_t) k, true);
      if (status != pqnn_status_success) {
        ox_log("input '%s': %s", t->name, p->reason);
        return status;
      }
    } else if (ox_emitting(p)) {
      size_t dims[OX_MAX_RANK + 1];
      const size_t num_dims = ox_physical_dims(t, dims);
      enum pqnn_status status = pqnn_define_tensor_value(p->sg, pqnn_datatype_fp32, num_dims,
          dims, NULL, (uint32_t) k, PQNN_VALUE_FLAG_EXTERNAL_INPUT, &t->id);
      if (status != pqnn_status_success) {
        ox_log("input '%s': the runtime refused it (%s)", t->name, pqnn_status_string(status));
        return status;
      }
    }
  }
  /* Constant nodes first (they read nothing), so that a fusion looking ahead from an
   * earlier node sees the constants its pattern reads (PaddleOCR's exporter places a Clip's
   * bound constants right before the Clip, after the Add that starts a hardswish). Not under
   * f16 inference: the nodes run in model order there, so those chains stay unfused
   * (ox_literal_rounding). */
  const bool constants_first = !ox_literal_rounding(p);
  for (int round = constants_first ? 1 : 0; round >= 0; round--) {
    for (size_t k = 0; k < m->num_nodes; k++) {
      const struct ox_node* n = &m->nodes[k];
      const bool constant = n->num_inputs == 0 && strcmp(n->proto->op_type, "Constant") == 0 &&
          (n->proto->domain == NULL || n->proto->domain[0] == '\0');
      if (p->absorbed[k] || (constants_first && constant != (round == 1))) continue;
      enum pqnn_status status = visit(p, n);
      if (status == pqnn_status_success) status = check_output_sizes(p, n);
      if (status == pqnn_status_success) continue;
      if (status == pqnn_status_unsupported_parameter && p->listing) {
        status = record(p, n);
        if (status != pqnn_status_success) return status;
        poison_outputs(p, n);
        continue;
      }
      ox_log("%s node '%s': %s", n->proto->op_type, node_name(n),
          p->reason[0] != '\0' ? p->reason : pqnn_status_string(status));
      return status;
    }
  }
  for (size_t k = 0; k < m->num_outputs; k++) {
    const struct ox_tensor* t = &p->t[m->outputs[k]];
    if (t->poisoned) continue;
    if (t->is_const || t->graph_input >= 0) {
      ox_log("graph output '%s' is a constant or a graph input: not supported", t->name);
      if (!p->listing) return pqnn_status_unsupported_parameter;
      continue;
    }
    /* The declared type must be what pqnn computed: bool from comparisons, int64 / int32
     * from ArgMax / ArgMin (and Cast of their indices), float32 from everything else. */
    const int32_t declared = m->output_types[k];
    const bool integer = declared == OX_INT64 || declared == OX_INT32;
    if ((integer && (!t->indices || t->elem_type != declared)) ||
        (!integer && t->indices) || (declared == OX_BOOL && t->elem_type != OX_BOOL)) {
      ox_log("graph output '%s' is declared %s but pqnn computes it as %s", t->name,
          ox_type_name(declared), t->indices ? "integer indices" :
          t->elem_type == OX_BOOL ? "bool" : "float32");
      if (!p->listing) return pqnn_status_unsupported_parameter;
    }
  }
  return pqnn_status_success;
}

enum pqnn_status ox_check_inputs_set(const struct pqnn_onnx_model* m) {
  for (size_t k = 0; k < m->num_inputs; k++) {
    const struct ox_tensor* t = &m->tensors[m->inputs[k]];
    if (!ox_shape_known(t)) {
      ox_log("input '%s' has a dynamic dim: set its shape first", t->name);
      return pqnn_status_invalid_state;
    }
    int64_t elements;
    if (!ox_elements(t, &elements)) {
      ox_log("input '%s' has more than 2^30 elements", t->name);
      return pqnn_status_unsupported_parameter;
    }
  }
  return pqnn_status_success;
}

enum pqnn_status ox_list(struct pqnn_onnx_model* m) {
  if (m->listed) return pqnn_status_success;
  struct ox_pass p = {.m = m, .listing = true};
  enum pqnn_status status = ox_run_pass(&p);
  if (status == pqnn_status_success) {
    struct ox_tensor* info = calloc(m->num_outputs, sizeof(*info));
    if (info == NULL) {
      status = pqnn_status_out_of_memory;
    } else {
      for (size_t k = 0; k < m->num_outputs; k++) info[k] = p.t[m->outputs[k]];
      free(m->output_info);
      m->output_info = info;
      free(m->unsupported);
      m->unsupported = p.unsupported;
      m->num_unsupported = p.num_unsupported;
      p.unsupported = NULL;
      m->listed = true;
    }
  }
  ox_pass_free(&p);
  return status;
}
