// The AVX-512 GEMM micro-kernels, run on any x86-64 CPU: their source is compiled
// here against plain C++ stand-ins of the AVX-512 intrinsics (avx512_emulation.hpp)
// and checked on every tile shape m <= MR, n <= NR against the naive product, with
// alpha, beta (0 with NaN in C), strided and transposed C, B packed or read in place
// with a longer row stride, and nothing written outside the tile. The AVX-512 hardware path itself is checked by test_gemm on a
// machine that has it.
#include <immintrin.h>

#include <cmath>
#include <cstdio>
#include <limits>
#include <random>
#include <vector>

#include "arch/context.hpp"
#include "gemm/blocking.hpp"
#include "gemm/ukernel.hpp"
#include "mlpcore/runtime.hpp"
#include "avx512_emulation.hpp"

// The kernels' own source, in a namespace of its own so that it cannot clash with
// the real AVX-512 kernels linked into the library.
#define avx512 avx512_emulated
#include "gemm/ukernel_avx512.cpp"
#undef avx512

using namespace mlpcore;

static int failures = 0;

template <class T, class Kernel>
static void check_kernel(const char* name, Kernel kernel, int MR, int NR) {
  std::mt19937 rng(11);
  std::uniform_real_distribution<double> uni(-1, 1);
  const double eps = std::numeric_limits<T>::epsilon();
  const T nan = std::numeric_limits<T>::quiet_NaN();
  for (int64_t k : {0, 1, 2, 3, 5, 17, 64})
   for (int64_t ldb : {int64_t(NR), int64_t(NR) + 5}) {  // packed B, or B read in place
    std::vector<T> a(size_t(MR * k)), b(size_t(ldb * k));
    for (auto& v : a) v = T(uni(rng));
    for (auto& v : b) v = T(uni(rng));
    for (int64_t m = 1; m <= MR; ++m)
      for (int64_t n = 1; n <= NR; ++n)
        for (int layout = 0; layout < 2; ++layout)  // C row-major, or transposed
          for (double beta : {0.0, 0.5}) {
            const T alpha = T(-1.5);
            const int64_t ld = NR + 3;  // a padded leading dimension
            std::vector<T> c(size_t(ld * (NR + MR + 3)), T(7));
            const int64_t rs = layout == 0 ? ld : 1, cs = layout == 0 ? 1 : ld;
            for (int64_t i = 0; i < m; ++i)
              for (int64_t j = 0; j < n; ++j) c[size_t(i * rs + j * cs)] = beta == 0 ? nan : T(uni(rng));
            std::vector<T> before = c;
            kernel(k, alpha, a.data(), b.data(), ldb, T(beta), c.data(), rs, cs, m, n);
            double worst = 0;
            bool outside = false;
            for (int64_t i = 0; i < m; ++i)
              for (int64_t j = 0; j < n; ++j) {
                double want = 0, scale = 0;
                for (int64_t p = 0; p < k; ++p) {
                  want += double(a[size_t(p * MR + i)]) * double(b[size_t(p * ldb + j)]);
                  scale += std::fabs(double(a[size_t(p * MR + i)]) * double(b[size_t(p * ldb + j)]));
                }
                const double old = before[size_t(i * rs + j * cs)];
                want = double(alpha) * want + (beta == 0 ? 0.0 : beta * old);
                scale = 1.5 * scale + std::fabs(beta * (beta == 0 ? 0.0 : old));
                const double got = c[size_t(i * rs + j * cs)];
                const double err = std::fabs(got - want) / ((k + 2) * eps * (scale + 1e-30));
                worst = std::isnan(got) ? INFINITY : std::fmax(worst, err);
                c[size_t(i * rs + j * cs)] = before[size_t(i * rs + j * cs)];  // to compare the rest
              }
            for (size_t e = 0; e < c.size(); ++e)
              outside |= !(c[e] == before[e] || (std::isnan(c[e]) && std::isnan(before[e])));
            if (worst > 4 || outside) {
              std::printf("FAIL %s k=%lld ldb=%lld m=%lld n=%lld layout=%d beta=%g: error %.3g "
                          "ulp-bound, wrote outside the tile: %d\n", name, (long long)k,
                          (long long)ldb, (long long)m, (long long)n, layout, beta, worst,
                          int(outside));
              ++failures;
            }
          }
  }
}

int main() {
  using namespace mlpcore::gemm_detail;
  check_kernel<float>("sgemm_12x32", avx512_emulated::sgemm_12x32, kAvx512F32.mr, kAvx512F32.nr);
  check_kernel<double>("dgemm_12x16", avx512_emulated::dgemm_12x16, kAvx512F64.mr, kAvx512F64.nr);
  // The GEMM entry of the avx512 context points at these kernels with their blocking.
  const GemmKernel<float>& f = *context<float>(Isa::avx512).gemm;
  const GemmKernel<double>& d = *context<double>(Isa::avx512).gemm;
  if (f.ukr != &gemm_detail::avx512::sgemm_12x32 || d.ukr != &gemm_detail::avx512::dgemm_12x16 ||
      f.mr != kAvx512F32.mr || f.nr != kAvx512F32.nr || d.mr != kAvx512F64.mr ||
      d.nr != kAvx512F64.nr) {
    std::printf("FAIL avx512 context\n");
    ++failures;
  }
  std::printf("AVX-512 micro-kernels (emulated): %s\n", failures ? "FAILED" : "all tile shapes agree");
  return failures ? 1 : 0;
}
