/* Loading a model: protobuf-c unpacking, the tensor and node tables, initializers, and
 * the public queries about inputs and outputs. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "onnx/internal.h"

/* Largest model file accepted (protobuf messages are limited to 2 GiB anyway). */
#define OX_MAX_MODEL_BYTES ((size_t) 2 << 30)

static uint64_t hash_name(const char* s) {
  uint64_t h = 1469598103934665603ull;
  for (; *s != '\0'; s++) h = (h ^ (uint8_t) *s) * 1099511628211ull;
  return h;
}

static int find_tensor(const struct pqnn_onnx_model* m, const char* name) {
  size_t k = (size_t) hash_name(name) & (m->hash_size - 1);
  while (m->hash[k] >= 0) {
    if (strcmp(m->tensors[m->hash[k]].name, name) == 0) return m->hash[k];
    k = (k + 1) & (m->hash_size - 1);
  }
  return -1;
}

/* Index of tensor `name`, added when new (capacity was sized for every name). */
static int intern(struct pqnn_onnx_model* m, const char* name, bool* added) {
  size_t k = (size_t) hash_name(name) & (m->hash_size - 1);
  while (m->hash[k] >= 0) {
    if (strcmp(m->tensors[m->hash[k]].name, name) == 0) {
      *added = false;
      return m->hash[k];
    }
    k = (k + 1) & (m->hash_size - 1);
  }
  const int index = (int) m->num_tensors++;
  struct ox_tensor* t = &m->tensors[index];
  memset(t, 0, sizeof(*t));
  t->name = name;
  t->rank = -1;
  t->graph_input = -1;
  t->graph_output = -1;
  m->hash[k] = index;
  *added = true;
  return index;
}

static enum pqnn_status read_value_info(const Onnx__ValueInfoProto* vi, struct ox_tensor* t) {
  const Onnx__TypeProto* type = vi->type;
  if (type == NULL || type->value_case != ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE ||
      type->tensor_type == NULL) {
    ox_log("graph input/output '%s' is not a tensor", t->name);
    return pqnn_status_unsupported_parameter;
  }
  const Onnx__TypeProto__Tensor* tt = type->tensor_type;
  t->elem_type = tt->has_elem_type ? tt->elem_type : 0;
  if (tt->shape == NULL) {
    t->rank = -1;
    return pqnn_status_success;
  }
  if (tt->shape->n_dim > OX_MAX_RANK) {
    ox_log("graph input/output '%s' has %zu dims (at most %d)", t->name, tt->shape->n_dim,
        OX_MAX_RANK);
    return pqnn_status_unsupported_parameter;
  }
  t->rank = (int) tt->shape->n_dim;
  for (size_t d = 0; d < tt->shape->n_dim; d++) {
    const Onnx__TensorShapeProto__Dimension* dim = tt->shape->dim[d];
    t->dims[d] = -1;
    if (dim != NULL && dim->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE &&
        dim->dim_value > 0) {
      if (dim->dim_value > OX_MAX_ELEMENTS) {
        ox_log("graph input/output '%s': dim %lld is too large", t->name, (long long) dim->dim_value);
        return pqnn_status_invalid_parameter;
      }
      t->dims[d] = dim->dim_value;
    }
  }
  return pqnn_status_success;
}

/* The opset of the default domain; a model without one is refused. */
static enum pqnn_status read_opset(struct pqnn_onnx_model* m, const Onnx__GraphProto* g) {
  (void) g;  /* the opsets are the model's, not the graph's */
  m->opset = -1;
  for (size_t k = 0; k < m->proto->n_opset_import; k++) {
    const Onnx__OperatorSetIdProto* os = m->proto->opset_import[k];
    if (os != NULL && (os->domain == NULL || os->domain[0] == '\0' ||
                       strcmp(os->domain, "ai.onnx") == 0)) {
      m->opset = os->has_version ? os->version : -1;
    }
  }
  if (m->opset < 1) {
    ox_log("the model imports no opset of the default ONNX domain");
    return pqnn_status_invalid_parameter;
  }
  return pqnn_status_success;
}

