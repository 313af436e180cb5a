// The register-blocked micro-kernel, written once for every SIMD path: included by
// ukernel_avx2.cpp and ukernel_avx512.cpp inside their own namespaces, after they
// bring in the vector traits F32 / F64 of their instruction set (V, W, zero, set1,
// bcast, load, store, mul, fmadd, fma1; arch/simd_<isa>.hpp). No include guard: one inclusion per ISA
// file, each compiled with that ISA's flags.

// C(m x n) := beta C + alpha A_panel B_panel on an MR x (NV * W) register tile: per k,
// NV vector loads of B, MR broadcasts of A and MR * NV independent FMAs. The fixed
// loops are fully unrolled so `acc` lives in registers (MR * NV + NV + 1 of them).
// kLdb: B's row stride when known at compile time (NR: a packed panel), else 0 and
// the run-time ldb; the packed path, the hot one, keeps constant load offsets.
template <class Tr, int MR, int NV, int kLdb>
MLPCORE_INLINE void ukr(int64_t k, typename Tr::T alpha, const typename Tr::T* a,
                        const typename Tr::T* b, int64_t ldb, typename Tr::T beta,
                        typename Tr::T* c, int64_t rs_c, int64_t cs_c, int64_t m, int64_t n) {
  using T = typename Tr::T;
  using V = typename Tr::V;
  constexpr int W = Tr::W;
  constexpr int NR = NV * W;
  static_assert(kLdb == 0 || kLdb == NR, "a packed panel has NR values per row");
  const int64_t b_step = kLdb ? kLdb : ldb;

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

  // Unrolled by 4 over k to amortize the loop overhead; the packed A panel is read
  // sequentially, and B's rows ldb apart (NR when packed), which the hardware
  // prefetcher follows.
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
    b += b_step;
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

