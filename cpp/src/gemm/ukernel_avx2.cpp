// AVX2 + FMA micro-kernels: 6 x 16 float and 6 x 8 double. Compiled with
// -mavx2 -mfma only, and called only when the CPU has them (the avx2 context).
// No STL header here: an out-of-line template instance compiled with AVX2 could be
// picked by the linker for generic code too (ODR). Everything below is internal or
// in the avx2 namespace.
#include <cstddef>
#include <cstdint>

#include "arch/simd_avx2.hpp"
#include "gemm/blocking.hpp"
#include "gemm/ukernel.hpp"

namespace mlpcore {
namespace gemm_detail {
namespace avx2 {
namespace {

using simd::avx2::F32;
using simd::avx2::F64;

#include "gemm/ukernel_simd.hpp"

}  // namespace

static_assert(kAvx2F32.mr == 6 && kAvx2F32.nr == 2 * F32::W, "blocking.hpp: AVX2 float tile");
static_assert(kAvx2F64.mr == 6 && kAvx2F64.nr == 2 * F64::W, "blocking.hpp: AVX2 double tile");

void sgemm_6x16(int64_t k, float alpha, const float* a, const float* b, int64_t ldb, float beta,
                float* c,
                int64_t rs_c, int64_t cs_c, int64_t m, int64_t n) {
  if (ldb == 16)
    ukr<F32, 6, 2, 16>(k, alpha, a, b, ldb, beta, c, rs_c, cs_c, m, n);
  else
    ukr<F32, 6, 2, 0>(k, alpha, a, b, ldb, beta, c, rs_c, cs_c, m, n);
}

void dgemm_6x8(int64_t k, double alpha, const double* a, const double* b, int64_t ldb, double beta,
               double* c, int64_t rs_c, int64_t cs_c, int64_t m, int64_t n) {
  if (ldb == 8)
    ukr<F64, 6, 2, 8>(k, alpha, a, b, ldb, beta, c, rs_c, cs_c, m, n);
  else
    ukr<F64, 6, 2, 0>(k, alpha, a, b, ldb, beta, c, rs_c, cs_c, m, n);
}

}  // namespace avx2
}  // namespace gemm_detail
}  // namespace mlpcore
