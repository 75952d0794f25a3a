/* Datatype specs shared by a datatype's fully connected and convolution operators. */
#ifndef PQNN_OPERATORS_SPECS_H_
#define PQNN_OPERATORS_SPECS_H_

#include "operator.h"

/* f32: bias may be NULL. */
PQNN_INTERNAL void pqnn_init_f32_spec(struct pqnn_gemm_op_spec* spec,
    enum pqnn_operator_type type, const float* bias, float output_min, float output_max);

#endif  /* PQNN_OPERATORS_SPECS_H_ */
