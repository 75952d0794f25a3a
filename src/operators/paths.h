/* The compute paths of the operators. Each path's file holds its reshape-time preparation
 * (context, tiling, indirection) next to its run-time tile function, so the two sides of
 * one compute descriptor are read together:
 *   gemm-path.c    fully connected and 1x1 stride-1 unpadded convolution
 *   igemm-path.c   any convolution, through an indirection buffer
 *   dwconv-path.c  depthwise convolution (multiplier 1)
 *   deconv-path.c  transposed convolution: per output row, GEMMs of input rows
 *   convert-nc.c   row conversions (its run function is declared here as well)
 * pqnn_run_operator (src/operator-run.c) checks the operator and calls the run function of
 * the compute chosen at reshape. */
#ifndef PQNN_OPERATORS_PATHS_H_
#define PQNN_OPERATORS_PATHS_H_

#include "indirection.h"
#include "operator.h"

/* GEMM over m rows of A (every group). */
PQNN_INTERNAL void pqnn_prepare_gemm(pqnn_operator_t op, size_t m, pthreadpool_t threadpool);
PQNN_INTERNAL void pqnn_run_gemm(const struct pqnn_operator* op, pthreadpool_t threadpool);

/* IGEMM: builds the indirection buffer for `geometry` (op's batch and sizes already set). */
PQNN_INTERNAL enum pqnn_status pqnn_prepare_igemm(const char* function, pqnn_operator_t op,
    const struct pqnn_conv_geometry* geometry, pthreadpool_t threadpool);
PQNN_INTERNAL void pqnn_run_igemm(const struct pqnn_operator* op, pthreadpool_t threadpool);

/* DWCONV: builds the indirection buffer for `geometry` (op's batch and sizes already set). */
PQNN_INTERNAL enum pqnn_status pqnn_prepare_dwconv(const char* function, pqnn_operator_t op,
    const struct pqnn_conv_geometry* geometry);
PQNN_INTERNAL void pqnn_run_dwconv(const struct pqnn_operator* op, pthreadpool_t threadpool);

/* Deconvolution: context, row tiles and the accumulating path's workspace (op's sizes set). */
PQNN_INTERNAL enum pqnn_status pqnn_prepare_deconv(const char* function, pqnn_operator_t op,
    pthreadpool_t threadpool);
PQNN_INTERNAL void pqnn_run_deconv(const struct pqnn_operator* op, pthreadpool_t threadpool);

PQNN_INTERNAL void pqnn_run_convert(const struct pqnn_operator* op, pthreadpool_t threadpool);

#endif  /* PQNN_OPERATORS_PATHS_H_ */
