/* Library initialization (reference counted), status strings and the ISA name. */
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>

#include <pqnn.h>

#include "hardware.h"
#include "init.h"
#include "logging.h"

/* init_count: successful pqnn_initialize calls not yet matched by pqnn_deinitialize.
 * Changed only under init_mutex; `initialized` mirrors init_count != 0 for the lock-free
 * checks of create and run. */
static pthread_mutex_t init_mutex = PTHREAD_MUTEX_INITIALIZER;
static unsigned init_count = 0;
static atomic_bool initialized = false;

bool pqnn_is_initialized(void) {
  return atomic_load_explicit(&initialized, memory_order_acquire);
}

enum pqnn_status pqnn_initialize(void) {
  enum pqnn_status status = pqnn_status_success;
  pthread_mutex_lock(&init_mutex);
  if (init_count == UINT_MAX) {
    PQNN_LOG_ERROR("called %u times without pqnn_deinitialize", UINT_MAX);
    status = pqnn_status_invalid_state;
  } else if (init_count == 0 && !pqnn_detect_hardware()) {
    /* pqnn_detect_hardware logged why (a PQNN_ISA value naming no tier). */
    status = pqnn_status_invalid_parameter;
  } else {
    init_count++;
    atomic_store_explicit(&initialized, true, memory_order_release);
  }
  pthread_mutex_unlock(&init_mutex);
  return status;
}

enum pqnn_status pqnn_deinitialize(void) {
  enum pqnn_status status = pqnn_status_success;
  pthread_mutex_lock(&init_mutex);
  if (init_count == 0) {
    PQNN_LOG_ERROR("not initialized: every pqnn_deinitialize must match a successful "
        "pqnn_initialize");
    status = pqnn_status_uninitialized;
  } else if (--init_count == 0) {
    atomic_store_explicit(&initialized, false, memory_order_release);
  }
  pthread_mutex_unlock(&init_mutex);
  return status;
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
