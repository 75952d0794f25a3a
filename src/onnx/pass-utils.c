/* What every lowering file shares, and nothing else: messages (ox_log and the reasons an op
 * is refused), the pass's allocations of constant data, and access to the current node's
 * operands. Calls no other file of the importer. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "onnx/internal.h"

struct ox_blob {
  struct ox_blob* next;
  max_align_t data[];
};

void ox_log(const char* format, ...) {
  const char* level = getenv("PQNN_LOG_LEVEL");
  if (level != NULL && level[0] == '0') return;
  va_list args;
  va_start(args, format);
  fputs("pqnn-onnx: ", stderr);
  vfprintf(stderr, format, args);
  fputc('\n', stderr);
  va_end(args);
}

static void set_reason(struct ox_pass* p, const char* format, va_list args) {
  vsnprintf(p->reason, sizeof(p->reason), format, args);
}

enum pqnn_status ox_unsupported(struct ox_pass* p, const char* format, ...) {
  va_list args;
  va_start(args, format);
  set_reason(p, format, args);
  va_end(args);
  return pqnn_status_unsupported_parameter;
}

enum pqnn_status ox_invalid(struct ox_pass* p, const char* format, ...) {
  va_list args;
  va_start(args, format);
  set_reason(p, format, args);
  va_end(args);
  return pqnn_status_invalid_parameter;
}

void* ox_pass_alloc(struct ox_pass* p, size_t count, size_t size) {
  if (count == 0) count = 1;
  if (size != 0 && count > (p->blob_budget - p->blob_bytes) / size) return NULL;
  const size_t bytes = count * size;
  struct ox_blob* b = malloc(sizeof(struct ox_blob) + bytes);
  if (b == NULL) return NULL;
  b->next = p->blobs;
  p->blobs = b;
  p->blob_bytes += bytes;
  return b->data;
}

void ox_blobs_free(struct ox_blob* b) {
  while (b != NULL) {
    struct ox_blob* next = b->next;
    free(b);
    b = next;
  }
}

struct ox_blob* ox_pass_take_blobs(struct ox_pass* p) {
  struct ox_blob* b = p->blobs;
  p->blobs = NULL;
  return b;
}

enum pqnn_status ox_grow(void** items, size_t* cap, size_t count, size_t size) {
  if (count < *cap) return pqnn_status_success;
  const size_t grown = *cap == 0 ? 16 : 2 * *cap;
  if (grown < *cap || grown > SIZE_MAX / size) return pqnn_status_out_of_memory;
  void* more = realloc(*items, grown * size);
  if (more == NULL) return pqnn_status_out_of_memory;
  *items = more;
  *cap = grown;
  return pqnn_status_success;
}

enum pqnn_status ox_note_temporary(struct ox_pass* p, uint32_t id, bool channels_last) {
  void* items = p->temporaries;
  const enum pqnn_status status = ox_grow(&items, &p->cap_temporaries, p->num_temporaries,
      sizeof(*p->temporaries));
  p->temporaries = items;
  if (status != pqnn_status_success) return status;
  p->temporaries[p->num_temporaries++] = (struct ox_temporary) {
      .id = id, .channels_last = channels_last, .node = (size_t) (p->node - p->m->nodes)};
  return pqnn_status_success;
}

void ox_pass_free(struct ox_pass* p) {
  ox_blobs_free(p->blobs);
  p->blobs = NULL;
  free(p->temporaries);
  p->temporaries = NULL;
  p->num_temporaries = p->cap_temporaries = 0;
  free(p->t);
  free(p->absorbed);
  free(p->unsupported);
  p->t = NULL;
  p->absorbed = NULL;
  p->unsupported = NULL;
}

bool ox_emitting(const struct ox_pass* p) { return p->sg != NULL; }

bool ox_literal_rounding(const struct ox_pass* p) {
  return p->runs_fp16;
}

enum pqnn_status ox_io(struct ox_pass* p, struct ox_tensor** x, struct ox_tensor** y) {
  enum pqnn_status status = ox_input(p, 0, x);
  if (status != pqnn_status_success) return status;
  *y = ox_output(p, 0);
  return *y == NULL ? ox_invalid(p, "no output") : pqnn_status_success;
}


enum pqnn_status ox_input(struct ox_pass* p, size_t k, struct ox_tensor** out) {
  const struct ox_node* n = p->node;
  if (k >= n->num_inputs || n->inputs[k] < 0) {
    return ox_invalid(p, "input %zu is missing", k);
  }
  *out = &p->t[n->inputs[k]];
  return pqnn_status_success;
}

struct ox_tensor* ox_output(struct ox_pass* p, size_t k) {
  const struct ox_node* n = p->node;
  if (k >= n->num_outputs || n->outputs[k] < 0) return NULL;
  return &p->t[n->outputs[k]];
}

enum pqnn_status ox_refused(struct ox_pass* p, enum pqnn_status status) {
  if (status == pqnn_status_success) return status;
  return ox_unsupported(p, "the runtime refused the node (%s)", pqnn_status_string(status));
}
