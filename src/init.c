/* Library initialization, status strings and the ISA name. */
#include <pthread.h>
#include <stdatomic.h>

#include <pqnn.h>

#include "hardware.h"
#include "init.h"

static pthread_mutex_t init_mutex = PTHREAD_MUTEX_INITIALIZER;
static atomic_bool initialized = false;

bool pqnn_is_initialized(void) {
  return atomic_load_explicit(&initialized, memory_order_acquire);
}

enum pqnn_status pqnn_initialize(void) {
  if (pqnn_is_initialized()) {
    return pqnn_status_success;
  }
  enum pqnn_status status = pqnn_status_success;
  pthread_mutex_lock(&init_mutex);
  if (!atomic_load_explicit(&initialized, memory_order_relaxed)) {
    if (pqnn_detect_hardware()) {
      atomic_store_explicit(&initialized, true, memory_order_release);
    } else {
      status = pqnn_status_invalid_parameter;
    }
  }
  pthread_mutex_unlock(&init_mutex);
  return status;
}

enum pqnn_status pqnn_deinitialize(void) {
  pthread_mutex_lock(&init_mutex);
  atomic_store_explicit(&initialized, false, memory_order_release);
  pthread_mutex_unlock(&init_mutex);
  return pqnn_status_success;
}

const char* pqnn_isa_name(void) {
  if (!pqnn_is_initialized()) {
    return "uninitialized";
  }
  return pqnn_isa_string(pqnn_hardware.tier);
}

const char* pqnn_status_string(enum pqnn_status status) {
  switch (status) {
    case pqnn_status_success: return "success";
    case pqnn_status_uninitialized: return "uninitialized: call pqnn_initialize first";
    case pqnn_status_invalid_parameter: return "invalid parameter";
    case pqnn_status_invalid_state: return "invalid state: functions called out of order";
    case pqnn_status_unsupported_parameter: return "unsupported parameter";
    case pqnn_status_unsupported_hardware: return "unsupported hardware";
    case pqnn_status_out_of_memory: return "out of memory";
  }
  return "unknown status";
}
