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

// The perceptron criterion of one score s with label d in {-1, +1}: max(-d s, 0),
// NaN propagating.
template <class T>
inline double perceptron_term(T s, T d) {
  const T margin = -d * s;
  return margin <= T(0) ? 0.0 : double(margin);
}

// A perceptron mistake: sign(s) != d with sign(0) = +1, i.e. d = -1 and s >= 0, or
// d = +1 and s < 0. A NaN score is no mistake (its gradient is NaN instead).
template <class T>
inline bool perceptron_mistake(T s, T d) {
  return d > T(0) ? s < T(0) : s >= T(0);
}

// Also counts the mistakes (perceptron_mistake) when mistakes is not null.
template <class T>
double perceptron_scaled(const T* s, const T* d, int64_t n, int64_t k, T* ds, const T* weights,
                         double scale, int64_t* mistakes);

}  // namespace mlpcore
