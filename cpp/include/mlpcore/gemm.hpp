// General matrix product C := alpha * A B + beta * C, BLIS-style.
#pragma once
#include <cstdint>

#include "mlpcore/matrix.hpp"

namespace mlpcore {

// Work applied to a tile of C once it holds its final value A B (after the last
// K-block), while the tile is still in cache: this is how linear_forward fuses
// the bias and the activation into the product. The tile is rows [row0, row0+m)
// and columns [col0, col0+n) of C, at `c` with strides rs, cs. Called from the
// thread that computed the tile; tiles never overlap.
template <class T>
struct GemmEpilogue {
  void (*fn)(const void* ctx, T* c, int64_t rs, int64_t cs, int64_t row0,
             int64_t col0, int64_t m, int64_t n);
  const void* ctx;
};

// A is m x k, B is k x n, C is m x n; any strides for A and B, C must not overlap
// them. beta == 0 overwrites C without reading it (NaN in C is ignored, as in
// BLAS). Every element of C is accumulated over k in the same order whatever the
// thread count, so results are bitwise identical for any number of threads.
template <class T>
void gemm(T alpha, MatView<const T> a, MatView<const T> b, T beta, MatView<T> c,
          const GemmEpilogue<T>* epilogue = nullptr);

// The triple loop: the reference for tests and the definition of the result.
template <class T>
void gemm_naive(T alpha, MatView<const T> a, MatView<const T> b, T beta, MatView<T> c);

extern template void gemm<float>(float, MatView<const float>, MatView<const float>, float,
                                 MatView<float>, const GemmEpilogue<float>*);
extern template void gemm<double>(double, MatView<const double>, MatView<const double>,
                                  double, MatView<double>, const GemmEpilogue<double>*);
extern template void gemm_naive<float>(float, MatView<const float>, MatView<const float>,
                                       float, MatView<float>);
extern template void gemm_naive<double>(double, MatView<const double>, MatView<const double>,
                                        double, MatView<double>);

}  // namespace mlpcore
