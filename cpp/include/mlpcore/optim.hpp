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

// Polyak-Ruppert averaging: avg = count/(count+1) * avg + param/(count+1).
template <class T>
void average_step(T* avg, const T* param, int64_t n, int64_t count);

}  // namespace mlpcore
