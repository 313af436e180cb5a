// The AVX2 + FMA vector traits F32 / F64, the one list of the vector operations that
// the AVX2 kernels use (ukernel_avx2.cpp, narrow_avx2.cpp). Included only by files
// compiled with -mavx2 -mfma; no STL header (ODR: see ukernel_avx2.cpp). Everything
// is internal to the including file.
#pragma once
#include <immintrin.h>

#include <cstdint>

#include "portable.hpp"

#define MLPCORE_INLINE MLPCORE_ALWAYS_INLINE

namespace mlpcore {
namespace simd {
namespace avx2 {
namespace {

// All ones in the first r lanes (0 <= r <= W), from a sliding window on this table.
alignas(64) const int32_t kMask32[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};
alignas(64) const int64_t kMask64[8] = {-1, -1, -1, -1, 0, 0, 0, 0};

struct F32 {
  using T = float;
  using V = __m256;
  static constexpr int W = 8;  // lanes
  static MLPCORE_INLINE V zero() { return _mm256_setzero_ps(); }
  static MLPCORE_INLINE V set1(T x) { return _mm256_set1_ps(x); }
  static MLPCORE_INLINE V bcast(const T* p) { return _mm256_broadcast_ss(p); }
  static MLPCORE_INLINE V load(const T* p) { return _mm256_loadu_ps(p); }
  static MLPCORE_INLINE V load_aligned(const T* p) { return _mm256_load_ps(p); }
  static MLPCORE_INLINE void store(T* p, V v) { _mm256_storeu_ps(p, v); }
  static MLPCORE_INLINE __m256i mask(int r) {
    return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(kMask32 + 8 - r));
  }
  // The first lanes of p selected by the mask, zeros elsewhere; memory beyond is not read.
  static MLPCORE_INLINE V load_masked(const T* p, __m256i m) { return _mm256_maskload_ps(p, m); }
  static MLPCORE_INLINE V mul(V a, V b) { return _mm256_mul_ps(a, b); }
  static MLPCORE_INLINE V fmadd(V a, V b, V c) { return _mm256_fmadd_ps(a, b, c); }
  // ((l0 + l4) + (l2 + l6)) + ((l1 + l5) + (l3 + l7)), the same for every element.
  static MLPCORE_INLINE T hsum(V v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 1));
    return _mm_cvtss_f32(s);
  }
#if defined(_MSC_VER) && !defined(__clang__)
  static MLPCORE_INLINE T fma1(T a, T b, T c) {
    return _mm_cvtss_f32(_mm_fmadd_ss(_mm_set_ss(a), _mm_set_ss(b), _mm_set_ss(c)));
  }
#else
  static MLPCORE_INLINE T fma1(T a, T b, T c) { return __builtin_fmaf(a, b, c); }
#endif
};

struct F64 {
  using T = double;
  using V = __m256d;
  static constexpr int W = 4;
  static MLPCORE_INLINE V zero() { return _mm256_setzero_pd(); }
  static MLPCORE_INLINE V set1(T x) { return _mm256_set1_pd(x); }
  static MLPCORE_INLINE V bcast(const T* p) { return _mm256_broadcast_sd(p); }
  static MLPCORE_INLINE V load(const T* p) { return _mm256_loadu_pd(p); }
  static MLPCORE_INLINE V load_aligned(const T* p) { return _mm256_load_pd(p); }
  static MLPCORE_INLINE void store(T* p, V v) { _mm256_storeu_pd(p, v); }
  static MLPCORE_INLINE __m256i mask(int r) {
    return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(kMask64 + 4 - r));
  }
  static MLPCORE_INLINE V load_masked(const T* p, __m256i m) { return _mm256_maskload_pd(p, m); }
  static MLPCORE_INLINE V mul(V a, V b) { return _mm256_mul_pd(a, b); }
  static MLPCORE_INLINE V fmadd(V a, V b, V c) { return _mm256_fmadd_pd(a, b, c); }
  // (l0 + l2) + (l1 + l3)
  static MLPCORE_INLINE T hsum(V v) {
    __m128d s = _mm_add_pd(_mm256_castpd256_pd128(v), _mm256_extractf128_pd(v, 1));
    s = _mm_add_sd(s, _mm_unpackhi_pd(s, s));
    return _mm_cvtsd_f64(s);
  }
#if defined(_MSC_VER) && !defined(__clang__)
  static MLPCORE_INLINE T fma1(T a, T b, T c) {
    return _mm_cvtsd_f64(_mm_fmadd_sd(_mm_set_sd(a), _mm_set_sd(b), _mm_set_sd(c)));
  }
#else
  static MLPCORE_INLINE T fma1(T a, T b, T c) { return __builtin_fma(a, b, c); }
#endif
};

}  // namespace
}  // namespace avx2
}  // namespace simd
}  // namespace mlpcore
