// The compiled training loop as a Python object: made once per fit, one call per
// epoch. It holds references to the NumPy arrays it updates (weights, biases,
// velocities, averages), which must stay the same objects while it lives.
#include <cmath>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common.hpp"
#include "mlpcore/train.hpp"

namespace mlpcore::bind {

namespace {

constexpr const char* kKernel = "Trainer";

// SgdConfig from the keywords of its Python constructor (the defaults are listed
// once, in init_train; the Trainer's settings keywords are passed on to it).
SgdConfig make_config(const std::string& loss, int64_t batch_size, bool shuffle,
                      double learning_rate, const std::string& schedule, double power_t,
                      double momentum, bool nesterov, double weight_decay, bool fit_bias,
                      const std::string& optimizer, double beta1, double beta2, double epsilon) {
  if (batch_size < 1) fail<py::value_error>(kKernel, "batch_size must be >= 1");
  SgdConfig c;
  c.optimizer = parse_name<Optimizer>(kKernel, "optimizer", kOptimizerNames, optimizer);
  if (!(beta1 >= 0.0 && beta1 < 1.0))
    fail<py::value_error>(kKernel, "beta1 must be in [0, 1), got " + std::to_string(beta1));
  if (!(beta2 >= 0.0 && beta2 < 1.0))
    fail<py::value_error>(kKernel, "beta2 must be in [0, 1), got " + std::to_string(beta2));
  if (!(epsilon >= 0.0 && std::isfinite(epsilon)))
    fail<py::value_error>(kKernel, "epsilon must be finite and >= 0, got " +
                                       std::to_string(epsilon));
  if (c.optimizer == Optimizer::adam && (momentum != 0.0 || nesterov))
    fail<py::value_error>(kKernel, "momentum and nesterov are sgd's; optimizer='adam' needs "
                                   "momentum=0 and nesterov=False");
  c.beta1 = beta1;
  c.beta2 = beta2;
  c.epsilon = epsilon;
  c.loss = parse_name<Loss>(kKernel, "loss", kLossNames, loss);
  c.batch_size = batch_size;
  c.shuffle = shuffle;
  c.learning_rate = learning_rate;
  c.schedule = parse_name<Schedule>(kKernel, "schedule", kScheduleNames, schedule);
  c.power_t = power_t;
  c.momentum = momentum;
  c.nesterov = nesterov;
  c.weight_decay = weight_decay;
  c.fit_bias = fit_bias;
  return c;
}

class PyTrainer {
  std::unique_ptr<Trainer<float>> f_;
  std::unique_ptr<Trainer<double>> d_;

  template <class F>
  auto dispatch(F&& f) {
    if (f_) return f(*f_, float{});
    return f(*d_, double{});
  }

