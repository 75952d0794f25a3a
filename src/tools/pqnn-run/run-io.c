/* pqnn-run: raw little-endian float32 (and int64 id) files and random inputs. */
#include <stdio.h>
#include <string.h>

#include "run.h"

static bool little_endian(void) {
  const uint32_t one = 1;
  uint8_t b;
  memcpy(&b, &one, 1);
  return b == 1;
}

/* Reverses the bytes of each of `count` elements of `size` bytes. */
static void swap_bytes(void* data, size_t size, size_t count) {
  unsigned char* p = data;
  for (size_t k = 0; k < count; k++, p += size) {
    for (size_t i = 0; i < size / 2; i++) {
      const unsigned char t = p[i];
      p[i] = p[size - 1 - i];
      p[size - 1 - i] = t;
    }
  }
}

bool run_read_values(const char* path, void* data, size_t size, size_t count) {
  const char* type = size == sizeof(int64_t) ? "int64" : "float32";
  FILE* f = fopen(path, "rb");
  if (f == NULL) {
    fprintf(stderr, "pqnn-run: cannot open '%s'\n", path);
    return false;
  }
  const size_t got = fread(data, size, count, f);
  const int extra = fgetc(f);
  fclose(f);
  if (got != count || extra != EOF) {
    fprintf(stderr, "pqnn-run: '%s' must hold exactly %zu %s values (%zu bytes)\n", path,
        count, type, count * size);
    return false;
  }
  if (!little_endian()) swap_bytes(data, size, count);
  return true;
}

bool run_write_f32(const char* path, const float* data, size_t count) {
  FILE* f = fopen(path, "wb");
  if (f == NULL) {
    fprintf(stderr, "pqnn-run: cannot create '%s'\n", path);
    return false;
  }
  bool ok = true;
  for (size_t k = 0; k < count && ok; k++) {
    float v = data[k];
    if (!little_endian()) swap_bytes(&v, sizeof(v), 1);
    ok = fwrite(&v, sizeof(v), 1, f) == 1;
  }
  ok &= fclose(f) == 0;
  if (!ok) fprintf(stderr, "pqnn-run: writing '%s' failed\n", path);
  return ok;
}

void run_fill_random(float* data, size_t count, uint64_t seed) {
  uint64_t s = seed * 0x9E3779B97F4A7C15ull + 1;
  for (size_t k = 0; k < count; k++) {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    data[k] = (float) ((double) (s >> 11) / 9007199254740992.0 * 2.0 - 1.0);  /* [-1, 1) */
  }
}

void run_fill_random_ids(int64_t* data, size_t count, int64_t bound, uint64_t seed) {
  uint64_t s = seed * 0x9E3779B97F4A7C15ull + 1;
  for (size_t k = 0; k < count; k++) {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    data[k] = (int64_t) ((s >> 11) % (uint64_t) bound);
  }
}

void run_output_to_f32(int32_t elem_type, void* data, size_t count) {
  float* f = data;
  if (elem_type == PQNN_ONNX_INT64) {
    /* forward: element k's float lands at byte 4k, at or before the int64s still unread */
    for (size_t k = 0; k < count; k++) {
      int64_t v;
      memcpy(&v, (const char*) data + k * sizeof(v), sizeof(v));
      f[k] = (float) v;
    }
  } else if (elem_type == PQNN_ONNX_INT32) {
    for (size_t k = 0; k < count; k++) {
      int32_t v;
      memcpy(&v, (const char*) data + k * sizeof(v), sizeof(v));
      f[k] = (float) v;
    }
  } else if (elem_type == PQNN_ONNX_BOOL) {
    /* backward: element k's float lands at byte 4k, after the bytes still unread */
    const uint8_t* b = data;
    for (size_t k = count; k-- > 0;) f[k] = b[k] != 0 ? 1.0f : 0.0f;
  }
}
