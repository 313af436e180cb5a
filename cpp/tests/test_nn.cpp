// C++ tests of the nn and optim kernels: the vector math against libm, the row
// kernels against plain loops, every ISA path, bitwise equality across threads; and
// the calling thread's own thread count (ThreadCountScope).
#include <cmath>
#include <cstdio>
#include <limits>
#include <random>
#include <thread>
#include <vector>

#include "mlpcore/nn.hpp"
#include "mlpcore/optim.hpp"
#include "mlpcore/runtime.hpp"
#include "portable.hpp"

using namespace mlpcore;

static int failures = 0;

static void check(bool ok, const char* what, double detail) {
  if (!ok) {
    std::printf("FAIL %s (%s): %g\n", what, isa_name(active_isa()), detail);
    ++failures;
  }
}

// Largest error in units of the last place of T, against a double reference.
template <class T>
static double ulp_error(T got, double want) {
  if (std::isnan(want)) return std::isnan(got) ? 0 : INFINITY;
  if (std::isinf(want)) return got == T(want) ? 0 : INFINITY;
  T w = T(want);
  double ulp = std::nextafter(std::fabs(w), INFINITY) - std::fabs(w);
  return std::fabs(double(got) - want) / ulp;
}

template <class T>
static void test_activations(const char* tname) {
  std::vector<T> x;
  for (double v = -800; v <= 800; v += 0.37) x.push_back(T(v));
  for (double v = -20; v <= 20; v += 0.0013) x.push_back(T(v));
  for (double e = -300; e <= 2; e += 0.5) {
    x.push_back(T(std::pow(10.0, e)));
    x.push_back(T(-std::pow(10.0, e)));
  }
  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (double v : {0.0, -0.0, double(INFINITY), -double(INFINITY), nan}) x.push_back(T(v));
  std::vector<T> y(x.size());
  struct Case {
    Activation act;
    double (*ref)(double);
    double max_ulp;
  };
  const Case cases[] = {
      {Activation::tanh, [](double v) { return std::tanh(v); }, 4},
      {Activation::sigmoid,
       [](double v) { return v >= 0 ? 1 / (1 + std::exp(-v)) : std::exp(v) / (1 + std::exp(v)); },
       4},
      {Activation::softplus,
       [](double v) { return std::fmax(v, 0.0) + std::log1p(std::exp(-std::fabs(v))); }, 4},
      {Activation::sign, [](double v) { return std::isnan(v) ? v : (v >= 0 ? 1.0 : -1.0); }, 0},
      {Activation::heaviside, [](double v) { return std::isnan(v) ? v : (v >= 0 ? 1.0 : 0.0); }, 0},
      {Activation::relu, [](double v) { return std::isnan(v) ? v : (v > 0 ? v : 0.0); }, 0},
  };
  for (const Case& c : cases) {
    activation_forward<T>(c.act, y.data(), x.data(), int64_t(x.size()));
    double worst = 0;
    for (size_t i = 0; i < x.size(); ++i) worst = std::fmax(worst, ulp_error(y[i], c.ref(x[i])));
    char what[64];
    std::snprintf(what, sizeof what, "%s %s ulp", activation_name(c.act), tname);
    check(worst <= c.max_ulp, what, worst);
  }
}

