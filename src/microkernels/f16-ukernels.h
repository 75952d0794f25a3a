/* f16 microkernel declarations. Contracts: src/microkernels.h. */
#ifndef PQNN_F16_UKERNELS_H_
#define PQNN_F16_UKERNELS_H_

#include "common.h"
#include "microkernels.h"

#endif
