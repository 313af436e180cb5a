// The compiled epoch loop: gather a minibatch, forward through the dense layers,
// loss and its gradient, backpropagation, SGD or Adam step, averaging. Buffers are made in
// the constructor; an epoch allocates nothing.
#include "mlpcore/train.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>

#include "mlpcore/optim.hpp"
#include "mlpcore/runtime.hpp"
#include "nn/losses.hpp"
#include "arch/context.hpp"
#include "portable.hpp"

namespace mlpcore {

uint64_t splitmix64_next(uint64_t* state) {
  uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

int64_t uniform_index(uint64_t* state, int64_t bound) {
  const uint64_t r = splitmix64_next(state);
#if defined(__SIZEOF_INT128__)
  return static_cast<int64_t>((static_cast<unsigned __int128>(r) * static_cast<uint64_t>(bound)) >> 64);
#else
  return static_cast<int64_t>(mulhi64_portable(r, static_cast<uint64_t>(bound)));
#endif
}

namespace {

// Asks for the cache lines of a row that will be copied soon: the gathered rows
// are scattered in memory, so the hardware prefetcher cannot guess the next one.
inline void prefetch_bytes(const void* p, size_t bytes) {
  const char* c = static_cast<const char*>(p);
  for (size_t offset = 0; offset < bytes; offset += 64) prefetch_for_read(c + offset);
}

}  // namespace

void shuffle_indices(int64_t* idx, int64_t n, uint64_t* state) {
  for (int64_t i = 0; i < n; ++i) idx[i] = i;
  for (int64_t i = n - 1; i > 0; --i) std::swap(idx[i], idx[uniform_index(state, i + 1)]);
}

namespace {

// Rows per chunk when predicting or evaluating: the layer buffers hold this many.
constexpr int64_t kChunkRows = 256;

template <class T>
MatView<const T> rows_of(MatView<const T> m, int64_t begin, int64_t count) {
  return {m.data + begin * m.rs, count, m.cols, m.rs, m.cs};
}

template <class T>
MatView<T> dense(std::vector<T>& buf, int64_t rows, int64_t cols) {
  return {buf.data(), rows, cols, cols, 1};
}
template <class T>
MatView<const T> cdense(const std::vector<T>& buf, int64_t rows, int64_t cols) {
  return {buf.data(), rows, cols, cols, 1};
}

double learning_rate_at(const SgdConfig& c, int64_t step) {
  if (c.schedule == Schedule::invscaling)
    return c.learning_rate / std::pow(1.0 + double(step), c.power_t);
  return c.learning_rate;
}

// Row x (d values, column stride cs) into the contiguous dst.
template <class T>
void copy_row(T* dst, const T* x, int64_t d, int64_t cs) {
  if (cs == 1)
    std::memcpy(dst, x, sizeof(T) * size_t(d));
  else
    for (int64_t j = 0; j < d; ++j) dst[j] = x[j * cs];
}

// The L2 penalty (weight_decay / 2) ||W||^2 of the objective, over the layers'
// weights (not the biases).
template <class T>
double penalty(const VectorMath<T>& vm, const std::vector<DenseLayer<T>>& layers, double wd) {
  if (wd == 0.0) return 0.0;
  double squares = 0;
  for (const DenseLayer<T>& layer : layers)
    squares += double(vm.dot(layer.w, layer.w, layer.n_in * layer.n_out));
  return 0.5 * wd * squares;
}

// The squared gradient norm accumulated in double, in order: norm2, plus
// (dw(j) + wd w_j)^2 over the weights (the L2 term's gradient included), plus db_j^2
// over the nb biases.
template <class T, class DW>
double add_grad_squares(double norm2, DW dw, const T* w, int64_t nw, T twd, const T* db,
                        int64_t nb) {
  for (int64_t j = 0; j < nw; ++j) {
    const double g = double(dw(j) + twd * w[j]);
    norm2 += g * g;
  }
  for (int64_t j = 0; j < nb; ++j) norm2 += double(db[j]) * double(db[j]);
  return norm2;
}

// One parameter array's update by the configured optimizer: first is the velocity
// (sgd) or first moment (adam), second adam's second moment; step counts the
// updates from 1.
template <class T>
void optimizer_step(const SgdConfig& c, T* param, const T* grad, T* first, T* second, int64_t n,
                    double lr, double weight_decay, int64_t step) {
  if (c.optimizer == Optimizer::adam)
    adam_step<T>(param, grad, first, second, n, step, lr, c.beta1, c.beta2, c.epsilon,
                 weight_decay);
  else
    sgd_step<T>(param, grad, first, n, lr, c.momentum, weight_decay, c.nesterov);
}

}  // namespace

template <class T>
Trainer<T>::Trainer(std::vector<DenseLayer<T>> layers, SgdConfig config, int64_t n_samples)
    : layers_(std::move(layers)), config_(config) {
  if (layers_.empty()) throw std::invalid_argument("a network needs at least one layer");
  for (size_t k = 1; k < layers_.size(); ++k)
    if (layers_[k].n_in != layers_[k - 1].n_out)
      throw std::invalid_argument("layer sizes do not chain");
  batch_ = std::max<int64_t>(1, std::min(config.batch_size, std::max<int64_t>(n_samples, 1)));
  const int64_t cap = std::max(batch_, kChunkRows);
  int64_t widest = layers_[0].n_in;
  for (const auto& layer : layers_) {
    h_.emplace_back(size_t(cap * layer.n_out));
    dw_.emplace_back(size_t(layer.n_in * layer.n_out));
    db_.emplace_back(size_t(layer.n_out));
    widest = std::max(widest, layer.n_out);
  }
  dz_.resize(size_t(batch_ * widest));
  dh_.resize(size_t(batch_ * widest));
  xb_.resize(size_t(batch_ * layers_[0].n_in));
  tb_.resize(size_t(batch_ * layers_.back().n_out));
  wb_.resize(size_t(batch_));
  lb_.resize(size_t(batch_));
  order_.resize(size_t(std::max<int64_t>(n_samples, 0)));
}

template <class T>
void Trainer<T>::forward(MatView<const T> x, int64_t rows, bool use_average) {
  MatView<const T> in = x;
  for (size_t k = 0; k < layers_.size(); ++k) {
    const DenseLayer<T>& layer = layers_[k];
    const T* w = use_average ? layer.w_average : layer.w;
    const T* b = use_average ? layer.b_average : layer.b;
    MatView<T> out = dense(h_[k], rows, layer.n_out);
    linear_forward<T>(out, in, {w, layer.n_in, layer.n_out, layer.n_out, 1}, b,
                      layer.activation);
    in = {out.data, rows, layer.n_out, layer.n_out, 1};
  }
}

// The batch loss (times scale, sample-weighted) and, when gradient, its gradient
// with respect to the network's output in dz_.
template <class T>
double Trainer<T>::output_loss(int64_t rows, const int64_t* labels, MatView<const T> targets,
                               const T* weights, double scale, int64_t* mistakes,
                               bool gradient) {
  const int64_t k = layers_.back().n_out;
  MatView<const T> out = cdense(h_.back(), rows, k);
  T* g = gradient ? dz_.data() : nullptr;
  switch (config_.loss) {
    case Loss::cross_entropy:
      return cross_entropy_scaled<T>(out, labels, {nullptr, 0, 0, 0, 0}, {g, rows, k, k, 1},
                                     weights, scale);
    case Loss::squared_error:
      return squared_error_scaled<T>(out.data, targets.data, rows, k, g, weights, scale);
    case Loss::perceptron:
      return perceptron_scaled<T>(out.data, targets.data, rows, k, g, weights, scale, mistakes);
  }
  return 0;
}

// Backpropagation from dz_ (the gradient at the output layer's pre-activation).
template <class T>
void Trainer<T>::backward(MatView<const T> x, int64_t rows) {
  for (size_t k = layers_.size(); k-- > 0;) {
    const DenseLayer<T>& layer = layers_[k];
    MatView<const T> in = k == 0 ? x : cdense(h_[k - 1], rows, layer.n_in);
    MatView<T> dx = k == 0 ? MatView<T>{nullptr, 0, 0, 0, 0} : dense(dh_, rows, layer.n_in);
    linear_backward<T>(dx, dense(dw_[k], layer.n_in, layer.n_out), db_[k].data(), in,
                       {layer.w, layer.n_in, layer.n_out, layer.n_out, 1},
                       cdense(dz_, rows, layer.n_out));
    if (k > 0)  // dz of the layer below: its activation's derivative times dh
      activation_backward<T>(layers_[k - 1].activation, dz_.data(), h_[k - 1].data(), dh_.data(),
                             rows * layer.n_in);
  }
}

template <class T>
void Trainer<T>::update(double lr, bool average, TrainState* state) {
  const SgdConfig& c = config_;
  for (size_t k = 0; k < layers_.size(); ++k) {
    DenseLayer<T>& layer = layers_[k];
    const int64_t nw = layer.n_in * layer.n_out;
    optimizer_step<T>(c, layer.w, dw_[k].data(), layer.w_velocity, layer.w_second, nw, lr,
                      c.weight_decay, state->optimizer_step + 1);
    if (c.fit_bias)  // the biases without weight decay
      optimizer_step<T>(c, layer.b, db_[k].data(), layer.b_velocity, layer.b_second, layer.n_out,
                        lr, 0.0, state->optimizer_step + 1);
    if (average) {
      average_step<T>(layer.w_average, layer.w, nw, state->average_count);
      average_step<T>(layer.b_average, layer.b, layer.n_out, state->average_count);
    }
  }
  if (average) ++state->average_count;
  ++state->step;
  ++state->optimizer_step;
}

// The course's perceptron, one sample at a time: on a mistake (sign(s) != d, with
// sign(0) = +1), w <- w + lr d x and b <- b + lr d. The same steps as the general
// loop with batch_size 1, without its per-sample kernel calls: one vectorized dot
// product per sample and one vectorized update per mistake (or per sample with
// weight decay).
template <class T>
EpochStats Trainer<T>::perceptron_online_epoch(const Dataset<T>& data, TrainState* state,
                                               bool average, bool check_finite) {
  DenseLayer<T>& layer = layers_[0];
  const VectorMath<T>& vm = active_vector_math<T>();
  const int64_t n = data.x.rows, d = layer.n_in, cs = data.x.cs;
  const double wd = config_.weight_decay;
  if (config_.shuffle) shuffle_indices(order_.data(), n, &state->rng);
  EpochStats stats;
  double total = 0, lr = 0;
  for (int64_t r = 0; r < n; ++r) {
    if (r % 1024 == 0 && interrupt_requested()) throw Interrupted();
    const int64_t i = config_.shuffle ? order_[r] : r;
    const T* x = data.x.data + i * data.x.rs;
    if (check_finite && !all_finite_strided(vm, x, d, cs)) {
      stats.nonfinite_row = i;
      return stats;
    }
    if (cs != 1) {  // a strided row is gathered once, so the kernels see contiguous data
      copy_row(xb_.data(), x, d, cs);
      x = xb_.data();
    }
    const T s = vm.dot(x, layer.w, d) + layer.b[0];
    const T di = data.targets.data[i * data.targets.rs];
    const T wi = data.sample_weight ? data.sample_weight[i] : T(1);
    total += double(wi) * perceptron_term(s, di);
    if (wd != 0.0)  // before the update
      total += penalty(vm, layers_, wd);
    const bool mistake = perceptron_mistake(s, di);
    lr = learning_rate_at(config_, state->step);
    const T tlr = T(lr), twd = T(wd);
    // The gradient is -w_i d x on a mistake, plus weight_decay w.
    const T g = mistake ? -wi * di : T(0);
    if (r == n - 1) {  // the epoch reports the gradient norm of its last update
      const double norm2 = config_.fit_bias ? double(g) * double(g) : 0.0;
      stats.grad_norm = std::sqrt(add_grad_squares(
          norm2, [&](int64_t j) { return g * x[j]; }, layer.w, d, twd, layer.b, 0));
    }
    if (mistake || wd != 0.0) vm.sample_step(layer.w, x, d, g, tlr, twd);
    if (mistake) {
      ++stats.mistakes;
      if (config_.fit_bias) layer.b[0] -= tlr * g;
    }
    if (average) {
      average_step<T>(layer.w_average, layer.w, d, state->average_count);
      average_step<T>(layer.b_average, layer.b, 1, state->average_count);
      ++state->average_count;
    }
    ++state->step;
  ++state->optimizer_step;
  }
  stats.loss = total / double(n);
  stats.learning_rate = lr;
  return stats;
}

// Rows order_[start, start + rows) of the data into the batch buffers (inputs,
// labels or targets, weights). Returns the first row of x found with NaN or inf
// when check_finite (the batch is then incomplete), else -1.
template <class T>
int64_t Trainer<T>::gather_batch(const Dataset<T>& data, int64_t start, int64_t rows,
                                 bool check_finite) {
  const VectorMath<T>& vm = active_vector_math<T>();
  const int64_t n = data.x.rows, d = layers_[0].n_in, k = layers_.back().n_out;
  const bool has_targets = config_.loss != Loss::cross_entropy;
  constexpr int64_t kAhead = 2;  // rows in flight: enough to cover the memory latency
  for (int64_t r = 0; r < rows; ++r) {
    const int64_t i = order_[start + r];
    if (start + r + kAhead < n && data.x.cs == 1)  // across batches too
      prefetch_bytes(data.x.data + order_[start + r + kAhead] * data.x.rs, sizeof(T) * size_t(d));
    T* dst = xb_.data() + r * d;
    copy_row(dst, data.x.data + i * data.x.rs, d, data.x.cs);
    if (check_finite && !vm.all_finite(dst, d)) return i;  // the copy is still in L1
    if (has_targets)
      std::memcpy(tb_.data() + r * k, data.targets.data + i * data.targets.rs,
                  sizeof(T) * size_t(k));
    else
      lb_[size_t(r)] = data.labels[i];
    if (data.sample_weight) wb_[size_t(r)] = data.sample_weight[i];
  }
  return -1;
}

template <class T>
EpochStats Trainer<T>::epoch(const Dataset<T>& data, TrainState* state, bool average,
                             bool check_finite) {
  const int64_t n = data.x.rows, d = layers_[0].n_in, k = layers_.back().n_out;
  if (n == 0) return {};
  if (config_.loss == Loss::perceptron && batch_ == 1 && layers_.size() == 1 && k == 1 &&
      config_.optimizer == Optimizer::sgd && config_.momentum == 0.0)
    return perceptron_online_epoch(data, state, average, check_finite);
  // Full batches need no gather: the rows are used in place, in order.
  const bool gather = batch_ < n && config_.shuffle;
  if (gather) shuffle_indices(order_.data(), n, &state->rng);
  const bool has_targets = config_.loss != Loss::cross_entropy;
  const VectorMath<T>& vm = active_vector_math<T>();
  EpochStats stats;
  double total = 0;
  for (int64_t start = 0; start < n; start += batch_) {
    if (interrupt_requested()) throw Interrupted();
    const int64_t rows = std::min(batch_, n - start);
    MatView<const T> x;
    const int64_t* labels = nullptr;
    MatView<const T> targets{nullptr, 0, 0, 0, 0};
    const T* weights = nullptr;
    if (gather) {
      stats.nonfinite_row = gather_batch(data, start, rows, check_finite);
      if (stats.nonfinite_row >= 0) return stats;
      x = cdense(xb_, rows, d);
      labels = lb_.data();
      targets = cdense(tb_, rows, k);
      weights = data.sample_weight ? wb_.data() : nullptr;
    } else {
      x = rows_of(data.x, start, rows);
      if (check_finite)  // brings the batch into cache for the forward pass, too
        for (int64_t r = 0; r < rows; ++r)
          if (!all_finite_strided(vm, x.data + r * x.rs, d, x.cs)) {
            stats.nonfinite_row = start + r;
            return stats;
          }
      labels = data.labels ? data.labels + start : nullptr;
      if (has_targets) targets = rows_of(data.targets, start, rows);
      weights = data.sample_weight ? data.sample_weight + start : nullptr;
    }
    forward(x, rows, false);
    int64_t mistakes = 0;
    // Sample weights have mean 1 over the data set, so 1/rows keeps the batch
    // gradient an unbiased estimate of the full one.
    const double batch_loss =
        output_loss(rows, labels, targets, weights, 1.0 / double(rows), &mistakes, true);
    stats.mistakes += mistakes;
    backward(x, rows);
    const double lr = learning_rate_at(config_, state->step);
    if (start + rows >= n) {  // the epoch reports the gradient norm of its last update
      const T twd = T(config_.weight_decay);
      double norm2 = 0;
      for (size_t l = 0; l < layers_.size(); ++l) {
        const DenseLayer<T>& layer = layers_[l];
        const T* dw = dw_[l].data();
        norm2 = add_grad_squares(
            norm2, [&](int64_t j) { return dw[j]; }, layer.w, layer.n_in * layer.n_out, twd,
            db_[l].data(), config_.fit_bias ? layer.n_out : 0);
      }
      stats.grad_norm = std::sqrt(norm2);
    }
    stats.learning_rate = lr;
    // The objective at the weights before the update.
    total += (batch_loss + penalty(vm, layers_, config_.weight_decay)) * double(rows);
    update(lr, average, state);
  }
  stats.loss = total / double(n);
  return stats;
}

template <class T>
void Trainer<T>::predict(MatView<const T> x, MatView<T> out, bool use_average) {
  const int64_t k = layers_.back().n_out;
  for (int64_t start = 0; start < x.rows; start += kChunkRows) {
    if (interrupt_requested()) throw Interrupted();
    const int64_t rows = std::min(kChunkRows, x.rows - start);
    forward(rows_of(x, start, rows), rows, use_average);
    const T* h = h_.back().data();
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t j = 0; j < k; ++j) out(start + r, j) = h[r * k + j];
  }
}

template <class T>
void Trainer<T>::evaluate(const Dataset<T>& data, bool use_average, double* loss,
                          double* score) {
  const int64_t n = data.x.rows, k = layers_.back().n_out;
  auto weight = [&](int64_t i) { return data.sample_weight ? double(data.sample_weight[i]) : 1.0; };
  double total_weight = 0;
  for (int64_t i = 0; i < n; ++i) total_weight += weight(i);
  // R^2 needs the weighted mean of each target first.
  std::vector<double> mean(size_t(k), 0.0), ss_res(size_t(k), 0.0), ss_tot(size_t(k), 0.0);
  if (config_.loss == Loss::squared_error) {
    for (int64_t i = 0; i < n; ++i)
      for (int64_t j = 0; j < k; ++j) mean[size_t(j)] += weight(i) * double(data.targets(i, j));
    for (double& m : mean) m /= total_weight;
  }
  double total = 0, correct = 0;
  for (int64_t start = 0; start < n; start += kChunkRows) {
    if (interrupt_requested()) throw Interrupted();
    const int64_t rows = std::min(kChunkRows, n - start);
    forward(rows_of(data.x, start, rows), rows, use_average);
    const int64_t* labels = data.labels ? data.labels + start : nullptr;
    MatView<const T> targets{nullptr, 0, 0, 0, 0};
    if (data.targets.data) targets = rows_of(data.targets, start, rows);
    const T* weights = data.sample_weight ? data.sample_weight + start : nullptr;
    total += output_loss(rows, labels, targets, weights, 1.0, nullptr, false);
    const T* h = h_.back().data();
    for (int64_t r = 0; r < rows; ++r) {
      const int64_t i = start + r;
      const T* out = h + r * k;
      if (config_.loss == Loss::cross_entropy) {
        const int64_t best = std::max_element(out, out + k) - out;
        correct += best == labels[r] ? weight(i) : 0.0;
      } else if (config_.loss == Loss::perceptron && k == 1) {
        const T predicted = out[0] >= T(0) ? T(1) : T(-1);
        correct += predicted == targets(r, 0) ? weight(i) : 0.0;
      } else if (config_.loss == Loss::perceptron) {  // one-vs-rest: the largest score
        const int64_t best = std::max_element(out, out + k) - out;
        correct += targets(r, best) > T(0) ? weight(i) : 0.0;
      } else {
        for (int64_t j = 0; j < k; ++j) {
          const double res = double(targets(r, j)) - double(out[j]);
          const double dev = double(targets(r, j)) - mean[size_t(j)];
          ss_res[size_t(j)] += weight(i) * res * res;
          ss_tot[size_t(j)] += weight(i) * dev * dev;
        }
      }
    }
  }
  *loss = total / total_weight;
  if (config_.loss == Loss::squared_error) {
    // scikit-learn's r2_score: a constant target scores 1 if fitted exactly, else 0.
    double sum = 0;
    for (int64_t j = 0; j < k; ++j) {
      const double res = ss_res[size_t(j)], tot = ss_tot[size_t(j)];
      sum += tot > 0 ? 1.0 - res / tot : (res == 0 ? 1.0 : 0.0);
    }
    *score = sum / double(k);
  } else {
    *score = correct / total_weight;
  }
}

template <class T>
double Trainer<T>::full_loss_and_gradient(const Dataset<T>& data, const std::vector<T*>& dw,
                                          const std::vector<T*>& db) {
  const int64_t n = data.x.rows;
  const bool has_targets = config_.loss != Loss::cross_entropy;
  const VectorMath<T>& vm = active_vector_math<T>();
  for (size_t l = 0; l < layers_.size(); ++l) {
    std::fill_n(dw[l], layers_[l].n_in * layers_[l].n_out, T(0));
    std::fill_n(db[l], layers_[l].n_out, T(0));
  }
  double total = 0;
  for (int64_t start = 0; start < n; start += batch_) {
    if (interrupt_requested()) throw Interrupted();
    const int64_t rows = std::min(batch_, n - start);
    MatView<const T> x = rows_of(data.x, start, rows);
    MatView<const T> targets{nullptr, 0, 0, 0, 0};
    if (has_targets) targets = rows_of(data.targets, start, rows);
    forward(x, rows, false);
    // 1/n: each chunk's share of the mean over all rows.
    total += output_loss(rows, data.labels ? data.labels + start : nullptr, targets,
                         data.sample_weight ? data.sample_weight + start : nullptr,
                         1.0 / double(n), nullptr, true);
    backward(x, rows);
    for (size_t l = 0; l < layers_.size(); ++l) {
      const T* gw = dw_[l].data();
      T* out = dw[l];
      for (int64_t j = 0, nw = layers_[l].n_in * layers_[l].n_out; j < nw; ++j) out[j] += gw[j];
      if (config_.fit_bias)
        for (int64_t j = 0; j < layers_[l].n_out; ++j) db[l][j] += db_[l][size_t(j)];
    }
  }
  const T twd = T(config_.weight_decay);
  if (config_.weight_decay != 0.0)
    for (size_t l = 0; l < layers_.size(); ++l)
      for (int64_t j = 0, nw = layers_[l].n_in * layers_[l].n_out; j < nw; ++j)
        dw[l][j] += twd * layers_[l].w[j];
  return total + penalty(vm, layers_, config_.weight_decay);
}

template class Trainer<float>;
template class Trainer<double>;

}  // namespace mlpcore
