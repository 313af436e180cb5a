// AVX2 + FMA kernels for narrow products (narrow.hpp): C as dot products along k,
// rb x cb vector accumulators per pass. Compiled with -mavx2 -mfma only, and called
// only when the CPU has them (the avx2 and avx512 contexts). No STL header here (ODR: see
// ukernel_avx2.cpp); everything below is internal or in the avx2 namespace.
#include <cstdint>

#include "arch/simd_avx2.hpp"
#include "gemm/blocking.hpp"
#include "gemm/narrow.hpp"

namespace mlpcore {
namespace gemm_detail {
namespace avx2 {
namespace {

using simd::avx2::F32;
using simd::avx2::F64;

// One pass over k in [p0, p1) (whole vectors), then `rem` (< W) more values at p1
// when rem > 0, for RB rows of A x CB rows of packed B. The accumulators start from
// acc_buf (or zero on the first pass) and go back there: a store and reload is
// exact, so the pass boundaries do not change any result. acc_buf[i * ld + j].
template <class Tr, int RB, int CB>
MLPCORE_INLINE void pass(typename Tr::V* acc_buf, int64_t ld, bool first,
                         const typename Tr::T* a, int64_t rs_a, const typename Tr::T* bt,
                         int64_t ld_bt, int64_t p0, int64_t p1, int rem) {
  using V = typename Tr::V;
  constexpr int W = Tr::W;
  V acc[RB][CB];
#pragma GCC unroll 4
  for (int i = 0; i < RB; ++i)
#pragma GCC unroll 4
    for (int j = 0; j < CB; ++j) acc[i][j] = first ? Tr::zero() : acc_buf[i * ld + j];

#pragma GCC unroll 2
  for (int64_t p = p0; p < p1; p += W) {
    V bv[CB];
#pragma GCC unroll 4
    for (int j = 0; j < CB; ++j) bv[j] = Tr::load_aligned(bt + j * ld_bt + p);
#pragma GCC unroll 4
    for (int i = 0; i < RB; ++i) {
      const V av = Tr::load(a + i * rs_a + p);
#pragma GCC unroll 4
      for (int j = 0; j < CB; ++j) acc[i][j] = Tr::fmadd(av, bv[j], acc[i][j]);
    }
  }
  if (rem > 0) {  // B is zero-padded beyond k; A is read only up to k
    const __m256i mask = Tr::mask(rem);
    V bv[CB];
#pragma GCC unroll 4
    for (int j = 0; j < CB; ++j) bv[j] = Tr::load_aligned(bt + j * ld_bt + p1);
#pragma GCC unroll 4
    for (int i = 0; i < RB; ++i) {
      const V av = Tr::load_masked(a + i * rs_a + p1, mask);
#pragma GCC unroll 4
      for (int j = 0; j < CB; ++j) acc[i][j] = Tr::fmadd(av, bv[j], acc[i][j]);
    }
  }

#pragma GCC unroll 4
  for (int i = 0; i < RB; ++i)
#pragma GCC unroll 4
    for (int j = 0; j < CB; ++j) acc_buf[i * ld + j] = acc[i][j];
}

// RB rows of C, all n columns: k in passes of at most KC (the rows of A and packed B of a
// pass stay in L1 across the column blocks), columns in ceil(n / CB) near-equal
// blocks of CB or CB - 1, then the reduction and alpha / beta per element.
template <class Tr, int RB, int CB, int KC>
MLPCORE_INLINE void row_block(int64_t n, int64_t k, typename Tr::T alpha,
                              const typename Tr::T* a, int64_t rs_a, const typename Tr::T* bt,
                              int64_t ld_bt, typename Tr::T beta, typename Tr::T* c,
                              int64_t rs_c, int64_t cs_c) {
  using T = typename Tr::T;
  using V = typename Tr::V;
  constexpr int W = Tr::W;
  static_assert(KC % W == 0, "a pass is whole vectors");
  static_assert(CB <= 3, "the column blocks are dispatched for widths 1..3");
  V acc[RB * kNarrowMaxN];
  const int64_t kv = k / W * W;
  const int rem = static_cast<int>(k - kv);
  const int64_t blocks = (n + CB - 1) / CB;

  // Passes of near-equal depth (at most KC, whole vectors): 784 floats run as
  // 4 x 196, not 3 x 256 + 16.
  const int64_t passes = (k + KC - 1) / KC;
  const int64_t step = ((k + passes - 1) / passes + W - 1) / W * W;
  for (int64_t pc = 0; pc < k; pc += step) {
    const bool first = pc == 0, last = pc + step >= k;
    const int64_t p1 = last ? kv : pc + step;
    for (int64_t blk = 0; blk < blocks; ++blk) {
      const int64_t j0 = n * blk / blocks, j1 = n * (blk + 1) / blocks;
      V* ab = acc + j0;
      const T* bp = bt + j0 * ld_bt;
      switch (j1 - j0) {
        case 3:
          pass<Tr, RB, 3>(ab, kNarrowMaxN, first, a, rs_a, bp, ld_bt, pc, p1, last ? rem : 0);
          break;
        case 2:
          pass<Tr, RB, 2>(ab, kNarrowMaxN, first, a, rs_a, bp, ld_bt, pc, p1, last ? rem : 0);
          break;
        default:
          pass<Tr, RB, 1>(ab, kNarrowMaxN, first, a, rs_a, bp, ld_bt, pc, p1, last ? rem : 0);
          break;
      }
    }
  }

  for (int i = 0; i < RB; ++i)
    for (int64_t j = 0; j < n; ++j) {
      const T r = alpha * Tr::hsum(acc[i * kNarrowMaxN + j]);
      T& cij = c[i * rs_c + j * cs_c];
      cij = beta == T(0) ? r : Tr::fma1(beta, cij, r);  // beta == 0: C is not read
    }
}

template <class Tr, int RB, int CB, int KC>
void narrow(int64_t m, int64_t n, int64_t k, typename Tr::T alpha, const typename Tr::T* a,
            int64_t rs_a, const typename Tr::T* bt, int64_t ld_bt, typename Tr::T beta,
            typename Tr::T* c, int64_t rs_c, int64_t cs_c) {
  int64_t i = 0;
  for (; i + RB <= m; i += RB)
    row_block<Tr, RB, CB, KC>(n, k, alpha, a + i * rs_a, rs_a, bt, ld_bt, beta, c + i * rs_c,
                              rs_c, cs_c);
  for (; i < m; ++i)  // the last m % RB rows one at a time: the same arithmetic
    row_block<Tr, 1, CB, KC>(n, k, alpha, a + i * rs_a, rs_a, bt, ld_bt, beta, c + i * rs_c,
                             rs_c, cs_c);
}

}  // namespace

static_assert(kNarrowPad % F32::W == 0 && kNarrowPad % F64::W == 0, "narrow.hpp: padding");

void snarrow(int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t rs_a,
             const float* bt, int64_t ld_bt, float beta, float* c, int64_t rs_c, int64_t cs_c) {
  narrow<F32, kNarrowAvx2F32.rb, kNarrowAvx2F32.cb, kNarrowAvx2F32.kc>(
      m, n, k, alpha, a, rs_a, bt, ld_bt, beta, c, rs_c, cs_c);
}

void dnarrow(int64_t m, int64_t n, int64_t k, double alpha, const double* a, int64_t rs_a,
             const double* bt, int64_t ld_bt, double beta, double* c, int64_t rs_c,
             int64_t cs_c) {
  narrow<F64, kNarrowAvx2F64.rb, kNarrowAvx2F64.cb, kNarrowAvx2F64.kc>(
      m, n, k, alpha, a, rs_a, bt, ld_bt, beta, c, rs_c, cs_c);
}

}  // namespace avx2
}  // namespace gemm_detail
}  // namespace mlpcore
