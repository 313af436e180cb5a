// Blocked GEMM against the triple loop, at awkward sizes and layouts, under every
// supported ISA and several thread counts. No framework: prints each failure with
// its largest difference and returns non-zero.
#include <array>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <random>
#include <stdexcept>
#include <vector>

#include "arch/context.hpp"
#include "gemm/narrow.hpp"
#include "gemm/pack.hpp"
#include "gemm/ukernel.hpp"
#include "mlpcore/gemm.hpp"
#include "mlpcore/runtime.hpp"

using namespace mlpcore;

namespace {

int g_failures = 0;
int g_cases = 0;

// How a matrix sits in its buffer.
enum Layout { kRow, kTrans, kStrided, kNeg, kNumLayouts };
const char* layout_name(Layout l) {
  static const char* names[] = {"row(ld>cols)", "transposed", "strided(2)", "negative"};
  return names[l];
}

// A rows x cols view into an owned buffer, with every buffer element random (those
// outside the view are the guard that must stay unchanged in C).
template <class T>
struct Mat {
  std::vector<T> buf;
  MatView<T> v;
  Mat copy() const {
    Mat r{buf, v};
    r.v.data = r.buf.data() + (v.data - buf.data());
    return r;
  }
  std::vector<char> mask() const {  // 1 where the view's elements are
    std::vector<char> in(buf.size(), 0);
    for (int64_t i = 0; i < v.rows; ++i)
      for (int64_t j = 0; j < v.cols; ++j) in[&v(i, j) - buf.data()] = 1;
    return in;
  }
};

template <class T>
Mat<T> make(int64_t rows, int64_t cols, Layout lay, std::mt19937& rng) {
  Mat<T> m;
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  switch (lay) {
    case kRow: {  // row stride larger than cols
      const int64_t ld = cols + 3;
      m.buf.resize(rows * ld + 1);
      m.v = {m.buf.data(), rows, cols, ld, 1};
      break;
    }
    case kTrans: {  // stored cols x rows, viewed through .t(): unit row stride
      const int64_t ld = rows + 1;
      m.buf.resize(cols * ld + 1);
      m.v = MatView<T>{m.buf.data(), cols, rows, ld, 1}.t();
      break;
    }
    case kStrided: {  // non-unit inner stride
      const int64_t ld = 2 * cols + 1;
      m.buf.resize(rows * ld + 1);
      m.v = {m.buf.data(), rows, cols, ld, 2};
      break;
    }
    default: {  // rows and columns reversed: both strides negative
      m.buf.resize(rows * cols + 1);
      T* last = m.buf.data() + (rows > 0 && cols > 0 ? rows * cols - 1 : 0);
      m.v = {last, rows, cols, -cols, -1};
      break;
    }
  }
  for (T& x : m.buf) x = static_cast<T>(u(rng));
  return m;
}

template <class T>
MatView<const T> cview(const MatView<T>& v) {
  return {v.data, v.rows, v.cols, v.rs, v.cs};
}

// C (after gemm) against the naive result, elementwise within
// 4 k eps (|alpha| sum_p |a_ip b_pj| + |beta c_ij|); the guard untouched.
template <class T>
bool compare(const char* what, const Mat<T>& a, const Mat<T>& b, const Mat<T>& c0,
             const Mat<T>& c, const Mat<T>& ref, T alpha, T beta) {
  const int64_t m = c.v.rows, n = c.v.cols, k = a.v.cols;
  const double eps = std::numeric_limits<T>::epsilon();
  double worst = 0, worst_bound = 0;
  int64_t wi = -1, wj = -1;
  bool ok = true;
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      double mag = 0;
      for (int64_t p = 0; p < k; ++p) mag += std::fabs(double(a.v(i, p)) * double(b.v(p, j)));
      double bound = 4.0 * (k + 1) * eps * (std::fabs(double(alpha)) * mag +
                                           (beta != T(0) ? std::fabs(double(beta * c0.v(i, j))) : 0.0));
      bound += std::numeric_limits<T>::min();
      const double d = std::fabs(double(c.v(i, j)) - double(ref.v(i, j)));
      if (!(d <= bound)) ok = false;  // NaN fails too
      if (!(d <= worst) && (wi < 0 || !(d / bound <= worst / worst_bound))) {
        worst = d, worst_bound = bound, wi = i, wj = j;
      }
    }
  const std::vector<char> in = c.mask();
  for (size_t e = 0; e < c.buf.size(); ++e)
    if (!in[e] && std::memcmp(&c.buf[e], &c0.buf[e], sizeof(T)) != 0) {
      std::printf("FAIL %s: wrote outside C at buffer offset %zu\n", what, e);
      return false;
    }
  if (!ok)
    std::printf("FAIL %s: largest difference %.3g (bound %.3g) at (%lld, %lld): got %.9g want %.9g\n",
                what, worst, worst_bound, (long long)wi, (long long)wj, double(c.v(wi, wj)),
                double(ref.v(wi, wj)));
  return ok;
}

