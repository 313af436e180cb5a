// Portable micro-kernels, the fallback on every CPU.
// Compiled without ISA flags: plain loops over a small register tile that the
// compiler may vectorize with SSE2.
#include "gemm/blocking.hpp"
#include "gemm/ukernel.hpp"

namespace mlpcore {
namespace gemm_detail {
namespace ref {
namespace {

template <class T, int MR, int NR>
void ukr(int64_t k, T alpha, const T* a, const T* b, int64_t ldb, T beta, T* c, int64_t rs_c,
         int64_t cs_c, int64_t m, int64_t n) {
  // The whole tile is accumulated (padded lanes are zeros); only m x n is written.
  T acc[MR][NR] = {};
  for (int64_t p = 0; p < k; ++p, a += MR, b += ldb)
    for (int i = 0; i < MR; ++i)
      for (int j = 0; j < NR; ++j) acc[i][j] += a[i] * b[j];
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      T& cij = c[i * rs_c + j * cs_c];
      const T r = alpha * acc[i][j];
      cij = beta == T(0) ? r : beta * cij + r;  // beta == 0: C is not read
    }
}

}  // namespace

void sgemm_ukr(int64_t k, float alpha, const float* a, const float* b, int64_t ldb, float beta, float* c,
               int64_t rs_c, int64_t cs_c, int64_t m, int64_t n) {
  ukr<float, kRefF32.mr, kRefF32.nr>(k, alpha, a, b, ldb, beta, c, rs_c, cs_c, m, n);
}
void dgemm_ukr(int64_t k, double alpha, const double* a, const double* b, int64_t ldb, double beta,
               double* c, int64_t rs_c, int64_t cs_c, int64_t m, int64_t n) {
  ukr<double, kRefF64.mr, kRefF64.nr>(k, alpha, a, b, ldb, beta, c, rs_c, cs_c, m, n);
}

}  // namespace ref

}  // namespace gemm_detail
}  // namespace mlpcore
