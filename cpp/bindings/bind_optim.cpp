// In-place optimizer updates: param, velocity and avg are never converted.
#include <cmath>
#include <optional>
#include <stdexcept>

#include "common.hpp"
#include "mlpcore/optim.hpp"

namespace mlpcore::bind {

namespace {

// An array updated in place: an ndarray (or a DLPack CPU tensor, viewed) of
// float32/float64, writeable.
py::array inplace(const char* kernel, const char* name, py::handle given) {
  py::object obj = array_view(kernel, name, given);
  if (!py::isinstance<py::array>(obj))
    fail<py::type_error>(kernel, std::string(name) +
                                     " must be a numpy array or a DLPack CPU tensor (it is updated "
                                     "in place), got " +
                                     describe_object(obj));
  auto a = py::reinterpret_borrow<py::array>(obj);
  if (!is_f32(a) && !is_f64(a))
    fail<py::type_error>(kernel, std::string(name) + " must be a float32 or float64 array in native byte order, got " +
                                     describe(a));
  return output(kernel, name, a, a.dtype(), shape_of(a));
}

void require_finite(const char* kernel, const char* name, double v) {
  if (!std::isfinite(v))
    fail<py::value_error>(kernel, std::string(name) + " must be finite, got " + std::to_string(v));
}

py::array sgd_step_py(py::handle param_obj, py::handle grad_obj, double lr, double momentum,
                      py::handle velocity_obj, double weight_decay, bool nesterov) {
  const char* kernel = "sgd_step";
  py::array param = inplace(kernel, "param", param_obj);
  py::array grad = float_input(kernel, "grad", grad_obj, param);
  require_same_dtype(kernel, {{"param", &param}, {"grad", &grad}});
  require_shape(kernel, "grad", grad, shape_of(param));
  require_finite(kernel, "lr", lr);
  require_finite(kernel, "momentum", momentum);
  require_finite(kernel, "weight_decay", weight_decay);
  if (nesterov && momentum == 0.0)
    fail<py::value_error>(kernel, "nesterov=True needs a non-zero momentum");
  require_no_overlap(kernel, "param", param, {{"grad", &grad}});
  std::optional<py::array> velocity;  // a default py::array is empty, not "none"
  if (momentum != 0.0) {
    if (velocity_obj.is_none())
      fail<py::value_error>(kernel, "momentum != 0 needs a velocity array of param's shape "
                                    "(e.g. numpy.zeros_like(param)), got None");
    velocity = output(kernel, "velocity", velocity_obj, param.dtype(), shape_of(param));
    require_no_overlap(kernel, "velocity", *velocity, {{"param", &param}, {"grad", &grad}});
  }
  grad = contiguous(grad);
  by_dtype(param, [&](auto tag) {
    using T = decltype(tag);
    T *pp = ptr<T>(param), *vp = velocity ? ptr<T>(*velocity) : nullptr;
    const T* gp = ptr<T>(grad);
    int64_t n = param.size();
    Compute compute;
    sgd_step<T>(pp, gp, vp, n, lr, momentum, weight_decay, nesterov);
  });
  return param;
}

py::array average_step_py(py::handle avg_obj, py::handle param_obj, py::handle n_obj) {
  const char* kernel = "average_step";
  py::array avg = inplace(kernel, "avg", avg_obj);
  py::array param = float_input(kernel, "param", param_obj, avg);
  require_same_dtype(kernel, {{"avg", &avg}, {"param", &param}});
  require_shape(kernel, "param", param, shape_of(avg));
  if (!py::isinstance<py::int_>(n_obj) && !py::hasattr(n_obj, "__index__"))
    fail<py::type_error>(kernel, "n must be an int, got " + describe_object(n_obj));
  py::object n_int = py::reinterpret_borrow<py::object>(n_obj).attr("__index__")();
  int overflow = 0;
  long long n = PyLong_AsLongLongAndOverflow(n_int.ptr(), &overflow);
  if (overflow || (n == -1 && PyErr_Occurred())) {
    PyErr_Clear();
    fail<std::overflow_error>(kernel, "n must fit in a signed 64-bit integer, got " +
                                         py::str(n_int).cast<std::string>());
  }
  if (n < 0) fail<py::value_error>(kernel, "n must be >= 0, got " + std::to_string(n));
  require_no_overlap(kernel, "avg", avg, {{"param", &param}});
  param = contiguous(param);
  by_dtype(avg, [&](auto tag) {
    using T = decltype(tag);
    T* ap = ptr<T>(avg);
    const T* pp = ptr<T>(param);
    int64_t size = avg.size();
    Compute compute;
    average_step<T>(ap, pp, size, n);
  });
  return avg;
}

}  // namespace

void init_optim(py::module_& m) {
  m.def("sgd_step", &sgd_step_py, py::arg("param"), py::arg("grad"), py::arg("lr"),
        py::kw_only(), py::arg("momentum") = 0.0, py::arg("velocity") = py::none(),
        py::arg("weight_decay") = 0.0, py::arg("nesterov") = false,
        R"doc(One SGD step in place (PyTorch's rule); returns param.

g = grad + weight_decay param; with momentum: velocity = momentum velocity + g and
g = g + momentum velocity (nesterov) or velocity; then param -= lr g.
param (and velocity) must be C-contiguous, writeable and of grad's dtype.
Tolerance to reference.sgd_step: 1 ulp per operation.)doc");
  m.def("average_step", &average_step_py, py::arg("avg"), py::arg("param"), py::arg("n"),
        R"doc(Polyak-Ruppert averaging in place: avg = n/(n+1) avg + param/(n+1); returns avg.

After the steps n = 0, 1, ..., avg is the running mean of the params given.)doc");
}

}  // namespace mlpcore::bind