// One product, checked against gemm_naive.
template <class T>
void check(int64_t m, int64_t n, int64_t k, Layout la, Layout lb, Layout lc, T alpha, T beta,
           unsigned seed) {
  std::mt19937 rng(seed);
  Mat<T> a = make<T>(m, k, la, rng), b = make<T>(k, n, lb, rng), c0 = make<T>(m, n, lc, rng);
  if (beta == T(0))  // C must not be read
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) c0.v(i, j) = std::numeric_limits<T>::quiet_NaN();
  Mat<T> c = c0.copy(), ref = c0.copy();
  gemm<T>(alpha, cview(a.v), cview(b.v), beta, c.v);
  gemm_naive<T>(alpha, cview(a.v), cview(b.v), beta, ref.v);
  char what[256];
  std::snprintf(what, sizeof what, "%s %s m=%lld n=%lld k=%lld A %s B %s C %s alpha=%g beta=%g",
                sizeof(T) == 4 ? "float" : "double", isa_name(active_isa()), (long long)m,
                (long long)n, (long long)k, layout_name(la), layout_name(lb), layout_name(lc),
                double(alpha), double(beta));
  ++g_cases;
  if (!compare(what, a, b, c0, c, ref, alpha, beta)) ++g_failures;
}

// The epilogue: counts calls per element, records the value it sees, adds 1.
template <class T>
struct EpCtx {
  MatView<T> c;
  std::vector<int>* count;
  std::vector<T>* seen;
  bool* bad_pointer;
};
template <class T>
void ep_fn(const void* vctx, T* c, int64_t rs, int64_t cs, int64_t row0, int64_t col0, int64_t m,
           int64_t n) {
  const EpCtx<T>& x = *static_cast<const EpCtx<T>*>(vctx);
  if (c != &x.c(row0, col0) || rs != x.c.rs || cs != x.c.cs) *x.bad_pointer = true;
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      const int64_t e = (row0 + i) * x.c.cols + (col0 + j);
      (*x.count)[e] += 1;
      (*x.seen)[e] = c[i * rs + j * cs];
      c[i * rs + j * cs] += T(1);
    }
}

// Thread counts 1, 2, 3 give bitwise identical C; the epilogue sees every element
// once, with its final value (the same as without an epilogue).
template <class T>
void check_threads_and_epilogue(int64_t m, int64_t n, int64_t k, Layout la, Layout lb,
                                unsigned seed) {
  std::mt19937 rng(seed);
  Mat<T> a = make<T>(m, k, la, rng), b = make<T>(k, n, lb, rng), c0 = make<T>(m, n, kRow, rng);
  const T alpha = T(0.75), beta = T(-0.5);
  char what[200];
  std::snprintf(what, sizeof what, "%s %s m=%lld n=%lld k=%lld A %s B %s",
                sizeof(T) == 4 ? "float" : "double", isa_name(active_isa()), (long long)m,
                (long long)n, (long long)k, layout_name(la), layout_name(lb));
  ++g_cases;
  Mat<T> ref = c0.copy();
  gemm_naive<T>(alpha, cview(a.v), cview(b.v), beta, ref.v);

  const int saved = get_num_threads();
  std::vector<Mat<T>> results;
  for (int nt : {1, 2, 3}) {
    set_num_threads(nt);
    Mat<T> c = c0.copy();
    gemm<T>(alpha, cview(a.v), cview(b.v), beta, c.v);
    if (nt == 1 && !compare(what, a, b, c0, c, ref, alpha, beta)) ++g_failures;
    if (nt > 1 && std::memcmp(c.buf.data(), results[0].buf.data(), c.buf.size() * sizeof(T))) {
      std::printf("FAIL %s: %d threads not bitwise identical to 1 thread\n", what, nt);
      ++g_failures;
    }
    results.push_back(c);

    // With the epilogue.
    Mat<T> ce = c0.copy();
    std::vector<int> count(m * n, 0);
    std::vector<T> seen(m * n, T(0));
    bool bad_pointer = false;
    EpCtx<T> ctx{ce.v, &count, &seen, &bad_pointer};
    GemmEpilogue<T> ep{&ep_fn<T>, &ctx};
    gemm<T>(alpha, cview(a.v), cview(b.v), beta, ce.v, &ep);
    int64_t wrong_count = 0, wrong_value = 0;
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) {
        const int64_t e = i * n + j;
        if (count[e] != 1) ++wrong_count;
        if (std::memcmp(&seen[e], &c.v(i, j), sizeof(T)) != 0 ||
            ce.v(i, j) != seen[e] + T(1))
          ++wrong_value;
      }
    if (bad_pointer || wrong_count || wrong_value) {
      std::printf("FAIL %s threads=%d epilogue: %lld elements not seen once, %lld wrong values%s\n",
                  what, nt, (long long)wrong_count, (long long)wrong_value,
                  bad_pointer ? ", tile pointer/strides inconsistent" : "");
      ++g_failures;
    }
  }
  set_num_threads(saved);
}

