// What differs between GCC, Clang and MSVC, in one place: forced inlining, prefetching and
// the high half of a 64 x 64-bit product. No STL header: the per-ISA files include it too
// (see the ODR note in ukernel_avx2.cpp).
#pragma once
#include <stdint.h>

#if defined(_MSC_VER) && !defined(__clang__)
#include <intrin.h>
#define MLPCORE_ALWAYS_INLINE __forceinline
#else
#define MLPCORE_ALWAYS_INLINE inline __attribute__((always_inline))
#endif

namespace mlpcore {

// A hint that the cache line holding p will be read soon.
inline void prefetch_for_read(const void* p) {
#if defined(__GNUC__) || defined(__clang__)
  __builtin_prefetch(p, 0, 3);
#elif defined(_M_X64) || defined(_M_IX86)
  _mm_prefetch(static_cast<const char*>(p), _MM_HINT_T0);
#else
  (void)p;
#endif
}

// floor(a * b / 2^64) with 32-bit halves, for compilers without a 128-bit integer type;
// uniform_index (train/trainer.cpp) uses the native product where there is one, and
// cpp/tests/test_nn.cpp checks that the two agree.
inline uint64_t mulhi64_portable(uint64_t a, uint64_t b) {
  const uint64_t a_lo = a & 0xFFFFFFFFu, a_hi = a >> 32;
  const uint64_t b_lo = b & 0xFFFFFFFFu, b_hi = b >> 32;
  const uint64_t lo_lo = a_lo * b_lo;
  const uint64_t hi_lo = a_hi * b_lo;
  const uint64_t lo_hi = a_lo * b_hi;
  const uint64_t hi_hi = a_hi * b_hi;
  const uint64_t middle = (lo_lo >> 32) + (hi_lo & 0xFFFFFFFFu) + lo_hi;  // < 2^64
  return hi_hi + (hi_lo >> 32) + (middle >> 32);
}

}  // namespace mlpcore
