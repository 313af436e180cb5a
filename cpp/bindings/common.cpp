#include "common.hpp"

#include <algorithm>
#include <cstdint>
#include <sstream>
#include <stdexcept>

namespace mlpcore::bind {

std::vector<int64_t> shape_of(const py::array& a) {
  return std::vector<int64_t>(a.shape(), a.shape() + a.ndim());
}

std::string shape_string(const std::vector<int64_t>& shape) {
  std::ostringstream s;
  s << "(";
  for (size_t i = 0; i < shape.size(); ++i) s << (i ? ", " : "") << shape[i];
  s << (shape.size() == 1 ? ",)" : ")");
  return s.str();
}

std::string describe(const py::array& a) {
  return py::str(a.dtype()).cast<std::string>() + " of shape " + shape_string(shape_of(a));
}

std::string describe_object(py::handle obj) {
  if (py::isinstance<py::array>(obj)) return "an array of " + describe(obj.cast<py::array>());
  return "an object of type " + py::str(py::type::of(obj).attr("__name__")).cast<std::string>();
}

// By value, not identity: unpickled and memory-mapped arrays carry their own dtype
// objects. Byte-swapped data is not float32/float64 here.
bool is_f32(const py::array& a) { return py::isinstance<py::array_t<float>>(a); }
bool is_f64(const py::array& a) { return py::isinstance<py::array_t<double>>(a); }
bool same_dtype(const py::dtype& a, const py::dtype& b) { return a.equal(b); }

static bool is_float(const py::array& a) {
  return a.dtype().kind() == 'f' && (a.itemsize() == 4 || a.itemsize() == 8);
}

// '>' or '<' naming the other byte order than this machine's ('=' and '|' are native).
static bool foreign_byte_order(const py::dtype& dtype) {
  const char order = dtype.attr("byteorder").cast<std::string>()[0];
  constexpr char foreign = __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? '>' : '<';
  return order == foreign;
}

bool is_aligned(const py::array& a) {
  return (a.flags() & py::detail::npy_api::NPY_ARRAY_ALIGNED_) != 0;
}

// A float input of the other byte order becomes a native copy: the kernels read
// native floats only (reading swapped bytes as numbers gives garbage, and taking a
// '>f4' for a float64 overruns its buffer). A misaligned one (a buffer at an odd
// address, as np.frombuffer(..., offset=1) or a deserialized message gives) becomes
// an aligned copy: the kernels load whole floats from aligned addresses.
static py::array native_order(const py::array& a) {
  if (foreign_byte_order(a.dtype())) {
    py::object native = a.dtype().attr("newbyteorder")("=");
    return a.attr("astype")(native).cast<py::array>();
  }
  if (!is_aligned(a)) return a.attr("copy")("K").cast<py::array>();  // the same layout
  return a;
}

py::array native_input(const py::array& a) { return native_order(a); }

py::object array_view(const char* kernel, const char* name, py::handle obj) {
  if (py::isinstance<py::array>(obj)) return py::reinterpret_borrow<py::object>(obj);
  // scipy.sparse matrices and arrays (numpy.asarray would make a 0-d object array).
  if (py::hasattr(obj, "tocsr") && py::hasattr(obj, "nnz"))
    fail<py::type_error>(kernel, std::string(name) + " is a sparse matrix (" +
                                     describe_object(obj) + "); the kernels take dense arrays: "
                                     "pass .toarray()");
  if (!py::hasattr(obj, "__dlpack__")) return py::reinterpret_borrow<py::object>(obj);
  try {
    return py::module_::import("numpy").attr("from_dlpack")(obj);
  } catch (py::error_already_set& e) {
    fail<py::type_error>(kernel, std::string(name) + " (" + describe_object(obj) +
                                     ") cannot be viewed through DLPack: " +
                                     py::str(e.value()).cast<std::string>());
  }
}

py::array float_input(const char* kernel, const char* name, py::handle given, py::handle like) {
  py::object obj = array_view(kernel, name, given);
  if (py::isinstance<py::array>(obj)) {
    auto a = py::reinterpret_borrow<py::array>(obj);
    if (!is_float(a))
      fail<py::type_error>(kernel, std::string(name) + " must be a float32 or float64 array, got " +
                                       describe(a));
    return native_order(a);
  }
  if (obj.is_none())
    fail<py::type_error>(kernel, std::string(name) + " must be an array, got None");
  py::module_ np = py::module_::import("numpy");
  py::array a;
  try {
    a = np.attr("asarray")(obj).cast<py::array>();
  } catch (py::error_already_set&) {
    fail<py::type_error>(kernel, std::string(name) + " must be array-like, got " +
                                     describe_object(obj));
  }
  if (is_float(a)) return native_order(a);
  char kind = a.dtype().kind();
  if (kind == 'b' || kind == 'i' || kind == 'u') {
    py::object dtype = like.is_none() ? py::object(py::dtype::of<double>())
                                      : py::object(like.attr("dtype"));
    return a.attr("astype")(dtype).cast<py::array>();
  }
  fail<py::type_error>(kernel, std::string(name) +
                                   " must hold float32 or float64 numbers, got " + describe(a));
}

void require_same_dtype(const char* kernel,
                        std::initializer_list<std::pair<const char*, const py::array*>> arrays) {
  const auto& first = *arrays.begin();
  for (const auto& [name, a] : arrays) {
    if (!same_dtype(a->dtype(), first.second->dtype()))
      fail<py::type_error>(kernel, std::string(name) + " must have the dtype of " + first.first +
                                       " (" + py::str(first.second->dtype()).cast<std::string>() +
                                       "), got " + describe(*a));
  }
}

void require_ndim(const char* kernel, const char* name, const py::array& a, int ndim) {
  if (a.ndim() != ndim)
    fail<py::value_error>(kernel, std::string(name) + " must be a " + std::to_string(ndim) +
                                      "-D array, got " + describe(a));
}

void require_shape(const char* kernel, const char* name, const py::array& a,
                   const std::vector<int64_t>& shape) {
  if (shape_of(a) != shape)
    fail<py::value_error>(kernel, std::string(name) + " must have shape " + shape_string(shape) +
                                      ", got " + describe(a));
}

std::pair<py::array, py::array> chained_matrices(const char* kernel, const char* a_name,
                                                 const char* b_name, py::handle a_obj,
                                                 py::handle b_obj) {
  py::array a = float_input(kernel, a_name, a_obj);
  py::array b = float_input(kernel, b_name, b_obj, a);
  require_same_dtype(kernel, {{a_name, &a}, {b_name, &b}});
  require_ndim(kernel, a_name, a, 2);
  require_ndim(kernel, b_name, b, 2);
  if (a.shape(1) != b.shape(0))
    fail<py::value_error>(kernel, std::string(a_name) + " has " + std::to_string(a.shape(1)) +
                                      " columns but " + b_name + " has " +
                                      std::to_string(b.shape(0)) + " rows (" + a_name + " is " +
                                      describe(a) + ", " + b_name + " is " + describe(b) + ")");
  return {element_strides(a), element_strides(b)};
}

py::array allocate(const char* kernel, const char* name, const py::dtype& dtype,
                   const std::vector<int64_t>& shape) {
  // bytes = itemsize * prod(shape) must fit in a (signed) 64-bit size, as NumPy requires.
  int64_t bytes = static_cast<int64_t>(dtype.itemsize());
  bool overflow = false;
  for (int64_t dim : shape) {
    if (dim < 0) fail<py::value_error>(kernel, std::string(name) + " would have a negative "
                                                   "dimension in shape " + shape_string(shape));
    if (dim == 0) return py::array(dtype, shape);  // empty: nothing to allocate
    if (overflow || dim > INT64_MAX / bytes) overflow = true;  // bytes, dim > 0
    else bytes *= dim;
  }
  if (overflow)
    fail<std::overflow_error>(kernel, std::string(name) + " would have shape " +
                                         shape_string(shape) + ", whose size in bytes overflows "
                                         "64-bit arithmetic: refused before allocating");
  try {
    return py::array(dtype, shape);
  } catch (py::error_already_set& e) {
    if (!e.matches(PyExc_MemoryError)) throw;
  }
  std::string message = "[" + std::string(kernel) + "] cannot allocate " + name + " of shape " +
                        shape_string(shape) + " (" + std::to_string(bytes) + " bytes)";
  PyErr_SetString(PyExc_MemoryError, message.c_str());
  throw py::error_already_set();
}

py::array output(const char* kernel, const char* name, py::handle given, const py::dtype& dtype,
                 const std::vector<int64_t>& shape, bool contiguous) {
  if (given.is_none()) return allocate(kernel, name, dtype, shape);
  py::object obj = array_view(kernel, name, given);
  if (!py::isinstance<py::array>(obj))
    fail<py::type_error>(kernel, std::string(name) + " must be a numpy array (or a DLPack "
                                     "tensor on the CPU) of dtype " +
                                     py::str(dtype).cast<std::string>() + ", got " +
                                     describe_object(obj));
  auto a = py::reinterpret_borrow<py::array>(obj);
  if (foreign_byte_order(a.dtype()))
    fail<py::type_error>(kernel, std::string(name) + " must be in this machine's byte order "
                                     "(the kernel writes native " +
                                     py::str(dtype).cast<std::string>() + "), got " + describe(a));
  if (!same_dtype(a.dtype(), dtype))
    fail<py::type_error>(kernel, std::string(name) + " must have dtype " +
                                     py::str(dtype).cast<std::string>() + ", got " + describe(a));
  if (shape_of(a) != shape)
    fail<py::value_error>(kernel, std::string(name) + " must have shape " + shape_string(shape) +
                                      ", got " + describe(a));
  if (!a.writeable())
    fail<py::value_error>(kernel, std::string(name) + " must be writeable, got a read-only array");
  if (!is_aligned(a))
    fail<py::value_error>(kernel, std::string(name) + " must be aligned (its address a multiple "
                                      "of its item size), got a misaligned view");
  // Several elements at one address (a broadcast view) would be written by several
  // threads at once.
  for (py::ssize_t i = 0; i < a.ndim() && a.size() > 0; ++i)
    if (a.strides(i) == 0 && a.shape(i) > 1)
      fail<py::value_error>(kernel, std::string(name) +
                                        " must not repeat elements (it has a zero stride)");
  if (contiguous && !(a.flags() & py::array::c_style))
    fail<py::value_error>(kernel, std::string(name) + " must be C-contiguous, got strides " +
                                      shape_string(std::vector<int64_t>(
                                          a.strides(), a.strides() + a.ndim())));
  for (py::ssize_t i = 0; i < a.ndim(); ++i)
    if (a.strides(i) % a.itemsize() != 0)
      fail<py::value_error>(kernel, std::string(name) + " must have strides that are multiples "
                                                        "of its item size");
  return a;
}

// The byte range [lo, hi) that an array's elements occupy; empty for size 0.
static std::pair<uintptr_t, uintptr_t> extent(const py::array& a) {
  if (a.size() == 0) return {0, 0};
  auto lo = reinterpret_cast<uintptr_t>(a.data()), hi = lo;
  for (py::ssize_t i = 0; i < a.ndim(); ++i) {
    py::ssize_t span = (a.shape(i) - 1) * a.strides(i);
    (span < 0 ? lo : hi) += span;
  }
  return {lo, hi + a.itemsize()};
}

static bool same_view(const py::array& a, const py::array& b) {
  return a.data() == b.data() && shape_of(a) == shape_of(b) &&
         std::equal(a.strides(), a.strides() + a.ndim(), b.strides());
}

void require_no_overlap(const char* kernel, const char* out_name, const py::array& out,
                        std::initializer_list<std::pair<const char*, const py::array*>> inputs,
                        bool identical_ok) {
  auto [olo, ohi] = extent(out);
  for (const auto& [name, in] : inputs) {
    auto [ilo, ihi] = extent(*in);
    if (olo < ihi && ilo < ohi && !(identical_ok && same_view(out, *in)))
      fail<py::value_error>(kernel, std::string(out_name) + " must not share memory with " +
                                        name + (identical_ok ? " (except being exactly it)" : ""));
  }
}

Staged::Staged(py::array target, bool layout_fits) : out(target), work(target) {
  if (!layout_fits) work = py::array(out.dtype(), shape_of(out));
}

void Staged::finish() const {
  if (!work.is(out)) py::module_::import("numpy").attr("copyto")(out, work);
}

bool c_contiguous(const py::array& a) { return (a.flags() & py::array::c_style) != 0; }

bool rows_contiguous(const py::array& a) {
  return a.ndim() == 2 && (a.shape(1) <= 1 || a.strides(1) == a.itemsize()) &&
         a.strides(0) % a.itemsize() == 0;
}

py::array contiguous(const py::array& a) {
  if (a.flags() & py::array::c_style) return a;
  return py::module_::import("numpy").attr("ascontiguousarray")(a).cast<py::array>();
}

py::array element_strides(const py::array& a) {
  for (py::ssize_t i = 0; i < a.ndim(); ++i)
    if (a.strides(i) % a.itemsize() != 0)
      return py::module_::import("numpy").attr("ascontiguousarray")(a).cast<py::array>();
  return a;
}

py::array unit_column_stride(const py::array& a) {
  if (rows_contiguous(a)) return a;
  return py::module_::import("numpy").attr("ascontiguousarray")(a).cast<py::array>();
}

namespace {
unsigned long g_main_thread = 0;  // PyThread_get_thread_ident() of Python's main thread

// Runs Python's pending signal handlers; true when one raised. The exception stays
// set in this thread until Interrupted reaches pybind11's translator below.
bool python_signal_raised() {
  py::gil_scoped_acquire gil;
  return PyErr_CheckSignals() != 0;
}
}  // namespace

Compute::Compute()
    : interrupts_(PyThread_get_thread_ident() == g_main_thread ? python_signal_raised : nullptr) {}

void init_interrupts() {
  g_main_thread = py::module_::import("threading")
                      .attr("main_thread")()
                      .attr("ident")
                      .cast<unsigned long>();
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const Interrupted&) {
      if (!PyErr_Occurred()) PyErr_SetNone(PyExc_KeyboardInterrupt);
    }
  });
}

