// matmul and gemm: any strides (transposed, sliced, negative) are used in place.
#include "common.hpp"
#include "mlpcore/gemm.hpp"

namespace mlpcore::bind {

namespace {

void run_gemm(const py::array& a, const py::array& b, py::array& c, double alpha, double beta) {
  by_dtype(a, [&](auto tag) {
    using T = decltype(tag);
    auto av = cmatrix<T>(a), bv = cmatrix<T>(b);
    auto cv = matrix<T>(c);
    Compute compute;
    gemm<T>(T(alpha), av, bv, T(beta), cv);
  });
}

}  // namespace

void init_gemm(py::module_& m) {
  m.def(
      "matmul",
      [](py::handle a_obj, py::handle b_obj, py::handle out_obj) {
        const char* kernel = "matmul";
        auto [a, b] = chained_matrices(kernel, "a", "b", a_obj, b_obj);
        py::array out = output(kernel, "out", out_obj, a.dtype(), {a.shape(0), b.shape(1)}, false);
        require_no_overlap(kernel, "out", out, {{"a", &a}, {"b", &b}});
        run_gemm(a, b, out, 1.0, 0.0);
        return out;
      },
      py::arg("a"), py::arg("b"), py::arg("out") = py::none(),
      R"doc(Matrix product a @ b of 2-D float32 or float64 arrays.

Blocked, packed and threaded (BLIS-style). Any strides of a, b and out are used
without a copy (x.T, slices, negative strides).
Tolerance against mlpcore.reference.matmul: ``|diff| <= 4 (k + 2) eps (|a| @ |b|)``
elementwise, with eps that of the dtype.

Parameters
----------
a : array_like, shape (m, k)
    Left factor, float32 or float64.
b : array_like, shape (k, n)
    Right factor, of the dtype of a.
out : ndarray, shape (m, n), optional
    Array to write the product into: the dtype of a and b, writeable, sharing
    no memory with them.

Returns
-------
ndarray, shape (m, n)
    The product (out when given), of the dtype of the inputs.

Examples
--------
>>> from mlpcore import kernels
>>> a = np.array([[1.0, 2.0], [3.0, 4.0]])
>>> kernels.matmul(a, a.T)
array([[ 5., 11.],
       [11., 25.]])
)doc");
  m.def(
      "gemm",
      [](py::handle a_obj, py::handle b_obj, py::handle c_obj, double alpha, double beta) {
        const char* kernel = "gemm";
        auto [a, b] = chained_matrices(kernel, "a", "b", a_obj, b_obj);
        if (c_obj.is_none()) fail<py::type_error>(kernel, "c must be an array, got None");
        py::array c = output(kernel, "c", c_obj, a.dtype(), {a.shape(0), b.shape(1)}, false);
        require_no_overlap(kernel, "c", c, {{"a", &a}, {"b", &b}});
        run_gemm(a, b, c, alpha, beta);
        return c;
      },
      py::arg("a"), py::arg("b"), py::arg("c"), py::kw_only(), py::arg("alpha") = 1.0,
      py::arg("beta") = 0.0,
      R"doc(General matrix product in place: c := alpha (a @ b) + beta c.

beta == 0 overwrites c without reading it (NaN in c is ignored, as in BLAS).
Tolerance against mlpcore.reference.gemm:
``|diff| <= 4 (k + 2) eps (|alpha| |a| @ |b| + |beta c|)`` elementwise, with eps that of the dtype.

Parameters
----------
a : array_like, shape (m, k)
    Left factor, float32 or float64; any strides.
b : array_like, shape (k, n)
    Right factor, of the dtype of a; any strides.
c : ndarray, shape (m, n)
    The array updated in place: the dtype of a and b, writeable, any strides.
alpha : float, default 1.0
    Scale of the product.
beta : float, default 0.0
    Scale of the old c.

Returns
-------
ndarray, shape (m, n)
    c itself, updated.

Examples
--------
>>> from mlpcore import kernels
>>> a = np.array([[1.0, 2.0], [3.0, 4.0]])
>>> c = np.ones((2, 2))
>>> kernels.gemm(a, np.eye(2), c, alpha=2.0, beta=-1.0)
array([[1., 3.],
       [5., 7.]])
)doc");
}

}  // namespace mlpcore::bind
