/* convert microkernel declarations. Contracts: src/microkernels.h. */
#ifndef PQNN_CONVERT_UKERNELS_H_
#define PQNN_CONVERT_UKERNELS_H_

#include "common.h"
#include "microkernels.h"

#endif