/* The tensor, hash, node, input and output tables, sized by every name the graph mentions. */
static enum pqnn_status allocate_tables(struct pqnn_onnx_model* m, const Onnx__GraphProto* g) {
  /* Capacity: every name the graph mentions (an upper bound on distinct tensors). */
  size_t names = g->n_input + g->n_initializer + g->n_output;
  for (size_t k = 0; k < g->n_node; k++) {
    const Onnx__NodeProto* n = g->node[k];
    names += n->n_input + n->n_output;
  }
  size_t hash_size = 16;
  while (hash_size < 2 * names) hash_size *= 2;
  m->tensors = calloc(names + 1, sizeof(*m->tensors));
  m->hash = malloc(hash_size * sizeof(*m->hash));
  m->nodes = calloc(g->n_node + 1, sizeof(*m->nodes));
  m->owned = calloc(g->n_initializer + 1, sizeof(*m->owned));
  m->inputs = calloc(g->n_input + 1, sizeof(*m->inputs));
  m->outputs = calloc(g->n_output + 1, sizeof(*m->outputs));
  m->output_types = calloc(g->n_output + 1, sizeof(*m->output_types));
  if (m->tensors == NULL || m->hash == NULL || m->nodes == NULL || m->owned == NULL ||
      m->inputs == NULL || m->outputs == NULL || m->output_types == NULL) {
    return pqnn_status_out_of_memory;
  }
  m->hash_size = hash_size;
  for (size_t k = 0; k < hash_size; k++) m->hash[k] = -1;

  return pqnn_status_success;
}

/* Interns and decodes every initializer (each name once). */
static enum pqnn_status add_initializers(struct pqnn_onnx_model* m, const Onnx__GraphProto* g) {
  bool added;
  for (size_t k = 0; k < g->n_initializer; k++) {
    const Onnx__TensorProto* tp = g->initializer[k];
    if (tp->name == NULL || tp->name[0] == '\0') {
      ox_log("initializer %zu has no name", k);
      return pqnn_status_invalid_parameter;
    }
    const int index = intern(m, tp->name, &added);
    if (!added) {
      ox_log("initializer '%s' is defined twice", tp->name);
      return pqnn_status_invalid_parameter;
    }
    enum pqnn_status status = ox_decode_tensor(tp, OX_MAX_ELEMENTS, &m->tensors[index],
        &m->owned[m->num_owned]);
    if (status != pqnn_status_success) return status;
    m->num_owned++;
  }
  return pqnn_status_success;
}

/* Graph inputs: float32, int64 or int32 (token ids: read only as Gather indices, lower.c)
 * with a known rank; an input that is also an initializer is a constant. */
static enum pqnn_status add_graph_inputs(struct pqnn_onnx_model* m, const Onnx__GraphProto* g) {
  bool added;
  for (size_t k = 0; k < g->n_input; k++) {
    const Onnx__ValueInfoProto* vi = g->input[k];
    if (vi->name == NULL || vi->name[0] == '\0') {
      ox_log("graph input %zu has no name", k);
      return pqnn_status_invalid_parameter;
    }
    const int index = intern(m, vi->name, &added);
    if (!added) {
      if (m->tensors[index].is_const && m->tensors[index].graph_input < 0) continue;  /* initializer */
      ox_log("graph input '%s' is listed twice", vi->name);
      return pqnn_status_invalid_parameter;
    }
    struct ox_tensor* t = &m->tensors[index];
    enum pqnn_status status = read_value_info(vi, t);
    if (status != pqnn_status_success) return status;
    if ((t->elem_type != OX_FLOAT && t->elem_type != OX_INT64 && t->elem_type != OX_INT32) ||
        t->rank < 0) {
      ox_log("graph input '%s': only float32, int64 and int32 inputs with a known rank are "
          "supported", t->name);
      return pqnn_status_unsupported_parameter;
    }
    t->graph_input = (int) m->num_inputs;
    t->available = true;
    m->inputs[m->num_inputs++] = index;
  }
  return pqnn_status_success;
}

/* Nodes: their input and output tensors; a tensor is produced once. */
static enum pqnn_status add_nodes(struct pqnn_onnx_model* m, const Onnx__GraphProto* g) {
  bool added;
  for (size_t k = 0; k < g->n_node; k++) {
    const Onnx__NodeProto* np = g->node[k];
    struct ox_node* n = &m->nodes[k];
    n->proto = np;
    if (np->op_type == NULL) {
      ox_log("node %zu has no op type", k);
      return pqnn_status_invalid_parameter;
    }
    n->num_inputs = np->n_input;
    n->num_outputs = np->n_output;
    n->inputs = malloc((np->n_input + np->n_output + 1) * sizeof(int));
    if (n->inputs == NULL) return pqnn_status_out_of_memory;
    n->outputs = n->inputs + np->n_input;
    m->num_nodes = k + 1;
    for (size_t i = 0; i < np->n_input; i++) {
      n->inputs[i] = np->input[i][0] == '\0' ? -1 : intern(m, np->input[i], &added);
      if (n->inputs[i] >= 0) m->tensors[n->inputs[i]].consumers++;
    }
    for (size_t o = 0; o < np->n_output; o++) {
      if (np->output[o][0] == '\0') {
        n->outputs[o] = -1;
        continue;
      }
      n->outputs[o] = intern(m, np->output[o], &added);
      struct ox_tensor* t = &m->tensors[n->outputs[o]];
      if (!added && (t->is_const || t->graph_input >= 0 || t->available)) {
        ox_log("tensor '%s' is produced twice (node %zu, %s)", np->output[o], k, np->op_type);
        return pqnn_status_invalid_parameter;
      }
      t->available = true;  /* marks "has a producer" while loading; reset below */
    }
  }
  return pqnn_status_success;
}

