// Checking of the arrays that enter C++ from Python: the one place where inputs
// are validated, converted (inputs only) and turned into non-owning views.
#pragma once
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <cstdint>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "mlpcore/matrix.hpp"
#include "mlpcore/nn.hpp"
#include "mlpcore/runtime.hpp"

namespace mlpcore::bind {

namespace py = pybind11;

// "int64 of shape (3,)", for messages.
std::string describe(const py::array& a);
std::string describe_object(py::handle obj);

// Throws the Python exception type E with "[kernel] message".
template <class E>
[[noreturn]] void fail(const char* kernel, const std::string& message) {
  throw E("[" + std::string(kernel) + "] " + message);
}

// Whether NumPy marks a aligned (every element at a multiple of its item size).
bool is_aligned(const py::array& a);
// a in native byte order and aligned: a itself, or a copy that is.
py::array native_input(const py::array& a);
bool is_f32(const py::array& a);
bool is_f64(const py::array& a);
bool same_dtype(const py::dtype& a, const py::dtype& b);

// obj itself, or for a non-NumPy object that exports DLPack (a CPU tensor of PyTorch,
// JAX, ...) a NumPy view of its memory: no copy, and writes reach the tensor.
py::object array_view(const char* kernel, const char* name, py::handle obj);

// A float32/float64 input. An ndarray (or DLPack view) of another dtype is a TypeError;
// other array-likes (lists, objects with __array__) go through numpy.asarray, and
// integer or bool values become `like`'s dtype (float64 when like is None).
py::array float_input(const char* kernel, const char* name, py::handle obj,
                      py::handle like = py::none());
// Two float matrices a (m x k) and b (k x n) of one dtype that chain, usable as
// strided views: the operands of a matrix product.
std::pair<py::array, py::array> chained_matrices(const char* kernel, const char* a_name,
                                                 const char* b_name, py::handle a_obj,
                                                 py::handle b_obj);
// TypeError unless every array has the dtype of the first.
void require_same_dtype(const char* kernel,
                        std::initializer_list<std::pair<const char*, const py::array*>> arrays);
void require_ndim(const char* kernel, const char* name, const py::array& a, int ndim);
void require_shape(const char* kernel, const char* name, const py::array& a,
                   const std::vector<int64_t>& shape);
std::string shape_string(const std::vector<int64_t>& shape);
std::vector<int64_t> shape_of(const py::array& a);

// A new C-contiguous array of this dtype and shape for a kernel's output. Refuses, before
// allocating anything, a shape whose byte size overflows 64-bit arithmetic (OverflowError,
// e.g. matmul of zero-stride views of shapes (2^40, 1) and (1, 2^40)); a size that fits but
// cannot be allocated is a MemoryError that names the kernel.
py::array allocate(const char* kernel, const char* name, const py::dtype& dtype,
                   const std::vector<int64_t>& shape);

// An array the kernel writes into: None allocates a C-contiguous one; otherwise it
// must already be an ndarray of exactly this dtype and shape, writeable, and
// C-contiguous when contiguous is true. Never converted: an update into a copy
// would be lost.
py::array output(const char* kernel, const char* name, py::handle obj, const py::dtype& dtype,
                 const std::vector<int64_t>& shape, bool contiguous = true);
// ValueError if `out` shares memory with any input (by address range), except
// when identical_ok and the input is exactly the same view.
void require_no_overlap(const char* kernel, const char* out_name, const py::array& out,
                        std::initializer_list<std::pair<const char*, const py::array*>> inputs,
                        bool identical_ok = false);

// Where a kernel writes an output: the output itself when its layout suits the
// kernel, else a C-contiguous temporary that finish() copies into it. Any
// writeable layout of `out` is thus accepted; only in-place updates (sgd_step,
// average_step) require C-contiguous arrays.
struct Staged {
  py::array out, work;
  Staged(py::array target, bool layout_fits);
  void finish() const;
};
bool c_contiguous(const py::array& a);
// Rows with unit column stride (any row stride): what the row kernels write.
bool rows_contiguous(const py::array& a);

// A C-contiguous version of an input (a copy only when it is not already).
py::array contiguous(const py::array& a);
// An input usable as a strided view: a copy only when a stride is not a multiple of
// the item size (views into structured arrays).
py::array element_strides(const py::array& a);
// An input whose rows have unit column stride (a copy otherwise), for row kernels.
py::array unit_column_stride(const py::array& a);

Reduction parse_reduction(const char* kernel, py::handle reduction);
Activation parse_activation(const char* kernel, py::handle name);
// The index of `name` in a registry of names (kLossNames, ...), or a ValueError
// "<what> must be 'a', 'b' or 'c', got '<name>'".
int parse_name(const char* kernel, const char* what, const char* const* names, size_t count,
               const std::string& name);
template <class E, size_t N>
E parse_name(const char* kernel, const char* what, const char* const (&names)[N],
             const std::string& name) {
  return static_cast<E>(parse_name(kernel, what, names, N, name));
}
// A registry of names as the tuple exported to Python (_core.ACTIVATIONS, ...).
template <size_t N>
py::tuple names_tuple(const char* const (&names)[N]) {
  py::tuple t(N);
  for (size_t i = 0; i < N; ++i) t[i] = py::str(names[i]);
  return t;
}

template <class T>
MatView<T> matrix(const py::array& a) {
  const int64_t item = static_cast<int64_t>(sizeof(T));
  return {static_cast<T*>(const_cast<void*>(a.data())), a.shape(0), a.shape(1),
          a.strides(0) / item, a.strides(1) / item};
}
template <class T>
MatView<const T> cmatrix(const py::array& a) {
  MatView<T> m = matrix<T>(a);
  return {m.data, m.rows, m.cols, m.rs, m.cs};
}
template <class T>
T* ptr(const py::array& a) {
  return static_cast<T*>(const_cast<void*>(a.data()));
}

// Calls f(float{}) or f(double{}) by the dtype of a, which the caller has checked to be
// native float32 or float64; anything else is refused rather than read as double.
template <class F>
decltype(auto) by_dtype(const py::array& a, F&& f) {
  if (is_f32(a)) return f(float{});
  if (!is_f64(a))
    throw std::logic_error("mlpcore: unchecked array of " + describe(a) + " reached a kernel");
  return f(double{});
}

// While a kernel runs: the GIL released and, on Python's main thread, a check for
// pending signals (Ctrl-C) between blocks of work. A handler that raises (SIGINT's
// KeyboardInterrupt) stops the kernel, and its exception reaches the caller.
class Compute {
 public:
  Compute();

 private:
  InterruptScope interrupts_;       // set up first, torn down last, with the GIL held
  py::gil_scoped_release release_;
};
// At import: the thread whose kernels look for signals, and the translation of
// mlpcore::Interrupted into the pending Python exception.
void init_interrupts();

void init_runtime(py::module_& m);
void init_gemm(py::module_& m);
void init_nn(py::module_& m);
void init_optim(py::module_& m);
void init_train(py::module_& m);
void init_io(py::module_& m);

}  // namespace mlpcore::bind
