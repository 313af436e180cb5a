// Activations, softmax, losses and the dense layer.
#include <cmath>
#include <optional>
#include <tuple>

#include "common.hpp"
#include "mlpcore/nn.hpp"

namespace mlpcore::bind {

namespace {

std::vector<int64_t> shape2(int64_t n, int64_t k) { return {n, k}; }

// ---------------------------------------------------------------- activations

py::array activation_forward_py(py::handle name, py::handle a_obj, py::handle out_obj) {
  const char* kernel = "activation_forward";
  Activation act = parse_activation(kernel, name);
  py::array a = float_input(kernel, "a", a_obj);
  py::array out = output(kernel, "out", out_obj, a.dtype(), shape_of(a), false);
  require_no_overlap(kernel, "out", out, {{"a", &a}}, true);
  a = contiguous(a);
  Staged staged(out, c_contiguous(out));
  by_dtype(a, [&](auto tag) {
    using T = decltype(tag);
    const T* ap = ptr<T>(a);
    T* op = ptr<T>(staged.work);
    int64_t n = a.size();
    Compute compute;
    activation_forward<T>(act, op, ap, n);
  });
  staged.finish();
  return out;
}

// da = g'(a) * dy with g' taken from the output y = g(a).
py::array activation_backward_py(py::handle name, py::handle y_obj, py::handle dy_obj,
                                 py::handle out_obj) {
  const char* kernel = "activation_backward";
  Activation act = parse_activation(kernel, name);
  py::array y = float_input(kernel, "y", y_obj);
  py::array dy = float_input(kernel, "dy", dy_obj, y);
  require_same_dtype(kernel, {{"y", &y}, {"dy", &dy}});
  if (shape_of(y) != shape_of(dy))
    fail<py::value_error>(kernel, "y and dy must have the same shape, got " + describe(y) +
                                      " and " + describe(dy));
  py::array out = output(kernel, "out", out_obj, y.dtype(), shape_of(y), false);
  require_no_overlap(kernel, "out", out, {{"y", &y}, {"dy", &dy}}, true);
  y = contiguous(y);
  dy = contiguous(dy);
  Staged staged(out, c_contiguous(out));
  by_dtype(y, [&](auto tag) {
    using T = decltype(tag);
    const T *yp = ptr<T>(y), *dyp = ptr<T>(dy);
    T* op = ptr<T>(staged.work);
    int64_t n = y.size();
    Compute compute;
    activation_backward<T>(act, op, yp, dyp, n);
  });
  staged.finish();
  return out;
}

// ---------------------------------------------------------------- softmax

py::array softmax_py(const char* kernel, bool log, py::handle a_obj, py::handle out_obj) {
  py::array a = float_input(kernel, "logits", a_obj);
  require_ndim(kernel, "logits", a, 2);
  py::array out = output(kernel, "out", out_obj, a.dtype(), shape_of(a), false);
  require_no_overlap(kernel, "out", out, {{"logits", &a}}, true);
  a = unit_column_stride(a);
  Staged staged(out, rows_contiguous(out));
  by_dtype(a, [&](auto tag) {
    using T = decltype(tag);
    auto av = cmatrix<T>(a);
    auto ov = matrix<T>(staged.work);
    Compute compute;
    if (log)
      log_softmax_forward<T>(ov, av);
    else
      softmax_forward<T>(ov, av);
  });
  staged.finish();
  return out;
}

// ---------------------------------------------------------------- cross-entropy

// Class indices (n,) of any integer dtype become int64 and are range-checked;
// probabilities (n, k) must have the logits' dtype and shape.
struct Target {
  py::array labels;  // int64 (n,), or empty
  py::array probs;   // (n, k) with unit column stride, or empty
  bool has_labels = false;
};

Target cross_entropy_target(const char* kernel, const py::array& logits, py::handle t_given) {
  const int64_t n = logits.shape(0), k = logits.shape(1);
  py::object t_obj = array_view(kernel, "target", t_given);
  py::array t;
  if (py::isinstance<py::array>(t_obj)) {
    t = py::reinterpret_borrow<py::array>(t_obj);
  } else {
    try {  // e.g. a ragged list: numpy's own ValueError would not name the kernel
      t = py::module_::import("numpy").attr("asarray")(t_obj).cast<py::array>();
    } catch (py::error_already_set&) {
      fail<py::type_error>(kernel, "target must be array-like, got " + describe_object(t_obj));
    }
  }
  Target target;
  if (t.ndim() == 1) {
    char kind = t.dtype().kind();
    if (kind != 'i' && kind != 'u')
      fail<py::type_error>(kernel, "target (n,) must hold integer class indices, got " +
                                       describe(t));
    if (t.shape(0) != n)
      fail<py::value_error>(kernel, "target must have one class index per row of logits (" +
                                        std::to_string(n) + "), got " + describe(t));
    py::array_t<int64_t, py::array::c_style | py::array::forcecast> labels(t);
    const int64_t* lp = labels.data();
    for (int64_t i = 0; i < n; ++i) {
      if (lp[i] < 0 || lp[i] >= k)
        fail<py::index_error>(kernel, "target[" + std::to_string(i) + "] = " +
                                          std::to_string(lp[i]) + " is not a class index in [0, " +
                                          std::to_string(k) + ")");
    }
    target.labels = labels;
    target.has_labels = true;
  } else if (t.ndim() == 2) {
    py::array probs = float_input(kernel, "target", t, logits);
    require_same_dtype(kernel, {{"logits", &logits}, {"target", &probs}});
    require_shape(kernel, "target", probs, shape2(n, k));
    target.probs = unit_column_stride(probs);
  } else {
    fail<py::value_error>(kernel, "target must be class indices (n,) or probabilities (n, k), got " +
                                      describe(t));
  }
  return target;
}

// One pass: the loss and, when want_grad, d loss / d logits.
std::pair<double, py::array> cross_entropy_py(const char* kernel, py::handle logits_obj,
                                              py::handle target_obj, py::handle dlogits_obj,
                                              py::handle reduction_name, bool want_grad) {
  Reduction reduction = parse_reduction(kernel, reduction_name);
  py::array logits = float_input(kernel, "logits", logits_obj);
  require_ndim(kernel, "logits", logits, 2);
  const int64_t n = logits.shape(0), k = logits.shape(1);
  if (k == 0 && n > 0)
    fail<py::value_error>(kernel, "logits must have at least one class (column), got " +
                                      describe(logits));
  Target target = cross_entropy_target(kernel, logits, target_obj);
  py::array dlogits;
  if (want_grad) {
    dlogits = output(kernel, "dlogits", dlogits_obj, logits.dtype(), shape2(n, k), false);
    // The labels too: the kernel reads them while it writes dlogits, and an index
    // overwritten after the range check would be used out of bounds.
    if (target.has_labels)
      require_no_overlap(kernel, "dlogits", dlogits,
                         {{"logits", &logits}, {"target", &target.labels}}, true);
    else
      require_no_overlap(kernel, "dlogits", dlogits,
                         {{"logits", &logits}, {"target", &target.probs}}, true);
  }
  logits = unit_column_stride(logits);
  Staged staged(dlogits, !want_grad || rows_contiguous(dlogits));
  double loss = by_dtype(logits, [&](auto tag) {
    using T = decltype(tag);
    auto lv = cmatrix<T>(logits);
    const int64_t* labels = target.has_labels ? ptr<int64_t>(target.labels) : nullptr;
    MatView<const T> pv{nullptr, 0, 0, 0, 0};
    if (!target.has_labels) pv = cmatrix<T>(target.probs);
    MatView<T> dv{nullptr, 0, 0, 0, 0};
    if (want_grad) dv = matrix<T>(staged.work);
    Compute compute;
    return cross_entropy<T>(lv, labels, pv, dv, reduction);
  });
  if (want_grad) staged.finish();
  return {loss, dlogits};
}

// ---------------------------------------------------------------- squared error, perceptron

struct Pair {
  py::array y, d;
  int64_t n, k;
};

// Two arrays of one shape, (n,) or (n, k), made C-contiguous.
Pair loss_pair(const char* kernel, const char* yname, const char* dname, py::handle y_obj,
               py::handle d_obj) {
  py::array y = float_input(kernel, yname, y_obj);
  py::array d = float_input(kernel, dname, d_obj, y);
  require_same_dtype(kernel, {{yname, &y}, {dname, &d}});
  if (y.ndim() != 1 && y.ndim() != 2)
    fail<py::value_error>(kernel, std::string(yname) + " must be a 1-D (n,) or 2-D (n, k) array, got " +
                                      describe(y));
  if (shape_of(y) != shape_of(d))
    fail<py::value_error>(kernel, std::string(yname) + " and " + dname +
                                      " must have the same shape, got " + describe(y) + " and " +
                                      describe(d));
  int64_t n = y.shape(0), k = y.ndim() == 2 ? y.shape(1) : 1;
  return {contiguous(y), contiguous(d), n, k};
}

// The squared error (y against d) or the perceptron criterion (scores against d in
// {-1, +1}), and its gradient when want_grad.
std::pair<double, py::array> pair_loss_py(bool perceptron, py::handle y_obj, py::handle d_obj,
                                          py::handle g_obj, py::handle red, bool want_grad,
                                          const char* kernel) {
  const char* yname = perceptron ? "scores" : "y";
  const char* gname = perceptron ? "dscores" : "dy";
  Reduction reduction = parse_reduction(kernel, red);
  Pair p = loss_pair(kernel, yname, "d", y_obj, d_obj);
  if (perceptron)
    by_dtype(p.d, [&](auto tag) {
      using T = decltype(tag);
      const T* dp = ptr<T>(p.d);
      for (int64_t i = 0; i < p.n * p.k; ++i)
        if (dp[i] != T(1) && dp[i] != T(-1))
          fail<py::value_error>(kernel, "d must hold only the labels -1 and +1, got " +
                                            std::to_string(double(dp[i])) + " at flat index " +
                                            std::to_string(i));
    });
  py::array g;
  if (want_grad) {
    g = output(kernel, gname, g_obj, p.y.dtype(), shape_of(p.y), false);
    require_no_overlap(kernel, gname, g, {{yname, &p.y}, {"d", &p.d}}, true);
  }
  Staged staged(g, !want_grad || c_contiguous(g));
  double loss = by_dtype(p.y, [&](auto tag) {
    using T = decltype(tag);
    const T *yp = ptr<T>(p.y), *dp = ptr<T>(p.d);
    T* gp = want_grad ? ptr<T>(staged.work) : nullptr;
    Compute compute;
    return perceptron ? perceptron_criterion<T>(yp, dp, p.n, p.k, gp, reduction)
                      : squared_error<T>(yp, dp, p.n, p.k, gp, reduction);
  });
  if (want_grad) staged.finish();
  return {loss, g};
}

// ---------------------------------------------------------------- dense layer

py::array linear_forward_py(py::handle x_obj, py::handle w_obj, py::handle b_obj,
                            py::handle act_obj, py::handle out_obj) {
  const char* kernel = "linear_forward";
  // Named arrays, not a structured binding: the lambdas below capture them, which C++17
  // does not allow for bindings (Clang before 16 refuses it).
  py::array x, w;
  std::tie(x, w) = chained_matrices(kernel, "x", "w", x_obj, w_obj);
  Activation act = parse_activation(kernel, act_obj);
  const int64_t n = x.shape(0), k = w.shape(1);
  std::optional<py::array> b;  // a default py::array is an empty array, not "none"
  if (!b_obj.is_none()) {
    b = float_input(kernel, "b", b_obj, x);
    require_same_dtype(kernel, {{"x", &x}, {"b", &*b}});
    require_shape(kernel, "b", *b, {k});
  }
  // out is checked (and its size refused when it overflows) before b is copied.
  py::array out = output(kernel, "out", out_obj, x.dtype(), shape2(n, k), false);
  if (b)
    require_no_overlap(kernel, "out", out, {{"x", &x}, {"w", &w}, {"b", &*b}});
  else
    require_no_overlap(kernel, "out", out, {{"x", &x}, {"w", &w}});
  if (b) b = contiguous(*b);
  by_dtype(x, [&](auto tag) {
    using T = decltype(tag);
    auto xv = cmatrix<T>(x), wv = cmatrix<T>(w);
    const T* bp = b ? ptr<T>(*b) : nullptr;
    auto ov = matrix<T>(out);
    Compute compute;
    linear_forward<T>(ov, xv, wv, bp, act);
  });
  return out;
}

// An output argument: None (allocate it) or an array (write into it) asks for it,
// False skips it; True is neither.
bool wanted(const char* kernel, const char* name, py::handle obj) {
  if (!PyBool_Check(obj.ptr())) return true;
  if (obj.ptr() == Py_False) return false;
  fail<py::type_error>(kernel, std::string(name) +
                                   " must be None (allocate it), an array to write into, or "
                                   "False (skip it), got True");
  return true;  // not reached: fail throws
}

py::tuple linear_backward_py(py::handle x_obj, py::handle w_obj, py::handle dz_obj,
                             py::handle dx_obj, py::handle dw_obj, py::handle db_obj) {
  const char* kernel = "linear_backward";
  // Named arrays, not a structured binding: the lambdas below capture them, which C++17
  // does not allow for bindings (Clang before 16 refuses it).
  py::array x, w;
  std::tie(x, w) = chained_matrices(kernel, "x", "w", x_obj, w_obj);
  py::array dz = element_strides(float_input(kernel, "dz", dz_obj, x));
  require_same_dtype(kernel, {{"x", &x}, {"dz", &dz}});
  const int64_t n = x.shape(0), d = x.shape(1), k = w.shape(1);
  require_shape(kernel, "dz", dz, shape2(n, k));
  // False skips a gradient nobody needs (dx of the first layer): it is returned as None.
  const bool want_dx = wanted(kernel, "dx", dx_obj), want_dw = wanted(kernel, "dw", dw_obj),
             want_db = wanted(kernel, "db", db_obj);
  const py::handle none = py::none();
  py::array dx = output(kernel, "dx", want_dx ? dx_obj : none, x.dtype(),
                        want_dx ? shape2(n, d) : shape2(0, 0), false);
  py::array dw = output(kernel, "dw", want_dw ? dw_obj : none, x.dtype(),
                        want_dw ? shape2(d, k) : shape2(0, 0), false);
  py::array db = output(kernel, "db", want_db ? db_obj : none, x.dtype(),
                        {want_db ? k : 0}, false);
  require_no_overlap(kernel, "dx", dx, {{"x", &x}, {"w", &w}, {"dz", &dz}});
  require_no_overlap(kernel, "dw", dw, {{"x", &x}, {"w", &w}, {"dz", &dz}, {"dx", &dx}});
  require_no_overlap(kernel, "db", db,
                     {{"x", &x}, {"w", &w}, {"dz", &dz}, {"dx", &dx}, {"dw", &dw}});
  Staged staged_db(db, c_contiguous(db));
  by_dtype(x, [&](auto tag) {
    using T = decltype(tag);
    auto xv = cmatrix<T>(x), wv = cmatrix<T>(w), dzv = cmatrix<T>(dz);
    MatView<T> dxv{nullptr, n, d, 0, 0}, dwv{nullptr, d, k, 0, 0};
    if (want_dx) dxv = matrix<T>(dx);
    if (want_dw) dwv = matrix<T>(dw);
    T* dbp = want_db ? ptr<T>(staged_db.work) : nullptr;
    Compute compute;
    linear_backward<T>(dxv, dwv, dbp, xv, wv, dzv);
  });
  staged_db.finish();
  auto result = [&](bool want, const py::array& a) -> py::object {
    return want ? py::object(a) : py::object(py::none());
  };
  return py::make_tuple(result(want_dx, dx), result(want_dw, dw), result(want_db, db));
}

}  // namespace

void init_nn(py::module_& m) {
  m.attr("ACTIVATIONS") = names_tuple(kActivationNames);
  m.def("activation_forward", &activation_forward_py, py::arg("name"), py::arg("a"),
        py::arg("out") = py::none(),
        R"doc(Activation g(a) elementwise, for g in identity, sign, heaviside, tanh, sigmoid, relu, softplus.

Course conventions: sign(0) = +1, heaviside(0) = 1; NaN gives NaN.
Tolerance against mlpcore.reference.activation_forward: rtol 1e-14 (float64) or 1e-6 (float32), plus an absolute 1e-300 (float64) or
1e-7 (float32) times the scale of the result.

Parameters
----------
name : str
    The activation, one of ACTIVATIONS.
a : array_like
    Pre-activations of any shape, float32 or float64.
out : ndarray, optional
    Array of a's dtype and shape to write into; may be a itself (in place), and
    must otherwise share no memory with it.

Returns
-------
ndarray
    g(a), of a's shape and dtype (out when given).

Examples
--------
>>> from mlpcore import kernels
>>> kernels.activation_forward("relu", np.array([[-1.0, 0.0, 2.0]]))
array([[0., 0., 2.]])
>>> kernels.activation_forward("sign", np.array([-2.0, 0.0, 3.0]))
array([-1.,  1.,  1.])
)doc");
  m.def("activation_backward", &activation_backward_py, py::arg("name"), py::arg("y"),
        py::arg("dy"), py::arg("out") = py::none(),
        R"doc(Backward pass of an activation: dy * g'(a), with g'(a) taken from the output y = g(a).

identity: dy; sign, heaviside: 0; tanh: dy (1 - y^2); sigmoid: dy y (1 - y);
relu: dy [y > 0]; softplus: dy (1 - exp(-y)).
Tolerance against mlpcore.reference.activation_backward: rtol 1e-14 (float64) or 1e-6 (float32), plus an absolute 1e-300 (float64) or
1e-7 (float32) times the scale of the result (``|dy|``).

Parameters
----------
name : str
    The activation, one of ACTIVATIONS.
y : array_like
    Outputs g(a) of the forward pass, float32 or float64.
dy : array_like
    Gradient of the loss with respect to y, of y's shape and dtype.
out : ndarray, optional
    Array to write into; may be y or dy itself.

Returns
-------
ndarray
    The gradient with respect to a, of y's shape and dtype (out when given).

Examples
--------
>>> from mlpcore import kernels
>>> y = kernels.activation_forward("tanh", np.array([0.0, 1.0]))
>>> kernels.activation_backward("tanh", y, np.ones(2)).round(4)
array([1.  , 0.42])
)doc");
  m.def(
      "softmax_forward",
      [](py::handle a, py::handle out) { return softmax_py("softmax_forward", false, a, out); },
      py::arg("a"), py::arg("out") = py::none(),
      R"doc(Row-wise softmax of a 2-D array: exp(a - max) / sum exp(a - max).

Shift-invariant and exact for huge logits; a -inf logit gets probability 0; a row
holding NaN or +inf, or only -inf, gives NaN (as PyTorch).
Tolerance against mlpcore.reference.softmax_forward: rtol 1e-14 (float64) or 1e-6 (float32), plus an absolute 1e-300 (float64) or
1e-7 (float32) times the scale of the result (1 for
probabilities).

Parameters
----------
a : array_like, shape (n, k)
    Logits, float32 or float64.
out : ndarray, shape (n, k), optional
    Array to write the probabilities into; may be a itself.

Returns
-------
ndarray, shape (n, k)
    Probabilities, each row summing to 1.

Examples
--------
>>> from mlpcore import kernels
>>> kernels.softmax_forward(np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])).round(4)
array([[0.09  , 0.2447, 0.6652],
       [0.3333, 0.3333, 0.3333]])
)doc");
  m.def(
      "log_softmax_forward",
      [](py::handle a, py::handle out) { return softmax_py("log_softmax_forward", true, a, out); },
      py::arg("a"), py::arg("out") = py::none(),
      R"doc(Row-wise log-softmax of a 2-D array: (a - max) - log sum exp(a - max).

Tolerance against mlpcore.reference.log_softmax_forward: rtol 1e-14 (float64) or 1e-6 (float32), plus an absolute 1e-300 (float64) or
1e-7 (float32) times the scale of the result
(``1 + |log-probability|``).

Parameters
----------
a : array_like, shape (n, k)
    Logits, float32 or float64.
out : ndarray, shape (n, k), optional
    Array to write the log-probabilities into; may be a itself.

Returns
-------
ndarray, shape (n, k)
    Log-probabilities.

Examples
--------
>>> from mlpcore import kernels
>>> kernels.log_softmax_forward(np.array([[0.0, 0.0]])).round(4)
array([[-0.6931, -0.6931]])
)doc");
  m.def(
      "cross_entropy_forward",
      [](py::handle logits, py::handle target, py::handle reduction) {
        return cross_entropy_py("cross_entropy_forward", logits, target, py::none(), reduction,
                                false)
            .first;
      },
      py::arg("logits"), py::arg("target"), py::arg("reduction") = "mean",
      R"doc(Cross-entropy of softmax(logits) against class indices or probabilities.

The mean (default) or sum over rows of -sum_k t_k log p_k with p = softmax(logits),
accumulated in float64.
Tolerance against mlpcore.reference.cross_entropy_forward: rtol 1e-12 (float64) or 1e-6 (float32) of the loss, plus the same relative
slack per row.

Parameters
----------
logits : array_like, shape (n, k)
    Scores a, float32 or float64.
target : array_like, shape (n,) or (n, k)
    Class indices (any integer dtype, each in [0, k)) or probabilities t of the
    logits' dtype.
reduction : {"mean", "sum"}, default "mean"
    "mean" divides by n, "sum" gives the course's E(W).

Returns
-------
float
    The loss.

Examples
--------
>>> from mlpcore import kernels
>>> logits = np.array([[2.0, 0.0, -1.0], [0.0, 1.0, 0.0]])
>>> round(kernels.cross_entropy_forward(logits, np.array([0, 1])), 4)
0.3606
)doc");
  m.def(
      "cross_entropy_backward",
      [](py::handle logits, py::handle target, py::handle dlogits, py::handle reduction) {
        return cross_entropy_py("cross_entropy_backward", logits, target, dlogits, reduction,
                                true)
            .second;
      },
      py::arg("logits"), py::arg("target"), py::arg("dlogits") = py::none(),
      py::arg("reduction") = "mean",
      R"doc(Gradient of the cross-entropy with respect to the logits.

d loss / d logits = softmax(logits) sum_k t_k - t (softmax - one-hot for class
indices), divided by n for "mean".
Tolerance against mlpcore.reference.cross_entropy_backward: rtol 1e-14 (float64) or 1e-6 (float32), plus an absolute one of
that rtol times the largest row sum of ``|t|``, divided by n for "mean".

Parameters
----------
logits : array_like, shape (n, k)
    Scores a, float32 or float64.
target : array_like, shape (n,) or (n, k)
    Class indices (any integer dtype, each in [0, k)) or probabilities t of the
    logits' dtype.
dlogits : ndarray, shape (n, k), optional
    Array of the logits' dtype to write the gradient into.
reduction : {"mean", "sum"}, default "mean"
    "mean" divides by n, "sum" gives the course's E(W).

Returns
-------
ndarray, shape (n, k)
    The gradient (dlogits when given).

Examples
--------
>>> from mlpcore import kernels
>>> logits = np.array([[2.0, 0.0, -1.0], [0.0, 1.0, 0.0]])
>>> kernels.cross_entropy_backward(logits, np.array([0, 1])).round(4)
array([[-0.0781,  0.0571,  0.021 ],
       [ 0.106 , -0.2119,  0.106 ]])
)doc");
  m.def(
      "cross_entropy_forward_backward",
      [](py::handle logits, py::handle target, py::handle dlogits, py::handle reduction) {
        auto [loss, grad] = cross_entropy_py("cross_entropy_forward_backward", logits, target,
                                             dlogits, reduction, true);
        return py::make_tuple(loss, grad);
      },
      py::arg("logits"), py::arg("target"), py::arg("dlogits") = py::none(),
      py::arg("reduction") = "mean",
      R"doc(Cross-entropy and its gradient with respect to the logits, in one pass.

The fused cross_entropy_forward and cross_entropy_backward: one read of the logits.
Tolerance against mlpcore.reference.cross_entropy_forward_backward: those of the
two kernels (rtol 1e-12 (float64) or 1e-6 (float32) of the loss, plus the same relative
slack per row for the loss; rtol 1e-14 or 1e-6 for the gradient).

Parameters
----------
logits : array_like, shape (n, k)
    Scores a, float32 or float64.
target : array_like, shape (n,) or (n, k)
    Class indices (any integer dtype, each in [0, k)) or probabilities t of the
    logits' dtype.
dlogits : ndarray, shape (n, k), optional
    Array of the logits' dtype to write the gradient into.
reduction : {"mean", "sum"}, default "mean"
    "mean" divides by n, "sum" gives the course's E(W).

Returns
-------
loss : float
    The loss.
dlogits : ndarray, shape (n, k)
    The gradient (dlogits when given).

Examples
--------
>>> from mlpcore import kernels
>>> logits = np.array([[2.0, 0.0, -1.0], [0.0, 1.0, 0.0]])
>>> loss, dlogits = kernels.cross_entropy_forward_backward(logits, np.array([0, 1]),
...                                                        reduction="sum")
>>> round(loss, 4)
0.7213
>>> dlogits.round(4)
array([[-0.1562,  0.1142,  0.042 ],
       [ 0.2119, -0.4239,  0.2119]])
)doc");
  m.def(
      "squared_error_forward",
      [](py::handle y, py::handle d, py::handle reduction) {
        return pair_loss_py(false, y, d, py::none(), reduction, false, "squared_error_forward")
            .first;
      },
      py::arg("y"), py::arg("d"), py::arg("reduction") = "mean",
      R"doc(Squared error E = 1/2 sum (y - d)^2 over all values.

Accumulated in float64; "mean" divides by n = y.shape[0].
Tolerance against mlpcore.reference.squared_error_forward: rtol 1e-12 (float64) or 1e-6 (float32) of the loss, plus the same relative
slack per row.

Parameters
----------
y : array_like, shape (n,) or (n, k)
    Outputs, float32 or float64.
d : array_like
    Targets, of y's shape and dtype.
reduction : {"mean", "sum"}, default "mean"
    "mean" divides by n, "sum" gives the course's E(W).

Returns
-------
float
    The loss.

Examples
--------
>>> from mlpcore import kernels
>>> y, d = np.array([1.0, 2.0, 3.0]), np.array([1.0, 0.0, 0.0])
>>> kernels.squared_error_forward(y, d, reduction="sum")
6.5
)doc");
  m.def(
      "squared_error_backward",
      [](py::handle y, py::handle d, py::handle dy, py::handle reduction) {
        return pair_loss_py(false, y, d, dy, reduction, true, "squared_error_backward").second;
      },
      py::arg("y"), py::arg("d"), py::arg("dy") = py::none(), py::arg("reduction") = "mean",
      R"doc(Gradient of the squared error: dE/dy = y - d.

Divided by n = y.shape[0] for "mean".
Tolerance against mlpcore.reference.squared_error_backward: rtol 1e-14 (float64) or 1e-6 (float32), plus an absolute 1e-300 (float64) or
1e-7 (float32) times the scale of the result.

Parameters
----------
y : array_like, shape (n,) or (n, k)
    Outputs, float32 or float64.
d : array_like
    Targets, of y's shape and dtype.
dy : ndarray, optional
    Array of y's shape and dtype to write the gradient into.
reduction : {"mean", "sum"}, default "mean"
    "mean" divides by n, "sum" gives the course's E(W).

Returns
-------
ndarray
    The gradient, of y's shape and dtype (dy when given).

Examples
--------
>>> from mlpcore import kernels
>>> y, d = np.array([1.0, 2.0, 3.0]), np.array([1.0, 0.0, 0.0])
>>> kernels.squared_error_backward(y, d, reduction="sum")
array([0., 2., 3.])
)doc");
  m.def(
      "perceptron_forward",
      [](py::handle s, py::handle d, py::handle reduction) {
        return pair_loss_py(true, s, d, py::none(), reduction, false, "perceptron_forward").first;
      },
      py::arg("scores"), py::arg("d"), py::arg("reduction") = "mean",
      R"doc(The perceptron criterion E = sum max(-d s, 0), d in {-1, +1}.

"mean" divides by n = scores.shape[0].
Tolerance against mlpcore.reference.perceptron_forward: rtol 1e-12 (float64) or 1e-6 (float32) of the loss, plus the same relative
slack per row.

Parameters
----------
scores : array_like, shape (n,) or (n, k)
    Scores s = w^T x + b, float32 or float64.
d : array_like
    Targets in {-1, +1}, of the scores' shape and dtype.
reduction : {"mean", "sum"}, default "mean"
    "mean" divides by n, "sum" gives the course's E(W).

Returns
-------
float
    The criterion.

Examples
--------
>>> from mlpcore import kernels
>>> s, d = np.array([2.0, -1.0, 0.0, 0.5]), np.array([1.0, 1.0, -1.0, -1.0])
>>> kernels.perceptron_forward(s, d, reduction="sum")
1.5
)doc");
  m.def(
      "perceptron_backward",
      [](py::handle s, py::handle d, py::handle ds, py::handle reduction) {
        return pair_loss_py(true, s, d, ds, reduction, true, "perceptron_backward").second;
      },
      py::arg("scores"), py::arg("d"), py::arg("dscores") = py::none(),
      py::arg("reduction") = "mean",
      R"doc(Gradient of the perceptron criterion: dE/ds = -d where sign(s) != d, else 0.

sign(0) = +1, so a zero score counts as a mistake for d = -1; NaN where s is NaN;
divided by n for "mean".
Tolerance against mlpcore.reference.perceptron_backward: rtol 1e-14 (float64) or 1e-6 (float32), plus an absolute 1e-300 (float64) or
1e-7 (float32) times the scale of the result.

Parameters
----------
scores : array_like, shape (n,) or (n, k)
    Scores s = w^T x + b, float32 or float64.
d : array_like
    Targets in {-1, +1}, of the scores' shape and dtype.
dscores : ndarray, optional
    Array of the scores' shape and dtype to write the gradient into.
reduction : {"mean", "sum"}, default "mean"
    "mean" divides by n, "sum" gives the course's E(W).

Returns
-------
ndarray
    The gradient (dscores when given).

Examples
--------
>>> from mlpcore import kernels
>>> s, d = np.array([2.0, -1.0, 0.0, 0.5]), np.array([1.0, 1.0, -1.0, -1.0])
>>> kernels.perceptron_backward(s, d, reduction="sum")
array([ 0., -1.,  1.,  1.])
)doc");
  m.def("linear_forward", &linear_forward_py, py::arg("x"), py::arg("w"),
        py::arg("b") = py::none(), py::arg("activation") = "identity",
        py::arg("out") = py::none(),
        R"doc(Dense layer g(x @ w + b), the bias and the activation fused into the product.

The bias and the activation are applied to each tile of the product while it is in
cache; x and w may have any strides.
Tolerance against mlpcore.reference.linear_forward: that of matmul on z = x @ w + b,
``|diff| <= 4 (d + 2) eps (|x| @ |w|)``, then rtol 1e-14 (float64) or 1e-6 (float32)
for g.

Parameters
----------
x : array_like, shape (n, d)
    Inputs, float32 or float64.
w : array_like, shape (d, k)
    Weights, of x's dtype.
b : array_like, shape (k,), optional
    Biases; None for none.
activation : str, default "identity"
    One of ACTIVATIONS.
out : ndarray, shape (n, k), optional
    C-contiguous array of x's dtype to write into.

Returns
-------
ndarray, shape (n, k)
    g(x @ w + b) (out when given).

Examples
--------
>>> from mlpcore import kernels
>>> x = np.array([[1.0, 2.0], [3.0, 4.0]])
>>> w = np.array([[1.0, -1.0], [0.5, 0.5]])
>>> kernels.linear_forward(x, w, np.array([0.0, -3.0]), activation="relu")
array([[2., 0.],
       [5., 0.]])
)doc");
  m.def("linear_backward", &linear_backward_py, py::arg("x"), py::arg("w"), py::arg("dz"),
        py::arg("dx") = py::none(), py::arg("dw") = py::none(), py::arg("db") = py::none(),
        R"doc(Backward pass of a dense layer: (dx, dw, db) = (dz @ w.T, x.T @ dz, dz.sum(0)).

dz = dE/dz for z = x @ w + b. db is summed in float64, in row order (the same bits
for any thread count).
Tolerance against mlpcore.reference.linear_backward: dx and dw that of matmul,
``|diff| <= 4 (m + 2) eps (|A| @ |B|)`` for the product A @ B with inner size m;
db ``|diff| <= 4 (n + 2) eps sum_n |dz|``.

Parameters
----------
x : array_like, shape (n, d)
    Inputs of the layer, float32 or float64.
w : array_like, shape (d, k)
    Weights, of x's dtype.
dz : array_like, shape (n, k)
    Gradient of the loss with respect to z.
dx, dw, db : ndarray or None or False, optional
    Each: None (allocated), an array to write into, or False: not computed and
    returned as None (dx=False for the first layer of a network).

Returns
-------
dx : ndarray, shape (n, d), or None
    dz @ w.T.
dw : ndarray, shape (d, k), or None
    x.T @ dz.
db : ndarray, shape (k,), or None
    dz summed over the rows.

Examples
--------
>>> from mlpcore import kernels
>>> x = np.array([[1.0, 2.0], [3.0, 4.0]])
>>> w = np.array([[1.0, -1.0], [0.5, 0.5]])
>>> dx, dw, db = kernels.linear_backward(x, w, np.ones((2, 2)), dx=False)
>>> dx is None, dw, db
(True, array([[4., 4.],
       [6., 6.]]), array([2., 2.]))
)doc");
}

}  // namespace mlpcore::bind
