// parallel_for: the one way the kernels run a loop on several threads (internal: it needs
// OpenMP, which the installed headers do not).
#pragma once
#include <omp.h>

#include <cstdint>
#include <type_traits>

namespace mlpcore {

// f(i, thread) for each i in [0, n), thread being the index (0 .. nt-1) of the thread
// that runs it (also f(i)): on the calling thread alone, as thread 0, when nt <= 1 (no
// OpenMP call, which costs microseconds on small calls); otherwise i handed out one at a
// time to whichever of the nt threads is free, so that on a busy machine a thread that
// is not running leaves its share to the others instead of holding up the call. Use
// `thread`, not omp_get_thread_num(): called inside a caller's own parallel region with
// nt <= 1, the latter is the caller's thread number. Results must not depend on which
// thread ran which i.
template <class F>
void parallel_for(int nt, int64_t n, F&& f) {
  auto call = [&](int64_t i, int thread) {
    if constexpr (std::is_invocable_v<F&, int64_t, int>)
      f(i, thread);
    else
      f(i);
  };
  if (nt <= 1) {
    for (int64_t i = 0; i < n; ++i) call(i, 0);
    return;
  }
#pragma omp parallel for num_threads(nt) schedule(dynamic)
  for (int64_t i = 0; i < n; ++i) call(i, omp_get_thread_num());
}

}  // namespace mlpcore
