#include "sim/cli/app.h"

#ifdef SCO_WITH_MPI
#include <mpi.h>

int main(int argc, char** argv) {
    MPI_Init(&argc, &argv);
    const int status = sco::cli::main(argc, argv);
    MPI_Finalize();
    return status;
}
#else
int main(int argc, char** argv) {
    return sco::cli::main(argc, argv);
}
#endif
