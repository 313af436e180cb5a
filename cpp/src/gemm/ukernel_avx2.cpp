// AVX2 + FMA micro-kernels: 6 x 16 float and 6 x 8 double. Compiled with
// -mavx2 -mfma only, and called only when the CPU has them (kernel_for(Isa::avx2)).
// No STL header here: an out-of-line template instance compiled with AVX2 could be
// picked by the linker for generic code too (ODR). Everything below is internal or
// in the avx2 namespace.
#include <immintrin.h>

#include <cstddef>
#include <cstdint>

#include "gemm/blocking.hpp"
#include "gemm/ukernel.hpp"

#define MLPCORE_INLINE inline __attribute__((always_inline))

namespace mlpcore {
namespace gemm_detail {
namespace avx2 {
namespace {

// The vector operations the kernel needs, per dtype.
struct F32 {
  using T = float;
  using V = __m256;
  static constexpr int W = 8;  // lanes
  static MLPCORE_INLINE V zero() { return _mm256_setzero_ps(); }
  static MLPCORE_INLINE V set1(T x) { return _mm256_set1_ps(x); }
  static MLPCORE_INLINE V bcast(const T* p) { return _mm256_broadcast_ss(p); }
  static MLPCORE_INLINE V load(const T* p) { return _mm256_loadu_ps(p); }
  static MLPCORE_INLINE void store(T* p, V v) { _mm256_storeu_ps(p, v); }
  static MLPCORE_INLINE V mul(V a, V b) { return _mm256_mul_ps(a, b); }
  static MLPCORE_INLINE V fmadd(V a, V b, V c) { return _mm256_fmadd_ps(a, b, c); }
  static MLPCORE_INLINE T fma1(T a, T b, T c) { return __builtin_fmaf(a, b, c); }
};

struct F64 {
  using T = double;
  using V = __m256d;
  static constexpr int W = 4;
  static MLPCORE_INLINE V zero() { return _mm256_setzero_pd(); }
  static MLPCORE_INLINE V set1(T x) { return _mm256_set1_pd(x); }
  static MLPCORE_INLINE V bcast(const T* p) { return _mm256_broadcast_sd(p); }
  static MLPCORE_INLINE V load(const T* p) { return _mm256_loadu_pd(p); }
  static MLPCORE_INLINE void store(T* p, V v) { _mm256_storeu_pd(p, v); }
  static MLPCORE_INLINE V mul(V a, V b) { return _mm256_mul_pd(a, b); }
  static MLPCORE_INLINE V fmadd(V a, V b, V c) { return _mm256_fmadd_pd(a, b, c); }
  static MLPCORE_INLINE T fma1(T a, T b, T c) { return __builtin_fma(a, b, c); }
};

// C(m x n) := beta C + alpha A_panel B_panel on an MR x (NV * W) register tile: per k,
// NV vector loads of B, MR broadcasts of A and MR * NV independent FMAs. The fixed
// loops are fully unrolled so `acc` lives in registers (MR * NV + NV + 1 of them).
template <class Tr, int MR, int NV>
MLPCORE_INLINE void ukr(int64_t k, typename Tr::T alpha, const typename Tr::T* a,
                        const typename Tr::T* b, typename Tr::T beta, typename Tr::T* c,
                        int64_t rs_c, int64_t cs_c, int64_t m, int64_t n) {
  using T = typename Tr::T;
  using V = typename Tr::V;
  constexpr int W = Tr::W;
  constexpr int NR = NV * W;

  // C is touched only after the loop: start fetching its rows now (the edge
  // rows beyond m are not touched, so not fetched).
  for (int64_t i = 0; i < m; ++i) {
    _mm_prefetch(reinterpret_cast<const char*>(c + i * rs_c), _MM_HINT_T0);
    _mm_prefetch(reinterpret_cast<const char*>(c + i * rs_c + (n - 1) * cs_c), _MM_HINT_T0);
  }

  V acc[MR][NV];
#pragma GCC unroll 16
  for (int i = 0; i < MR; ++i)
#pragma GCC unroll 4
    for (int j = 0; j < NV; ++j) acc[i][j] = Tr::zero();

  // Unrolled by 4 over k to amortize the loop overhead; the packed panels are read
  // sequentially, which the hardware prefetcher follows.
#pragma GCC unroll 4
  for (int64_t p = 0; p < k; ++p) {
    V bv[NV];
#pragma GCC unroll 4
    for (int j = 0; j < NV; ++j) bv[j] = Tr::load(b + j * W);
#pragma GCC unroll 16
    for (int i = 0; i < MR; ++i) {
      const V av = Tr::bcast(a + i);
#pragma GCC unroll 4
      for (int j = 0; j < NV; ++j) acc[i][j] = Tr::fmadd(av, bv[j], acc[i][j]);
    }
    a += MR;
    b += NR;
  }

  const V valpha = Tr::set1(alpha);
  if (m == MR && n == NR && cs_c == 1) {
    // Full tile, unit column stride: straight from the registers.
    if (beta == T(0)) {
#pragma GCC unroll 16
      for (int i = 0; i < MR; ++i)
#pragma GCC unroll 4
        for (int j = 0; j < NV; ++j) Tr::store(c + i * rs_c + j * W, Tr::mul(valpha, acc[i][j]));
    } else {
      const V vbeta = Tr::set1(beta);
#pragma GCC unroll 16
      for (int i = 0; i < MR; ++i)
#pragma GCC unroll 4
        for (int j = 0; j < NV; ++j) {
          T* cp = c + i * rs_c + j * W;
          Tr::store(cp, Tr::fmadd(vbeta, Tr::load(cp), Tr::mul(valpha, acc[i][j])));
        }
    }
    return;
  }
  // Edge tile or strided C: through a buffer, writing only m x n, with the same
  // arithmetic as above (alpha * acc, then one fma with beta).
  alignas(64) T buf[MR * NR];
#pragma GCC unroll 16
  for (int i = 0; i < MR; ++i)
#pragma GCC unroll 4
    for (int j = 0; j < NV; ++j) Tr::store(buf + i * NR + j * W, Tr::mul(valpha, acc[i][j]));
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      T& cij = c[i * rs_c + j * cs_c];
      cij = beta == T(0) ? buf[i * NR + j] : Tr::fma1(beta, cij, buf[i * NR + j]);
    }
}

}  // namespace

static_assert(kAvx2F32.mr == 6 && kAvx2F32.nr == 2 * F32::W, "blocking.hpp: AVX2 float tile");
static_assert(kAvx2F64.mr == 6 && kAvx2F64.nr == 2 * F64::W, "blocking.hpp: AVX2 double tile");

void sgemm_6x16(int64_t k, float alpha, const float* a, const float* b, float beta, float* c,
                int64_t rs_c, int64_t cs_c, int64_t m, int64_t n) {
  ukr<F32, 6, 2>(k, alpha, a, b, beta, c, rs_c, cs_c, m, n);
}

void dgemm_6x8(int64_t k, double alpha, const double* a, const double* b, double beta,
               double* c, int64_t rs_c, int64_t cs_c, int64_t m, int64_t n) {
  ukr<F64, 6, 2>(k, alpha, a, b, beta, c, rs_c, cs_c, m, n);
}

}  // namespace avx2
}  // namespace gemm_detail
}  // namespace mlpcore
