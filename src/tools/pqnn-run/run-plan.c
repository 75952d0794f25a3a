/* pqnn-run: the planner's report (node count, datatypes, fused clamps, inserted converts,
 * layout changes, arena), node by node with --verbose, and the map from pqnn values back
 * to the ONNX nodes that produced them. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "run.h"

/* Index of pqnn value `value_id` in the runtime's ONNX value list, or SIZE_MAX. */
static size_t find_value(pqnn_onnx_runtime_t rt, uint32_t value_id, struct pqnn_onnx_value_info* info) {
  size_t count = 0;
  if (value_id == PQNN_INVALID_VALUE_ID || pqnn_onnx_get_value_count(rt, &count) != pqnn_status_success) {
    return SIZE_MAX;
  }
  for (size_t k = 0; k < count; k++) {
    if (pqnn_onnx_get_value(rt, k, info) == pqnn_status_success && info->value_id == value_id) {
      return k;
    }
  }
  return SIZE_MAX;
}

const char* run_dtype_ran(pqnn_onnx_runtime_t rt, const struct run_args* a) {
  if ((a->flags & PQNN_FLAG_DYNAMIC_RANGE_QUANTIZATION) != 0) return "qd8";
  pqnn_runtime_t prt;
  enum pqnn_fp16_decision fp16 = pqnn_fp16_decision_none;
  if (pqnn_onnx_get_pqnn_runtime(rt, &prt) == pqnn_status_success) {
    pqnn_get_runtime_fp16_decision(prt, &fp16);
  }
  return fp16 == pqnn_fp16_decision_fp16 || fp16 == pqnn_fp16_decision_forced ? "f16" : "f32";
}

/* The f16 line of the plan: what the f16 flags decided, and why. */
static void print_fp16_decision(pqnn_runtime_t prt, cJSON* plan) {
  enum pqnn_fp16_decision fp16 = pqnn_fp16_decision_none;
  pqnn_get_runtime_fp16_decision(prt, &fp16);
  if (plan != NULL) {
    cJSON_AddStringToObject(plan, "fp16_decision", pqnn_fp16_decision_string(fp16));
  }
  switch (fp16) {
    case pqnn_fp16_decision_fp16:
      printf("f16 requested, runs f16: %s has f16 arithmetic\n", pqnn_isa_name());
      break;
    case pqnn_fp16_decision_forced:
      printf("f16 forced, runs f16 (on %s)\n", pqnn_isa_name());
      break;
    case pqnn_fp16_decision_fp32_no_arithmetic:
      printf("f16 requested, runs f32: %s has no f16 arithmetic (--dtype f16-force runs f16)\n",
          pqnn_isa_name());
      break;
    case pqnn_fp16_decision_as_defined:
      printf("f16 requested, runs as defined: %s\n", pqnn_fp16_decision_string(fp16));
      break;
    default:
      break;
  }
}

const char* run_value_name(const struct pqnn_onnx_value_info* v) {
  return v->node_name[0] != '\0' ? v->node_name : v->tensor_name;
}

void run_node_label(pqnn_onnx_runtime_t rt, pqnn_runtime_t prt, size_t index, char* buf,
    size_t size) {
  struct pqnn_runtime_node_info info;
  struct pqnn_runtime_node_profile prof;
  pqnn_get_runtime_node_info(prt, index, &info);
  pqnn_get_runtime_node_profile(prt, index, &prof);
  struct pqnn_onnx_value_info v, before, between;
  const size_t k = find_value(rt, prof.output_value, &v);
  /* Values fused after the node's own: a clamp or an activation, then an affine. */
  const size_t back = (info.fused_clamp || info.fused_activation ? 1u : 0u) + info.fused_affine;
  if (k != SIZE_MAX && back != 0 && !info.fused_add && k >= back &&
      pqnn_onnx_get_value(rt, k - back, &before) == pqnn_status_success &&
      (back == 1 || pqnn_onnx_get_value(rt, k - 1, &between) == pqnn_status_success)) {
    /* the clamp's (activation's, affine's) input, written by nobody now, is the value
     * before it in graph order */
    snprintf(buf, size, "%s (%s+%s%s%s)", run_value_name(&before), before.op_type,
        back == 2 ? between.op_type : "", back == 2 ? "+" : "", v.op_type);
  } else if (k != SIZE_MAX) {
    snprintf(buf, size, "%s (%s)", run_value_name(&v), v.op_type);
  } else if (info.inserted) {
    snprintf(buf, size, "(inserted %s)", info.type_name);
  } else if (info.pool_commuted) {
    /* a commuted pooling writes a new value; the layer's copy after it, the pooling's */
    snprintf(buf, size, "(pools the 1x1 layer's input)");
  } else {
    snprintf(buf, size, "(layout change at an input or output)");
  }
  const size_t used = strlen(buf);
  if (info.compute_path != NULL && info.compute_path[0] != '\0' && used < size) {
    snprintf(buf + used, size - used, " [%s]", info.compute_path);  /* the operator's path */
  }
  const size_t with_path = strlen(buf);
  if (info.banded && with_path < size) {
    /* runs in row bands with its depthwise / pointwise chain (the chain's first node's time
     * is the chain's) */
    snprintf(buf + with_path, size - with_path, " [banded]");
  }
  const size_t with_band = strlen(buf);
  if (info.range_fused && with_band < size) {
    /* quantizes from the ranges its input's writer merged (no range pass) */
    snprintf(buf + with_band, size - with_band, " [ranges from writer]");
  }
}

