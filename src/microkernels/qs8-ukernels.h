/* qs8 microkernel declarations. Contracts: src/microkernels.h. */
#ifndef PQNN_QS8_UKERNELS_H_
#define PQNN_QS8_UKERNELS_H_

#include "common.h"
#include "microkernels.h"

#endif