template <class T>
void run_all() {
  const auto& K = *context<T>(active_isa()).gemm;
  const int64_t MR = K.mr, NR = K.nr, MC = K.mc, KC = K.kc, NC = K.nc;
  unsigned seed = 1;
  const T ab[][2] = {{T(1), T(0)}, {T(-0.5), T(1.5)}, {T(2), T(-1)}, {T(1), T(1)}};

  // Small sizes around the tile: every edge case of the micro-kernel, layouts rotating.
  int rot = 0;
  for (int64_t m : {int64_t(0), int64_t(1), int64_t(2), int64_t(3), MR - 1, MR, MR + 1, 2 * MR + 1, int64_t(13)})
    for (int64_t n : {int64_t(0), int64_t(1), int64_t(2), NR - 1, NR, NR + 1, 2 * NR + 3, int64_t(31)})
      for (int64_t k : {int64_t(0), int64_t(1), int64_t(2), int64_t(7), int64_t(17)}) {
        ++rot;
        check<T>(m, n, k, Layout(rot % 4), Layout((rot / 4) % 4), Layout((rot / 16) % 4),
                 ab[rot % 4][0], ab[rot % 4][1], seed++);
      }

  // Across the cache blocks (MC, KC, NC edges), every A x B layout.
  struct Dims { int64_t m, n, k; };
  const Dims dims[] = {{MC + 1, NR + 1, KC + 1},       {MC - 1, 2 * NR - 1, 2 * KC + 1},
                       {2 * MC + MR + 1, 3 * NR + 1, 37}, {97, 101, 103},
                       {MR + 1, 300, KC + 1},             {7, NC + NR + 3, 5}};
  for (const Dims& d : dims)
    for (int la = 0; la < kNumLayouts; ++la)
      for (int lb = 0; lb < kNumLayouts; ++lb) {
        ++rot;
        check<T>(d.m, d.n, d.k, Layout(la), Layout(lb), Layout(rot % 4), ab[rot % 4][0],
                 ab[rot % 4][1], seed++);
      }

  // Threads: rows split, columns split (few rows, two NC blocks), narrow output.
  check_threads_and_epilogue<T>(211, 333, KC + 45, kRow, kRow, seed++);
  check_threads_and_epilogue<T>(173, 250, 2 * KC + 1, kTrans, kTrans, seed++);
  check_threads_and_epilogue<T>(5, NC + 420, 300, kRow, kStrided, seed++);
  check_threads_and_epilogue<T>(3001, 10, 300, kNeg, kRow, seed++);
  check_threads_and_epilogue<T>(7, 9, 0, kRow, kRow, seed++);  // k == 0: C := beta C
}

