// The compiled training loop: one call per epoch does the shuffling, batching,
// forward pass, loss, backpropagation, SGD or Adam update and averaging, with buffers
// allocated once, when the trainer is made.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "mlpcore/matrix.hpp"
#include "mlpcore/nn.hpp"

namespace mlpcore {

enum class Loss : int { cross_entropy, squared_error, perceptron };
enum class Schedule : int { constant, invscaling };
enum class Optimizer : int { sgd, adam };

// The names in the order of the enums: the one registry of each, exported to Python
// as _core.LOSSES, _core.SCHEDULES and _core.OPTIMIZERS.
inline constexpr const char* kLossNames[] = {"cross_entropy", "squared_error", "perceptron"};
inline constexpr const char* kScheduleNames[] = {"constant", "invscaling"};
inline constexpr const char* kOptimizerNames[] = {"sgd", "adam"};
static_assert(sizeof(kLossNames) / sizeof(kLossNames[0]) ==
                  static_cast<size_t>(Loss::perceptron) + 1,
              "one name per loss");
static_assert(sizeof(kScheduleNames) / sizeof(kScheduleNames[0]) ==
                  static_cast<size_t>(Schedule::invscaling) + 1,
              "one name per schedule");
static_assert(sizeof(kOptimizerNames) / sizeof(kOptimizerNames[0]) ==
                  static_cast<size_t>(Optimizer::adam) + 1,
              "one name per optimizer");

// One dense layer h = g(h_prev @ w + b). Every array is owned by the caller,
// row-major and contiguous; velocity, second-moment and average arrays are null
// when unused. Adam keeps its first moment in the velocity arrays.
template <class T>
struct DenseLayer {
  T* w;  // n_in x n_out
  T* b;  // n_out
  T* w_velocity = nullptr;
  T* b_velocity = nullptr;
  T* w_second = nullptr;  // Adam's second moment
  T* b_second = nullptr;
  T* w_average = nullptr;
  T* b_average = nullptr;
  int64_t n_in = 0, n_out = 0;
  Activation activation = Activation::identity;
};

struct SgdConfig {
  Loss loss = Loss::cross_entropy;
  int64_t batch_size = 32;  // >= n means full-batch gradient descent
  bool shuffle = true;
  double learning_rate = 0.01;
  Schedule schedule = Schedule::constant;
  double power_t = 0.5;  // invscaling: lr / (1 + step)^power_t
  Optimizer optimizer = Optimizer::sgd;
  double momentum = 0.0;  // sgd
  bool nesterov = false;
  double beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8;  // adam
  double weight_decay = 0.0;  // L2 on the weights (not the biases)
  bool fit_bias = true;       // false: the biases stay as they are
};

// What persists between epochs (and between calls of partial_fit).
struct TrainState {
  uint64_t rng = 0;            // splitmix64 state of the shuffling
  int64_t step = 0;            // updates made so far (for invscaling)
  int64_t optimizer_step = 0;  // updates since the optimizer's moments were last zero
                               // (Adam's bias correction)
  int64_t average_count = 0;   // iterates in the average so far
};

struct EpochStats {
  double loss = 0;          // mean over the batches of the objective (loss + L2 penalty)
  double grad_norm = 0;     // Euclidean norm of the last update's gradient
  double learning_rate = 0; // of the last update
  int64_t mistakes = 0;     // perceptron: misclassified samples seen in the epoch
  int64_t nonfinite_row = -1;  // check_finite: the first row of x found with NaN or inf
};

// The training data: x (n x d); targets as class indices (cross-entropy) or a
// matrix n x k (squared error; the perceptron's -1/+1 labels, k = 1); optional
// per-sample weights.
template <class T>
struct Dataset {
  MatView<const T> x;
  const int64_t* labels = nullptr;
  MatView<const T> targets{nullptr, 0, 0, 0, 0};
  const T* sample_weight = nullptr;
};

// The next number of the splitmix64 generator, and a uniform integer in
// [0, bound) from it (Lemire's multiply-shift), as mlpcore.reference does.
uint64_t splitmix64_next(uint64_t* state);
int64_t uniform_index(uint64_t* state, int64_t bound);
// The permutation of one epoch: Fisher-Yates from the last position down.
void shuffle_indices(int64_t* idx, int64_t n, uint64_t* state);

template <class T>
class Trainer {
 public:
  // max_rows: the largest number of rows passed to evaluate/predict at once is
  // unbounded (they work in chunks); buffers are sized for the batch.
  Trainer(std::vector<DenseLayer<T>> layers, SgdConfig config, int64_t n_samples);

  // One pass over the data. average: fold every iterate of this epoch into the
  // average arrays (Polyak-Ruppert), avg = count/(count+1) avg + w/(count+1).
  // check_finite: check each row of x as its batch is formed (while it is in cache,
  // instead of a separate pass over the data); at the first row holding NaN or inf
  // the epoch stops before that batch is used and reports the row in
  // nonfinite_row, the earlier batches having updated the parameters.
  EpochStats epoch(const Dataset<T>& data, TrainState* state, bool average,
                   bool check_finite = false);

  // The network's output (n x n_out of the last layer), in chunks of rows; with
  // use_average the averaged weights are used.
  void predict(MatView<const T> x, MatView<T> out, bool use_average);

  // Mean loss (sample-weighted) and score: accuracy (cross-entropy, perceptron)
  // or the coefficient of determination R^2 averaged over outputs (squared error).
  void evaluate(const Dataset<T>& data, bool use_average, double* loss, double* score);

  // The objective an epoch reports for one full batch of the data, at the current
  // weights: sum_i w_i loss_i / n (the sample weights already scaled to mean 1) plus
  // (weight_decay / 2) ||W||^2. Its gradient goes into dw[k] (n_in x n_out) and
  // db[k] (n_out; zeros when fit_bias is false), contiguous arrays of the caller.
  // Works in chunks of the batch's rows, summed in order (so the result does not
  // depend on the thread count), and changes no weights or state.
  double full_loss_and_gradient(const Dataset<T>& data, const std::vector<T*>& dw,
                                const std::vector<T*>& db);

 private:
  int64_t gather_batch(const Dataset<T>& data, int64_t start, int64_t rows, bool check_finite);
  void forward(MatView<const T> x, int64_t rows, bool use_average);
  double output_loss(int64_t rows, const int64_t* labels, MatView<const T> targets,
                     const T* weights, double scale, int64_t* mistakes, bool gradient);
  void backward(MatView<const T> x, int64_t rows);
  void update(double lr, bool average, TrainState* state);
  EpochStats perceptron_online_epoch(const Dataset<T>& data, TrainState* state, bool average,
                                     bool check_finite);

  std::vector<DenseLayer<T>> layers_;
  SgdConfig config_;
  int64_t batch_;                      // rows per batch
  std::vector<std::vector<T>> h_;      // layer outputs, batch x n_out each
  std::vector<T> dz_, dh_;             // gradient ping-pong buffers, batch x widest
  std::vector<std::vector<T>> dw_, db_;
  std::vector<T> xb_, tb_, wb_;        // gathered batch: inputs, targets, weights
  std::vector<int64_t> lb_, order_;    // gathered labels, epoch permutation
};

extern template class Trainer<float>;
extern template class Trainer<double>;

}  // namespace mlpcore
