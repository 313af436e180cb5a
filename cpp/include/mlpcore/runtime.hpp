// Run-time settings shared by every kernel: the SIMD path and the thread count.
#pragma once
#include <cstdint>
#include <stdexcept>

namespace mlpcore {

// Instruction-set paths, chosen once at start-up from CPUID (or MLPCORE_ISA) and
// switchable at run time so that tests can compare the paths.
enum class Isa : int { generic = 0, avx2 = 1, avx512 = 2 };

const char* isa_name(Isa isa);
bool isa_from_name(const char* name, Isa* isa);  // false for an unknown name
bool isa_supported(Isa isa);                     // by this CPU and this build
Isa best_isa();                                  // the widest supported path
Isa active_isa();
void set_active_isa(Isa isa);                    // caller checks isa_supported

// Threads used by the OpenMP loops of every kernel called from the calling thread:
// - always 1 in a child made by fork(), whose inherited OpenMP thread pool is unusable;
// - else the calling thread's own count (set_thread_num_threads, ThreadCountScope)
//   where it has one, as given;
// - else the process-wide count (set_num_threads), capped by OpenMP's setting in the
//   calling thread (omp_get_max_threads(): OMP_NUM_THREADS, threadpoolctl); by default
//   OpenMP's setting alone.
int get_num_threads();
bool in_forked_child();
// The process-wide count: n >= 1; also sets OpenMP's count in the calling thread.
void set_num_threads(int n);
// The calling thread's own count, which takes precedence over the process-wide one for
// the kernels this thread calls and changes nothing for other threads: n >= 1 sets it,
// 0 (or less) clears it. It is an explicit request, not capped by OpenMP's setting
// (OMP_NUM_THREADS=1, which Dask's nanny puts in its workers' environment, or
// threadpoolctl's limits), and it leaves OpenMP's own setting alone.
void set_thread_num_threads(int n);
int get_thread_num_threads();  // the calling thread's own count; 0 when it has none
// Sets the calling thread's own count for the lifetime of the object (as
// set_thread_num_threads: 0 clears it) and restores the previous one on destruction,
// so that scopes nest:
//   { mlpcore::ThreadCountScope threads(2); /* kernels called here use 2 threads */ }
// Create and destroy it on the same thread.
class ThreadCountScope {
 public:
  explicit ThreadCountScope(int n);
  ~ThreadCountScope();
  ThreadCountScope(const ThreadCountScope&) = delete;
  ThreadCountScope& operator=(const ThreadCountScope&) = delete;

 private:
  int previous_;
};
// Threads worth using for a call of `work`, an estimate of its one-thread time in
// nanoseconds: each thread gets at least kMinWorkPerThread, so smaller calls run on the
// calling thread alone. Never changes results, only speed.
//
// The one place where parallel regions are sized. Between regions the workers sleep
// (the Python package loads the OpenMP runtime with OMP_WAIT_POLICY=passive, see
// mlpcore/_openmp.py), so waking them costs a region 15-35 us on Linux; 100 us per
// thread keeps that cost small on a quiet machine, and keeps the small kernels of a
// training step (bias, activation, loss, update) off the second core, where on a busy
// machine a worker that is not scheduled stalls the region for a time slice.
constexpr int64_t kMinWorkPerThread = 100000;
int threads_for(int64_t work);
// One-thread cost estimates for threads_for, measured on an AVX2 core with the data
// in cache (faster cores only make the sizing more cautious):
// multiply-adds of a GEMM, 32 per ns in float32 and 16 in float64;
template <class T>
constexpr int64_t fma_work(int64_t fma) {
  return fma * static_cast<int64_t>(sizeof(T)) / 128;
}
// `elements` of an elementwise kernel at `ns_per_element` (about 1 for an activation or
// an update step, 5 for a softmax or a cross-entropy).
constexpr int64_t element_work(int64_t elements, int64_t ns_per_element) {
  return elements * ns_per_element;
}

// Cooperative interruption (Ctrl-C): long loops call interrupt_requested() between
// blocks of work, on the calling thread and outside parallel regions, and stop by
// throwing Interrupted. It asks the check installed for the calling thread by an
// InterruptScope, at most every kInterruptPollMs; with none installed it is false.
// The Python bindings install one on Python's main thread that runs pending signal
// handlers, so that Ctrl-C raises KeyboardInterrupt within a fraction of a second.
using InterruptCheck = bool (*)();
constexpr int kInterruptPollMs = 100;
class InterruptScope {
 public:
  explicit InterruptScope(InterruptCheck check);  // nullptr: no check in this scope
  ~InterruptScope();
  InterruptScope(const InterruptScope&) = delete;
  InterruptScope& operator=(const InterruptScope&) = delete;

 private:
  InterruptCheck previous_;
};
bool interrupt_requested();
struct Interrupted : std::runtime_error {
  Interrupted() : std::runtime_error("mlpcore: interrupted") {}
};

// True when no element of the rows x cols matrix (element (i, j) at
// data[i * row_stride + j * col_stride]) is NaN or infinite. One threaded read of the
// data, by the bits of each exponent: it never raises a floating-point exception.
template <class T>
bool all_finite(const T* data, int64_t rows, int64_t cols, int64_t row_stride,
                int64_t col_stride);

}  // namespace mlpcore
