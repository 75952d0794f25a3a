/* The node outputs an import pass defined as pqnn values, with their ONNX tensor, node and
 * op names copied (a runtime outlives its model): pqnn_onnx_get_value. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "onnx/internal.h"

static const char* or_empty(const char* s) {
  return s != NULL ? s : "";
}

/* The pass's tensor t is a pqnn value computed by some node: defined, not a constant, not
 * an input and not produced by an unsupported node. */
static bool is_value(const struct ox_tensor* t) {
  return t->available && !t->is_const && !t->poisoned && t->graph_input < 0;
}

static bool seen(const struct ox_values* v, size_t count, uint32_t id) {
  for (size_t k = 0; k < count; k++) {
    if (v->info[k].value_id == id) return true;
  }
  return false;
}

/* Node k's op type, or for a node absorbed into the one before (a fused pattern: Conv with
 * the BatchNormalization after it, the hardswish chain) the chain of op types since the last
 * node lowered on its own, "Conv+BatchNormalization"; written to buf when not NULL. Its
 * length is returned. */
/* A Constant node (no inputs): the pass folds these first, so a fused chain may span them;
 * they are skipped when walking back to the node that absorbed a chain. */
static bool constant_node(const struct ox_pass* p, size_t k) {
  const struct ox_node* n = &p->m->nodes[k];
  return n->num_inputs == 0 && strcmp(or_empty(n->proto->op_type), "Constant") == 0;
}

/* The node that lowered node k: k itself, or the first node before it that is neither
 * absorbed nor a Constant. */
static size_t lowering_node(const struct ox_pass* p, size_t k) {
  if (!p->absorbed[k]) return k;
  while (k > 0 && (p->absorbed[k] || constant_node(p, k))) k--;
  return k;
}

static size_t op_label(const struct ox_pass* p, size_t k, char* buf) {
  const size_t first = lowering_node(p, k);
  size_t len = 0;
  for (size_t j = first; j <= k; j++) {
    if (j != first && j != k && constant_node(p, j)) continue;
    const char* op = or_empty(p->m->nodes[j].proto->op_type);
    const size_t n = strlen(op);
    if (j != first) {
      if (buf != NULL) buf[len] = '+';
      len++;
    }
    if (buf != NULL) memcpy(buf + len, op, n);
    len += n;
  }
  if (buf != NULL) buf[len] = '\0';
  return len;
}

/* The name of the node that lowered node k (itself, or the one that absorbed it). */
static const char* lowering_node_name(const struct ox_pass* p, size_t k) {
  return or_empty(p->m->nodes[lowering_node(p, k)].proto->name);
}

/* The name of temporary j (from 1) of node n: its first output's name and "#j". */
static size_t temporary_name(const struct ox_pass* p, const struct ox_node* n, size_t j,
    char* buf, size_t size) {
  const char* base = n->num_outputs > 0 && n->outputs[0] >= 0 ? p->t[n->outputs[0]].name : "";
  const int len = snprintf(buf, size, "%s#%zu", or_empty(base), j);
  return len < 0 ? 0 : (size_t) len;
}

/* Appends one value to out (its strings copied to *s). */
static void append(struct ox_values* out, char** s, const char* tensor_name,
    const struct ox_pass* p, size_t k, uint32_t id, bool channels_last) {
  const char* strings[2] = {tensor_name, lowering_node_name(p, k)};
  const char* copies[3];
  for (size_t j = 0; j < 2; j++) {
    const size_t len = strlen(strings[j]) + 1;
    memmove(*s, strings[j], len);  /* a temporary's name is written in place first */
    copies[j] = *s;
    *s += len;
  }
  copies[2] = *s;
  *s += op_label(p, k, *s) + 1;
  out->info[out->count++] = (struct pqnn_onnx_value_info) {
      .tensor_name = copies[0], .node_name = copies[1], .op_type = copies[2],
      .value_id = id, .channels_last = channels_last};
}

/* The node outputs in graph order, each node's temporaries (the intermediates of a chain it
 * was lowered to, named "<its output>#1", "#2", ...) right before its outputs. */
enum pqnn_status ox_collect_values(const struct ox_pass* p, struct ox_values* out) {
  const struct pqnn_onnx_model* m = p->m;
  *out = (struct ox_values) {0};
  size_t count = p->num_temporaries, bytes = 0;
  for (size_t t = 0; t < p->num_temporaries; t++) {
    const size_t k = p->temporaries[t].node;
    bytes += temporary_name(p, &m->nodes[k], t + 1, NULL, 0) +
        strlen(lowering_node_name(p, k)) + op_label(p, k, NULL) + 3;
  }
  for (size_t k = 0; k < m->num_nodes; k++) {
    const struct ox_node* n = &m->nodes[k];
    for (size_t o = 0; o < n->num_outputs; o++) {
      if (n->outputs[o] < 0 || !is_value(&p->t[n->outputs[o]])) continue;
      count++;
      bytes += strlen(p->t[n->outputs[o]].name) + strlen(lowering_node_name(p, k)) +
          op_label(p, k, NULL) + 3;
    }
  }
  out->info = calloc(count + 1, sizeof(*out->info));
  out->names = malloc(bytes + 1);
  if (out->info == NULL || out->names == NULL) {
    ox_values_free(out);
    return pqnn_status_out_of_memory;
  }
  char* s = out->names;
  const char* end = out->names + bytes + 1;
  size_t next = 0;  /* the temporaries are recorded in graph order */
  for (size_t k = 0; k < m->num_nodes; k++) {
    const struct ox_node* n = &m->nodes[k];
    for (size_t j = 1; next < p->num_temporaries && p->temporaries[next].node == k; j++, next++) {
      /* j <= next + 1: the name is no longer than the one counted above */
      temporary_name(p, n, j, s, (size_t) (end - s));
      append(out, &s, s, p, k, p->temporaries[next].id, p->temporaries[next].channels_last);
    }
    while (next < p->num_temporaries && p->temporaries[next].node <= k) next++;
    for (size_t o = 0; o < n->num_outputs; o++) {
      if (n->outputs[o] < 0) continue;
      const struct ox_tensor* t = &p->t[n->outputs[o]];
      if (!is_value(t) || seen(out, out->count, t->id)) continue;
      append(out, &s, t->name, p, k, t->id, t->channels_last);
    }
  }
  return pqnn_status_success;
}

void ox_values_free(struct ox_values* v) {
  free(v->info);
  free(v->names);
  *v = (struct ox_values) {0};
}