/* Graph outputs: produced by some node, float32, each listed once; at least one. */
static enum pqnn_status add_graph_outputs(struct pqnn_onnx_model* m, const Onnx__GraphProto* g) {
  for (size_t k = 0; k < g->n_output; k++) {
    const Onnx__ValueInfoProto* vi = g->output[k];
    if (vi->name == NULL || vi->name[0] == '\0') {
      ox_log("graph output %zu has no name", k);
      return pqnn_status_invalid_parameter;
    }
    const int index = find_tensor(m, vi->name);
    if (index < 0 || !m->tensors[index].available) {
      ox_log("graph output '%s' is never produced", vi->name);
      return pqnn_status_invalid_parameter;
    }
    struct ox_tensor* t = &m->tensors[index];
    if (t->graph_output >= 0) {
      ox_log("graph output '%s' is listed twice", vi->name);
      return pqnn_status_invalid_parameter;
    }
    struct ox_tensor declared = *t;
    enum pqnn_status status = read_value_info(vi, &declared);
    if (status != pqnn_status_success) return status;
    /* Bool (comparisons, lower-logic.c) and int64 / int32 (ArgMax / ArgMin indices,
     * lower-argmax.c) tensors are floats inside pqnn, converted when they leave
     * (pqnn_onnx_run_typed_outputs; runtime.c). */
    if (declared.elem_type != OX_FLOAT && declared.elem_type != OX_BOOL &&
        declared.elem_type != OX_INT64 && declared.elem_type != OX_INT32) {
      ox_log("graph output '%s': only float32, bool, int64 and int32 outputs are supported",
          vi->name);
      return pqnn_status_unsupported_parameter;
    }
    m->output_types[m->num_outputs] = declared.elem_type;
    t->graph_output = (int) m->num_outputs;
    m->outputs[m->num_outputs++] = index;
  }
  if (m->num_outputs == 0) {
    ox_log("the graph has no outputs");
    return pqnn_status_invalid_parameter;
  }
  return pqnn_status_success;
}

static enum pqnn_status build_tables(struct pqnn_onnx_model* m) {
  const Onnx__GraphProto* g = m->proto->graph;
  if (g == NULL) {
    ox_log("the model has no graph");
    return pqnn_status_invalid_parameter;
  }
  enum pqnn_status (*const steps[])(struct pqnn_onnx_model*, const Onnx__GraphProto*) = {
      read_opset, allocate_tables, add_initializers, add_graph_inputs, add_nodes,
      add_graph_outputs};
  for (size_t k = 0; k < sizeof(steps) / sizeof(steps[0]); k++) {
    const enum pqnn_status status = steps[k](m, g);
    if (status != pqnn_status_success) return status;
  }
  /* "available" is a pass's notion: only inputs and constants start available. */
  for (size_t k = 0; k < m->num_tensors; k++) {
    struct ox_tensor* t = &m->tensors[k];
    t->available = t->is_const || t->graph_input >= 0;
  }
  return pqnn_status_success;
}


enum pqnn_status pqnn_onnx_delete_model(pqnn_onnx_model_t m) {
  if (m == NULL) return pqnn_status_success;
  if (m->proto != NULL) onnx__model_proto__free_unpacked(m->proto, NULL);
  for (size_t k = 0; k < m->num_owned; k++) free(m->owned[k]);
  for (size_t k = 0; k < m->num_nodes; k++) free(m->nodes[k].inputs);
  free(m->owned);
  free(m->nodes);
  free(m->tensors);
  free(m->hash);
  free(m->inputs);
  free(m->outputs);
  free(m->output_types);
  free(m->unsupported);
  free(m->output_info);
  free(m);
  return pqnn_status_success;
}

