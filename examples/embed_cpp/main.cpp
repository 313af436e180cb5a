// Multinomial logistic regression, p = softmax(X W + b), trained by full-batch
// gradient descent on three Gaussian blobs, with mlpcore's C++ kernels:
// linear_forward (logits), cross_entropy (loss and d loss / d logits in one pass),
// linear_backward (dW, db) and sgd_step (the update).
// Exits with status 1 when the training accuracy is below 0.9.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <random>
#include <vector>

#include "mlpcore/nn.hpp"
#include "mlpcore/optim.hpp"
#include "mlpcore/runtime.hpp"

using mlpcore::MatView;

namespace {

constexpr int64_t kClasses = 3, kFeatures = 2, kPerClass = 100;
constexpr int64_t kSamples = kClasses * kPerClass;
constexpr int kEpochs = 200;
constexpr double kLearningRate = 0.5;

// Row-major contiguous views: row stride = number of columns, column stride 1.
template <class T>
MatView<T> view(T* data, int64_t rows, int64_t cols) {
  return {data, rows, cols, cols, 1};
}

}  // namespace

int main() {
  // Three blobs around the corners of a triangle, unit standard deviation.
  const double centers[kClasses][kFeatures] = {{-3.0, 0.0}, {3.0, 0.0}, {0.0, 4.0}};
  std::mt19937 gen(42);
  std::normal_distribution<double> noise(0.0, 1.0);
  std::vector<double> x(kSamples * kFeatures);
  std::vector<int64_t> labels(kSamples);
  for (int64_t i = 0; i < kSamples; ++i) {
    const int64_t c = i % kClasses;
    labels[i] = c;
    for (int64_t j = 0; j < kFeatures; ++j) x[i * kFeatures + j] = centers[c][j] + noise(gen);
  }

  // Parameters start at zero (the loss is convex); gradients and logits live in
  // buffers allocated once.
  std::vector<double> w(kFeatures * kClasses, 0.0), b(kClasses, 0.0);
  std::vector<double> dw(w.size()), db(b.size());
  std::vector<double> logits(kSamples * kClasses), dlogits(logits.size());

  const MatView<const double> xv = view<const double>(x.data(), kSamples, kFeatures);
  const MatView<const double> wv = view<const double>(w.data(), kFeatures, kClasses);
  const MatView<const double> no_probs{nullptr, 0, 0, 0, 0};  // labels are given instead
  const MatView<double> no_dx{nullptr, 0, 0, 0, 0};           // dL/dX is not needed

  std::printf("mlpcore SIMD path: %s\n", mlpcore::isa_name(mlpcore::active_isa()));
  double loss = 0.0;
  for (int epoch = 0; epoch <= kEpochs; ++epoch) {
    mlpcore::linear_forward<double>(view(logits.data(), kSamples, kClasses), xv, wv, b.data(),
                                    mlpcore::Activation::identity);
    // Mean cross-entropy; dlogits = (softmax(logits) - onehot(labels)) / n.
    loss = mlpcore::cross_entropy<double>(view<const double>(logits.data(), kSamples, kClasses),
                                          labels.data(), no_probs,
                                          view(dlogits.data(), kSamples, kClasses),
                                          mlpcore::Reduction::mean);
    if (epoch % 25 == 0) std::printf("epoch %3d  loss %.6f\n", epoch, loss);
    if (epoch == kEpochs) break;  // the last pass only reports the loss of the final weights
    mlpcore::linear_backward<double>(no_dx, view(dw.data(), kFeatures, kClasses), db.data(), xv,
                                     wv, view<const double>(dlogits.data(), kSamples, kClasses));
    mlpcore::sgd_step<double>(w.data(), dw.data(), nullptr, static_cast<int64_t>(w.size()),
                              kLearningRate, 0.0, 0.0, false);
    mlpcore::sgd_step<double>(b.data(), db.data(), nullptr, static_cast<int64_t>(b.size()),
                              kLearningRate, 0.0, 0.0, false);
  }

  // The logits still hold X W + b of the final weights: predict by argmax.
  int64_t correct = 0;
  for (int64_t i = 0; i < kSamples; ++i) {
    const double* row = &logits[i * kClasses];
    int64_t best = 0;
    for (int64_t c = 1; c < kClasses; ++c)
      if (row[c] > row[best]) best = c;
    correct += best == labels[i];
  }
  const double accuracy = double(correct) / double(kSamples);
  std::printf("training accuracy %.4f\n", accuracy);

  if (!std::isfinite(loss) || accuracy < 0.9) {
    std::fprintf(stderr, "FAIL: accuracy %.4f below 0.9 (loss %g)\n", accuracy, loss);
    return 1;
  }
  return 0;
}
