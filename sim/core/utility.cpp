#include "sim/core/utility.h"

// Every function of utility.h is defined inline there, so that the engine's inner loops
// inline them.