// Narrow products (n <= kNarrowMaxN, A with unit column stride: gemm_narrow in
// driver.cpp): against the naive product at awkward sizes, B and C in every layout;
// that gemm takes the narrow kernel; thread counts and the epilogue; and that any
// subset of the rows of A gives bitwise the same rows of C.
template <class T>
void run_narrow() {
  using gemm_detail::kNarrowMaxN;
  unsigned seed = 1000;
  const T ab[][2] = {{T(1), T(0)}, {T(-0.5), T(1.5)}, {T(2), T(0)}, {T(1), T(1)}};

  // Sizes: every n, k around the vector widths (8 float, 4 double) and MNIST's 784,
  // m around the row blocks. m = 1000 on a third of the (n, k) pairs and n = 10.
  int rot = 0;
  for (int64_t n = 1; n <= kNarrowMaxN; ++n)
    for (int64_t k : {0, 1, 7, 8, 9, 783, 784, 785})
      for (int64_t m : {0, 1, 2, 3, 5, 17, 1000}) {
        if (m == 1000 && n != 10 && (n + k) % 3 != 0) continue;
        ++rot;
        check<T>(m, n, k, kRow, Layout(rot % 4), Layout((rot / 4) % 4), ab[rot % 4][0],
                 ab[rot % 4][1], seed++);
      }

  // gemm takes the narrow kernel: bitwise its result on B packed transposed.
  const auto& NK = *context<T>(active_isa()).narrow;
  for (int64_t n = 1; n <= kNarrowMaxN; ++n) {
    const int64_t m = 37, k = 785 + n;
    std::mt19937 rng(seed++);
    Mat<T> a = make<T>(m, k, kRow, rng), b = make<T>(k, n, Layout(n % 4), rng);
    Mat<T> c = make<T>(m, n, kRow, rng), d = c.copy();
    gemm<T>(T(0.5), cview(a.v), cview(b.v), T(-2), c.v);
    const int64_t ld = (k + gemm_detail::kNarrowPad - 1) / gemm_detail::kNarrowPad *
                       gemm_detail::kNarrowPad;
    std::vector<T> bt(n * ld + 64);
    T* btp = bt.data();
    while (reinterpret_cast<uintptr_t>(btp) % 64) ++btp;  // the kernel's alignment
    gemm_detail::pack_bt_nxk<T>(k, n, b.v.data, b.v.rs, b.v.cs, ld, btp);
    NK.fn(m, n, k, T(0.5), a.v.data, a.v.rs, btp, ld, T(-2), d.v.data, d.v.rs, d.v.cs);
    ++g_cases;
    if (std::memcmp(c.buf.data(), d.buf.data(), c.buf.size() * sizeof(T)) != 0) {
      std::printf("FAIL %s %s narrow n=%lld: gemm did not take the narrow kernel\n",
                  sizeof(T) == 4 ? "float" : "double", isa_name(active_isa()), (long long)n);
      ++g_failures;
    }
  }

  // Threads (bitwise) and the epilogue (once per element, after its final value).
  check_threads_and_epilogue<T>(1000, 10, 784, kRow, kRow, seed++);
  check_threads_and_epilogue<T>(1001, 16, 785, kRow, kTrans, seed++);
  check_threads_and_epilogue<T>(2003, 1, 1031, kRow, kNeg, seed++);
  check_threads_and_epilogue<T>(20001, 3, 101, kRow, kStrided, seed++);
  check_threads_and_epilogue<T>(517, 7, 9, kRow, kRow, seed++);

  // Row subsets: rows [i, j) of the full product (3 threads) are bitwise the product
  // of rows [i, j) of A (1 thread), with alpha and beta, for any i, j.
  const int saved = get_num_threads();
  for (int64_t n : {1, 2, 5, 10, 16})
    for (int64_t k : {9, 785}) {
      const int64_t m = 1000;
      std::mt19937 rng(seed++);
      Mat<T> a = make<T>(m, k, kRow, rng), b = make<T>(k, n, kRow, rng);
      Mat<T> c0 = make<T>(m, n, kRow, rng), full = c0.copy();
      set_num_threads(3);
      gemm<T>(T(0.75), cview(a.v), cview(b.v), T(-0.5), full.v);
      set_num_threads(1);
      const int64_t ranges[][2] = {{0, 1}, {3, 4}, {1, 6}, {5, 22}, {999, 1000}, {123, 517}, {2, 1000}};
      for (const auto& r : ranges) {
        const int64_t i = r[0], j = r[1];
        Mat<T> part = c0.copy();
        MatView<const T> as{a.v.data + i * a.v.rs, j - i, k, a.v.rs, 1};
        MatView<T> cs{part.v.data + i * part.v.rs, j - i, n, part.v.rs, 1};
        gemm<T>(T(0.75), as, cview(b.v), T(-0.5), cs);
        ++g_cases;
        if (std::memcmp(&part.v(i, 0), &full.v(i, 0), ((j - i - 1) * part.v.rs + n) * sizeof(T))) {
          std::printf("FAIL %s %s narrow m=%lld n=%lld k=%lld: rows [%lld, %lld) alone differ "
                      "from the same rows of the full product\n",
                      sizeof(T) == 4 ? "float" : "double", isa_name(active_isa()), (long long)m,
                      (long long)n, (long long)k, (long long)i, (long long)j);
          ++g_failures;
        }
      }
    }
  set_num_threads(saved);
}

