// The vector math compiled for the avx512 path (see CMakeLists.txt for its flags).
#define MLPCORE_ISA_NS avx512
#include "nn/vector_math_impl.hpp"
