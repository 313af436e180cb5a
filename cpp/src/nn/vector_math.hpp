// The table of vectorized row and elementwise kernels, one per instruction set.
// vector_math_impl.hpp holds the code once; vector_math_{generic,avx2,avx512}.cpp
// compile it with their ISA flags, and each ISA's context (arch/context.hpp) holds
// its table.
#pragma once
#include <cmath>
#include <cstdint>

#include "mlpcore/nn.hpp"
#include "mlpcore/runtime.hpp"

namespace mlpcore {

template <class T>
struct VectorMath {
  void (*activation_forward)(int act, T* out, const T* a, int64_t n);
  void (*activation_backward)(int act, T* da, const T* y, const T* dy, int64_t n);
  // Rows [0, rows) of a (row stride lda) into out (row stride ldo); log: log_softmax.
  void (*softmax_rows)(T* out, int64_t ldo, const T* a, int64_t lda, int64_t rows,
                       int64_t cols, bool log);
  // Sum over the rows of w_i times the cross-entropy loss of row i; labels (int64)
  // or probs (row stride ldp); weights may be null (all 1). When dlogits is not
  // null, writes w_i * scale * (softmax * sum(t) - t).
  double (*cross_entropy_rows)(T* dlogits, int64_t ldd, const T* logits, int64_t lda,
                               const int64_t* labels, const T* probs, int64_t ldp,
                               const T* weights, int64_t rows, int64_t cols, T scale);
  // sum_j x_j w_j over contiguous arrays (vector partial sums: a fixed order per ISA).
  T (*dot)(const T* x, const T* w, int64_t n);
  // w_j -= lr (g x_j + wd w_j): one SGD step of a linear unit on one sample, in
  // sgd_step's arithmetic.
  void (*sample_step)(T* w, const T* x, int64_t n, T g, T lr, T wd);
  // No element of the contiguous x[0, n) is NaN or infinite.
  bool (*all_finite)(const T* x, int64_t n);
  // acc[i] += sum_{p < k} a[p * lda + i] b[p * ldb] for i < m, in increasing p for
  // every i: a product along k of contiguous columns of A (GEMM's column path).
  void (*axpy_columns)(T* acc, const T* a, int64_t lda, const T* b, int64_t ldb, int64_t m,
                       int64_t k);
};

// No NaN or infinity among the n values of x with stride `stride` (elements):
// the vectorized table entry for contiguous values, a plain loop otherwise.
template <class T>
inline bool all_finite_strided(const VectorMath<T>& vm, const T* x, int64_t n, int64_t stride) {
  if (stride == 1) return vm.all_finite(x, n);
  for (int64_t j = 0; j < n; ++j)
    if (!std::isfinite(x[j * stride])) return false;
  return true;
}

namespace generic { const VectorMath<float>& table_f(); const VectorMath<double>& table_d(); }
namespace avx2 { const VectorMath<float>& table_f(); const VectorMath<double>& table_d(); }
namespace avx512 { const VectorMath<float>& table_f(); const VectorMath<double>& table_d(); }

}  // namespace mlpcore
