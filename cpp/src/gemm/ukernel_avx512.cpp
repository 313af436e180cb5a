// AVX-512 micro-kernels: 12 x 32 float and 12 x 16 double: the kernel of
// ukernel_simd.hpp with zmm registers and a taller tile than AVX2's (24 accumulators
// + 2 B vectors + 1 broadcast = 27 of 32 zmm). Compiled with -mavx512f -mavx512dq
// -mavx2 -mfma, and called only when the CPU has them (the avx512 context).
// No STL header here: an out-of-line template instance compiled with AVX-512 could be
// picked by the linker for generic code too (ODR). Everything below is internal or
// in the avx512 namespace.
#include <cstddef>
#include <cstdint>

#include "arch/simd_avx512.hpp"
#include "gemm/blocking.hpp"
#include "gemm/ukernel.hpp"

namespace mlpcore {
namespace gemm_detail {
namespace avx512 {
namespace {

using simd::avx512::F32;
using simd::avx512::F64;

#include "gemm/ukernel_simd.hpp"

}  // namespace

static_assert(kAvx512F32.mr == 12 && kAvx512F32.nr == 2 * F32::W, "blocking.hpp: float tile");
static_assert(kAvx512F64.mr == 12 && kAvx512F64.nr == 2 * F64::W, "blocking.hpp: double tile");

void sgemm_12x32(int64_t k, float alpha, const float* a, const float* b, int64_t ldb, float beta,
                float* c,
                 int64_t rs_c, int64_t cs_c, int64_t m, int64_t n) {
  if (ldb == 32)
    ukr<F32, 12, 2, 32>(k, alpha, a, b, ldb, beta, c, rs_c, cs_c, m, n);
  else
    ukr<F32, 12, 2, 0>(k, alpha, a, b, ldb, beta, c, rs_c, cs_c, m, n);
}

void dgemm_12x16(int64_t k, double alpha, const double* a, const double* b, int64_t ldb, double beta,
                 double* c, int64_t rs_c, int64_t cs_c, int64_t m, int64_t n) {
  if (ldb == 16)
    ukr<F64, 12, 2, 16>(k, alpha, a, b, ldb, beta, c, rs_c, cs_c, m, n);
  else
    ukr<F64, 12, 2, 0>(k, alpha, a, b, ldb, beta, c, rs_c, cs_c, m, n);
}

}  // namespace avx512
}  // namespace gemm_detail
}  // namespace mlpcore
