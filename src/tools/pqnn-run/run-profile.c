/* pqnn-run --profile: profiled runs (pqnn_enable_runtime_profiling), then time per node
 * type and datatype and per node, sorted by time, with GOP/s where the node multiplies
 * (2 ops per multiply-add), printed and in the JSON report.
 * A chain the runtime runs in row bands (pqnn_runtime_node_info.banded) does all its work,
 * and takes all its time, in its first node: that node's row is the chain's (its MACs and
 * its members' names), listed under the type "banded chain", so that the time is not
 * charged to the first node's type alone. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run.h"

/* Nodes printed in the per-node table (the JSON has all). */
#define RUN_PROFILE_TOP 25

struct row {
  size_t index;
  const char* type;
  const char* datatype;
  double ms;        /* per run */
  double macs;      /* per run */
  size_t count;     /* nodes (per type rows; a band head: the chain's) */
  size_t head;      /* the band head's index for a chain member, else SIZE_MAX */
};

/* Marks the members of banded chains, in plan order (band[k]: 0 not banded, 2 the first
 * node of a banded chain, which runs it: pqnn_runtime_node_info.band_first, 1 another node
 * of the chain, which follows it): the head's row takes its members' time, MACs and
 * count. */
static void group_bands(struct row* rows, const unsigned char* band, size_t count) {
  size_t head = SIZE_MAX;
  for (size_t k = 0; k < count; k++) {
    rows[k].head = SIZE_MAX;
    if (band[k] == 0) {
      head = SIZE_MAX;
    } else if (band[k] == 2 || head == SIZE_MAX) {
      head = k;
    } else {
      rows[k].head = head;
      rows[head].ms += rows[k].ms;
      rows[head].macs += rows[k].macs;
      rows[head].count++;
      rows[k].ms = 0.0;
      rows[k].macs = 0.0;
    }
  }
  for (size_t k = 0; k < count; k++) {
    if (rows[k].count > 1) rows[k].type = "banded chain";
  }
}

static int by_time(const void* a, const void* b) {
  const double x = ((const struct row*) a)->ms, y = ((const struct row*) b)->ms;
  return x > y ? -1 : x < y;
}

static double gops(const struct row* r) {
  return r->macs > 0.0 && r->ms > 0.0 ? 2.0 * r->macs / (r->ms * 1e6) : 0.0;
}

static void print_row(const struct row* r, double total_ms, const char* label) {
  printf("  %9.3f %5.1f%%", r->ms, 100.0 * r->ms / total_ms);
  if (r->macs > 0.0) {
    printf(" %8.1f", gops(r));
  } else {
    printf(" %8s", "-");
  }
  printf("  %-26s %-7s %s\n", r->type, r->datatype, label);
}

static cJSON* row_json(const struct row* r) {
  cJSON* o = cJSON_CreateObject();
  cJSON_AddStringToObject(o, "type", r->type);
  cJSON_AddStringToObject(o, "datatype", r->datatype);
  cJSON_AddNumberToObject(o, "ms", r->ms);
  cJSON_AddNumberToObject(o, "macs", r->macs);
  cJSON_AddNumberToObject(o, "gops", gops(r));
  return o;
}

/* Per type and datatype: rows summed into types[], returns their count. */
static size_t group_by_type(const struct row* nodes, size_t count, struct row* types) {
  size_t num_types = 0;
  for (size_t k = 0; k < count; k++) {
    size_t t = 0;
    while (t < num_types && (strcmp(types[t].type, nodes[k].type) != 0 ||
        strcmp(types[t].datatype, nodes[k].datatype) != 0)) {
      t++;
    }
    if (nodes[k].head != SIZE_MAX) continue;  /* counted with its chain's head */
    if (t == num_types) types[num_types++] = (struct row) {.type = nodes[k].type, .datatype = nodes[k].datatype};
    types[t].ms += nodes[k].ms;
    types[t].macs += nodes[k].macs;
    types[t].count += nodes[k].count;
  }
  qsort(types, num_types, sizeof(*types), by_time);
  return num_types;
}

