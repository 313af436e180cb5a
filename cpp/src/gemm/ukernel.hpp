// The one micro-kernel interface and the GEMM entry of an ISA's context
// (arch/context.hpp).
#pragma once
#include <cstdint>

#include "gemm/blocking.hpp"

namespace mlpcore {
namespace gemm_detail {

// C(m x n) := beta * C + alpha * A_panel * B_panel, with m <= MR and n <= NR.
//   a_panel: MR x k packed by pack_a_mcxkc (for each p, MR consecutive values)
//   b_panel, ldb: k x NR, for each p NR consecutive values, the next p ldb further:
//            packed by pack_b_kcxnc (ldb = NR), or NR full columns of a row-major B
//            read in place (ldb = its row stride)
//   c, rs_c, cs_c: the tile of C, any strides
// beta == 0 means C is not read (NaN in C is overwritten). A full tile with cs_c == 1
// is written straight from the registers; edge tiles (m < MR or n < NR) and other
// strides go through a local MR x NR buffer, of which only m x n is written back.
// Within one kernel every element gets the same arithmetic whichever way it is
// written back (alpha * acc, then + beta * c unless beta == 0), so the result of an
// element never depends on where its tile falls.
template <class T>
using UkrFn = void (*)(int64_t k, T alpha, const T* a_panel, const T* b_panel, int64_t ldb,
                       T beta, T* c, int64_t rs_c, int64_t cs_c, int64_t m, int64_t n);

// Packing routines (pack.hpp) instantiated for the kernel's MR / NR, compiled
// generically (no ISA flags): they are memory bound.
//   pack_a: rows [0, mc) x cols [0, kc) of A at `a` with strides rs, cs
//   pack_b: rows [0, kc) x cols [0, nc) of B at `b` with strides rs, cs
template <class T>
using PackFn = void (*)(int64_t rows_or_kc, int64_t cols, const T* src, int64_t rs, int64_t cs,
                        T* dst);

// Everything the driver needs for one ISA and dtype.
template <class T>
struct GemmKernel {
  int mr, nr, mc, kc, nc;
  UkrFn<T> ukr;
  PackFn<T> pack_a;  // pack_a_mcxkc<MR>(mc, kc, ...)
  PackFn<T> pack_b;  // pack_b_kcxnc<NR>(kc, nc, ...)
};

// The micro-kernels, one namespace per ISA file (the generic and ISA-compiled code
// never share an inline function or template instance).
namespace ref {
void sgemm_ukr(int64_t k, float alpha, const float* a, const float* b, int64_t ldb, float beta,
               float* c,
               int64_t rs_c, int64_t cs_c, int64_t m, int64_t n);
void dgemm_ukr(int64_t k, double alpha, const double* a, const double* b, int64_t ldb, double beta,
               double* c, int64_t rs_c, int64_t cs_c, int64_t m, int64_t n);
}  // namespace ref

#if defined(MLPCORE_HAVE_X86_KERNELS)
namespace avx2 {
void sgemm_6x16(int64_t k, float alpha, const float* a, const float* b, int64_t ldb, float beta,
               float* c,
                int64_t rs_c, int64_t cs_c, int64_t m, int64_t n);
void dgemm_6x8(int64_t k, double alpha, const double* a, const double* b, int64_t ldb, double beta,
               double* c, int64_t rs_c, int64_t cs_c, int64_t m, int64_t n);
}  // namespace avx2

namespace avx512 {
void sgemm_12x32(int64_t k, float alpha, const float* a, const float* b, int64_t ldb, float beta,
               float* c,
                 int64_t rs_c, int64_t cs_c, int64_t m, int64_t n);
void dgemm_12x16(int64_t k, double alpha, const double* a, const double* b, int64_t ldb, double beta,
                 double* c, int64_t rs_c, int64_t cs_c, int64_t m, int64_t n);
}  // namespace avx512
#endif

}  // namespace gemm_detail
}  // namespace mlpcore
