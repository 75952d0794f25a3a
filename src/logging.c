#include "logging.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#ifdef NDEBUG
  #define PQNN_DEFAULT_LOG_LEVEL 0
#else
  #define PQNN_DEFAULT_LOG_LEVEL 1
#endif

static int log_level = PQNN_DEFAULT_LOG_LEVEL;
static pthread_once_t log_once = PTHREAD_ONCE_INIT;

static void read_log_level(void) {
  const char* env = getenv("PQNN_LOG_LEVEL");
  if (env != NULL && env[0] >= '0' && env[0] <= '9') {
    log_level = atoi(env);
  }
}

static void vlog(int level, const char* tag, const char* function, const char* format, va_list args) {
  pthread_once(&log_once, read_log_level);
  if (log_level < level) {
    return;
  }
  char message[512];
  vsnprintf(message, sizeof(message), format, args);
  fprintf(stderr, "pqnn %s: %s: %s\n", tag, function, message);
}

void pqnn_log_error(const char* function, const char* format, ...) {
  va_list args;
  va_start(args, format);
  vlog(1, "error", function, format, args);
  va_end(args);
}

void pqnn_log_info(const char* function, const char* format, ...) {
  va_list args;
  va_start(args, format);
  vlog(2, "info", function, format, args);
  va_end(args);
}
