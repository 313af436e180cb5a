// Optimizer updates, in place on contiguous arrays of n values.
#pragma once
#include <cstdint>

namespace mlpcore {

// PyTorch's SGD: g = grad + weight_decay * param; with momentum, v = momentum * v + g
// and g = nesterov ? g + momentum * v : v; then param -= lr * g. velocity may be
// null when momentum == 0.
template <class T>
void sgd_step(T* param, const T* grad, T* velocity, int64_t n, double lr, double momentum,
              double weight_decay, bool nesterov);

// PyTorch's Adam (amsgrad off): g = grad + weight_decay * param; m = beta1 m + (1 - beta1) g;
// v = beta2 v + (1 - beta2) g^2; param -= lr / (1 - beta1^step) * m
// / (sqrt(v) / sqrt(1 - beta2^step) + eps). step is the 1-based count of this update.
template <class T>
void adam_step(T* param, const T* grad, T* m, T* v, int64_t n, int64_t step, double lr,
               double beta1, double beta2, double eps, double weight_decay);

// Polyak-Ruppert averaging: avg = count/(count+1) * avg + param/(count+1).
template <class T>
void average_step(T* avg, const T* param, int64_t n, int64_t count);

}  // namespace mlpcore
