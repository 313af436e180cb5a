#include "mlpcore/runtime.hpp"

#include <omp.h>
#if !defined(_WIN32)
#include <pthread.h>
#endif
#if defined(_MSC_VER) && !defined(__clang__) && defined(_M_X64)
#include <intrin.h>
#endif

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <initializer_list>

#include "arch/context.hpp"

namespace mlpcore {

const char* isa_name(Isa isa) {
  switch (isa) {
    case Isa::avx512: return "avx512";
    case Isa::avx2: return "avx2";
    default: return "generic";
  }
}

bool isa_from_name(const char* name, Isa* isa) {
  for (Isa candidate : {Isa::generic, Isa::avx2, Isa::avx512}) {
    if (std::strcmp(name, isa_name(candidate)) == 0) {
      *isa = candidate;
      return true;
    }
  }
  return false;
}

#if defined(_MSC_VER) && !defined(__clang__) && defined(_M_X64) && defined(MLPCORE_HAVE_X86_KERNELS)
namespace {
// MSVC has no __builtin_cpu_supports: CPUID for the instructions, XGETBV for the
// operating system saving the AVX (and AVX-512) registers.
bool bit(int word, int n) { return (word >> n) & 1; }
bool msvc_supports(Isa isa) {
  int info[4];
  __cpuid(info, 0);
  if (info[0] < 7) return false;
  __cpuid(info, 1);
  const bool fma = bit(info[2], 12), osxsave = bit(info[2], 27);
  if (!fma || !osxsave) return false;
  const unsigned long long xcr0 = _xgetbv(0);
  if ((xcr0 & 0x6) != 0x6) return false;  // SSE and AVX state
  __cpuidex(info, 7, 0);
  const bool avx2 = bit(info[1], 5), avx512f = bit(info[1], 16), avx512dq = bit(info[1], 17);
  switch (isa) {
    case Isa::generic: return true;
    case Isa::avx2: return avx2;
    case Isa::avx512: return avx512f && avx512dq && (xcr0 & 0xE0) == 0xE0;  // opmask, ZMM state
  }
  return false;
}
}  // namespace
#endif

bool isa_supported(Isa isa) {
#if defined(_MSC_VER) && !defined(__clang__) && defined(_M_X64) && defined(MLPCORE_HAVE_X86_KERNELS)
  return msvc_supports(isa);
#elif defined(__x86_64__) && defined(MLPCORE_HAVE_X86_KERNELS)
  __builtin_cpu_init();
  switch (isa) {
    case Isa::generic: return true;
    case Isa::avx2:
      return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    case Isa::avx512:
      return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
             __builtin_cpu_supports("fma");
  }
  return false;
#else
  return isa == Isa::generic;
#endif
}

Isa best_isa() {
  for (Isa isa : {Isa::avx512, Isa::avx2})
    if (isa_supported(isa)) return isa;
  return Isa::generic;
}

namespace {

// MLPCORE_ISA forces a path; an unknown or unsupported value is ignored here and
// reported by the Python package, which reads the same variable.
Isa initial_isa() {
  const char* forced = std::getenv("MLPCORE_ISA");
  Isa isa;
  if (forced && isa_from_name(forced, &isa) && isa_supported(isa)) return isa;
  return best_isa();
}

std::atomic<int> g_isa{static_cast<int>(initial_isa())};
std::atomic<int> g_threads{0};  // 0: not set, use omp_get_max_threads()

// A child made by fork() from a process that has run OpenMP threads inherits a thread
// pool whose threads did not survive the fork: GNU OpenMP waits on them forever at the
// first parallel region with more than one thread. Such a child runs every kernel on
// its calling thread (fork-start pools, joblib's multiprocessing backend).
std::atomic<bool> g_forked{false};
#if !defined(_WIN32)  // no fork() on Windows
void on_fork_child() { g_forked.store(true, std::memory_order_relaxed); }
const int g_atfork_registered = pthread_atfork(nullptr, nullptr, on_fork_child);
#endif

}  // namespace

bool in_forked_child() { return g_forked.load(std::memory_order_relaxed); }

Isa active_isa() { return static_cast<Isa>(g_isa.load(std::memory_order_relaxed)); }
void set_active_isa(Isa isa) { g_isa.store(static_cast<int>(isa), std::memory_order_relaxed); }

namespace {
// The calling thread's own count; 0: none, use the process-wide count.
thread_local int t_threads = 0;
}  // namespace

// OpenMP's own setting (OMP_NUM_THREADS, omp_set_num_threads, threadpoolctl's
// threadpool_limits) caps the process-wide count, so that limiting the OpenMP pool from
// outside limits mlpcore too; set_num_threads sets both. A thread's own count is not
// capped: it is an explicit request for the kernels this thread calls (a Dask task's
// threads_per_task), and the setting it would be capped by is often not the caller's:
// Dask's nanny starts its worker processes with OMP_NUM_THREADS=1, and capping would
// make every such task run on one thread. The kernels ask OpenMP for their count with
// num_threads(), which takes precedence over OpenMP's setting. The fork rule still wins.
int get_num_threads() {
  if (in_forked_child()) return 1;
  if (t_threads > 0) return t_threads;
  const int openmp = omp_get_max_threads();
  const int n = g_threads.load(std::memory_order_relaxed);
  return n > 0 && n < openmp ? n : openmp;
}

void set_num_threads(int n) {
  n = n > 0 ? n : 1;
  g_threads.store(n, std::memory_order_relaxed);
  omp_set_num_threads(n);
}

void set_thread_num_threads(int n) { t_threads = n > 0 ? n : 0; }
int get_thread_num_threads() { return t_threads; }

ThreadCountScope::ThreadCountScope(int n) : previous_(t_threads) { set_thread_num_threads(n); }
ThreadCountScope::~ThreadCountScope() { t_threads = previous_; }

namespace {
thread_local InterruptCheck t_interrupt_check = nullptr;
thread_local std::chrono::steady_clock::time_point t_next_poll{};
}  // namespace

InterruptScope::InterruptScope(InterruptCheck check) : previous_(t_interrupt_check) {
  t_interrupt_check = check;
  t_next_poll = std::chrono::steady_clock::now() + std::chrono::milliseconds(kInterruptPollMs);
}
InterruptScope::~InterruptScope() { t_interrupt_check = previous_; }

bool interrupt_requested() {
  if (!t_interrupt_check) return false;
  const auto now = std::chrono::steady_clock::now();
  if (now < t_next_poll) return false;
  t_next_poll = now + std::chrono::milliseconds(kInterruptPollMs);
  return t_interrupt_check();
}

int threads_for(int64_t work) {
  const int64_t useful = work / kMinWorkPerThread;
  int n = get_num_threads();
  if (useful < n) n = useful < 1 ? 1 : static_cast<int>(useful);
  return n;
}

template <class T>
bool all_finite(const T* data, int64_t rows, int64_t cols, int64_t row_stride,
                int64_t col_stride) {
  const VectorMath<T>& vm = active_vector_math<T>();
  int bad = 0;
  const int threads = threads_for(rows * cols / 4);  // a read at ~4 elements per ns
#pragma omp parallel for num_threads(threads) reduction(| : bad) schedule(static) if (threads > 1)
  for (int64_t i = 0; i < rows; ++i)
    bad |= !all_finite_strided(vm, data + i * row_stride, cols, col_stride);
  return bad == 0;
}

template bool all_finite<float>(const float*, int64_t, int64_t, int64_t, int64_t);
template bool all_finite<double>(const double*, int64_t, int64_t, int64_t, int64_t);

}  // namespace mlpcore