 public:
  PyTrainer(py::list weights, py::list biases, py::list activations, const SgdConfig& config,
            int64_t n_samples, py::object velocities, py::object averages,
            py::object second_moments)
      : config_(config) {
    const size_t n_layers = weights.size();
    if (n_layers == 0 || biases.size() != n_layers || activations.size() != n_layers)
      fail<py::value_error>(kKernel, "weights, biases and activations must be lists of one "
                                     "entry per layer (at least one)");
    if (!py::isinstance<py::array>(weights[0]))
      fail<py::type_error>(kKernel, "weights[0] must be a numpy array, got " +
                                        describe_object(weights[0]));
    py::array w0 = weights[0].cast<py::array>();
    if (!is_f32(w0) && !is_f64(w0))
      fail<py::type_error>(kKernel, "weights must be float32 or float64 in native byte order, got " + describe(w0));
    dtype_ = w0.dtype();
    auto layers_f = std::vector<DenseLayer<float>>();
    auto layers_d = std::vector<DenseLayer<double>>();
    for (size_t k = 0; k < n_layers; ++k) {
      py::array w = param(weights[k], "weights", k, {});
      if (w.ndim() != 2) fail<py::value_error>(kKernel, "weights[" + std::to_string(k) + "] must be 2-D, got " + describe(w));
      const int64_t n_in = w.shape(0), n_out = w.shape(1);
      py::array b = param(biases[k], "biases", k, {n_out});
      Activation act = parse_activation(kKernel, activations[k]);
      std::optional<py::array> wv, bv, ws, bs, wa, ba;  // a default py::array is empty
      const bool adam = config_.optimizer == Optimizer::adam;
      if (config_.momentum != 0.0 || adam) {
        if (velocities.is_none())
          fail<py::value_error>(kKernel, adam ? "optimizer='adam' needs velocities (the first "
                                                "moments)"
                                              : "momentum needs velocities");
        auto pair = velocities.cast<py::list>()[k].cast<py::tuple>();
        wv = param(pair[0], "velocity weights", k, {n_in, n_out});
        bv = param(pair[1], "velocity biases", k, {n_out});
      }
      if (adam) {
        if (second_moments.is_none())
          fail<py::value_error>(kKernel, "optimizer='adam' needs second_moments");
        auto pair = second_moments.cast<py::list>()[k].cast<py::tuple>();
        ws = param(pair[0], "second moment weights", k, {n_in, n_out});
        bs = param(pair[1], "second moment biases", k, {n_out});
      }
      if (!averages.is_none()) {
        auto pair = averages.cast<py::list>()[k].cast<py::tuple>();
        wa = param(pair[0], "average weights", k, {n_in, n_out});
        ba = param(pair[1], "average biases", k, {n_out});
      }
      by_dtype(w0, [&](auto tag) {
        using T = decltype(tag);
        DenseLayer<T> layer;
        layer.w = ptr<T>(w);
        layer.b = ptr<T>(b);
        layer.w_velocity = wv ? ptr<T>(*wv) : nullptr;
        layer.b_velocity = bv ? ptr<T>(*bv) : nullptr;
        layer.w_second = ws ? ptr<T>(*ws) : nullptr;
        layer.b_second = bs ? ptr<T>(*bs) : nullptr;
        layer.w_average = wa ? ptr<T>(*wa) : nullptr;
        layer.b_average = ba ? ptr<T>(*ba) : nullptr;
        layer.n_in = n_in;
        layer.n_out = n_out;
        layer.activation = act;
        if constexpr (std::is_same_v<T, float>)
          layers_f.push_back(layer);
        else
          layers_d.push_back(layer);
      });
      if (k > 0 && n_in != n_out_) fail<py::value_error>(kKernel, "layer sizes do not chain at layer " + std::to_string(k));
      shapes_.push_back({n_in, n_out});
      if (k == 0) n_in_ = n_in;
      n_out_ = n_out;
    }
    has_average_ = !averages.is_none();
    if (is_f32(w0))
      f_ = std::make_unique<Trainer<float>>(std::move(layers_f), config_, n_samples);
    else
      d_ = std::make_unique<Trainer<double>>(std::move(layers_d), config_, n_samples);
  }

  py::dict epoch(py::handle x_obj, py::handle y_obj, py::handle w_obj, bool average,
                 bool check_finite) {
    if (average && !has_average_)
      fail<py::value_error>(kKernel, "average=True needs the average arrays");
    Data data = dataset(x_obj, y_obj, w_obj);
    EpochStats stats = dispatch([&](auto& trainer, auto tag) {
      using T = decltype(tag);
      Dataset<T> ds = view<T>(data);
      Compute compute;
      return trainer.epoch(ds, &state_, average, check_finite);
    });
    py::dict out;
    out["loss"] = stats.loss;
    out["grad_norm"] = stats.grad_norm;
    out["learning_rate"] = stats.learning_rate;
    out["mistakes"] = stats.mistakes;
    out["nonfinite_row"] = stats.nonfinite_row;
    return out;
  }

  py::tuple evaluate(py::handle x_obj, py::handle y_obj, py::handle w_obj, bool use_average) {
    Data data = dataset(x_obj, y_obj, w_obj);
    if (data.x.shape(0) == 0) fail<py::value_error>(kKernel, "cannot evaluate on 0 samples");
    double loss = 0, score = 0;
    dispatch([&](auto& trainer, auto tag) {
      using T = decltype(tag);
      Dataset<T> ds = view<T>(data);
      Compute compute;
      trainer.evaluate(ds, use_average && has_average_, &loss, &score);
      return 0;
    });
    return py::make_tuple(loss, score);
  }

