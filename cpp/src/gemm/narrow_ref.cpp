// Portable kernels for narrow products (narrow.hpp), the fallback on every CPU.
// Compiled without ISA flags: plain loops over an array of
// kNarrowRefLanes partial sums that the compiler may vectorize with SSE2 (each lane
// is its own chain, so no reassociation is needed).
#include "gemm/blocking.hpp"
#include "gemm/narrow.hpp"

namespace mlpcore {
namespace gemm_detail {
namespace ref {
namespace {

template <class T>
void narrow(int64_t m, int64_t n, int64_t k, T alpha, const T* a, int64_t rs_a, const T* bt,
            int64_t ld_bt, T beta, T* c, int64_t rs_c, int64_t cs_c) {
  constexpr int L = kNarrowRefLanes;
  const int64_t kv = k / L * L;
  for (int64_t i = 0; i < m; ++i) {
    const T* ai = a + i * rs_a;
    for (int64_t j = 0; j < n; ++j) {
      const T* bj = bt + j * ld_bt;
      T s[L] = {};
      for (int64_t p = 0; p < kv; p += L)
        for (int l = 0; l < L; ++l) s[l] += ai[p + l] * bj[p + l];
      for (int l = 0; l < k - kv; ++l) s[l] += ai[kv + l] * bj[kv + l];
      for (int w = L / 2; w > 0; w /= 2)  // pairwise: a fixed tree
        for (int l = 0; l < w; ++l) s[l] += s[l + w];
      const T r = alpha * s[0];
      T& cij = c[i * rs_c + j * cs_c];
      cij = beta == T(0) ? r : beta * cij + r;  // beta == 0: C is not read
    }
  }
}

}  // namespace

void snarrow(int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t rs_a,
             const float* bt, int64_t ld_bt, float beta, float* c, int64_t rs_c, int64_t cs_c) {
  narrow<float>(m, n, k, alpha, a, rs_a, bt, ld_bt, beta, c, rs_c, cs_c);
}
void dnarrow(int64_t m, int64_t n, int64_t k, double alpha, const double* a, int64_t rs_a,
             const double* bt, int64_t ld_bt, double beta, double* c, int64_t rs_c,
             int64_t cs_c) {
  narrow<double>(m, n, k, alpha, a, rs_a, bt, ld_bt, beta, c, rs_c, cs_c);
}

}  // namespace ref

}  // namespace gemm_detail
}  // namespace mlpcore
