// SGD and averaging updates: elementwise, so any split between threads gives the
// same bits.
#include "mlpcore/optim.hpp"

#include <algorithm>

#include "mlpcore/runtime.hpp"

namespace mlpcore {

namespace {
constexpr int64_t kMinElementsPerThread = 1 << 16;
}

template <class T>
void sgd_step(T* param, const T* grad, T* velocity, int64_t n, double lr, double momentum,
              double weight_decay, bool nesterov) {
  const T tlr = T(lr), mu = T(momentum), wd = T(weight_decay);
  int nt = threads_for(n, kMinElementsPerThread);
  if (momentum == 0.0) {
#pragma omp parallel for simd num_threads(nt) schedule(static)
    for (int64_t i = 0; i < n; ++i) param[i] -= tlr * (grad[i] + wd * param[i]);
  } else {
#pragma omp parallel for simd num_threads(nt) schedule(static)
    for (int64_t i = 0; i < n; ++i) {
      T g = grad[i] + wd * param[i];
      T v = mu * velocity[i] + g;
      velocity[i] = v;
      param[i] -= tlr * (nesterov ? g + mu * v : v);
    }
  }
}

template <class T>
void average_step(T* avg, const T* param, int64_t n, int64_t count) {
  const T keep = T(double(count) / double(count + 1)), take = T(1.0 / double(count + 1));
  int nt = threads_for(n, kMinElementsPerThread);
#pragma omp parallel for simd num_threads(nt) schedule(static)
  for (int64_t i = 0; i < n; ++i) avg[i] = keep * avg[i] + take * param[i];
}

template void sgd_step<float>(float*, const float*, float*, int64_t, double, double, double, bool);
template void sgd_step<double>(double*, const double*, double*, int64_t, double, double, double,
                               bool);
template void average_step<float>(float*, const float*, int64_t, int64_t);
template void average_step<double>(double*, const double*, int64_t, int64_t);

}  // namespace mlpcore
