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

#include "gemm/ukernel_simd.hpp"

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
