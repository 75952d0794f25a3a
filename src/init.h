#ifndef PQNN_INIT_H_
#define PQNN_INIT_H_

#include <stdbool.h>

#include "common.h"

/* True between a successful pqnn_initialize and pqnn_deinitialize. */
PQNN_INTERNAL bool pqnn_is_initialized(void);

#endif  /* PQNN_INIT_H_ */
