// The vector math compiled for the generic path (see CMakeLists.txt for its flags).
#define MLPCORE_ISA_NS generic
#include "nn/vector_math_impl.hpp"
