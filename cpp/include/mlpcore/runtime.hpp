// Run-time settings shared by every kernel: the SIMD path and the thread count.
#pragma once
#include <cstdint>

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

// Threads used by the OpenMP loops of every kernel: the count set here, capped by
// OpenMP's setting in the calling thread (omp_get_max_threads(): OMP_NUM_THREADS,
// threadpoolctl); by default OpenMP's setting alone.
int get_num_threads();
void set_num_threads(int n);  // n >= 1; also sets OpenMP's count in the calling thread
// Threads worth using for `work` units of roughly `unit_cost` flops each: small
// problems stay on one thread. Never changes results, only speed.
int threads_for(int64_t work, int64_t min_work_per_thread);

// True when no element of the rows x cols matrix (element (i, j) at
// data[i * row_stride + j * col_stride]) is NaN or infinite. One threaded read of the
// data, by the bits of each exponent: it never raises a floating-point exception.
template <class T>
bool all_finite(const T* data, int64_t rows, int64_t cols, int64_t row_stride,
                int64_t col_stride);

}  // namespace mlpcore