// Few columns with A not row-contiguous (x^T @ dz) run as C^T = B^T A^T when C has
// more rows than columns. The orientation must not change the bits: rows [0, n) of
// the full product (transposed) equal the product of those n rows alone (not
// transposed), and the epilogue sees every element once, with its final value.
template <class T>
void run_orientation() {
  std::mt19937 rng(5);
  for (int64_t n : {1, 3, 7, 9, 15})
    for (int64_t k : {1, 130, 400}) {
      const int64_t m = 50;
      Mat<T> a = make<T>(m, k, kTrans, rng), b = make<T>(k, n, kRow, rng);
      Mat<T> full = make<T>(m, n, kRow, rng), part = make<T>(n, n, kRow, rng);
      gemm<T>(T(1.25), cview(a.v), cview(b.v), T(0), full.v);
      MatView<const T> top{a.v.data, n, k, a.v.rs, a.v.cs};
      gemm<T>(T(1.25), top, cview(b.v), T(0), part.v);
      ++g_cases;
      for (int64_t i = 0; i < n; ++i)
        if (std::memcmp(&part.v(i, 0), &full.v(i, 0), size_t(n) * sizeof(T))) {
          std::printf("FAIL %s %s orientation n=%lld k=%lld: row %lld differs between C and "
                      "C^T = B^T A^T\n", sizeof(T) == 4 ? "float" : "double",
                      isa_name(active_isa()), (long long)n, (long long)k, (long long)i);
          ++g_failures;
          break;
        }
      // The epilogue adds 1 once per element.
      Mat<T> with = full.copy();
      GemmEpilogue<T> ep{[](const void*, T* c, int64_t rs, int64_t cs, int64_t, int64_t,
                            int64_t mm, int64_t nn) {
                           for (int64_t i = 0; i < mm; ++i)
                             for (int64_t j = 0; j < nn; ++j) c[i * rs + j * cs] += T(1);
                         },
                         nullptr};
      gemm<T>(T(1.25), cview(a.v), cview(b.v), T(0), with.v, &ep);
      ++g_cases;
      for (int64_t i = 0; i < m; ++i)
        for (int64_t j = 0; j < n; ++j)
          if (with.v(i, j) != full.v(i, j) + T(1)) {
            std::printf("FAIL %s orientation epilogue n=%lld k=%lld at (%lld, %lld)\n",
                        sizeof(T) == 4 ? "float" : "double", (long long)n, (long long)k,
                        (long long)i, (long long)j);
            ++g_failures;
            i = m;
            break;
          }
    }
}

}  // namespace