Reduction parse_reduction(const char* kernel, py::handle reduction) {
  if (!py::isinstance<py::str>(reduction))
    fail<py::type_error>(kernel, "reduction must be 'mean' or 'sum', got " +
                                     describe_object(reduction));
  const std::string name = reduction.cast<std::string>();
  if (name == "mean") return Reduction::mean;
  if (name == "sum") return Reduction::sum;
  fail<py::value_error>(kernel, "reduction must be 'mean' or 'sum', got '" + name + "'");
}

Activation parse_activation(const char* kernel, py::handle name) {
  if (!py::isinstance<py::str>(name))
    fail<py::type_error>(kernel, "activation must be a string, got " + describe_object(name));
  std::string s = name.cast<std::string>();
  Activation act;
  if (!activation_from_name(s.c_str(), &act))
    fail<py::value_error>(kernel, "unknown activation '" + s + "', expected one of " +
                                      activation_names());
  return act;
}

int parse_name(const char* kernel, const char* what, const char* const* names, size_t count,
               const std::string& name) {
  std::string expected;
  for (size_t i = 0; i < count; ++i) {
    if (name == names[i]) return int(i);
    expected += (i == 0 ? "'" : i + 1 < count ? ", '" : " or '") + std::string(names[i]) + "'";
  }
  fail<py::value_error>(kernel,
                        std::string(what) + " must be " + expected + ", got '" + name + "'");
}

}  // namespace mlpcore::bind
