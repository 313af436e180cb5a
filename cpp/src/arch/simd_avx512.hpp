// The AVX-512 vector traits F32 / F64 used by ukernel_avx512.cpp. Included only by
// files compiled with -mavx512f -mavx512dq -mavx2 -mfma (or, in the emulation test,
// against plain C++ stand-ins of the intrinsics); no STL header (ODR: see
// ukernel_avx512.cpp). Everything is internal to the including file.
#pragma once
#include <immintrin.h>

#include <cstdint>

#include "portable.hpp"

#define MLPCORE_INLINE MLPCORE_ALWAYS_INLINE

namespace mlpcore {
namespace simd {
namespace avx512 {
namespace {

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
  using V = __m512d;
  static constexpr int W = 8;
  static MLPCORE_INLINE V zero() { return _mm512_setzero_pd(); }
  static MLPCORE_INLINE V set1(T x) { return _mm512_set1_pd(x); }
  static MLPCORE_INLINE V bcast(const T* p) { return _mm512_set1_pd(*p); }
  static MLPCORE_INLINE V load(const T* p) { return _mm512_loadu_pd(p); }
  static MLPCORE_INLINE void store(T* p, V v) { _mm512_storeu_pd(p, v); }
  static MLPCORE_INLINE V mul(V a, V b) { return _mm512_mul_pd(a, b); }
  static MLPCORE_INLINE V fmadd(V a, V b, V c) { return _mm512_fmadd_pd(a, b, c); }
#if defined(_MSC_VER) && !defined(__clang__)
  static MLPCORE_INLINE T fma1(T a, T b, T c) {
    return _mm_cvtsd_f64(_mm_fmadd_sd(_mm_set_sd(a), _mm_set_sd(b), _mm_set_sd(c)));
  }
#else
  static MLPCORE_INLINE T fma1(T a, T b, T c) { return __builtin_fma(a, b, c); }
#endif
};

}  // namespace
}  // namespace avx512
}  // namespace simd
}  // namespace mlpcore
