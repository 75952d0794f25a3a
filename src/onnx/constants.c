/* Decoding of ONNX TensorProto data and node attributes, every size checked. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "onnx/internal.h"

bool ox_is_float_type(int32_t t) { return t == OX_FLOAT || t == OX_DOUBLE; }

bool ox_is_int_type(int32_t t) {
  switch (t) {
    case OX_UINT8: case OX_INT8: case OX_UINT16: case OX_INT16: case OX_INT32:
    case OX_INT64: case OX_BOOL: case OX_UINT32: case OX_UINT64:
      return true;
    default:
      return false;
  }
}

static size_t element_size(int32_t t) {
  switch (t) {
    case OX_UINT8: case OX_INT8: case OX_BOOL: return 1;
    case OX_UINT16: case OX_INT16: return 2;
    case OX_FLOAT: case OX_INT32: case OX_UINT32: return 4;
    default: return 8;  /* INT64, UINT64, DOUBLE */
  }
}

/* Element k of little-endian raw data of type t, as int64 or double. */
static int64_t raw_int(const uint8_t* raw, int32_t t, size_t k) {
  const size_t es = element_size(t);
  uint64_t v = 0;
  for (size_t b = 0; b < es; b++) v |= (uint64_t) raw[k * es + b] << (8 * b);
  switch (t) {
    case OX_INT8: return (int8_t) (uint8_t) v;
    case OX_INT16: return (int16_t) (uint16_t) v;
    case OX_INT32: return (int32_t) (uint32_t) v;
    case OX_UINT64: return v > (uint64_t) INT64_MAX ? INT64_MAX : (int64_t) v;
    case OX_INT64: {
      int64_t s;
      memcpy(&s, &v, sizeof(s));
      return s;
    }
    default: return (int64_t) v;  /* unsigned types, bool */
  }
}

static double raw_float(const uint8_t* raw, int32_t t, size_t k) {
  if (t == OX_FLOAT) {
    uint32_t v = (uint32_t) raw[4 * k] | (uint32_t) raw[4 * k + 1] << 8 |
                 (uint32_t) raw[4 * k + 2] << 16 | (uint32_t) raw[4 * k + 3] << 24;
    float f;
    memcpy(&f, &v, sizeof(f));
    return f;
  }
  uint64_t v = 0;
  for (size_t b = 0; b < 8; b++) v |= (uint64_t) raw[8 * k + b] << (8 * b);
  double d;
  memcpy(&d, &v, sizeof(d));
  return d;
}

/* The n values of tp (type t) into data: float for float types, int64 for the others. */
static void decode_values(const Onnx__TensorProto* tp, int32_t t, size_t n, void* data) {
  const uint8_t* raw = tp->raw_data.data;
  if (ox_is_float_type(t)) {
    float* f = data;
    for (size_t k = 0; k < n; k++) {
      if (tp->has_raw_data) {
        f[k] = (float) raw_float(raw, t, k);
      } else {
        f[k] = t == OX_FLOAT ? tp->float_data[k] : (float) tp->double_data[k];
      }
    }
    return;
  }
  int64_t* v = data;
  for (size_t k = 0; k < n; k++) {
    if (tp->has_raw_data) {
      v[k] = raw_int(raw, t, k);
    } else if (t == OX_INT64) {
      v[k] = tp->int64_data[k];
    } else if (t == OX_UINT64 || t == OX_UINT32) {
      v[k] = tp->uint64_data[k] > (uint64_t) INT64_MAX ? INT64_MAX : (int64_t) tp->uint64_data[k];
    } else {
      v[k] = tp->int32_data[k];
    }
  }
}

