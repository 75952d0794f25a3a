/* Messages. Each rejected argument or failed call produces one message naming the
 * function, the argument and its value (and the shapes involved). Where a message goes:
 *   - the calling thread's last error message (pqnn_last_error_message), for every error,
 *     whatever the level;
 *   - the callback set with pqnn_set_log_callback, else stderr (never stdout), for
 *     messages at or below the log level: pqnn_set_log_level, else PQNN_LOG_LEVEL=0
 *     (none), 1 (errors), 2 (errors and info), else errors in debug builds and nothing
 *     in release builds.
 * Configuration errors (pqnn_log_config_error: a bad PQNN_ISA) are also reported at the
 * default level of release builds; only an explicit level 0 silences them. */
#ifndef PQNN_LOGGING_H_
#define PQNN_LOGGING_H_

#include "common.h"

PQNN_INTERNAL void pqnn_log_error(const char* function, const char* format, ...)
    __attribute__((format(printf, 2, 3)));
PQNN_INTERNAL void pqnn_log_config_error(const char* function, const char* format, ...)
    __attribute__((format(printf, 2, 3)));
PQNN_INTERNAL void pqnn_log_info(const char* function, const char* format, ...)
    __attribute__((format(printf, 2, 3)));

#define PQNN_LOG_ERROR(...) pqnn_log_error(__func__, __VA_ARGS__)
#define PQNN_LOG_INFO(...) pqnn_log_info(__func__, __VA_ARGS__)

#endif  /* PQNN_LOGGING_H_ */
