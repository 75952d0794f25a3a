/* Error logging. One line per rejected argument, on stderr (never stdout), naming the
 * function, the argument and the value. PQNN_LOG_LEVEL=0 (none), 1 (error), 2 (info)
 * controls it; default: errors in debug builds, nothing in release builds. */
#ifndef PQNN_LOGGING_H_
#define PQNN_LOGGING_H_

#include "common.h"

PQNN_INTERNAL void pqnn_log_error(const char* function, const char* format, ...)
    __attribute__((format(printf, 2, 3)));
PQNN_INTERNAL void pqnn_log_info(const char* function, const char* format, ...)
    __attribute__((format(printf, 2, 3)));

#define PQNN_LOG_ERROR(...) pqnn_log_error(__func__, __VA_ARGS__)
#define PQNN_LOG_INFO(...) pqnn_log_info(__func__, __VA_ARGS__)

#endif  /* PQNN_LOGGING_H_ */
