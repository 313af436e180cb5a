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
#include <cstring>

#include "nn/vector_math.hpp"

namespace mlpcore {
namespace MLPCORE_ISA_NS {
namespace {

inline uint64_t bits(double x) { uint64_t u; std::memcpy(&u, &x, 8); return u; }
inline uint32_t bits(float x) { uint32_t u; std::memcpy(&u, &x, 4); return u; }
inline double from_bits(uint64_t u) { double x; std::memcpy(&x, &u, 8); return x; }
inline float from_bits(uint32_t u) { float x; std::memcpy(&x, &u, 4); return x; }

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
// Sixteen running maxima side by side, one per lane: GCC and Clang both vectorize this,
// where Clang cannot vectorize a max reduction of compares and selects (reduction(max)).
template <class T>
inline T row_max(const T* a, int64_t cols) {
  constexpr int kLanes = 16;
  T lanes[kLanes];
  for (int k = 0; k < kLanes; ++k) lanes[k] = T(-INFINITY);
  int64_t j = 0;
  for (; j + kLanes <= cols; j += kLanes) {
#pragma omp simd
    for (int k = 0; k < kLanes; ++k) lanes[k] = a[j + k] > lanes[k] ? a[j + k] : lanes[k];
  }
  T m = T(-INFINITY);
  for (int k = 0; k < kLanes; ++k) m = lanes[k] > m ? lanes[k] : m;
  for (; j < cols; ++j) m = a[j] > m ? a[j] : m;
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

// Rows of at most kNarrowCols values (the logits of a 10-class model) are taken a
// block at a time: their exponentials in one vectorized pass over a contiguous buffer,
// where a row of 10 values alone would leave most of each vector empty and pay the
// loop overhead per row. Which path a row takes depends only on the number of
// columns, so a row's result never depends on the other rows.
constexpr int64_t kNarrowCols = 32;
constexpr int64_t kNarrowRows = 64;

template <class T>
struct NarrowBlock {
  T e[kNarrowRows * kNarrowCols];  // exp(a - row max), rows packed contiguously
  T m[kNarrowRows];                // row maxima
  double s[kNarrowRows];           // row sums of e
  double lse[kNarrowRows];         // log of the sums
};

// Fills blk for rows [0, rows) (rows <= kNarrowRows) of a, cols <= kNarrowCols.
template <class T>
void narrow_exp(NarrowBlock<T>& blk, const T* a, int64_t lda, int64_t rows, int64_t cols,
                bool want_log) {
  // Row maxima (NaN skipped, as row_max does), four rows at a time: a horizontal
  // reduction per short row would cost more than the comparisons.
  int64_t r = 0;
  for (; r + 4 <= rows; r += 4) {
    const T* a0 = a + r * lda;
    T m0 = T(-INFINITY), m1 = m0, m2 = m0, m3 = m0;
    for (int64_t j = 0; j < cols; ++j) {
      m0 = a0[j] > m0 ? a0[j] : m0;
      m1 = a0[lda + j] > m1 ? a0[lda + j] : m1;
      m2 = a0[2 * lda + j] > m2 ? a0[2 * lda + j] : m2;
      m3 = a0[3 * lda + j] > m3 ? a0[3 * lda + j] : m3;
    }
    blk.m[r] = m0;
    blk.m[r + 1] = m1;
    blk.m[r + 2] = m2;
    blk.m[r + 3] = m3;
  }
  for (; r < rows; ++r) blk.m[r] = row_max(a + r * lda, cols);
  for (r = 0; r < rows; ++r) {
    const T* ar = a + r * lda;
    const T m = blk.m[r];
    for (int64_t j = 0; j < cols; ++j) blk.e[r * cols + j] = ar[j] - m;
  }
  const int64_t n = rows * cols;
  T* e = blk.e;
#pragma omp simd
  for (int64_t i = 0; i < n; ++i) e[i] = vexp(e[i]);
  // Row sums in double, four rows at a time: four independent chains of additions
  // instead of one latency-bound chain per row.
  for (r = 0; r + 4 <= rows; r += 4) {
    const T* e0 = e + r * cols;
    double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (int64_t j = 0; j < cols; ++j) {
      s0 += double(e0[j]);
      s1 += double(e0[cols + j]);
      s2 += double(e0[2 * cols + j]);
      s3 += double(e0[3 * cols + j]);
    }
    blk.s[r] = s0;
    blk.s[r + 1] = s1;
    blk.s[r + 2] = s2;
    blk.s[r + 3] = s3;
  }
  for (; r < rows; ++r) {
    double sum = 0;
    for (int64_t j = 0; j < cols; ++j) sum += double(e[r * cols + j]);
    blk.s[r] = sum;
  }
  if (want_log) {
#pragma omp simd
    for (int64_t r = 0; r < rows; ++r) blk.lse[r] = vlog(blk.s[r]);
  }
}

template <class T>
void softmax_rows_narrow(T* out, int64_t ldo, const T* a, int64_t lda, int64_t rows,
                         int64_t cols, bool log) {
  NarrowBlock<T> blk;
  for (int64_t r0 = 0; r0 < rows; r0 += kNarrowRows) {
    const int64_t nr = rows - r0 < kNarrowRows ? rows - r0 : kNarrowRows;
    narrow_exp(blk, a + r0 * lda, lda, nr, cols, log);
    for (int64_t r = 0; r < nr; ++r) {
      const T* ar = a + (r0 + r) * lda;
      T* orow = out + (r0 + r) * ldo;
      if (log) {
        const T m = blk.m[r], lse = T(blk.lse[r]);
        for (int64_t j = 0; j < cols; ++j) orow[j] = (ar[j] - m) - lse;
      } else {
        const T sum = T(blk.s[r]);
        for (int64_t j = 0; j < cols; ++j) orow[j] = blk.e[r * cols + j] / sum;
      }
    }
  }
}

template <class T>
void softmax_rows_impl(T* out, int64_t ldo, const T* a, int64_t lda, int64_t rows,
                       int64_t cols, bool log) {
  if (cols <= kNarrowCols) return softmax_rows_narrow(out, ldo, a, lda, rows, cols, log);
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
// The narrow-row cross-entropy: the arithmetic of the general path below, with the
// exponentials taken a block of rows at a time.
template <class T>
double cross_entropy_rows_narrow(T* dlogits, int64_t ldd, const T* logits, int64_t lda,
                                 const int64_t* labels, const T* probs, int64_t ldp,
                                 const T* weights, int64_t rows, int64_t cols, T scale) {
  NarrowBlock<T> blk;
  double total = 0;
  for (int64_t r0 = 0; r0 < rows; r0 += kNarrowRows) {
    const int64_t nr = rows - r0 < kNarrowRows ? rows - r0 : kNarrowRows;
    narrow_exp(blk, logits + r0 * lda, lda, nr, cols, true);
    for (int64_t r = 0; r < nr; ++r) {
      const int64_t i = r0 + r;
      const T* ai = logits + i * lda;
      const double m = double(blk.m[r]), lse = blk.lse[r];
      const T* ti = probs ? probs + i * ldp : nullptr;
      double loss = 0, tsum = 1;
      if (labels) {
        loss = lse - (double(ai[labels[i]]) - m);
      } else {
        tsum = 0;
        for (int64_t j = 0; j < cols; ++j) {
          const double t = ti[j];
          loss += t != 0 ? t * (lse - (double(ai[j]) - m)) : 0.0;
          tsum += t;
        }
      }
      const T wi = weights ? weights[i] : T(1);
      total += weights ? double(wi) * loss : loss;
      if (!dlogits) continue;
      T* gi = dlogits + i * ldd;
      const T* ei = blk.e + r * cols;
      const T row_scale = weights ? wi * scale : scale;
      const T p_scale = T(tsum / blk.s[r]) * row_scale;
      if (labels) {
        for (int64_t j = 0; j < cols; ++j) gi[j] = ei[j] * p_scale;
        gi[labels[i]] -= row_scale;
      } else {
        for (int64_t j = 0; j < cols; ++j) gi[j] = ei[j] * p_scale - ti[j] * row_scale;
      }
    }
  }
  return total;
}

template <class T>
double cross_entropy_rows_impl(T* dlogits, int64_t ldd, const T* logits, int64_t lda,
                               const int64_t* labels, const T* probs, int64_t ldp,
                               const T* weights, int64_t rows, int64_t cols, T scale) {
  if (cols <= kNarrowCols)
    return cross_entropy_rows_narrow(dlogits, ldd, logits, lda, labels, probs, ldp, weights,
                                     rows, cols, scale);
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

// Four quarters summed side by side: four independent vector accumulators instead
// of one chain of dependent additions.
template <class T>
T dot_impl(const T* x, const T* w, int64_t n) {
  const int64_t q = n / 4;
  T s0 = T(0), s1 = T(0), s2 = T(0), s3 = T(0);
#pragma omp simd reduction(+ : s0, s1, s2, s3)
  for (int64_t j = 0; j < q; ++j) {
    s0 += x[j] * w[j];
    s1 += x[q + j] * w[q + j];
    s2 += x[2 * q + j] * w[2 * q + j];
    s3 += x[3 * q + j] * w[3 * q + j];
  }
  for (int64_t j = 4 * q; j < n; ++j) s0 += x[j] * w[j];
  return (s0 + s1) + (s2 + s3);
}

template <class T>
void sample_step_impl(T* w, const T* x, int64_t n, T g, T lr, T wd) {
#pragma omp simd
  for (int64_t j = 0; j < n; ++j) w[j] -= lr * (g * x[j] + wd * w[j]);
}

// No NaN or infinity among x[0, n): an OR over "all exponent bits set", in integers,
// so it vectorizes without reassociating floats and raises no FP exception.
template <class T>
bool all_finite_impl(const T* x, int64_t n) {
  using U = decltype(bits(T(0)));
  const U exponent = bits(T(INFINITY));
  U bad = 0;
#pragma omp simd reduction(| : bad)
  for (int64_t j = 0; j < n; ++j) bad |= static_cast<U>((bits(x[j]) & exponent) == exponent);
  return bad == 0;
}

// A few rows (m <= M): the sums stay in registers across p instead of being stored
// and reloaded at every p (the same multiply-adds in the same order; the compiler may
// fuse them differently from the vector loop, so m <= 4 and m > 4 may differ in the
// last bits).
template <int M, class T>
void axpy_columns_few(T* acc, const T* a, int64_t lda, const T* b, int64_t ldb, int64_t k) {
  T s[M];
  for (int i = 0; i < M; ++i) s[i] = acc[i];
  for (int64_t p = 0; p < k; ++p) {
    const T bp = b[p * ldb];
    const T* ap = a + p * lda;
    for (int i = 0; i < M; ++i) s[i] += ap[i] * bp;
  }
  for (int i = 0; i < M; ++i) acc[i] = s[i];
}

template <class T>
void axpy_columns_impl(T* acc, const T* a, int64_t lda, const T* b, int64_t ldb, int64_t m,
                       int64_t k) {
  switch (m) {
    case 1: return axpy_columns_few<1>(acc, a, lda, b, ldb, k);
    case 2: return axpy_columns_few<2>(acc, a, lda, b, ldb, k);
    case 3: return axpy_columns_few<3>(acc, a, lda, b, ldb, k);
    case 4: return axpy_columns_few<4>(acc, a, lda, b, ldb, k);
    default: break;
  }
  // Long columns (m > 4 kRows) are read whole for each p, acc staying in L1. Short
  // columns (a tall X^T u) go in chunks of kRows values of acc (256 bytes: 8 AVX2
  // registers) kept in registers over all k, not reloaded for each p; chunking long
  // columns would step through A a page at a time, which measured slower. Either way
  // each acc[i] gets its products in increasing p.
  constexpr int64_t kRows = 256 / int64_t(sizeof(T));
  int64_t i0 = 0;
  if (m <= 4 * kRows) {
    for (; i0 + kRows <= m; i0 += kRows) {
      T s[kRows];
      for (int64_t i = 0; i < kRows; ++i) s[i] = acc[i0 + i];
      for (int64_t p = 0; p < k; ++p) {
        const T bp = b[p * ldb];
        const T* ap = a + p * lda + i0;
#pragma omp simd
        for (int64_t i = 0; i < kRows; ++i) s[i] += ap[i] * bp;
      }
      for (int64_t i = 0; i < kRows; ++i) acc[i0 + i] = s[i];
    }
    if (i0 == m) return;
  }
  T* rest = acc + i0;
  const int64_t left = m - i0;
  a += i0;
  for (int64_t p = 0; p < k; ++p) {
    const T bp = b[p * ldb];
    const T* ap = a + p * lda;
#pragma omp simd
    for (int64_t i = 0; i < left; ++i) rest[i] += ap[i] * bp;
  }
}

}  // namespace

const VectorMath<float>& table_f() {
  static const VectorMath<float> t{activation_forward_impl<float>,
                                   activation_backward_impl<float>,
                                   softmax_rows_impl<float>,
                                   cross_entropy_rows_impl<float>,
                                   dot_impl<float>,
                                   sample_step_impl<float>,
                                   all_finite_impl<float>,
                                   axpy_columns_impl<float>};
  return t;
}
const VectorMath<double>& table_d() {
  static const VectorMath<double> t{activation_forward_impl<double>,
                                    activation_backward_impl<double>,
                                    softmax_rows_impl<double>,
                                    cross_entropy_rows_impl<double>,
                                    dot_impl<double>,
                                    sample_step_impl<double>,
                                    all_finite_impl<double>,
                                    axpy_columns_impl<double>};
  return t;
}

}  // namespace MLPCORE_ISA_NS
}  // namespace mlpcore