enum pqnn_status ox_decode_tensor(const Onnx__TensorProto* tp, int64_t max_elements,
    struct ox_tensor* out, void** data_out) {
  *data_out = NULL;
  const char* name = tp->name != NULL ? tp->name : "";
  if (tp->has_data_location && tp->data_location == ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL) {
    ox_log("tensor '%s': external data is not supported (save the model with its weights inside)", name);
    return pqnn_status_unsupported_parameter;
  }
  if (tp->n_dims > OX_MAX_RANK) {
    ox_log("tensor '%s': %zu dims (at most %d)", name, tp->n_dims, OX_MAX_RANK);
    return pqnn_status_unsupported_parameter;
  }
  int64_t count = 1;
  for (size_t d = 0; d < tp->n_dims; d++) {
    if (tp->dims[d] < 0 || (tp->dims[d] > 0 && count > max_elements / tp->dims[d])) {
      ox_log("tensor '%s': bad or too large dim %lld", name, (long long) tp->dims[d]);
      return pqnn_status_invalid_parameter;
    }
    count *= tp->dims[d];
  }
  const int32_t t = tp->has_data_type ? tp->data_type : 0;
  if (!ox_is_float_type(t) && !ox_is_int_type(t)) {
    ox_log("tensor '%s': element type %d is not supported", name, (int) t);
    return pqnn_status_unsupported_parameter;
  }
  const size_t n = (size_t) count;
  /* Where the values are: raw_data, or the typed field of this type. */
  size_t have;
  if (tp->has_raw_data) {
    if (tp->raw_data.len != n * element_size(t)) {
      ox_log("tensor '%s': raw data has %zu bytes, the dims need %zu", name,
          tp->raw_data.len, n * element_size(t));
      return pqnn_status_invalid_parameter;
    }
    have = n;
  } else if (t == OX_FLOAT) {
    have = tp->n_float_data;
  } else if (t == OX_DOUBLE) {
    have = tp->n_double_data;
  } else if (t == OX_INT64) {
    have = tp->n_int64_data;
  } else if (t == OX_UINT64 || t == OX_UINT32) {
    have = tp->n_uint64_data;
  } else {
    have = tp->n_int32_data;
  }
  if (have != n) {
    ox_log("tensor '%s': %zu values, the dims need %zu", name, have, n);
    return pqnn_status_invalid_parameter;
  }
  /* float32 raw data on a little-endian host is used in place (no copy: *data_out stays
   * NULL and the tensor points into the unpacked protobuf). */
  const uint16_t probe = 1;
  uint8_t first_byte;
  memcpy(&first_byte, &probe, 1);
  void* data = NULL;
  if (t == OX_FLOAT && tp->has_raw_data && n > 0 && first_byte == 1 &&
      (uintptr_t) tp->raw_data.data % _Alignof(float) == 0) {
    out->f = (const float*) (const void*) tp->raw_data.data;
    out->i = NULL;
  } else {
    const size_t bytes = (n == 0 ? 1 : n) * (ox_is_float_type(t) ? sizeof(float) : sizeof(int64_t));
    data = malloc(bytes);
    if (data == NULL) return pqnn_status_out_of_memory;
    decode_values(tp, t, n, data);
    out->f = ox_is_float_type(t) ? data : NULL;
    out->i = ox_is_float_type(t) ? NULL : data;
  }
  out->elem_type = t;
  out->rank = (int) tp->n_dims;
  for (size_t d = 0; d < tp->n_dims; d++) out->dims[d] = tp->dims[d];
  out->is_const = true;
  out->available = true;
  *data_out = data;
  return pqnn_status_success;
}

const Onnx__AttributeProto* ox_attr(const struct ox_node* n, const char* name) {
  for (size_t k = 0; k < n->proto->n_attribute; k++) {
    const Onnx__AttributeProto* a = n->proto->attribute[k];
    if (a != NULL && a->name != NULL && strcmp(a->name, name) == 0) return a;
  }
  return NULL;
}

static bool attr_is(const Onnx__AttributeProto* a, Onnx__AttributeProto__AttributeType type) {
  /* Old exporters leave the type out; accept the field that is present. */
  return !a->has_type || a->type == type;
}

enum pqnn_status ox_attr_int(struct ox_pass* p, const char* name, int64_t def, int64_t* out) {
  const Onnx__AttributeProto* a = ox_attr(p->node, name);
  if (a == NULL) {
    *out = def;
    return pqnn_status_success;
  }
  if (!attr_is(a, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT) || !a->has_i) {
    return ox_invalid(p, "attribute %s must be an int", name);
  }
  *out = a->i;
  return pqnn_status_success;
}

enum pqnn_status ox_attr_float(struct ox_pass* p, const char* name, float def, float* out) {
  const Onnx__AttributeProto* a = ox_attr(p->node, name);
  if (a == NULL) {
    *out = def;
    return pqnn_status_success;
  }
  if (!attr_is(a, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT) || !a->has_f || !isfinite(a->f)) {
    return ox_invalid(p, "attribute %s must be a finite float", name);
  }
  *out = a->f;
  return pqnn_status_success;
}

enum pqnn_status ox_attr_ints(struct ox_pass* p, const char* name, size_t max,
    int64_t* values, size_t* count_out) {
  const Onnx__AttributeProto* a = ox_attr(p->node, name);
  *count_out = 0;
  if (a == NULL) return pqnn_status_success;
  if (!attr_is(a, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS)) {
    return ox_invalid(p, "attribute %s must be a list of ints", name);
  }
  if (a->n_ints > max) {
    return ox_unsupported(p, "attribute %s has %zu values (at most %zu)", name, a->n_ints, max);
  }
  for (size_t k = 0; k < a->n_ints; k++) values[k] = a->ints[k];
  *count_out = a->n_ints;
  return pqnn_status_success;
}

enum pqnn_status ox_attr_string(struct ox_pass* p, const char* name, const char* def,
    char* buf, size_t size) {
  const Onnx__AttributeProto* a = ox_attr(p->node, name);
  if (a == NULL) {
    strncpy(buf, def, size - 1);
    buf[size - 1] = '\0';
    return pqnn_status_success;
  }
  if (!attr_is(a, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING) || !a->has_s ||
      a->s.len >= size || (a->s.len > 0 && memchr(a->s.data, '\0', a->s.len) != NULL)) {
    return ox_invalid(p, "attribute %s must be a short string", name);
  }
  if (a->s.len > 0) memcpy(buf, a->s.data, a->s.len);
  buf[a->s.len] = '\0';
  return pqnn_status_success;
}
