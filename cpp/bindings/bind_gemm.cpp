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
      R"doc(a @ b for 2-D float32 or float64 arrays a (m, k) and b (k, n).

Blocked, packed and threaded (BLIS-style). Any strides of a, b and out are used
without a copy (x.T, slices, negative strides). out (m, n), if given, must have the
dtype of a and b, be writeable and share no memory with them.
Tolerance to reference.matmul: |diff| <= 4 k eps (|a| @ |b|) elementwise.)doc");
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
      R"doc(c := alpha * (a @ b) + beta * c, in place; returns c.

beta == 0 overwrites c without reading it (NaN in c is ignored, as in BLAS).
c must be a writeable array of the dtype of a and b, of shape (m, n), any strides.
Tolerance to reference.gemm: |diff| <= 4 k eps (|alpha| |a| @ |b| + |beta c|).)doc");
}

}  // namespace mlpcore::bind