bool run_profile(pqnn_onnx_runtime_t rt, size_t iterations, size_t ni, void** in, size_t no,
    float** out, cJSON* json) {
  pqnn_runtime_t prt;
  size_t count = 0;
  pqnn_onnx_get_pqnn_runtime(rt, &prt);
  pqnn_get_runtime_node_count(prt, &count);
  if (pqnn_enable_runtime_profiling(prt, 1) != pqnn_status_success) return false;
  double last_progress = run_now_ms();
  for (size_t it = 0; it < iterations; it++) {
    const enum pqnn_status status = pqnn_onnx_run_typed_outputs(rt, ni,
        (const void* const*) in, no, (void* const*) out);
    if (status != pqnn_status_success) {
      fprintf(stderr, "pqnn-run: profiled run failed: %s\n", pqnn_status_string(status));
      return false;
    }
    run_progress("profiled runs", it + 1, iterations, &last_progress);
  }
  pqnn_enable_runtime_profiling(prt, 0);
  struct row* rows = calloc(2 * count + 1, sizeof(*rows));
  unsigned char* banded = calloc(count + 1, sizeof(*banded));
  if (rows == NULL || banded == NULL) {
    free(rows);
    free(banded);
    return false;
  }
  struct row* types = rows + count;
  double total_ms = 0.0, total_macs = 0.0;
  for (size_t k = 0; k < count; k++) {
    struct pqnn_runtime_node_info info;
    struct pqnn_runtime_node_profile prof;
    pqnn_get_runtime_node_info(prt, k, &info);
    pqnn_get_runtime_node_profile(prt, k, &prof);
    rows[k] = (struct row) {.index = k, .type = info.type_name,
        .datatype = pqnn_datatype_string(info.compute_datatype),
        .ms = prof.runs != 0 ? (double) prof.time_ns / (double) prof.runs * 1e-6 : 0.0,
        .macs = (double) prof.macs, .count = 1};
    banded[k] = info.band_first != 0 ? 2 : info.banded != 0 ? 1 : 0;
    total_ms += rows[k].ms;
    total_macs += rows[k].macs;
  }
  group_bands(rows, banded, count);
  if (total_ms <= 0.0) total_ms = 1e-9;
  const size_t num_types = group_by_type(rows, count, types);
  /* members[i]: the head of node i's chain, or SIZE_MAX (rows are re-sorted below). */
  size_t* members = calloc(count + 1, sizeof(*members));
  if (members == NULL) {
    free(rows);
    free(banded);
    return false;
  }
  for (size_t k = 0; k < count; k++) members[k] = rows[k].head;
  qsort(rows, count, sizeof(*rows), by_time);
  printf("profile (%zu runs): %.3f ms per run in %zu nodes, %.3f GMAC, %.1f GOP/s overall\n",
      iterations, total_ms, count, total_macs * 1e-9, 2.0 * total_macs / (total_ms * 1e6));
  printf("  by node type:\n  %9s %6s %8s  %-26s %-7s %s\n", "ms", "%", "GOP/s", "type",
      "dtype", "nodes");
  cJSON* pj = json != NULL ? cJSON_AddObjectToObject(json, "profile") : NULL;
  cJSON* tj = pj != NULL ? cJSON_AddArrayToObject(pj, "by_type") : NULL;
  for (size_t t = 0; t < num_types; t++) {
    char label[32];
    snprintf(label, sizeof(label), "x%zu", types[t].count);
    print_row(&types[t], total_ms, label);
    if (tj != NULL) {
      cJSON* o = row_json(&types[t]);
      cJSON_AddNumberToObject(o, "nodes", (double) types[t].count);
      cJSON_AddItemToArray(tj, o);
    }
  }
  printf("  slowest nodes (of %zu):\n  %9s %6s %8s  %-26s %-7s %s\n", count, "ms", "%", "GOP/s",
      "type", "dtype", "ONNX node");
  cJSON* nj = pj != NULL ? cJSON_AddArrayToObject(pj, "nodes") : NULL;
  for (size_t k = 0; k < count; k++) {
    char label[512];
    run_node_label(rt, prt, rows[k].index, label, sizeof(label));
    /* A chain's head: its members' nodes after its own (they follow it in plan order). */
    for (size_t m = rows[k].index + 1; rows[k].count > 1 && m < count && members[m] == rows[k].index; m++) {
      const size_t used = strlen(label);
      char member[256];
      run_node_label(rt, prt, m, member, sizeof(member));
      snprintf(label + used, sizeof(label) - used, " + %s", member);
    }
    if (k < RUN_PROFILE_TOP) print_row(&rows[k], total_ms, label);
    if (nj != NULL) {
      cJSON* o = row_json(&rows[k]);
      cJSON_AddNumberToObject(o, "index", (double) rows[k].index);
      cJSON_AddStringToObject(o, "onnx", label);
      if (rows[k].count > 1) cJSON_AddNumberToObject(o, "band_nodes", (double) rows[k].count);
      if (rows[k].head != SIZE_MAX) cJSON_AddNumberToObject(o, "in_band_of", (double) rows[k].head);
      cJSON_AddItemToArray(nj, o);
    }
  }
  if (pj != NULL) {
    cJSON_AddNumberToObject(pj, "runs", (double) iterations);
    cJSON_AddNumberToObject(pj, "ms", total_ms);
    cJSON_AddNumberToObject(pj, "macs", total_macs);
  }
  free(rows);
  free(banded);
  free(members);
  return true;
}
