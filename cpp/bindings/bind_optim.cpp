// In-place optimizer updates: param, velocity, m, v and avg are never converted.
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

// A Python int (or an object with __index__) as int64_t.
int64_t int64_arg(const char* kernel, const char* name, py::handle obj) {
  if (!py::isinstance<py::int_>(obj) && !py::hasattr(obj, "__index__"))
    fail<py::type_error>(kernel, std::string(name) + " must be an int, got " +
                                     describe_object(obj));
  py::object as_int = py::reinterpret_borrow<py::object>(obj).attr("__index__")();
  int overflow = 0;
  long long v = PyLong_AsLongLongAndOverflow(as_int.ptr(), &overflow);
  if (overflow || (v == -1 && PyErr_Occurred())) {
    PyErr_Clear();
    fail<std::overflow_error>(kernel, std::string(name) +
                                          " must fit in a signed 64-bit integer, got " +
                                          py::str(as_int).cast<std::string>());
  }
  return v;
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

// A moment array of Adam: state the caller keeps, so never allocated here.
py::array moment(const char* kernel, const char* name, py::handle obj, const py::array& param) {
  if (obj.is_none())
    fail<py::type_error>(kernel, std::string(name) + " must be an array of param's shape and "
                                     "dtype (e.g. numpy.zeros_like(param)), got None");
  return output(kernel, name, obj, param.dtype(), shape_of(param));
}

py::array adam_step_py(py::handle param_obj, py::handle grad_obj, double lr, py::handle m_obj,
                       py::handle v_obj, py::handle step_obj, double beta1, double beta2,
                       double eps, double weight_decay) {
  const char* kernel = "adam_step";
  py::array param = inplace(kernel, "param", param_obj);
  py::array grad = float_input(kernel, "grad", grad_obj, param);
  require_same_dtype(kernel, {{"param", &param}, {"grad", &grad}});
  require_shape(kernel, "grad", grad, shape_of(param));
  const int64_t step = int64_arg(kernel, "step", step_obj);
  if (step < 1)
    fail<py::value_error>(kernel, "step must be >= 1 (the count of this update, from 1), got " +
                                      std::to_string(step));
  require_finite(kernel, "lr", lr);
  require_finite(kernel, "beta1", beta1);
  require_finite(kernel, "beta2", beta2);
  require_finite(kernel, "eps", eps);
  require_finite(kernel, "weight_decay", weight_decay);
  if (!(beta1 >= 0.0 && beta1 < 1.0))
    fail<py::value_error>(kernel, "beta1 must be in [0, 1), got " + std::to_string(beta1));
  if (!(beta2 >= 0.0 && beta2 < 1.0))
    fail<py::value_error>(kernel, "beta2 must be in [0, 1), got " + std::to_string(beta2));
  if (eps < 0.0) fail<py::value_error>(kernel, "eps must be >= 0, got " + std::to_string(eps));
  require_no_overlap(kernel, "param", param, {{"grad", &grad}});
  py::array m = moment(kernel, "m", m_obj, param);
  require_no_overlap(kernel, "m", m, {{"param", &param}, {"grad", &grad}});
  py::array v = moment(kernel, "v", v_obj, param);
  require_no_overlap(kernel, "v", v, {{"param", &param}, {"grad", &grad}, {"m", &m}});
  grad = contiguous(grad);
  by_dtype(param, [&](auto tag) {
    using T = decltype(tag);
    T *pp = ptr<T>(param), *mp = ptr<T>(m), *vp = ptr<T>(v);
    const T* gp = ptr<T>(grad);
    int64_t n = param.size();
    Compute compute;
    adam_step<T>(pp, gp, mp, vp, n, step, lr, beta1, beta2, eps, weight_decay);
  });
  return param;
}

py::array average_step_py(py::handle avg_obj, py::handle param_obj, py::handle n_obj) {
  const char* kernel = "average_step";
  py::array avg = inplace(kernel, "avg", avg_obj);
  py::array param = float_input(kernel, "param", param_obj, avg);
  require_same_dtype(kernel, {{"avg", &avg}, {"param", &param}});
  require_shape(kernel, "param", param, shape_of(avg));
  const int64_t n = int64_arg(kernel, "n", n_obj);
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
        R"doc(One SGD step in place, with PyTorch's rule (dampening 0).

g = grad + weight_decay param; with momentum: velocity = momentum velocity + g and
g = g + momentum velocity (nesterov) or velocity; then param -= lr g.
Tolerance against mlpcore.reference.sgd_step: rtol 1e-14 (float64) or 1e-6 (float32)
of ``|param| + |lr g|``, the terms before their cancellation.

Parameters
----------
param : ndarray
    Parameters updated in place: C-contiguous, writeable, float32 or float64.
grad : array_like
    Gradient, of param's shape and dtype.
lr : float
    Step size.
momentum : float, default 0.0
    Momentum factor; 0 is plain SGD.
velocity : ndarray, optional
    Momentum buffer updated in place (needed when momentum != 0), like param.
weight_decay : float, default 0.0
    L2 penalty factor.
nesterov : bool, default False
    Nesterov momentum.

Returns
-------
ndarray
    param itself, updated.

Examples
--------
>>> from mlpcore import kernels
>>> param = np.array([1.0, 2.0])
>>> kernels.sgd_step(param, np.array([0.5, -0.5]), 0.1)
array([0.95, 2.05])
)doc");
  m.def("adam_step", &adam_step_py, py::arg("param"), py::arg("grad"), py::arg("lr"),
        py::arg("m"), py::arg("v"), py::arg("step"), py::kw_only(), py::arg("beta1") = 0.9,
        py::arg("beta2") = 0.999, py::arg("eps") = 1e-8, py::arg("weight_decay") = 0.0,
        R"doc(One Adam step in place, with PyTorch's rule (amsgrad off).

g = grad + weight_decay param; m = beta1 m + (1 - beta1) g; v = beta2 v + (1 - beta2) g^2;
param -= lr / (1 - beta1^step) m / (sqrt(v) / sqrt(1 - beta2^step) + eps).
Tolerance against mlpcore.reference.adam_step: 8 times rtol 1e-14 (float64) or
1e-6 (float32) of ``|param| + |step size m / denominator|``; 4 times that rtol for m and v.

Parameters
----------
param : ndarray
    Parameters updated in place: C-contiguous, writeable, float32 or float64.
grad : array_like
    Gradient, of param's shape and dtype.
lr : float
    Step size.
m, v : ndarray
    First and second moment estimates, updated in place, like param.
step : int
    The number of this update, counted from 1 (torch's state["step"]).
beta1, beta2 : float, default 0.9 and 0.999
    Decay rates of m and v.
eps : float, default 1e-8
    Added to the denominator.
weight_decay : float, default 0.0
    L2 penalty factor (added to the gradient, as torch.optim.Adam).

Returns
-------
ndarray
    param itself, updated.

Examples
--------
>>> from mlpcore import kernels
>>> param, m, v = np.array([1.0, 2.0]), np.zeros(2), np.zeros(2)
>>> kernels.adam_step(param, np.array([0.5, -3.0]), 0.1, m, v, 1).round(6)
array([0.9, 2.1])
)doc");
  m.def("average_step", &average_step_py, py::arg("avg"), py::arg("param"), py::arg("n"),
        R"doc(Polyak-Ruppert averaging in place: avg = n/(n+1) avg + param/(n+1).

After the calls with n = 0, 1, ..., avg is the running mean of the params given:
the course's averaged SGD, W_bar_n = n/(n+1) W_bar_{n-1} + W_n/(n+1).
Tolerance against mlpcore.reference.average_step:
``|diff| <= 2 rtol (|avg| + |param|/(n+1))`` plus an absolute 1e-300 (float64) or 1e-7 (float32), with rtol 1e-14
(float64) or 1e-6 (float32).

Parameters
----------
avg : ndarray
    The average, updated in place: C-contiguous, writeable, float32 or float64.
param : array_like
    The new iterate, of avg's shape and dtype.
n : int
    The number of iterates already averaged (>= 0).

Returns
-------
ndarray
    avg itself, updated.

Examples
--------
>>> from mlpcore import kernels
>>> avg = np.zeros(2)
>>> for n, w in enumerate([[1.0, 2.0], [3.0, 4.0], [5.0, 0.0]]):
...     _ = kernels.average_step(avg, np.array(w), n)
>>> avg
array([3., 2.])
)doc");
}

}  // namespace mlpcore::bind