enum pqnn_status pqnn_onnx_load_buffer(const void* data, size_t size, uint32_t flags,
    pqnn_onnx_model_t* model_out) {
  if (model_out == NULL) return pqnn_status_invalid_parameter;
  *model_out = NULL;
  if (data == NULL || size == 0 || size > OX_MAX_MODEL_BYTES) {
    ox_log("load: no data, or more than %zu bytes", OX_MAX_MODEL_BYTES);
    return pqnn_status_invalid_parameter;
  }
  if (flags != 0) return pqnn_status_invalid_parameter;
  struct pqnn_onnx_model* m = calloc(1, sizeof(*m));
  if (m == NULL) return pqnn_status_out_of_memory;
  m->model_bytes = size;
  m->proto = onnx__model_proto__unpack(NULL, size, data);
  if (m->proto == NULL) {
    ox_log("load: not a valid ONNX protobuf (%zu bytes)", size);
    pqnn_onnx_delete_model(m);
    return pqnn_status_invalid_parameter;
  }
  enum pqnn_status status = build_tables(m);
  if (status != pqnn_status_success) {
    pqnn_onnx_delete_model(m);
    return status;
  }
  *model_out = m;
  return pqnn_status_success;
}

enum pqnn_status pqnn_onnx_load_file(const char* path, uint32_t flags,
    pqnn_onnx_model_t* model_out) {
  if (model_out == NULL) return pqnn_status_invalid_parameter;
  *model_out = NULL;
  if (path == NULL) return pqnn_status_invalid_parameter;
  FILE* f = fopen(path, "rb");
  if (f == NULL) {
    ox_log("cannot open '%s': %s", path, strerror(errno));
    return pqnn_status_invalid_parameter;
  }
  long size = -1;
  if (fseek(f, 0, SEEK_END) == 0) size = ftell(f);
  if (size <= 0 || (unsigned long) size > OX_MAX_MODEL_BYTES || fseek(f, 0, SEEK_SET) != 0) {
    ox_log("'%s' is empty, unreadable or larger than %zu bytes", path, OX_MAX_MODEL_BYTES);
    fclose(f);
    return pqnn_status_invalid_parameter;
  }
  void* data = malloc((size_t) size);
  if (data == NULL) {
    fclose(f);
    return pqnn_status_out_of_memory;
  }
  const size_t got = fread(data, 1, (size_t) size, f);
  fclose(f);
  if (got != (size_t) size) {
    ox_log("short read of '%s'", path);
    free(data);
    return pqnn_status_invalid_parameter;
  }
  enum pqnn_status status = pqnn_onnx_load_buffer(data, (size_t) size, flags, model_out);
  free(data);
  return status;
}

enum pqnn_status pqnn_onnx_get_input_count(pqnn_onnx_model_t m, size_t* count_out) {
  if (m == NULL || count_out == NULL) return pqnn_status_invalid_parameter;
  *count_out = m->num_inputs;
  return pqnn_status_success;
}

enum pqnn_status pqnn_onnx_get_output_count(pqnn_onnx_model_t m, size_t* count_out) {
  if (m == NULL || count_out == NULL) return pqnn_status_invalid_parameter;
  *count_out = m->num_outputs;
  return pqnn_status_success;
}

static void fill_info(const struct ox_tensor* t, int32_t elem_type,
    struct pqnn_onnx_tensor_info* info) {
  info->name = t->name;
  info->elem_type = elem_type;
  info->num_dims = t->rank < 0 ? 0 : (size_t) t->rank;
  for (size_t d = 0; d < PQNN_ONNX_MAX_DIMS; d++) {
    info->dims[d] = d < info->num_dims ? t->dims[d] : 0;
  }
}

enum pqnn_status pqnn_onnx_get_input(pqnn_onnx_model_t m, size_t index,
    struct pqnn_onnx_tensor_info* info_out) {
  if (m == NULL || info_out == NULL || index >= m->num_inputs) return pqnn_status_invalid_parameter;
  const struct ox_tensor* t = &m->tensors[m->inputs[index]];
  fill_info(t, t->elem_type, info_out);
  return pqnn_status_success;
}

enum pqnn_status pqnn_onnx_get_input_index_bound(pqnn_onnx_model_t m, size_t index,
    int64_t* bound_out) {
  if (m == NULL || bound_out == NULL || index >= m->num_inputs) return pqnn_status_invalid_parameter;
  const int input = m->inputs[index];
  if (m->tensors[input].elem_type != OX_INT64 && m->tensors[input].elem_type != OX_INT32) {
    ox_log("get_input_index_bound: input '%s' is not an integer input", m->tensors[input].name);
    return pqnn_status_invalid_parameter;
  }
  int64_t bound = 0;
  for (size_t k = 0; k < m->num_nodes; k++) {
    const struct ox_node* n = &m->nodes[k];
    if (strcmp(n->proto->op_type, "Gather") != 0 || n->num_inputs != 2 ||
        n->inputs[1] != input || n->inputs[0] < 0) {
      continue;
    }
    const struct ox_tensor* table = &m->tensors[n->inputs[0]];
    if (!table->is_const || table->rank < 1) continue;
    const Onnx__AttributeProto* a = ox_attr(n, "axis");
    int64_t axis = a != NULL ? a->i : 0;
    if (axis < 0) axis += table->rank;
    if (axis < 0 || axis >= table->rank) continue;
    const int64_t rows = table->dims[axis];
    if (rows >= 1 && (bound == 0 || rows < bound)) bound = rows;
  }
  *bound_out = bound;
  return pqnn_status_success;
}

