/* A narrow C entry point to ELPA's eigenvalues-only solver. ELPA's header is C11 (_Generic, complex.h),
   so it is included from C (elpa_bridge.c) and C++ sees only this function. */
#ifndef RMT_MPI_ELPA_BRIDGE_H
#define RMT_MPI_ELPA_BRIDGE_H

#ifdef __cplusplus
extern "C" {
#endif

/* All eigenvalues (ascending, into ev[n], on every rank) of the symmetric n×n matrix distributed
   block-cyclically (nblk × nblk blocks) over the process grid of the Fortran communicator comm_f;
   this rank holds local_rows × local_cols of it at a (column-major, leading dimension local_rows),
   which is destroyed. two_stage: ELPA's two-stage solver (else one-stage). Returns 0, or an error
   code with a message in `message`. */
int rmt_elpa_eigenvalues(int n, int nblk, int local_rows, int local_cols, int comm_f, int process_row,
                         int process_col, int blacs_context, int two_stage, double* a, double* ev,
                         char* message, int message_size);

#ifdef __cplusplus
}
#endif

#endif
