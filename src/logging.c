/* Messages: the thread's last error, the log level and where messages go (logging.h). */
#include "logging.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#include <pqnn.h>

#ifdef NDEBUG
  #define PQNN_DEFAULT_LOG_LEVEL PQNN_LOG_LEVEL_NONE
#else
  #define PQNN_DEFAULT_LOG_LEVEL PQNN_LOG_LEVEL_ERROR
#endif

/* Level -1: not chosen (neither pqnn_set_log_level nor PQNN_LOG_LEVEL). */
#define LEVEL_UNSET (-1)
static atomic_int set_level = LEVEL_UNSET;
static int env_level = LEVEL_UNSET;
static pthread_once_t env_once = PTHREAD_ONCE_INIT;

/* The callback and its user data change together: read and written under the mutex. */
static pthread_mutex_t sink_mutex = PTHREAD_MUTEX_INITIALIZER;
static pqnn_log_callback sink_callback = NULL;
static void* sink_user_data = NULL;

enum { message_capacity = 512 };
/* Room for "function: " before a full message. */
static _Thread_local char last_error[message_capacity + 128];

static void read_env_level(void) {
  const char* env = getenv("PQNN_LOG_LEVEL");
  if (env != NULL && env[0] >= '0' && env[0] <= '9') {
    env_level = atoi(env);
  }
}

/* The explicitly chosen level, or LEVEL_UNSET. */
static int chosen_level(void) {
  const int level = atomic_load_explicit(&set_level, memory_order_relaxed);
  if (level != LEVEL_UNSET) {
    return level;
  }
  pthread_once(&env_once, read_env_level);
  return env_level;
}

static void emit(int level, const char* function, const char* message) {
  pthread_mutex_lock(&sink_mutex);
  const pqnn_log_callback callback = sink_callback;
  void* const user_data = sink_user_data;
  pthread_mutex_unlock(&sink_mutex);
  if (callback != NULL) {
    callback(user_data, level, function, message);
  } else {
    fprintf(stderr, "pqnn %s: %s: %s\n", level == PQNN_LOG_LEVEL_ERROR ? "error" : "info",
        function, message);
  }
}

/* Formats the message; errors become the thread's last error; emitted when `shown`. */
static void vlog(int level, bool shown, const char* function, const char* format,
    va_list args) {
  char message[message_capacity];
  vsnprintf(message, sizeof(message), format, args);
  if (level == PQNN_LOG_LEVEL_ERROR) {
    snprintf(last_error, sizeof(last_error), "%s: %s", function, message);
  }
  if (shown) {
    emit(level, function, message);
  }
}

static bool level_shows(int level) {
  const int chosen = chosen_level();
  return (chosen == LEVEL_UNSET ? PQNN_DEFAULT_LOG_LEVEL : chosen) >= level;
}

void pqnn_log_error(const char* function, const char* format, ...) {
  va_list args;
  va_start(args, format);
  vlog(PQNN_LOG_LEVEL_ERROR, level_shows(PQNN_LOG_LEVEL_ERROR), function, format, args);
  va_end(args);
}

void pqnn_log_config_error(const char* function, const char* format, ...) {
  const int chosen = chosen_level();
  va_list args;
  va_start(args, format);
  vlog(PQNN_LOG_LEVEL_ERROR, chosen == LEVEL_UNSET || chosen >= PQNN_LOG_LEVEL_ERROR,
      function, format, args);
  va_end(args);
}

void pqnn_log_info(const char* function, const char* format, ...) {
  if (!level_shows(PQNN_LOG_LEVEL_INFO)) {
    return;
  }
  va_list args;
  va_start(args, format);
  vlog(PQNN_LOG_LEVEL_INFO, true, function, format, args);
  va_end(args);
}

const char* pqnn_last_error_message(void) {
  return last_error;
}

enum pqnn_status pqnn_set_log_callback(pqnn_log_callback callback, void* user_data) {
  pthread_mutex_lock(&sink_mutex);
  sink_callback = callback;
  sink_user_data = callback != NULL ? user_data : NULL;
  pthread_mutex_unlock(&sink_mutex);
  return pqnn_status_success;
}

enum pqnn_status pqnn_set_log_level(int level) {
  if (level < PQNN_LOG_LEVEL_NONE || level > PQNN_LOG_LEVEL_INFO) {
    PQNN_LOG_ERROR("level (%d) is not PQNN_LOG_LEVEL_NONE (0), _ERROR (1) or _INFO (2)", level);
    return pqnn_status_invalid_parameter;
  }
  atomic_store_explicit(&set_level, level, memory_order_relaxed);
  return pqnn_status_success;
}