  double loss_and_gradient(py::handle x_obj, py::handle y_obj, py::handle w_obj,
                           py::handle coef_obj, py::handle intercept_obj) {
    Data data = dataset(x_obj, y_obj, w_obj);
    if (data.x.shape(0) == 0)
      fail<py::value_error>(kKernel, "cannot compute the loss on 0 samples");
    std::vector<py::array> dw = gradients(coef_obj, "coef_grads", false);
    std::vector<py::array> db = gradients(intercept_obj, "intercept_grads", true);
    // The gradients are written while the weights and the data are read.
    std::vector<std::pair<std::string, py::array>> written, read;
    for (size_t k = 0; k < shapes_.size(); ++k) {
      written.push_back({"coef_grads[" + std::to_string(k) + "]", dw[k]});
      written.push_back({"intercept_grads[" + std::to_string(k) + "]", db[k]});
    }
    for (size_t i = 0; i < keep_.size(); ++i)
      read.push_back({kept_names_[i], keep_[i].cast<py::array>()});
    read.push_back({"X", data.x});
    if (data.labels) read.push_back({"y", *data.labels});
    if (data.targets) read.push_back({"y", *data.targets});
    if (data.weights) read.push_back({"sample_weight", *data.weights});
    for (size_t i = 0; i < written.size(); ++i) {
      const auto& [name, out] = written[i];
      for (const auto& [other, a] : read)
        require_no_overlap(kKernel, name.c_str(), out, {{other.c_str(), &a}});
      for (size_t j = 0; j < i; ++j)
        require_no_overlap(kKernel, name.c_str(), out,
                           {{written[j].first.c_str(), &written[j].second}});
    }
    return dispatch([&](auto& trainer, auto tag) {
      using T = decltype(tag);
      Dataset<T> ds = view<T>(data);
      std::vector<T*> dwp, dbp;
      for (size_t k = 0; k < shapes_.size(); ++k) {
        dwp.push_back(ptr<T>(dw[k]));
        dbp.push_back(ptr<T>(db[k]));
      }
      Compute compute;
      return trainer.full_loss_and_gradient(ds, dwp, dbp);
    });
  }

  py::array predict(py::handle x_obj, bool use_average) {
    py::array x = features(x_obj);
    py::array out = allocate(kKernel, "the predictions", dtype_, {x.shape(0), n_out_});
    dispatch([&](auto& trainer, auto tag) {
      using T = decltype(tag);
      auto xv = cmatrix<T>(x);
      auto ov = matrix<T>(out);
      Compute compute;
      trainer.predict(xv, ov, use_average && has_average_);
      return 0;
    });
    return out;
  }

  TrainState state_;

 private:
  struct Data {
    py::array x;
    std::optional<py::array> labels, targets, weights;
  };

  py::array param(py::handle obj, const char* what, size_t k, std::vector<int64_t> shape) {
    std::string name = std::string(what) + "[" + std::to_string(k) + "]";
    if (!py::isinstance<py::array>(obj))
      fail<py::type_error>(kKernel, name + " must be a numpy array, got " + describe_object(obj));
    auto a = py::reinterpret_borrow<py::array>(obj);
    if (shape.empty()) shape = shape_of(a);
    py::array checked = output(kKernel, name.c_str(), a, dtype_, shape);
    keep_.append(checked);
    kept_names_.push_back(name);
    return checked;
  }

  // The caller's gradient arrays of loss_and_gradient: one per layer, of the weights'
  // (or with biases, the biases') shapes and dtype, C-contiguous and writeable.
  std::vector<py::array> gradients(py::handle obj, const char* what, bool biases) {
    const std::string n_layers = std::to_string(shapes_.size());
    if (!py::isinstance<py::list>(obj) && !py::isinstance<py::tuple>(obj))
      fail<py::type_error>(kKernel, std::string(what) + " must be a list of " + n_layers +
                                        " arrays (one per layer), got " + describe_object(obj));
    auto items = py::reinterpret_borrow<py::sequence>(obj);
    if (items.size() != shapes_.size())
      fail<py::value_error>(kKernel, std::string(what) + " must have one array per layer (" +
                                         n_layers + "), got " + std::to_string(items.size()));
    std::vector<py::array> arrays;
    for (size_t k = 0; k < shapes_.size(); ++k) {
      const std::string name = std::string(what) + "[" + std::to_string(k) + "]";
      py::object item = items[k];
      if (!py::isinstance<py::array>(item))  // output() would allocate for None
        fail<py::type_error>(kKernel, name + " must be a numpy array, got " +
                                          describe_object(item));
      const auto [n_in, n_out] = shapes_[k];
      arrays.push_back(output(kKernel, name.c_str(), item, dtype_,
                              biases ? std::vector<int64_t>{n_out}
                                     : std::vector<int64_t>{n_in, n_out}));
    }
    return arrays;
  }