int main() {
  // The definition itself, on a case worked by hand: [1 2; 3 4] [5; 6] = [17; 39].
  {
    const double a[] = {1, 2, 3, 4}, b[] = {5, 6};
    double c[] = {1, 1};
    gemm_naive<double>(2.0, {a, 2, 2, 2, 1}, {b, 2, 1, 1, 1}, 3.0, {c, 2, 1, 1, 1});
    if (c[0] != 37 || c[1] != 81) {
      std::printf("FAIL gemm_naive by hand: got %g %g want 37 81\n", c[0], c[1]);
      ++g_failures;
    }
    bool threw = false;
    try {
      gemm<double>(1.0, {a, 2, 2, 2, 1}, {b, 1, 2, 2, 1}, 0.0, {c, 2, 1, 1, 1});
    } catch (const std::invalid_argument&) {
      threw = true;
    }
    if (!threw) {
      std::printf("FAIL gemm: mismatched shapes not rejected\n");
      ++g_failures;
    }
  }

  // Called from inside a caller's own parallel region (an embedding program's loop):
  // each call runs on its thread alone and uses only its own workspace, whatever that
  // thread's number in the caller's team (few rows, an edge panel: 4 x 64 x 17;
  // a column product: 3 x 20000 x 1).
  for (const std::array<int64_t, 3>& shape :
       {std::array<int64_t, 3>{4, 64, 17}, std::array<int64_t, 3>{3, 20000, 1}}) {
    const int64_t m = shape[0], k = shape[1], n = shape[2];
    std::vector<float> a(size_t(m * k)), b(size_t(k * n)), want(size_t(m * n));
    for (size_t i = 0; i < a.size(); ++i) a[i] = float(i % 7) - 3.0f;
    for (size_t i = 0; i < b.size(); ++i) b[i] = float(i % 5) - 2.0f;
    gemm_naive<float>(1.0f, {a.data(), m, k, k, 1}, {b.data(), k, n, n, 1}, 0.0f,
                      {want.data(), m, n, n, 1});
    int wrong = 0;
#pragma omp parallel num_threads(4) reduction(+ : wrong)
    {
      std::vector<float> c(size_t(m * n), -1.0f);
      // A column product takes A = X^T: X (k x m) row-major, read with unit row stride.
      std::vector<float> x(size_t(k * m));
      for (int64_t p = 0; p < k; ++p)
        for (int64_t i = 0; i < m; ++i) x[size_t(p * m + i)] = a[size_t(i * k + p)];
      const MatView<const float> av = n == 1 ? MatView<const float>{x.data(), m, k, 1, m}
                                              : MatView<const float>{a.data(), m, k, k, 1};
      gemm<float>(1.0f, av, {b.data(), k, n, n, 1}, 0.0f, {c.data(), m, n, n, 1});
      for (size_t i = 0; i < c.size(); ++i) wrong += c[i] != want[i];
    }
    if (wrong) {
      std::printf("FAIL gemm %lldx%lldx%lld inside a caller's parallel region: %d wrong\n",
                  (long long)m, (long long)k, (long long)n, wrong);
      ++g_failures;
    }
  }

  // Interruption: a check that asks to stop makes a long product throw Interrupted at a
  // block boundary, with 1 and 2 threads; without a check, or one that never asks, the
  // product completes. The check runs on the calling thread only.
  const int threads_before = get_num_threads();
  for (int threads : {1, 2}) {
    set_num_threads(threads);
    const int64_t n = 1024;
    std::vector<float> a(size_t(n * n), 1.0f), c(size_t(n * n));
    static int calls;
    calls = 0;
    auto product = [&] {
      gemm<float>(1.0f, {a.data(), n, n, n, 1}, {a.data(), n, n, n, 1}, 0.0f,
                  {c.data(), n, n, n, 1});
    };
    bool threw = false;
    {
      InterruptScope scope([] { return ++calls >= 2; });
      const auto start = std::chrono::steady_clock::now();
      try {
        while (std::chrono::steady_clock::now() - start < std::chrono::seconds(5)) product();
      } catch (const Interrupted&) {
        threw = true;
      }
    }
    ++g_cases;
    if (!threw || calls != 2) {
      std::printf("FAIL interrupt (%d threads): threw %d after %d checks\n", threads, threw, calls);
      ++g_failures;
    }
    {
      InterruptScope scope([] { return false; });
      product();
    }
    product();  // no scope: never checked
    ++g_cases;
    if (c[0] != float(n) || c.back() != float(n)) {
      std::printf("FAIL interrupt (%d threads): product after an interruption is wrong\n",
                  threads);
      ++g_failures;
    }
  }
  set_num_threads(threads_before);

  const Isa saved = active_isa();
  for (Isa isa : {Isa::generic, Isa::avx2, Isa::avx512}) {
    if (!isa_supported(isa)) {
      std::printf("skip %s (not supported here)\n", isa_name(isa));
      continue;
    }
    set_active_isa(isa);
    const int before = g_failures;
    run_all<float>();
    run_all<double>();
    run_narrow<float>();
    run_narrow<double>();
    run_orientation<float>();
    run_orientation<double>();
    std::printf("%s: %s\n", isa_name(isa), g_failures == before ? "ok" : "FAILED");
  }
  set_active_isa(saved);
  std::printf("%d cases, %d failures\n", g_cases, g_failures);
  return g_failures ? 1 : 0;
}
