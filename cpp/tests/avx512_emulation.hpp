// Plain C++ stand-ins for the few AVX-512 intrinsics that the GEMM micro-kernels use,
// with the same lane semantics (fused multiply-add included), so that the kernels'
// source can be checked on CPUs without AVX-512. Include after <immintrin.h>: the
// macros redirect the intrinsic and type names to the stand-ins.
#pragma once
#include <cmath>

namespace avx512_emulation {

struct Ps { float v[16]; };
struct Pd { double v[8]; };

template <class V, class T, int W>
struct Ops {
  static V zero() { V r; for (int i = 0; i < W; ++i) r.v[i] = T(0); return r; }
  static V set1(T x) { V r; for (int i = 0; i < W; ++i) r.v[i] = x; return r; }
  static V load(const T* p) { V r; for (int i = 0; i < W; ++i) r.v[i] = p[i]; return r; }
  static void store(T* p, V a) { for (int i = 0; i < W; ++i) p[i] = a.v[i]; }
  static V mul(V a, V b) { V r; for (int i = 0; i < W; ++i) r.v[i] = a.v[i] * b.v[i]; return r; }
  static V fmadd(V a, V b, V c) {
    V r;
    for (int i = 0; i < W; ++i) r.v[i] = std::fma(a.v[i], b.v[i], c.v[i]);
    return r;
  }
};
using OpsPs = Ops<Ps, float, 16>;
using OpsPd = Ops<Pd, double, 8>;

}  // namespace avx512_emulation

#define __m512 avx512_emulation::Ps
#define __m512d avx512_emulation::Pd
#define _mm512_setzero_ps avx512_emulation::OpsPs::zero
#define _mm512_set1_ps avx512_emulation::OpsPs::set1
#define _mm512_loadu_ps avx512_emulation::OpsPs::load
#define _mm512_storeu_ps avx512_emulation::OpsPs::store
#define _mm512_mul_ps avx512_emulation::OpsPs::mul
#define _mm512_fmadd_ps avx512_emulation::OpsPs::fmadd
#define _mm512_setzero_pd avx512_emulation::OpsPd::zero
#define _mm512_set1_pd avx512_emulation::OpsPd::set1
#define _mm512_loadu_pd avx512_emulation::OpsPd::load
#define _mm512_storeu_pd avx512_emulation::OpsPd::store
#define _mm512_mul_pd avx512_emulation::OpsPd::mul
#define _mm512_fmadd_pd avx512_emulation::OpsPd::fmadd