template <class T>
static void test_cross_entropy(const char* tname) {
  std::mt19937 rng(7);
  std::normal_distribution<double> normal(0, 3);
  const int64_t n = 517, k = 13;
  std::vector<T> logits(n * k), grad(n * k), grad1(n * k);
  std::vector<int64_t> labels(n);
  for (auto& v : logits) v = T(normal(rng));
  for (int64_t i = 0; i < n; ++i) labels[i] = (i * 7) % k;
  MatView<const T> lv{logits.data(), n, k, k, 1};
  MatView<const T> none{nullptr, 0, 0, 0, 0};
  set_num_threads(2);
  double loss = cross_entropy<T>(lv, labels.data(), none, {grad.data(), n, k, k, 1}, Reduction::mean);
  set_num_threads(1);
  double loss1 = cross_entropy<T>(lv, labels.data(), none, {grad1.data(), n, k, k, 1}, Reduction::mean);
  check(loss == loss1 && grad == grad1, "cross_entropy bitwise across threads", loss - loss1);
  // Plain loops in double.
  double want = 0, worst = 0;
  for (int64_t i = 0; i < n; ++i) {
    double m = -INFINITY, s = 0;
    for (int64_t j = 0; j < k; ++j) m = std::fmax(m, double(logits[i * k + j]));
    for (int64_t j = 0; j < k; ++j) s += std::exp(double(logits[i * k + j]) - m);
    want += std::log(s) - (double(logits[i * k + labels[i]]) - m);
    for (int64_t j = 0; j < k; ++j) {
      double g = (std::exp(double(logits[i * k + j]) - m) / s - (j == labels[i])) / double(n);
      worst = std::fmax(worst, std::fabs(g - double(grad[i * k + j])));
    }
  }
  want /= double(n);
  const double eps = std::numeric_limits<T>::epsilon();
  char what[64];
  std::snprintf(what, sizeof what, "cross_entropy loss %s", tname);
  check(std::fabs(loss - want) <= 8 * eps * std::fabs(want), what, loss - want);
  std::snprintf(what, sizeof what, "cross_entropy grad %s", tname);
  check(worst <= 8 * eps / double(n), what, worst);
}

static void test_average() {
  // The running mean of 1, 2, ..., 10 is 5.5.
  std::vector<double> avg(3, 0.0), p(3);
  for (int64_t n = 0; n < 10; ++n) {
    for (auto& v : p) v = double(n + 1);
    average_step<double>(avg.data(), p.data(), 3, n);
  }
  check(std::fabs(avg[0] - 5.5) < 1e-14, "average_step running mean", avg[0]);
}

static void test_adam() {
  // The first step (m = v = 0) moves each parameter by lr g / (|g| + eps) against g:
  // the bias corrections make m / bc1 = g and sqrt(v / bc2) = |g|.
  std::vector<double> p = {1.0, -2.0, 0.5, 3.0}, g = {0.25, -4.0, 1e-3, 0.0};
  std::vector<double> m(4, 0.0), v(4, 0.0);
  const std::vector<double> p0 = p;
  adam_step<double>(p.data(), g.data(), m.data(), v.data(), 4, 1, 0.1, 0.9, 0.999, 1e-8, 0.0);
  double worst = 0;
  for (size_t i = 0; i < p.size(); ++i)
    worst = std::fmax(worst, std::fabs(p[i] - (p0[i] - 0.1 * g[i] / (std::fabs(g[i]) + 1e-8))));
  check(worst < 1e-12, "adam_step first step", worst);
  // Bitwise the same for any thread count (elementwise).
  const int64_t n = 300000;
  std::vector<float> pa(n), ga(n), ma(n, 0.0f), va(n, 0.0f);
  for (int64_t i = 0; i < n; ++i) {
    pa[size_t(i)] = float(std::sin(double(i)));
    ga[size_t(i)] = float(std::cos(0.7 * double(i)));
  }
  std::vector<float> pb = pa, mb = ma, vb = va;
  const int threads = get_num_threads();
  set_num_threads(1);
  adam_step<float>(pa.data(), ga.data(), ma.data(), va.data(), n, 3, 1e-3, 0.9, 0.999, 1e-8, 0.01);
  set_num_threads(4);
  adam_step<float>(pb.data(), ga.data(), mb.data(), vb.data(), n, 3, 1e-3, 0.9, 0.999, 1e-8, 0.01);
  set_num_threads(threads);
  check(pa == pb && ma == mb && va == vb, "adam_step across thread counts", 0);
}

