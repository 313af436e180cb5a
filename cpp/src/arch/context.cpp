// The kernels of each ISA, one init function per ISA as BLIS's
// bli_cntx_init_<arch>, and the one place that picks a context by ISA. Compiled
// without ISA flags: it only takes addresses.
#include "arch/context.hpp"

#include <type_traits>

#include "gemm/blocking.hpp"
#include "gemm/pack.hpp"

namespace mlpcore {

namespace {

using gemm_detail::BlockSizes;
using gemm_detail::GemmKernel;
using gemm_detail::NarrowKernel;
using gemm_detail::UkrFn;

// One GEMM entry: the block sizes, the kernel, and packing for its MR / NR.
template <class T, int MR, int NR>
constexpr GemmKernel<T> make_kernel(BlockSizes bs, UkrFn<T> ukr) {
  // The driver relies on these: MC and NC whole tiles (a tile grid independent of
  // the thread split), KC a multiple of 4 (its balanced K step stays <= KC).
  // Evaluated at compile time: a bad value is a build error.
  if (bs.mc % MR != 0 || bs.nc % NR != 0 || bs.kc % 4 != 0) throw "blocking.hpp: bad block size";
  return {MR, NR, bs.mc, bs.kc, bs.nc, ukr, &gemm_detail::pack_a_mcxkc<MR, T>,
          &gemm_detail::pack_b_kcxnc<NR, T>};
}

// The float or the double entry of a pair.
template <class T, class F, class D>
constexpr const auto& dtype_entry(const F& f, const D& d) {
  if constexpr (std::is_same_v<T, float>)
    return f;
  else
    return d;
}

namespace gd = gemm_detail;

constexpr GemmKernel<float> kRefS =
    make_kernel<float, gd::kRefF32.mr, gd::kRefF32.nr>(gd::kRefF32, gd::ref::sgemm_ukr);
constexpr GemmKernel<double> kRefD =
    make_kernel<double, gd::kRefF64.mr, gd::kRefF64.nr>(gd::kRefF64, gd::ref::dgemm_ukr);
constexpr NarrowKernel<float> kNarrowRefS{1, 64, gd::ref::snarrow};
constexpr NarrowKernel<double> kNarrowRefD{1, 64, gd::ref::dnarrow};

template <class T>
Context<T> init_generic() {
  return {&dtype_entry<T>(kRefS, kRefD), &dtype_entry<T>(kNarrowRefS, kNarrowRefD),
          &dtype_entry<T>(generic::table_f(), generic::table_d())};
}

#if defined(MLPCORE_HAVE_X86_KERNELS)
constexpr GemmKernel<float> kAvx2S =
    make_kernel<float, gd::kAvx2F32.mr, gd::kAvx2F32.nr>(gd::kAvx2F32, gd::avx2::sgemm_6x16);
constexpr GemmKernel<double> kAvx2D =
    make_kernel<double, gd::kAvx2F64.mr, gd::kAvx2F64.nr>(gd::kAvx2F64, gd::avx2::dgemm_6x8);
constexpr GemmKernel<float> kAvx512S = make_kernel<float, gd::kAvx512F32.mr, gd::kAvx512F32.nr>(
    gd::kAvx512F32, gd::avx512::sgemm_12x32);
constexpr GemmKernel<double> kAvx512D = make_kernel<double, gd::kAvx512F64.mr, gd::kAvx512F64.nr>(
    gd::kAvx512F64, gd::avx512::dgemm_12x16);
static_assert(gd::kAvx2F32.mr == 6 && gd::kAvx2F32.nr == 16 && gd::kAvx2F64.mr == 6 &&
                  gd::kAvx2F64.nr == 8,
              "the AVX2 kernels are 6x16 and 6x8");
static_assert(gd::kAvx512F32.mr == 12 && gd::kAvx512F32.nr == 32 && gd::kAvx512F64.mr == 12 &&
                  gd::kAvx512F64.nr == 16,
              "the AVX-512 kernels are 12x32 and 12x16");

constexpr NarrowKernel<float> kNarrowAvx2S{gd::kNarrowAvx2F32.rb, gd::kNarrowAvx2F32.chunk,
                                           gd::avx2::snarrow};
constexpr NarrowKernel<double> kNarrowAvx2D{gd::kNarrowAvx2F64.rb, gd::kNarrowAvx2F64.chunk,
                                            gd::avx2::dnarrow};
static_assert(gd::kNarrowAvx2F32.chunk % gd::kNarrowAvx2F32.rb == 0 &&
                  gd::kNarrowAvx2F64.chunk % gd::kNarrowAvx2F64.rb == 0,
              "blocking.hpp: a narrow chunk is whole row blocks");

template <class T>
Context<T> init_avx2() {
  return {&dtype_entry<T>(kAvx2S, kAvx2D), &dtype_entry<T>(kNarrowAvx2S, kNarrowAvx2D),
          &dtype_entry<T>(avx2::table_f(), avx2::table_d())};
}

// The narrow products run the AVX2 kernels on AVX-512 CPUs too.
template <class T>
Context<T> init_avx512() {
  return {&dtype_entry<T>(kAvx512S, kAvx512D), &dtype_entry<T>(kNarrowAvx2S, kNarrowAvx2D),
          &dtype_entry<T>(avx512::table_f(), avx512::table_d())};
}
#endif

}  // namespace

template <class T>
const Context<T>& context(Isa isa) {
  // Each context is made on its first use only, so no ISA's code runs on a CPU
  // without it.
#if defined(MLPCORE_HAVE_X86_KERNELS)
  if (isa == Isa::avx512) {
    static const Context<T> c = init_avx512<T>();
    return c;
  }
  if (isa == Isa::avx2) {
    static const Context<T> c = init_avx2<T>();
    return c;
  }
#endif
  (void)isa;
  static const Context<T> c = init_generic<T>();
  return c;
}

template const Context<float>& context<float>(Isa);
template const Context<double>& context<double>(Isa);

}  // namespace mlpcore
