#include "sim/cli/app.h"

int main(int argc, char** argv) { return sco::cli::main(argc, argv); }