// ThreadCountScope: the calling thread's own count for the scope's lifetime, nested and
// restored, seen by no other thread and not by the process-wide count, not capped by
// OpenMP's setting; the kernels under it give bitwise the same results.
static void test_thread_count_scope() {
  const int process = get_num_threads();
  auto in_new_thread = [](int (*get)()) {
    int n = -1;
    std::thread t([&] { n = get(); });
    t.join();
    return n;
  };
  const int fresh = in_new_thread(get_num_threads);
  check(get_thread_num_threads() == 0, "no thread count of its own by default",
        get_thread_num_threads());
  {
    ThreadCountScope outer(process + 2);
    check(get_num_threads() == process + 2 && get_thread_num_threads() == process + 2,
          "ThreadCountScope sets the count", get_num_threads());
    {
      ThreadCountScope inner(1);
      check(get_num_threads() == 1, "nested ThreadCountScope", get_num_threads());
      check(in_new_thread(get_thread_num_threads) == 0 &&
                in_new_thread(get_num_threads) == fresh,
            "another thread sees no thread count", in_new_thread(get_num_threads));
    }
    check(get_num_threads() == process + 2, "nested scope restores the outer count",
          get_num_threads());
    {
      ThreadCountScope cleared(0);
      check(get_num_threads() == process && get_thread_num_threads() == 0,
            "ThreadCountScope(0) clears the count", get_num_threads());
    }
  }
  check(get_num_threads() == process && get_thread_num_threads() == 0,
        "ThreadCountScope restores on destruction", get_num_threads());

  // Not capped by OpenMP's setting, which set_num_threads(1) makes 1 in this thread.
  set_num_threads(1);
  {
    ThreadCountScope threads(3);
    check(get_num_threads() == 3, "thread count above OpenMP's setting", get_num_threads());
  }
  check(get_num_threads() == 1, "process-wide count after the scope", get_num_threads());

  const int64_t n = 300000;
  std::vector<float> pa(n), ga(n), ma(n, 0.0f), va(n, 0.0f);
  for (int64_t i = 0; i < n; ++i) {
    pa[size_t(i)] = float(std::sin(double(i)));
    ga[size_t(i)] = float(std::cos(0.3 * double(i)));
  }
  std::vector<float> pb = pa, mb = ma, vb = va;
  {
    ThreadCountScope threads(1);
    adam_step<float>(pa.data(), ga.data(), ma.data(), va.data(), n, 2, 1e-3, 0.9, 0.999,
                     1e-8, 0.0);
  }
  std::thread other([&] {  // another thread, with a count of its own
    ThreadCountScope threads(4);
    adam_step<float>(pb.data(), ga.data(), mb.data(), vb.data(), n, 2, 1e-3, 0.9, 0.999,
                     1e-8, 0.0);
  });
  other.join();
  check(pa == pb && ma == mb && va == vb, "adam_step under ThreadCountScope(1) and (4)", 0);
  set_num_threads(process);
}

// The 64 x 64-bit product's high half of compilers without a 128-bit integer (the
// shuffle's uniform_index), against the native one where there is one and against
// products known by hand everywhere.
static void test_mulhi64() {
  const uint64_t max = ~uint64_t(0);
  check(mulhi64_portable(max, max) == max - 1, "mulhi64 (2^64-1)^2", 0);
  check(mulhi64_portable(uint64_t(1) << 32, uint64_t(1) << 32) == 1, "mulhi64 2^32 * 2^32", 0);
  check(mulhi64_portable(max, 12345) == 12344, "mulhi64 (2^64-1) * 12345", 0);
  check(mulhi64_portable(0x8000000000000000ull, 3) == 1, "mulhi64 2^63 * 3", 0);
#if defined(__SIZEOF_INT128__)
  std::mt19937_64 rng(5);
  int wrong = 0;
  for (int i = 0; i < 100000; ++i) {
    const uint64_t a = rng(), b = i % 3 == 0 ? rng() >> (i % 64) : rng();
    const uint64_t want = uint64_t((static_cast<unsigned __int128>(a) * b) >> 64);
    wrong += mulhi64_portable(a, b) != want;
  }
  check(wrong == 0, "mulhi64 against unsigned __int128", wrong);
#endif
}

int main() {
  test_mulhi64();
  for (Isa isa : {Isa::generic, Isa::avx2, Isa::avx512}) {
    if (!isa_supported(isa)) continue;
    set_active_isa(isa);
    test_activations<float>("float32");
    test_activations<double>("float64");
    test_cross_entropy<float>("float32");
    test_cross_entropy<double>("float64");
    std::printf("nn kernels checked on the %s path\n", isa_name(isa));
  }
  test_average();
  test_adam();
  test_thread_count_scope();
  if (failures) std::printf("%d failures\n", failures);
  return failures ? 1 : 0;
}
