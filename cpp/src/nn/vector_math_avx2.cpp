// The vector math compiled for the avx2 path (see CMakeLists.txt for its flags).
#define MLPCORE_ISA_NS avx2
#include "nn/vector_math_impl.hpp"
