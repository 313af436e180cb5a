// Portable micro-kernels (the fallback on every CPU) and the kernel table.
// Compiled without ISA flags: plain loops over a small register tile that the
// compiler may vectorize with SSE2.
#include "gemm/blocking.hpp"
#include "gemm/pack.hpp"
#include "gemm/ukernel.hpp"

namespace mlpcore {
namespace gemm_detail {
namespace ref {
namespace {

template <class T, int MR, int NR>
void ukr(int64_t k, T alpha, const T* a, const T* b, T beta, T* c, int64_t rs_c, int64_t cs_c,
         int64_t m, int64_t n) {
  // The whole tile is accumulated (padded lanes are zeros); only m x n is written.
  T acc[MR][NR] = {};
  for (int64_t p = 0; p < k; ++p, a += MR, b += NR)
    for (int i = 0; i < MR; ++i)
      for (int j = 0; j < NR; ++j) acc[i][j] += a[i] * b[j];
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      T& cij = c[i * rs_c + j * cs_c];
      const T r = alpha * acc[i][j];
      cij = beta == T(0) ? r : beta * cij + r;  // beta == 0: C is not read
    }
}

}  // namespace

void sgemm_ukr(int64_t k, float alpha, const float* a, const float* b, float beta, float* c,
               int64_t rs_c, int64_t cs_c, int64_t m, int64_t n) {
  ukr<float, kRefF32.mr, kRefF32.nr>(k, alpha, a, b, beta, c, rs_c, cs_c, m, n);
}
void dgemm_ukr(int64_t k, double alpha, const double* a, const double* b, double beta,
               double* c, int64_t rs_c, int64_t cs_c, int64_t m, int64_t n) {
  ukr<double, kRefF64.mr, kRefF64.nr>(k, alpha, a, b, beta, c, rs_c, cs_c, m, n);
}

}  // namespace ref

namespace {

// One table entry: the block sizes, the kernel, and packing for its MR / NR.
template <class T, int MR, int NR>
constexpr GemmKernel<T> make_kernel(BlockSizes bs, UkrFn<T> ukr) {
  // The driver relies on these: MC and NC whole tiles (a tile grid independent of
  // the thread split), KC a multiple of 4 (its balanced K step stays <= KC).
  // Evaluated at compile time: a bad value is a build error.
  if (bs.mc % MR != 0 || bs.nc % NR != 0 || bs.kc % 4 != 0) throw "blocking.hpp: bad block size";
  return {MR, NR, bs.mc, bs.kc, bs.nc, ukr, &pack_a_mcxkc<MR, T>, &pack_b_kcxnc<NR, T>};
}

constexpr GemmKernel<float> kRefS = make_kernel<float, kRefF32.mr, kRefF32.nr>(kRefF32, ref::sgemm_ukr);
constexpr GemmKernel<double> kRefD = make_kernel<double, kRefF64.mr, kRefF64.nr>(kRefF64, ref::dgemm_ukr);
#if defined(MLPCORE_HAVE_X86_KERNELS)
constexpr GemmKernel<float> kAvx2S =
    make_kernel<float, kAvx2F32.mr, kAvx2F32.nr>(kAvx2F32, avx2::sgemm_6x16);
constexpr GemmKernel<double> kAvx2D =
    make_kernel<double, kAvx2F64.mr, kAvx2F64.nr>(kAvx2F64, avx2::dgemm_6x8);
constexpr GemmKernel<float> kAvx512S =
    make_kernel<float, kAvx512F32.mr, kAvx512F32.nr>(kAvx512F32, avx512::sgemm_12x32);
constexpr GemmKernel<double> kAvx512D =
    make_kernel<double, kAvx512F64.mr, kAvx512F64.nr>(kAvx512F64, avx512::dgemm_12x16);
static_assert(kAvx2F32.mr == 6 && kAvx2F32.nr == 16 && kAvx2F64.mr == 6 && kAvx2F64.nr == 8,
              "the AVX2 kernels are 6x16 and 6x8");
static_assert(kAvx512F32.mr == 12 && kAvx512F32.nr == 32 && kAvx512F64.mr == 12 &&
                  kAvx512F64.nr == 16,
              "the AVX-512 kernels are 12x32 and 12x16");
#endif

}  // namespace

template <>
const GemmKernel<float>& kernel_for<float>(Isa isa) {
#if defined(MLPCORE_HAVE_X86_KERNELS)
  if (isa == Isa::avx512) return kAvx512S;
  if (isa == Isa::avx2) return kAvx2S;
#endif
  (void)isa;
  return kRefS;
}

template <>
const GemmKernel<double>& kernel_for<double>(Isa isa) {
#if defined(MLPCORE_HAVE_X86_KERNELS)
  if (isa == Isa::avx512) return kAvx512D;
  if (isa == Isa::avx2) return kAvx2D;
#endif
  (void)isa;
  return kRefD;
}

}  // namespace gemm_detail
}  // namespace mlpcore
