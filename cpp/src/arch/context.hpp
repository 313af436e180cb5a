// One context per instruction set and dtype, as BLIS's cntx: the GEMM micro-kernel
// with its block sizes, the narrow-product kernel, and the vector table (row kernels
// of nn and the level-1 helpers dot and all_finite). The framework looks its kernels
// up here, context<T>(active_isa()), and never switches on the ISA itself.
#pragma once
#include "gemm/narrow.hpp"
#include "gemm/ukernel.hpp"
#include "mlpcore/runtime.hpp"
#include "nn/vector_math.hpp"

namespace mlpcore {

template <class T>
struct Context {
  const gemm_detail::GemmKernel<T>* gemm;
  const gemm_detail::NarrowKernel<T>* narrow;
  const VectorMath<T>* vector;
};

// The context of `isa` (an unsupported ISA is the caller's error: callers pass
// active_isa(), which set_active_isa's callers check). Defined in context.cpp.
template <class T>
const Context<T>& context(Isa isa);

// The vector table of the active ISA.
template <class T>
inline const VectorMath<T>& active_vector_math() {
  return *context<T>(active_isa()).vector;
}

}  // namespace mlpcore
