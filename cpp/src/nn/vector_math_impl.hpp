// Vectorized exp, expm1, log, log1p, tanh, sigmoid, softplus and the row kernels
// built on them. Included once per ISA by vector_math_<isa>.cpp with
// MLPCORE_ISA_NS set; the loops are written so that the compiler vectorizes them
// for that ISA (straight-line code, selects instead of branches, bit casts).
//
// Accuracy: exp, expm1 and log within ~1-2 ulp; tanh, sigmoid, softplus within a
// few ulp, over the whole range, with IEEE special values (NaN in -> NaN out,
// exp(-inf) = 0, exp(+inf) = inf, log(0) = -inf). No STL templates here: every
// function lives in the ISA's own namespace (see the ODR note in CMakeLists.txt).
#ifndef MLPCORE_ISA_NS
#error "define MLPCORE_ISA_NS before including vector_math_impl.hpp"
#endif

#include <cmath>
#include <cstdint>

#include "nn/vector_math.hpp"

namespace mlpcore {
namespace MLPCORE_ISA_NS {
namespace {

inline uint64_t bits(double x) { uint64_t u; __builtin_memcpy(&u, &x, 8); return u; }
inline uint32_t bits(float x) { uint32_t u; __builtin_memcpy(&u, &x, 4); return u; }
inline double from_bits(uint64_t u) { double x; __builtin_memcpy(&x, &u, 8); return x; }
inline float from_bits(uint32_t u) { float x; __builtin_memcpy(&x, &u, 4); return x; }

// Per-type constants of exp and log.
template <class T> struct Consts;
template <> struct Consts<double> {
  using UInt = uint64_t;
  static constexpr int mant = 52, bias = 1023;
  static constexpr double shifter = 0x1.8p52;  // adding it rounds to an integer
  static constexpr double ln2_hi = 0x1.62e42fefa3800p-1, ln2_lo = 0x1.ef35793c76730p-45;
  static constexpr double exp_hi = 709.782712893384, exp_lo = -745.1332191019412;
  static constexpr double min_normal = 0x1p-1022, subnormal_scale = 0x1p54;
  static constexpr int subnormal_shift = 54;
};
template <> struct Consts<float> {
  using UInt = uint32_t;
  static constexpr int mant = 23, bias = 127;
  static constexpr float shifter = 0x1.8p23f;
  static constexpr float ln2_hi = 0x1.62e4p-1f, ln2_lo = 0x1.7f7d1cp-20f;
  static constexpr float exp_hi = 88.72283935546875f, exp_lo = -103.97208f;
  static constexpr float min_normal = 0x1p-126f, subnormal_scale = 0x1p25f;
  static constexpr int subnormal_shift = 25;
};

// 2^n for an integer-valued n in the normal exponent range, built from its bits.
template <class T>
inline T pow2i(T n) {
  using C = Consts<T>;
  using U = typename C::UInt;
  U i = bits(T(n + C::shifter)) - bits(C::shifter);  // n as a two's complement integer
  return from_bits(U((i + U(C::bias)) << C::mant));
}

// e^r - 1 for |r| <= ln2/2: the Taylor series, to degree 13 (double) or 8 (float),
// whose truncation error is below half an ulp there.
inline double expm1_small(double r) {
  double p = 1.0 / 6227020800.0;
  p = p * r + 1.0 / 479001600.0;
  p = p * r + 1.0 / 39916800.0;
  p = p * r + 1.0 / 3628800.0;
  p = p * r + 1.0 / 362880.0;
  p = p * r + 1.0 / 40320.0;
  p = p * r + 1.0 / 5040.0;
  p = p * r + 1.0 / 720.0;
  p = p * r + 1.0 / 120.0;
  p = p * r + 1.0 / 24.0;
  p = p * r + 1.0 / 6.0;
  p = p * r + 0.5;
  return r + r * (r * p);
}
inline float expm1_small(float r) {
  float p = 1.0f / 40320.0f;
  p = p * r + 1.0f / 5040.0f;
  p = p * r + 1.0f / 720.0f;
  p = p * r + 1.0f / 120.0f;
  p = p * r + 1.0f / 24.0f;
  p = p * r + 1.0f / 6.0f;
  p = p * r + 0.5f;
  return r + r * (r * p);
}

// exp(x) = 2^n e^r with n = round(x / ln2) and r = x - n ln2 (Cody-Waite, two
// parts); 2^n is applied in two halves so that subnormal results are exact too.
template <class T>
inline T vexp(T x) {
  using C = Consts<T>;
  T xc = x > C::exp_hi ? C::exp_hi : x;
  xc = xc < C::exp_lo ? C::exp_lo : xc;
  T n = (xc * T(1.4426950408889634) + C::shifter) - C::shifter;
  T r = (xc - n * C::ln2_hi) - n * C::ln2_lo;
  T p = T(1) + expm1_small(r);
  T n1 = (n * T(0.5) - T(0.25) + C::shifter) - C::shifter;  // floor(n / 2), no ties
  T y = (p * pow2i(n1)) * pow2i(T(n - n1));
  y = x > C::exp_hi ? T(INFINITY) : y;
  return x < C::exp_lo ? T(0) : y;
}

template <class T>
inline T vexpm1(T x) {
  T small = expm1_small(x);
  T large = vexp(x) - T(1);
  return std::fabs(x) <= T(0.34657359027997264) ? small : large;
}

// log(x) = e ln2 + log(1 + f) with 1 + f in [sqrt(1/2), sqrt(2)); log(1 + f) by
// the series of 2 atanh(s), s = f / (2 + f), arranged as in fdlibm.
inline double log1pf_series(double f) {
  double s = f / (2.0 + f), z = s * s;
  double R = 2.0 / 23.0;
  R = R * z + 2.0 / 21.0;
  R = R * z + 2.0 / 19.0;
  R = R * z + 2.0 / 17.0;
  R = R * z + 2.0 / 15.0;
  R = R * z + 2.0 / 13.0;
  R = R * z + 2.0 / 11.0;
  R = R * z + 2.0 / 9.0;
  R = R * z + 2.0 / 7.0;
  R = R * z + 2.0 / 5.0;
  R = R * z + 2.0 / 3.0;
  R *= z;
  double hfsq = 0.5 * f * f;
  return f - (hfsq - s * (hfsq + R));
}
inline float log1pf_series(float f) {
  float s = f / (2.0f + f), z = s * s;
  float R = 2.0f / 11.0f;
  R = R * z + 2.0f / 9.0f;
  R = R * z + 2.0f / 7.0f;
  R = R * z + 2.0f / 5.0f;
  R = R * z + 2.0f / 3.0f;
  R *= z;
  float hfsq = 0.5f * f * f;
  return f - (hfsq - s * (hfsq + R));
}

template <class T>
inline T vlog(T x) {
  using C = Consts<T>;
  using U = typename C::UInt;
  bool sub = x < C::min_normal;
  T xs = sub ? x * C::subnormal_scale : x;
  U ix = bits(xs);
  // Exponent and mantissa m in [1, 2); move m to [sqrt(1/2), sqrt(2)).
  // The biased exponent as a T, via the shifter's free mantissa bits (no int->float
  // conversion, which AVX2 lacks for 64-bit integers).
  T biased = from_bits(U(bits(C::shifter) | (ix >> C::mant))) - C::shifter;
  T e = biased - T(C::bias) - (sub ? T(C::subnormal_shift) : T(0));
  T m = from_bits(U((ix & ((U(1) << C::mant) - 1)) | (U(C::bias) << C::mant)));
  bool big = m > T(1.4142135623730951);
  m = big ? m * T(0.5) : m;
  e = big ? e + T(1) : e;
  T y = e * C::ln2_hi + (log1pf_series(T(m - T(1))) + e * C::ln2_lo);
  y = x == T(INFINITY) ? x : y;
  y = x == T(0) ? T(-INFINITY) : y;
  return x < T(0) || x != x ? T(NAN) : y;
}

// log1p(u) for u >= 0 with full relative accuracy: log(w) u / (w - 1), w = 1 + u.
template <class T>
inline T vlog1p_pos(T u) {
  T w = T(1) + u;
  T d = w - T(1);
  return d == T(0) ? u : vlog(w) * (u / d);
}

template <class T>
inline T vtanh(T x) {
  T em = vexpm1(T(-2) * std::fabs(x));  // in (-1, 0]
  return std::copysign(-em / (T(2) + em), x);
}

template <class T>
inline T vsigmoid(T x) {
  T e = vexp(-std::fabs(x));
  T r = T(1) / (T(1) + e);
  return x >= T(0) ? r : e * r;
}

template <class T>
inline T vsoftplus(T x) {
  return (x > T(0) ? x : T(0)) + vlog1p_pos(vexp(-std::fabs(x)));
}

template <class T>
void activation_forward_impl(int act, T* out, const T* a, int64_t n) {
  switch (static_cast<Activation>(act)) {
    case Activation::identity:
      if (out != a)
#pragma omp simd
        for (int64_t i = 0; i < n; ++i) out[i] = a[i];
      break;
    case Activation::sign:  // sign(0) = +1; NaN stays NaN
#pragma omp simd
      for (int64_t i = 0; i < n; ++i)
        out[i] = a[i] >= T(0) ? T(1) : (a[i] < T(0) ? T(-1) : a[i]);
      break;
    case Activation::heaviside:  // heaviside(0) = 1; NaN stays NaN
#pragma omp simd
      for (int64_t i = 0; i < n; ++i)
        out[i] = a[i] >= T(0) ? T(1) : (a[i] < T(0) ? T(0) : a[i]);
      break;
    case Activation::tanh:
#pragma omp simd
      for (int64_t i = 0; i < n; ++i) out[i] = vtanh(a[i]);
      break;
    case Activation::sigmoid:
#pragma omp simd
      for (int64_t i = 0; i < n; ++i) out[i] = vsigmoid(a[i]);
      break;
    case Activation::relu:  // NaN stays NaN, as numpy.maximum
#pragma omp simd
      for (int64_t i = 0; i < n; ++i) out[i] = a[i] > T(0) ? a[i] : (a[i] <= T(0) ? T(0) : a[i]);
      break;
    case Activation::softplus:
#pragma omp simd
      for (int64_t i = 0; i < n; ++i) out[i] = vsoftplus(a[i]);
      break;
  }
}

// Derivatives written as products with dy, so that NaN or inf in dy propagate as in
// the NumPy twin.
template <class T>
void activation_backward_impl(int act, T* da, const T* y, const T* dy, int64_t n) {
  switch (static_cast<Activation>(act)) {
    case Activation::identity:
      if (da != dy)
#pragma omp simd
        for (int64_t i = 0; i < n; ++i) da[i] = dy[i];
      break;
    case Activation::sign:
    case Activation::heaviside:
#pragma omp simd
      for (int64_t i = 0; i < n; ++i) da[i] = T(0) * dy[i];
      break;
    case Activation::tanh:
#pragma omp simd
      for (int64_t i = 0; i < n; ++i) da[i] = dy[i] * (T(1) - y[i] * y[i]);
      break;
    case Activation::sigmoid:
#pragma omp simd
      for (int64_t i = 0; i < n; ++i) da[i] = dy[i] * (y[i] * (T(1) - y[i]));
      break;
    case Activation::relu:
#pragma omp simd
      for (int64_t i = 0; i < n; ++i) da[i] = dy[i] * (y[i] > T(0) ? T(1) : T(0));
      break;
    case Activation::softplus:  // sigmoid(a) = 1 - exp(-y) = -expm1(-y)
#pragma omp simd
      for (int64_t i = 0; i < n; ++i) da[i] = dy[i] * -vexpm1(-y[i]);
      break;
  }
}

// The row maximum, skipping NaN (a NaN row still ends up all NaN through a - max).
template <class T>
inline T row_max(const T* a, int64_t cols) {
  T m = T(-INFINITY);
#pragma omp simd reduction(max : m)
  for (int64_t j = 0; j < cols; ++j) m = a[j] > m ? a[j] : m;
  return m;
}

// out = exp(a - m), returning the sum in double.
template <class T>
inline double exp_shifted(T* out, const T* a, T m, int64_t cols) {
  double s = 0;
#pragma omp simd reduction(+ : s)
  for (int64_t j = 0; j < cols; ++j) {
    T e = vexp(T(a[j] - m));
    out[j] = e;
    s += double(e);
  }
  return s;
}

template <class T>
inline double sum_exp_shifted(const T* a, T m, int64_t cols) {
  double s = 0;
#pragma omp simd reduction(+ : s)
  for (int64_t j = 0; j < cols; ++j) s += double(vexp(T(a[j] - m)));
  return s;
}

template <class T>
void softmax_rows_impl(T* out, int64_t ldo, const T* a, int64_t lda, int64_t rows,
                       int64_t cols, bool log) {
  for (int64_t i = 0; i < rows; ++i) {
    const T* ai = a + i * lda;
    T* oi = out + i * ldo;
    T m = row_max(ai, cols);
    if (log) {
      T lse = T(vlog(sum_exp_shifted(ai, m, cols)));
#pragma omp simd
      for (int64_t j = 0; j < cols; ++j) oi[j] = (ai[j] - m) - lse;
    } else {
      T s = T(exp_shifted(oi, ai, m, cols));
#pragma omp simd
      for (int64_t j = 0; j < cols; ++j) oi[j] = oi[j] / s;
    }
  }
}

// Row loss: lse - z_t (labels) or sum_k t_k (lse - z_k) over t_k != 0 (probs),
// with z = a - max and lse = log sum exp z.
template <class T>
double cross_entropy_rows_impl(T* dlogits, int64_t ldd, const T* logits, int64_t lda,
                               const int64_t* labels, const T* probs, int64_t ldp,
                               const T* weights, int64_t rows, int64_t cols, T scale) {
  double total = 0;
  for (int64_t i = 0; i < rows; ++i) {
    const T* ai = logits + i * lda;
    T m = row_max(ai, cols);
    double s = dlogits ? exp_shifted(dlogits + i * ldd, ai, m, cols)
                       : sum_exp_shifted(ai, m, cols);
    double lse = vlog(s);
    double loss = 0, tsum = 1;
    const T* ti = probs ? probs + i * ldp : nullptr;
    if (labels) {
      loss = lse - (double(ai[labels[i]]) - double(m));
    } else {
      tsum = 0;
#pragma omp simd reduction(+ : loss, tsum)
      for (int64_t j = 0; j < cols; ++j) {
        double t = ti[j];
        double term = t * (lse - (double(ai[j]) - double(m)));
        loss += t != 0 ? term : 0.0;
        tsum += t;
      }
    }
    const T wi = weights ? weights[i] : T(1);
    total += weights ? double(wi) * loss : loss;
    if (dlogits) {
      T* gi = dlogits + i * ldd;
      const T row_scale = weights ? wi * scale : scale;
      T p_scale = T(tsum / s) * row_scale;  // softmax = e / s, times sum(t)
      if (labels) {
#pragma omp simd
        for (int64_t j = 0; j < cols; ++j) gi[j] = gi[j] * p_scale;
        gi[labels[i]] -= row_scale;
      } else {
#pragma omp simd
        for (int64_t j = 0; j < cols; ++j) gi[j] = gi[j] * p_scale - ti[j] * row_scale;
      }
    }
  }
  return total;
}

}  // namespace

const VectorMath<float>& table_f() {
  static const VectorMath<float> t{activation_forward_impl<float>,
                                   activation_backward_impl<float>,
                                   softmax_rows_impl<float>, cross_entropy_rows_impl<float>};
  return t;
}
const VectorMath<double>& table_d() {
  static const VectorMath<double> t{activation_forward_impl<double>,
                                    activation_backward_impl<double>,
                                    softmax_rows_impl<double>, cross_entropy_rows_impl<double>};
  return t;
}

}  // namespace MLPCORE_ISA_NS
}  // namespace mlpcore
