// Thread count, SIMD path and build information.
#include <omp.h>

#include "common.hpp"
#include "mlpcore/runtime.hpp"

namespace mlpcore::bind {

static py::list available_isas() {
  py::list names;
  for (Isa isa : {Isa::generic, Isa::avx2, Isa::avx512})
    if (isa_supported(isa)) names.append(isa_name(isa));
  return names;
}

static std::string compiler() {
#if defined(__clang__)
  return "clang " __clang_version__;
#elif defined(__GNUC__)
  return "gcc " __VERSION__;
#elif defined(_MSC_VER)
  return "msvc " + std::to_string(_MSC_FULL_VER);
#else
  return "unknown";
#endif
}

template <class T>
static bool all_finite_of(const py::array& a) {
  const int64_t item = static_cast<int64_t>(sizeof(T));
  const int64_t rows = a.ndim() == 2 ? a.shape(0) : 1;
  const int64_t cols = a.ndim() == 2 ? a.shape(1) : a.shape(0);
  const int64_t rs = a.ndim() == 2 ? a.strides(0) / item : 0;
  const int64_t cs = a.strides(a.ndim() - 1) / item;
  const T* data = static_cast<const T*>(a.data());
  Compute compute;
  return all_finite(data, rows, cols, rs, cs);
}

void init_runtime(py::module_& m) {
  m.def(
      "_all_finite",
      [](py::array given) {
        const char* kernel = "_all_finite";
        py::array a = is_aligned(given) ? given : native_input(given);
        if (!is_f32(a) && !is_f64(a))
          fail<py::type_error>(kernel, "a must be a float32 or float64 array in native byte order, got " + describe(a));
        if (a.ndim() != 1 && a.ndim() != 2)
          fail<py::value_error>(kernel, "a must be 1-D or 2-D, got " + describe(a));
        for (py::ssize_t i = 0; i < a.ndim(); ++i)
          if (a.strides(i) % a.itemsize() != 0)
            fail<py::value_error>(kernel, "a must have strides that are multiples of its item size");
        if (a.size() == 0) return true;
        return is_f32(a) ? all_finite_of<float>(a) : all_finite_of<double>(a);
      },
      py::arg("a"), "True when no element of a (1-D or 2-D, float32 or float64) is NaN or infinite.");
  m.def("get_num_threads", &get_num_threads,
        R"doc(The number of threads the kernels called from this thread use.

The calling thread's own count where it has one (set_thread_num_threads), else the
process-wide count (set_num_threads) capped by OpenMP's setting (e.g.
OMP_NUM_THREADS), by default OpenMP's; always 1 in a process made by fork(), where the
parent's threads are gone.

Returns
-------
int
    The thread count.

Examples
--------
>>> import mlpcore
>>> mlpcore.get_num_threads() >= 1
True
)doc");
  m.def(
      "set_num_threads",
      [](py::object n) {
        if (!py::isinstance<py::int_>(n) || py::isinstance<py::bool_>(n))
          fail<py::type_error>("set_num_threads", "n must be an int, got " + describe_object(n));
        long long v = n.cast<long long>();
        if (v < 1 || v > 4096)
          fail<py::value_error>("set_num_threads",
                                "n must be between 1 and 4096, got " + std::to_string(v));
        set_num_threads(static_cast<int>(v));
      },
      py::arg("n"),
      R"doc(Set the number of threads the kernels use, for the whole process.

Results do not depend on it: reductions run in a fixed order. A thread's own count
(set_thread_num_threads) takes precedence in that thread. See also num_threads, which
restores the previous count.

Parameters
----------
n : int
    The thread count, from 1 to 4096.

Examples
--------
>>> import mlpcore
>>> previous = mlpcore.get_num_threads()
>>> mlpcore.set_num_threads(1)
>>> mlpcore.get_num_threads()
1
>>> mlpcore.set_num_threads(previous)
)doc");
  m.def(
      "_get_process_num_threads",
      []() {
        ThreadCountScope process_wide(0);  // the calling thread's own count set aside
        return get_num_threads();
      },
      "get_num_threads() as the calling thread would see it without a count of its own "
      "(what num_threads(n) restores).");
  m.def("get_thread_num_threads", &get_thread_num_threads,
        R"doc(The calling thread's own thread count, 0 when it has none.

A thread's own count (set_thread_num_threads, num_threads(n, scope="thread")) takes
precedence over the process-wide count for the kernels that thread calls; without one,
the thread uses the process-wide count (get_num_threads).

Returns
-------
int
    The calling thread's count, or 0.

Examples
--------
>>> import mlpcore
>>> with mlpcore.num_threads(2, scope="thread"):
...     print(mlpcore.get_thread_num_threads())
2
>>> mlpcore.get_thread_num_threads()
0
)doc");
  m.def(
      "set_thread_num_threads",
      [](py::object n) {
        if (!py::isinstance<py::int_>(n) || py::isinstance<py::bool_>(n))
          fail<py::type_error>("set_thread_num_threads",
                               "n must be an int, got " + describe_object(n));
        long long v = n.cast<long long>();
        if (v < 0 || v > 4096)
          fail<py::value_error>("set_thread_num_threads",
                                "n must be between 0 and 4096, got " + std::to_string(v));
        set_thread_num_threads(static_cast<int>(v));
      },
      py::arg("n"),
      R"doc(Set the number of threads of the kernels called from the calling thread only.

It takes precedence over the process-wide count (set_num_threads) in this thread and
changes nothing for other threads. It is an explicit request: OpenMP's setting
(OMP_NUM_THREADS, threadpoolctl's limits) does not cap it. In a process made by
fork() the kernels still use 1 thread. See also num_threads(n, scope="thread"), which
restores the previous count.

Parameters
----------
n : int
    The thread count, from 1 to 4096; 0 clears the thread's own count, so that the
    process-wide count applies again.

Examples
--------
>>> import mlpcore
>>> mlpcore.set_thread_num_threads(2)
>>> mlpcore.get_num_threads(), mlpcore.get_thread_num_threads()
(2, 2)
>>> mlpcore.set_thread_num_threads(0)
>>> mlpcore.get_thread_num_threads()
0
)doc");
  m.def(
      "_set_isa",
      [](const std::string& name) {
        Isa isa;
        if (!isa_from_name(name.c_str(), &isa))
          fail<py::value_error>("_set_isa", "unknown SIMD path '" + name +
                                                "', expected generic, avx2 or avx512");
        if (!isa_supported(isa))
          fail<py::value_error>("_set_isa", "SIMD path '" + name + "' is not supported here");
        set_active_isa(isa);
      },
      py::arg("name"), "Selects the SIMD path (tests compare the paths with it).");
  m.def("_available_isas", &available_isas, "The SIMD paths this CPU and build support.");
  m.def(
      "_build_info",
      []() {
        py::dict info;
        info["version"] = MLPCORE_VERSION;
        info["compiler"] = compiler();
#if defined(__clang__)
        info["openmp"] = "OpenMP " + std::to_string(_OPENMP) + " (libomp)";
#elif defined(_MSC_VER)
        info["openmp"] = "OpenMP " + std::to_string(_OPENMP) + " (vcomp)";
#else
        info["openmp"] = "OpenMP " + std::to_string(_OPENMP) + " (libgomp)";
#endif
        info["num_threads"] = get_num_threads();
        info["max_threads"] = omp_get_max_threads();
        info["isa"] = isa_name(active_isa());
        info["isas_available"] = available_isas();
        return info;
      },
      "Version, compiler, OpenMP, threads and SIMD paths of this build.");
}

}  // namespace mlpcore::bind
