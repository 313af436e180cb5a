// AVX-512 micro-kernels: 12 x 32 float and 12 x 16 double: the kernel of
// ukernel_simd.hpp with zmm registers and a taller tile than AVX2's (24 accumulators
// + 2 B vectors + 1 broadcast = 27 of 32 zmm). Compiled with -mavx512f -mavx512dq
// -mavx2 -mfma, and called only when the CPU has them (kernel_for(Isa::avx512)).
// No STL header here: an out-of-line template instance compiled with AVX-512 could be
// picked by the linker for generic code too (ODR). Everything below is internal or
// in the avx512 namespace.
#include <immintrin.h>

#include <cstddef>
#include <cstdint>

#include "gemm/blocking.hpp"
#include "gemm/ukernel.hpp"

#define MLPCORE_INLINE inline __attribute__((always_inline))

namespace mlpcore {
namespace gemm_detail {
namespace avx512 {
namespace {

// The vector operations the kernel needs, per dtype.
struct F32 {
  using T = float;
  using V = __m512;
  static constexpr int W = 16;  // lanes
  static MLPCORE_INLINE V zero() { return _mm512_setzero_ps(); }
  static MLPCORE_INLINE V set1(T x) { return _mm512_set1_ps(x); }
  static MLPCORE_INLINE V bcast(const T* p) { return _mm512_set1_ps(*p); }
  static MLPCORE_INLINE V load(const T* p) { return _mm512_loadu_ps(p); }
  static MLPCORE_INLINE void store(T* p, V v) { _mm512_storeu_ps(p, v); }
  static MLPCORE_INLINE V mul(V a, V b) { return _mm512_mul_ps(a, b); }
  static MLPCORE_INLINE V fmadd(V a, V b, V c) { return _mm512_fmadd_ps(a, b, c); }
  static MLPCORE_INLINE T fma1(T a, T b, T c) { return __builtin_fmaf(a, b, c); }
};

struct F64 {
  using T = double;
  using V = __m512d;
  static constexpr int W = 8;
  static MLPCORE_INLINE V zero() { return _mm512_setzero_pd(); }
  static MLPCORE_INLINE V set1(T x) { return _mm512_set1_pd(x); }
  static MLPCORE_INLINE V bcast(const T* p) { return _mm512_set1_pd(*p); }
  static MLPCORE_INLINE V load(const T* p) { return _mm512_loadu_pd(p); }
  static MLPCORE_INLINE void store(T* p, V v) { _mm512_storeu_pd(p, v); }
  static MLPCORE_INLINE V mul(V a, V b) { return _mm512_mul_pd(a, b); }
  static MLPCORE_INLINE V fmadd(V a, V b, V c) { return _mm512_fmadd_pd(a, b, c); }
  static MLPCORE_INLINE T fma1(T a, T b, T c) { return __builtin_fma(a, b, c); }
};

#include "gemm/ukernel_simd.hpp"

}  // namespace

static_assert(kAvx512F32.mr == 12 && kAvx512F32.nr == 2 * F32::W, "blocking.hpp: float tile");
static_assert(kAvx512F64.mr == 12 && kAvx512F64.nr == 2 * F64::W, "blocking.hpp: double tile");

void sgemm_12x32(int64_t k, float alpha, const float* a, const float* b, float beta, float* c,
                 int64_t rs_c, int64_t cs_c, int64_t m, int64_t n) {
  ukr<F32, 12, 2>(k, alpha, a, b, beta, c, rs_c, cs_c, m, n);
}

void dgemm_12x16(int64_t k, double alpha, const double* a, const double* b, double beta,
                 double* c, int64_t rs_c, int64_t cs_c, int64_t m, int64_t n) {
  ukr<F64, 12, 2>(k, alpha, a, b, beta, c, rs_c, cs_c, m, n);
}

}  // namespace avx512
}  // namespace gemm_detail
}  // namespace mlpcore
