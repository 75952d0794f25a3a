/* Shapes of imported tensors: element counts, the NHWC (channels-last) physical order and
 * numpy broadcasting, with unknown (-1) dims propagated. */
#include <string.h>

#include "onnx/internal.h"

bool ox_shape_known(const struct ox_tensor* t) {
  if (t->rank < 0) return false;
  for (int d = 0; d < t->rank; d++) {
    if (t->dims[d] < 0) return false;
  }
  return true;
}

bool ox_elements(const struct ox_tensor* t, int64_t* out) {
  if (!ox_shape_known(t)) return false;
  int64_t n = 1;
  for (int d = 0; d < t->rank; d++) {
    if (t->dims[d] > 0 && n > OX_MAX_ELEMENTS / t->dims[d]) return false;
    n *= t->dims[d];
  }
  *out = n;
  return true;
}

void ox_set_shape(struct ox_tensor* t, int rank, const int64_t* dims) {
  t->rank = rank;
  for (int d = 0; d < rank; d++) t->dims[d] = dims[d];
}

size_t ox_physical_dims(const struct ox_tensor* t, size_t* dims) {
  const int r = t->rank;
  if (r == 0) {  /* a scalar (ArgMax of a 1-D input): one element, [1] to the runtime */
    dims[0] = 1;
    return 1;
  }
  if (!t->channels_last || r < 3) {
    for (int d = 0; d < r; d++) dims[d] = (size_t) t->dims[d];
    return (size_t) r;
  }
  size_t n = 0;
  dims[n++] = (size_t) t->dims[0];
  if (r == 3) dims[n++] = 1;
  for (int d = 2; d < r; d++) dims[n++] = (size_t) t->dims[d];
  dims[n++] = (size_t) t->dims[1];
  return n;
}

bool ox_layout_free(const struct ox_tensor* t) {
  /* Unknown dims (listing before the shapes are set): assume the best. */
  if (t->rank < 3 || !ox_shape_known(t)) return true;
  if (t->dims[1] == 1) return true;
  for (int d = 2; d < t->rank; d++) {
    if (t->dims[d] != 1) return false;
  }
  return true;
}

bool ox_broadcast(const struct ox_tensor* a, const struct ox_tensor* b, struct ox_tensor* out) {
  if (a->rank < 0 || b->rank < 0) {
    out->rank = -1;
    return true;
  }
  const int r = a->rank > b->rank ? a->rank : b->rank;
  for (int d = 0; d < r; d++) {
    const int da = d - (r - a->rank), db = d - (r - b->rank);
    const int64_t x = da < 0 ? 1 : a->dims[da];
    const int64_t y = db < 0 ? 1 : b->dims[db];
    if (x < 0 || y < 0) {
      out->dims[d] = (x == 1) ? y : (y == 1) ? x : (x < 0 ? y : x);
      continue;
    }
    if (x != y && x != 1 && y != 1) return false;
    out->dims[d] = x > y ? x : y;
  }
  out->rank = r;
  return true;
}

const char* ox_type_name(int32_t elem_type) {
  switch (elem_type) {
    case OX_FLOAT: return "float32";
    case OX_BOOL: return "bool";
    case OX_INT64: return "int64";
    case OX_INT32: return "int32";
    default: return "another type";
  }
}
