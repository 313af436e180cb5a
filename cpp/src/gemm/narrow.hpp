// Narrow products: C (m x n, n <= kNarrowMaxN) := alpha A B + beta C with A's rows
// contiguous, as dot products along k. The interface shared by the driver and the
// per-ISA kernels (narrow_ref.cpp, narrow_avx2.cpp); constants only, no STL.
//
// Every element of C is one dot product with a fixed arithmetic: per lane l of a
// vector of L partial sums, acc_l accumulates A(i, p) B(p, j) for p = l, l + L, ...
// in increasing p (one FMA each on AVX2; the k remainder is loaded with zeros
// beyond k); then a fixed reduction tree of the L lanes, r = alpha * acc, and
// C(i, j) = r (beta == 0: C is not read) or beta C(i, j) + r. Nothing depends on
// the block an element falls in, on m or on the rows given to a thread, so any
// subset of rows and any thread count give bitwise the same values.
#pragma once
#include <cstdint>

#include "gemm/blocking.hpp"

namespace mlpcore {
namespace gemm_detail {

// Rows [0, m) of C, all n columns.
//   a, rs_a:   A(i, p) = a[i * rs_a + p] (unit column stride; rs_a any value)
// k >= 1 (the driver handles k == 0).
//   bt, ld_bt: B packed transposed, B(p, j) = bt[j * ld_bt + p], each row zero-padded
//              from k to ld_bt (a multiple of kNarrowPad, 64-byte aligned rows)
//   c, rs_c, cs_c: C, any strides
template <class T>
using NarrowFn = void (*)(int64_t m, int64_t n, int64_t k, T alpha, const T* a, int64_t rs_a,
                          const T* bt, int64_t ld_bt, T beta, T* c, int64_t rs_c, int64_t cs_c);

// ld_bt is a multiple of this (elements): a whole number of vectors for every
// kernel, and of 64-byte lines for both dtypes.
inline constexpr int64_t kNarrowPad = 16;

template <class T>
struct NarrowKernel {
  int rb;     // rows per block (the driver gives threads whole blocks)
  int chunk;  // rows per call: the epilogue runs after each call
  NarrowFn<T> fn;
};

namespace ref {
void snarrow(int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t rs_a,
             const float* bt, int64_t ld_bt, float beta, float* c, int64_t rs_c, int64_t cs_c);
void dnarrow(int64_t m, int64_t n, int64_t k, double alpha, const double* a, int64_t rs_a,
             const double* bt, int64_t ld_bt, double beta, double* c, int64_t rs_c,
             int64_t cs_c);
}  // namespace ref

#if defined(MLPCORE_HAVE_X86_KERNELS)
namespace avx2 {
void snarrow(int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t rs_a,
             const float* bt, int64_t ld_bt, float beta, float* c, int64_t rs_c, int64_t cs_c);
void dnarrow(int64_t m, int64_t n, int64_t k, double alpha, const double* a, int64_t rs_a,
             const double* bt, int64_t ld_bt, double beta, double* c, int64_t rs_c,
             int64_t cs_c);
}  // namespace avx2
#endif

}  // namespace gemm_detail
}  // namespace mlpcore
