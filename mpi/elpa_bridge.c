#include "elpa_bridge.h"

#include <stdio.h>

#include <elpa/elpa.h>

static int fail(const char* what, int error, char* message, int message_size) {
  snprintf(message, (size_t)message_size, "ELPA %s: %s (error %d)", what, elpa_strerr(error), error);
  return error == 0 ? -1 : error;
}

int rmt_elpa_eigenvalues(int n, int nblk, int local_rows, int local_cols, int comm_f, int process_row,
                         int process_col, int blacs_context, int two_stage, double* a, double* ev,
                         char* message, int message_size) {
  if (elpa_init(ELPA_API_VERSION) != ELPA_OK)
    return fail("init (API version not supported)", ELPA_ERROR, message, message_size);
  int error = ELPA_OK;
  elpa_t e = elpa_allocate(&error);
  if (error != ELPA_OK) return fail("allocate", error, message, message_size);
  struct {
    const char* name;
    int value;
  } settings[] = {{"na", n},
                  {"nev", n},
                  {"local_nrows", local_rows},
                  {"local_ncols", local_cols},
                  {"nblk", nblk},
                  {"mpi_comm_parent", comm_f},
                  {"process_row", process_row},
                  {"process_col", process_col},
                  {"blacs_context", blacs_context}};
  for (size_t k = 0; k < sizeof settings / sizeof settings[0]; ++k) {
    elpa_set_integer(e, settings[k].name, settings[k].value, &error);
    if (error != ELPA_OK) {
      elpa_deallocate(e, &error);
      return fail(settings[k].name, error, message, message_size);
    }
  }
  error = elpa_setup(e);
  if (error != ELPA_OK) {
    int ignored;
    elpa_deallocate(e, &ignored);
    return fail("setup", error, message, message_size);
  }
  elpa_set_integer(e, "solver", two_stage ? ELPA_SOLVER_2STAGE : ELPA_SOLVER_1STAGE, &error);
  if (error == ELPA_OK) elpa_eigenvalues_double(e, a, ev, &error);
  const int result = error;
  elpa_deallocate(e, &error);
  if (result != ELPA_OK) return fail("eigenvalues", result, message, message_size);
  message[0] = '\0';
  return 0;
}
