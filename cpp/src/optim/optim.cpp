// SGD, Adam and averaging updates: elementwise, so any split between threads gives the
// same bits.
#include "mlpcore/optim.hpp"

#include <algorithm>
#include <cmath>

#include "mlpcore/runtime.hpp"
#include "parallel.hpp"

namespace mlpcore {

namespace {
// f(begin, end) over chunks of [0, n), threaded when n is large (parallel_for).
constexpr int64_t kChunk = 8192;
template <class F>
void for_chunks(int64_t n, F f) {
  parallel_for(threads_for(element_work(n, 1)), (n + kChunk - 1) / kChunk, [&](int64_t c) {
    f(c * kChunk, std::min(n, (c + 1) * kChunk));
  });
}
}  // namespace

template <class T>
void sgd_step(T* param, const T* grad, T* velocity, int64_t n, double lr, double momentum,
              double weight_decay, bool nesterov) {
  const T tlr = T(lr), mu = T(momentum), wd = T(weight_decay);
  for_chunks(n, [&](int64_t b, int64_t e) {
    if (momentum == 0.0) {
#pragma omp simd
      for (int64_t i = b; i < e; ++i) param[i] -= tlr * (grad[i] + wd * param[i]);
    } else {
#pragma omp simd
      for (int64_t i = b; i < e; ++i) {
        T g = grad[i] + wd * param[i];
        T v = mu * velocity[i] + g;
        velocity[i] = v;
        param[i] -= tlr * (nesterov ? g + mu * v : v);
      }
    }
  });
}

template <class T>
void adam_step(T* param, const T* grad, T* m, T* v, int64_t n, int64_t step, double lr,
               double beta1, double beta2, double eps, double weight_decay) {
  // The scalars are formed in double and rounded once to T, as torch does with its
  // Python floats; the elementwise order is torch's too (lerp_ for m, addcmul_ for v,
  // addcdiv_ for param), so float64 results agree to a few ulp.
  const double bc1 = 1.0 - std::pow(beta1, double(step));
  const double bc2 = 1.0 - std::pow(beta2, double(step));
  const T wd = T(weight_decay), b1 = T(beta1), w1 = T(1.0 - beta1);
  const T b2 = T(beta2), w2 = T(1.0 - beta2);
  const T neg_step_size = T(-(lr / bc1)), bc2_sqrt = T(std::pow(bc2, 0.5)), teps = T(eps);
  for_chunks(n, [&](int64_t b, int64_t e) {
#pragma omp simd
    for (int64_t i = b; i < e; ++i) {
      const T g = grad[i] + wd * param[i];
      const T mi = w1 < T(0.5) ? m[i] + w1 * (g - m[i]) : g - (g - m[i]) * b1;
      const T vi = b2 * v[i] + w2 * g * g;
      m[i] = mi;
      v[i] = vi;
      param[i] += neg_step_size * mi / (std::sqrt(vi) / bc2_sqrt + teps);
    }
  });
}

template <class T>
void average_step(T* avg, const T* param, int64_t n, int64_t count) {
  const T keep = T(double(count) / double(count + 1)), take = T(1.0 / double(count + 1));
  for_chunks(n, [&](int64_t b, int64_t e) {
#pragma omp simd
    for (int64_t i = b; i < e; ++i) avg[i] = keep * avg[i] + take * param[i];
  });
}

template void sgd_step<float>(float*, const float*, float*, int64_t, double, double, double, bool);
template void sgd_step<double>(double*, const double*, double*, int64_t, double, double, double,
                               bool);
template void adam_step<float>(float*, const float*, float*, float*, int64_t, int64_t, double,
                               double, double, double, double);
template void adam_step<double>(double*, const double*, double*, double*, int64_t, int64_t,
                                double, double, double, double, double);
template void average_step<float>(float*, const float*, int64_t, int64_t);
template void average_step<double>(double*, const double*, int64_t, int64_t);

}  // namespace mlpcore