  py::array features(py::handle x_obj) {
    py::array x = float_input(kKernel, "X", x_obj);
    if (!same_dtype(x.dtype(), dtype_))
      fail<py::type_error>(kKernel, "X must have the weights' dtype " +
                                        py::str(dtype_).cast<std::string>() + ", got " + describe(x));
    require_ndim(kKernel, "X", x, 2);
    if (x.shape(1) != n_in_)
      fail<py::value_error>(kKernel, "X must have " + std::to_string(n_in_) +
                                         " features, got " + describe(x));
    return element_strides(x);
  }

  Data dataset(py::handle x_obj, py::handle y_obj, py::handle w_obj) {
    Data data;
    data.x = features(x_obj);
    const int64_t n = data.x.shape(0);
    if (config_.loss == Loss::cross_entropy) {
      py::array y = py::reinterpret_borrow<py::array>(y_obj);
      if (!py::isinstance<py::array>(y_obj) || y.ndim() != 1 || y.shape(0) != n ||
          !py::isinstance<py::array_t<int64_t>>(y))
        fail<py::value_error>(kKernel, "y must be int64 class indices (n,)");
      data.labels = contiguous(y);
      const int64_t* lp = ptr<int64_t>(*data.labels);
      for (int64_t i = 0; i < n; ++i)
        if (lp[i] < 0 || lp[i] >= n_out_)
          fail<py::index_error>(kKernel, "y[" + std::to_string(i) + "] = " + std::to_string(lp[i]) +
                                             " is not a class index in [0, " + std::to_string(n_out_) + ")");
    } else {
      py::array y = float_input(kKernel, "y", y_obj, data.x);
      if (!same_dtype(y.dtype(), dtype_) || y.ndim() != 2 || y.shape(0) != n || y.shape(1) != n_out_)
        fail<py::value_error>(kKernel, "y must be a (n, " + std::to_string(n_out_) +
                                           ") array of the weights' dtype, got " + describe(y));
      data.targets = contiguous(y);
    }
    if (!w_obj.is_none()) {
      py::array w = float_input(kKernel, "sample_weight", w_obj, data.x);
      if (!same_dtype(w.dtype(), dtype_) || w.ndim() != 1 || w.shape(0) != n)
        fail<py::value_error>(kKernel, "sample_weight must be (n,) of the weights' dtype, got " +
                                           describe(w));
      data.weights = contiguous(w);
    }
    return data;
  }

  template <class T>
  Dataset<T> view(const Data& data) {
    Dataset<T> ds;
    ds.x = cmatrix<T>(data.x);
    if (data.labels) ds.labels = ptr<int64_t>(*data.labels);
    if (data.targets) ds.targets = cmatrix<T>(*data.targets);
    if (data.weights) ds.sample_weight = ptr<T>(*data.weights);
    return ds;
  }