/* What was fused into a node, in the order it applies: "+clamp+hardswish", "+hardswish+add",
 * "+add+clamp+sigmoid", "+hardswish+affine", "+add+upsampled-add", ... (a clamp fused into
 * an add comes with the add; an affine is last, then a folded upsampled add). */
static void fusion_chain(const struct pqnn_runtime_node_info* info, char* buf, size_t size) {
  const char* act = info->fused_activation ? info->fused_activation_name : NULL;
  const bool act_last = act != NULL && (!info->fused_add || info->activation_after_add);
  snprintf(buf, size, "%s%s%s%s%s%s%s%s%s%s", act != NULL && !act_last ? "+" : "",
      act != NULL && !act_last ? act : "", info->fused_channel_scale ? "+scale" : "",
      info->pool_commuted ? "(pool commuted)" : "", info->fused_add ? "+add" : "",
      info->fused_clamp ? "+clamp" : "", act_last ? "+" : "", act_last ? act : "",
      info->fused_affine ? "+affine" : "", !info->folded_into_consumer ? ""
          : info->type == pqnn_node_type_concatenate || info->type == pqnn_node_type_binary
          ? "(in conv)" : "(in concat)");
  if (info->fused_upsampled_add) {  /* the FPN add of a resized map follows everything else */
    const size_t used = strlen(buf);
    snprintf(buf + used, size - used, "+upsampled-add");
  }
  if (info->fused_concat_input) {  /* reads its input concatenation's parts */
    const size_t used = strlen(buf);
    snprintf(buf + used, size - used, "+concat-input");
  }
  if (info->fused_scaled_input) {  /* steps its input multiply as it reads it */
    const size_t used = strlen(buf);
    snprintf(buf + used, size - used, "+scaled-input");
  }
}

