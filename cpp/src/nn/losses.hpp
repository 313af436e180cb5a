// The losses with per-row weights and a free scale, for the training loop: each
// returns scale * sum_i w_i loss_i and writes the gradient of that (w null: all 1).
// The public kernels of mlpcore/nn.hpp are these with scale 1/n (mean) or 1 (sum).
#pragma once
#include <cstdint>

#include "mlpcore/matrix.hpp"

namespace mlpcore {

template <class T>
double cross_entropy_scaled(MatView<const T> logits, const int64_t* labels,
                            MatView<const T> probs, MatView<T> dlogits, const T* weights,
                            double scale);

template <class T>
double squared_error_scaled(const T* y, const T* d, int64_t n, int64_t k, T* dy,
                            const T* weights, double scale);

// Also counts the mistakes (sign(s) != d) when mistakes is not null.
template <class T>
double perceptron_scaled(const T* s, const T* d, int64_t n, int64_t k, T* ds, const T* weights,
                         double scale, int64_t* mistakes);

}  // namespace mlpcore