  SgdConfig config_;
  py::dtype dtype_ = py::dtype::of<double>();
  py::list keep_;
  std::vector<std::string> kept_names_;                 // of keep_'s arrays, for messages
  std::vector<std::pair<int64_t, int64_t>> shapes_;     // (n_in, n_out) of each layer
  bool has_average_ = false;
  int64_t n_in_ = 0, n_out_ = 0;
};

}  // namespace

void init_train(py::module_& m) {
  m.attr("LOSSES") = names_tuple(kLossNames);
  m.attr("SCHEDULES") = names_tuple(kScheduleNames);
  m.attr("OPTIMIZERS") = names_tuple(kOptimizerNames);
  py::class_<SgdConfig>(m, "SgdConfig", R"doc(The SGD or Adam settings of one fit (read-only).)doc")
      .def(py::init(&make_config), py::kw_only(), py::arg("loss"), py::arg("batch_size"),
           py::arg("shuffle") = true, py::arg("learning_rate"), py::arg("schedule") = "constant",
           py::arg("power_t") = 0.5, py::arg("momentum") = 0.0, py::arg("nesterov") = false,
           py::arg("weight_decay") = 0.0, py::arg("fit_bias") = true,
           py::arg("optimizer") = "sgd", py::arg("beta1") = 0.9, py::arg("beta2") = 0.999,
           py::arg("epsilon") = 1e-8)
      .def_property_readonly("loss", [](const SgdConfig& c) { return kLossNames[int(c.loss)]; })
      .def_readonly("batch_size", &SgdConfig::batch_size)
      .def_readonly("shuffle", &SgdConfig::shuffle)
      .def_readonly("learning_rate", &SgdConfig::learning_rate)
      .def_property_readonly("schedule",
                             [](const SgdConfig& c) { return kScheduleNames[int(c.schedule)]; })
      .def_readonly("power_t", &SgdConfig::power_t)
      .def_readonly("momentum", &SgdConfig::momentum)
      .def_readonly("nesterov", &SgdConfig::nesterov)
      .def_readonly("weight_decay", &SgdConfig::weight_decay)
      .def_readonly("fit_bias", &SgdConfig::fit_bias)
      .def_property_readonly(
          "optimizer", [](const SgdConfig& c) { return kOptimizerNames[int(c.optimizer)]; })
      .def_readonly("beta1", &SgdConfig::beta1)
      .def_readonly("beta2", &SgdConfig::beta2)
      .def_readonly("epsilon", &SgdConfig::epsilon);
  py::class_<PyTrainer>(m, "Trainer", R"doc(The compiled SGD/Adam loop over a dense network.

Made once per fit with the network's arrays (updated in place); epoch() runs one
pass over the data with the GIL released and allocates nothing per minibatch.
velocities, second_moments and averages are lists of (w, b) pairs of the weights'
shapes: velocities for momentum, or Adam's first moments with second_moments its
second. The other keywords are those of SgdConfig.)doc")
      .def(py::init([](py::list weights, py::list biases, py::list activations,
                       const std::string& loss, int64_t n_samples, py::object velocities,
                       py::object averages, py::object second_moments, py::kwargs settings) {
             settings["loss"] = loss;
             SgdConfig config = py::type::of<SgdConfig>()(**settings).cast<SgdConfig>();
             return std::make_unique<PyTrainer>(weights, biases, activations, config, n_samples,
                                                velocities, averages, second_moments);
           }),
           py::arg("weights"), py::arg("biases"), py::arg("activations"), py::arg("loss"),
           py::arg("n_samples"), py::kw_only(), py::arg("velocities") = py::none(),
           py::arg("averages") = py::none(), py::arg("second_moments") = py::none())
      .def("epoch", &PyTrainer::epoch, py::arg("X"), py::arg("y"),
           py::arg("sample_weight") = py::none(), py::arg("average") = false,
           py::arg("check_finite") = false)
      .def("evaluate", &PyTrainer::evaluate, py::arg("X"), py::arg("y"),
           py::arg("sample_weight") = py::none(), py::arg("use_average") = false)
      .def("loss_and_gradient", &PyTrainer::loss_and_gradient, py::arg("X"), py::arg("y"),
           py::arg("sample_weight"), py::arg("coef_grads"), py::arg("intercept_grads"),
           R"doc(The objective of one full batch at the current weights, and its gradient.

Returns sum_i w_i loss_i / n + (weight_decay / 2) ||W||^2, as an epoch reports it
(sample_weight, or None, scaled to mean 1 by the caller), and writes its gradient
with respect to each layer's weights and biases into coef_grads[k] and
intercept_grads[k] (zeros when fit_bias is false): arrays of their shapes and of the
trainer's dtype, C-contiguous and writeable. Changes no weights, moments or state.)doc")
      .def("predict", &PyTrainer::predict, py::arg("X"), py::arg("use_average") = false)
      .def_property(
          "rng_state", [](const PyTrainer& t) { return t.state_.rng; },
          [](PyTrainer& t, uint64_t v) { t.state_.rng = v; })
      .def_property(
          "step", [](const PyTrainer& t) { return t.state_.step; },
          [](PyTrainer& t, int64_t v) { t.state_.step = v; })
      .def_property(
          "optimizer_step", [](const PyTrainer& t) { return t.state_.optimizer_step; },
          [](PyTrainer& t, int64_t v) { t.state_.optimizer_step = v; })
      .def_property(
          "average_count", [](const PyTrainer& t) { return t.state_.average_count; },
          [](PyTrainer& t, int64_t v) { t.state_.average_count = v; });
  m.def(
      "_shuffle_indices",
      [](int64_t n, uint64_t state) {
        py::array_t<int64_t> idx(n);
        shuffle_indices(idx.mutable_data(), n, &state);
        return py::make_tuple(idx, state);
      },
      py::arg("n"), py::arg("state"),
      "The permutation of one epoch and the generator's next state (for tests).");
}

}  // namespace mlpcore::bind