enum pqnn_status pqnn_onnx_get_output(pqnn_onnx_model_t m, size_t index,
    struct pqnn_onnx_tensor_info* info_out) {
  if (m == NULL || info_out == NULL || index >= m->num_outputs) return pqnn_status_invalid_parameter;
  enum pqnn_status status = ox_list(m);
  if (status != pqnn_status_success) return status;
  fill_info(&m->output_info[index], m->output_types[index], info_out);
  info_out->name = m->tensors[m->outputs[index]].name;
  return pqnn_status_success;
}

enum pqnn_status pqnn_onnx_set_input_shape(pqnn_onnx_model_t m, const char* name,
    size_t num_dims, const int64_t* dims) {
  if (m == NULL || name == NULL || (num_dims > 0 && dims == NULL)) {
    return pqnn_status_invalid_parameter;
  }
  const int index = find_tensor(m, name);
  if (index < 0 || m->tensors[index].graph_input < 0) {
    ox_log("set_input_shape: '%s' is not an input of the model", name);
    return pqnn_status_invalid_parameter;
  }
  struct ox_tensor* t = &m->tensors[index];
  if ((int) num_dims != t->rank) {
    ox_log("set_input_shape: '%s' has %d dims, not %zu", name, t->rank, num_dims);
    return pqnn_status_invalid_parameter;
  }
  const struct ox_tensor* declared = t;
  int64_t total = 1;
  for (size_t d = 0; d < num_dims; d++) {
    if (dims[d] < 1 || dims[d] > OX_MAX_ELEMENTS || total > OX_MAX_ELEMENTS / dims[d]) {
      ox_log("set_input_shape: '%s' dim %zu = %lld is not in [1, 2^30] (or the tensor is too large)",
          name, d, (long long) dims[d]);
      return pqnn_status_invalid_parameter;
    }
    total *= dims[d];
  }
  /* A static dim of the model keeps its value (checked against the proto's declaration). */
  const Onnx__ValueInfoProto* vi = NULL;
  for (size_t k = 0; k < m->proto->graph->n_input; k++) {
    if (strcmp(m->proto->graph->input[k]->name, name) == 0) vi = m->proto->graph->input[k];
  }
  struct ox_tensor original = *declared;
  if (vi != NULL && read_value_info(vi, &original) == pqnn_status_success) {
    for (size_t d = 0; d < num_dims; d++) {
      if (original.dims[d] > 0 && original.dims[d] != dims[d]) {
        ox_log("set_input_shape: '%s' dim %zu is fixed at %lld by the model, not %lld", name, d,
            (long long) original.dims[d], (long long) dims[d]);
        return pqnn_status_invalid_parameter;
      }
    }
  }
  for (size_t d = 0; d < num_dims; d++) t->dims[d] = dims[d];
  m->listed = false;
  return pqnn_status_success;
}

enum pqnn_status pqnn_onnx_get_unsupported_count(pqnn_onnx_model_t m, size_t* count_out) {
  if (m == NULL || count_out == NULL) return pqnn_status_invalid_parameter;
  enum pqnn_status status = ox_list(m);
  if (status != pqnn_status_success) return status;
  *count_out = m->num_unsupported;
  return pqnn_status_success;
}

enum pqnn_status pqnn_onnx_get_unsupported(pqnn_onnx_model_t m, size_t index,
    const char** op_type_out, const char** node_name_out, const char** reason_out) {
  if (m == NULL || op_type_out == NULL || node_name_out == NULL || reason_out == NULL) {
    return pqnn_status_invalid_parameter;
  }
  enum pqnn_status status = ox_list(m);
  if (status != pqnn_status_success) return status;
  if (index >= m->num_unsupported) return pqnn_status_invalid_parameter;
  *op_type_out = m->unsupported[index].op_type;
  *node_name_out = m->unsupported[index].node_name;
  *reason_out = m->unsupported[index].reason;
  return pqnn_status_success;
}
