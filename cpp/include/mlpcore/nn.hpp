// Neural-network kernels: activations, softmax, losses and the dense layer.
// Arrays are owned by the caller; every function writes only into its outputs.
#pragma once
#include <cstdint>

#include "mlpcore/matrix.hpp"

namespace mlpcore {

enum class Activation : int { identity, sign, heaviside, tanh, sigmoid, relu, softplus };
enum class Reduction : int { mean, sum };

// The activations' names in the order of Activation: the one registry, exported to
// Python as _core.ACTIVATIONS.
inline constexpr const char* kActivationNames[] = {"identity", "sign",  "heaviside", "tanh",
                                                   "sigmoid",  "relu", "softplus"};
inline constexpr int kActivationCount = sizeof(kActivationNames) / sizeof(kActivationNames[0]);
static_assert(kActivationCount == static_cast<int>(Activation::softplus) + 1,
              "one name per activation");

const char* activation_name(Activation act);
bool activation_from_name(const char* name, Activation* act);  // false if unknown
const char* activation_names();  // "identity, sign, ..." for error messages

// out (n) = g(a (n)), contiguous; out may be a. sign(0) = +1, heaviside(0) = 1.
template <class T>
void activation_forward(Activation act, T* out, const T* a, int64_t n);
// da (n) = g'(a) * dy, with g' recovered from the output y = g(a); da may be y or dy.
template <class T>
void activation_backward(Activation act, T* da, const T* y, const T* dy, int64_t n);

// out (n x k) = softmax(a) row by row (or log_softmax); rows of a and out have unit
// column stride and any row stride. out may be a.
template <class T>
void softmax_forward(MatView<T> out, MatView<const T> a);
template <class T>
void log_softmax_forward(MatView<T> out, MatView<const T> a);

// Cross-entropy of softmax(logits) (n x k) against class indices `labels` (n, each
// in [0, k)) or, when labels is null, probabilities `probs` (n x k). Returns the
// loss (sum or mean over rows, accumulated in double); writes d loss / d logits
// into dlogits when dlogits.data is not null. One pass over the logits.
template <class T>
double cross_entropy(MatView<const T> logits, const int64_t* labels, MatView<const T> probs,
                     MatView<T> dlogits, Reduction reduction);

// E = 1/2 sum (y - d)^2 over n x k values (mean: divided by n); dy = dE/dy when
// dy is not null. Contiguous arrays.
template <class T>
double squared_error(const T* y, const T* d, int64_t n, int64_t k, T* dy, Reduction reduction);

// The perceptron criterion E = sum max(-d s, 0) with d in {-1, +1}; ds = -d where
// sign(s) != d (sign(0) = +1), else 0, when ds is not null (mean: divided by n).
template <class T>
double perceptron_criterion(const T* s, const T* d, int64_t n, int64_t k, T* ds,
                            Reduction reduction);

// out (n x k) = g(x (n x d) @ w (d x k) + b (k)), the bias and activation fused
// into the GEMM's epilogue. b may be null. out has unit column stride.
template <class T>
void linear_forward(MatView<T> out, MatView<const T> x, MatView<const T> w, const T* b,
                    Activation act);
// dz (n x k) is dE/dz for z = x @ w + b: dx = dz @ w^T, dw = x^T @ dz, db = column
// sums of dz (accumulated in double, in row order). Null outputs are skipped.
template <class T>
void linear_backward(MatView<T> dx, MatView<T> dw, T* db, MatView<const T> x,
                     MatView<const T> w, MatView<const T> dz);

}  // namespace mlpcore