void run_print_plan(pqnn_onnx_runtime_t rt, bool verbose, cJSON* json) {
  pqnn_runtime_t prt;
  size_t count = 0, transposes = 0, arena = 0, unshared = 0;
  pqnn_onnx_get_pqnn_runtime(rt, &prt);
  pqnn_get_runtime_node_count(prt, &count);
  pqnn_onnx_get_boundary_transpose_count(rt, &transposes);
  pqnn_get_runtime_arena_size(prt, &arena, &unshared);
  enum { kTypes = 64, kDatatypes = 8 };  /* above every node type / datatype value */
  size_t per_type[kTypes][kDatatypes] = {{0}};
  size_t fused = 0, fused_adds = 0, fused_activations = 0, fused_affines = 0, inserted = 0;
  size_t folded = 0, banded = 0, upsampled = 0, scaled = 0, concat_inputs = 0, ranged = 0;
  size_t scaled_inputs = 0;
  cJSON* nodes = json != NULL ? cJSON_CreateArray() : NULL;
  /* The fusion column is as wide as the longest chain of this plan (at least 18). */
  int fusion_width = 18;
  for (size_t k = 0; verbose && k < count; k++) {
    struct pqnn_runtime_node_info info;
    if (pqnn_get_runtime_node_info(prt, k, &info) != pqnn_status_success) continue;
    char fusions[64];
    fusion_chain(&info, fusions, sizeof(fusions));
    if ((int) strlen(fusions) > fusion_width) fusion_width = (int) strlen(fusions);
  }
  if (verbose) printf("plan, node by node (execution order):\n");
  for (size_t k = 0; k < count; k++) {
    struct pqnn_runtime_node_info info;
    if (pqnn_get_runtime_node_info(prt, k, &info) != pqnn_status_success) continue;
    if ((size_t) info.type < kTypes && (size_t) info.compute_datatype < kDatatypes) {
      per_type[info.type][info.compute_datatype]++;
    }
    fused += info.fused_clamp;
    fused_adds += info.fused_add;
    fused_activations += info.fused_activation;
    fused_affines += info.fused_affine;
    inserted += info.inserted;
    folded += info.folded_into_consumer && info.type == pqnn_node_type_static_resize_2d;
    concat_inputs += info.fused_concat_input;
    scaled_inputs += info.fused_scaled_input;
    upsampled += info.fused_upsampled_add;
    scaled += info.fused_channel_scale;
    banded += info.banded;
    ranged += info.range_fused;
    char label[256];
    run_node_label(rt, prt, k, label, sizeof(label));
    const char* qd8 = info.qd8_decision != pqnn_qd8_decision_none
        ? pqnn_qd8_decision_string(info.qd8_decision) : "";
    if (verbose) {
      char fusions[64];
      fusion_chain(&info, fusions, sizeof(fusions));
      printf("  %4zu %-26s %-7s %-*s %-40s %s\n", k, info.type_name,
          pqnn_datatype_string(info.compute_datatype), fusion_width, fusions, label, qd8);
    }
    if (nodes != NULL) {
      cJSON* n = cJSON_CreateObject();
      cJSON_AddStringToObject(n, "type", info.type_name);
      cJSON_AddStringToObject(n, "datatype", pqnn_datatype_string(info.compute_datatype));
      cJSON_AddStringToObject(n, "path", info.compute_path);
      cJSON_AddStringToObject(n, "onnx", label);
      cJSON_AddBoolToObject(n, "fused_clamp", info.fused_clamp != 0);
      cJSON_AddBoolToObject(n, "fused_add", info.fused_add != 0);
      if (info.fused_activation) {
        cJSON_AddStringToObject(n, "fused_activation", info.fused_activation_name);
        cJSON_AddBoolToObject(n, "activation_after_add", info.activation_after_add != 0);
      }
      cJSON_AddBoolToObject(n, "fused_affine", info.fused_affine != 0);
      cJSON_AddBoolToObject(n, "inserted", info.inserted != 0);
      if (info.folded_into_consumer) cJSON_AddBoolToObject(n, "folded_into_consumer", true);
      if (info.fused_upsampled_add) cJSON_AddBoolToObject(n, "fused_upsampled_add", true);
      if (info.fused_channel_scale) cJSON_AddBoolToObject(n, "fused_channel_scale", true);
      if (info.pool_commuted) cJSON_AddBoolToObject(n, "pool_commuted", true);
      if (info.fused_concat_input) cJSON_AddBoolToObject(n, "fused_concat_input", true);
      if (info.fused_scaled_input) cJSON_AddBoolToObject(n, "fused_scaled_input", true);
      cJSON_AddBoolToObject(n, "banded", info.banded != 0);
      if (info.range_fused) cJSON_AddBoolToObject(n, "range_fused", true);
      if (qd8[0] != '\0') cJSON_AddStringToObject(n, "qd8_decision", qd8);
      cJSON_AddItemToArray(nodes, n);
    }
  }
  printf("plan: %zu nodes (%zu fused clamps, %zu fused adds, %zu fused activations, %zu "
      "fused affines, %zu inserted converts, %zu resizes folded into concats, %zu into "
      "adds, %zu channel scales folded into 1x1 layers, %zu concats read by their convs, %zu "
      "channel multiplies read by their convs, %zu in row bands, %zu converts taking their "
      "ranges from the writer), %zu boundary layout changes, arena %.1f MiB (%.1f MiB "
      "unshared)\n",
      count, fused, fused_adds, fused_activations, fused_affines, inserted, folded, upsampled,
      scaled, concat_inputs, scaled_inputs, banded, ranged, transposes,
      (double) arena / 1048576.0, (double) unshared / 1048576.0);
  for (size_t t = 1; t < kTypes; t++) {
    for (size_t d = 0; d < kDatatypes; d++) {
      if (per_type[t][d] != 0) {
        printf("  %-26s %-7s x%zu\n", pqnn_node_type_string((enum pqnn_node_type) t),
            pqnn_datatype_string((enum pqnn_datatype) d), per_type[t][d]);
      }
    }
  }
  cJSON* plan = json != NULL ? cJSON_AddObjectToObject(json, "plan") : NULL;
  print_fp16_decision(prt, plan);
  if (plan != NULL) {
    cJSON_AddNumberToObject(plan, "nodes", (double) count);
    cJSON_AddNumberToObject(plan, "fused_clamps", (double) fused);
    cJSON_AddNumberToObject(plan, "fused_adds", (double) fused_adds);
    cJSON_AddNumberToObject(plan, "fused_activations", (double) fused_activations);
    cJSON_AddNumberToObject(plan, "fused_affines", (double) fused_affines);
    cJSON_AddNumberToObject(plan, "fused_channel_scales", (double) scaled);
    cJSON_AddNumberToObject(plan, "upsampled_adds", (double) upsampled);
    cJSON_AddNumberToObject(plan, "concat_inputs", (double) concat_inputs);
    cJSON_AddNumberToObject(plan, "scaled_inputs", (double) scaled_inputs);
    cJSON_AddNumberToObject(plan, "inserted_converts", (double) inserted);
    cJSON_AddNumberToObject(plan, "banded_nodes", (double) banded);
    cJSON_AddNumberToObject(plan, "range_fused_converts", (double) ranged);
    cJSON_AddNumberToObject(plan, "boundary_layout_changes", (double) transposes);
    cJSON_AddNumberToObject(plan, "arena_bytes", (double) arena);
    cJSON_AddItemToObject(plan, "node_list", nodes);
  }
}
