// Activations, softmax, losses and the dense layer: the parallel loops around the
// per-ISA row kernels of vector_math_impl.hpp, and the fixed-order reductions.
#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "mlpcore/gemm.hpp"
#include "mlpcore/nn.hpp"
#include "mlpcore/runtime.hpp"
#include "parallel.hpp"
#include "nn/losses.hpp"
#include "arch/context.hpp"

namespace mlpcore {

namespace {

// Reductions sum fixed blocks of rows and then the blocks in order, so the result
// does not depend on how many threads computed the blocks (parallel_for hands the
// blocks to whichever thread is free).
constexpr int64_t kReduceRows = 64;

double inv_rows(Reduction reduction, int64_t n) {
  return reduction == Reduction::mean ? 1.0 / double(n) : 1.0;
}

// Sum of f(begin, end) over the blocks [b, b + kReduceRows) of [0, rows).
template <class F>
double blocked_sum(int64_t rows, int64_t ns_per_row, F f) {
  int64_t blocks = (rows + kReduceRows - 1) / kReduceRows;
  thread_local std::vector<double> partial;
  partial.resize(static_cast<size_t>(blocks));  // outside the parallel region: may throw
  double* p = partial.data();
  parallel_for(threads_for(element_work(rows, ns_per_row)), blocks, [&](int64_t blk) {
    p[blk] = f(blk * kReduceRows, std::min(rows, (blk + 1) * kReduceRows));
  });
  double total = 0;
  for (int64_t blk = 0; blk < blocks; ++blk) total += p[blk];
  return total;
}

// f(begin, end) over [0, n) in blocks, in parallel when n is large.
template <class F>
void parallel_blocks(int64_t n, int64_t block, int64_t ns_per_item, F f) {
  int64_t blocks = (n + block - 1) / block;
  parallel_for(threads_for(element_work(n, ns_per_item)), blocks, [&](int64_t blk) {
    f(blk * block, std::min(n, (blk + 1) * block));
  });
}

}  // namespace

const char* activation_name(Activation act) { return kActivationNames[static_cast<int>(act)]; }

bool activation_from_name(const char* name, Activation* act) {
  for (int i = 0; i < kActivationCount; ++i) {
    if (std::strcmp(name, kActivationNames[i]) == 0) {
      *act = static_cast<Activation>(i);
      return true;
    }
  }
  return false;
}

const char* activation_names() {
  static const std::string joined = [] {
    std::string s;
    for (int i = 0; i < kActivationCount; ++i)
      s += (i ? ", " : "") + std::string(kActivationNames[i]);
    return s;
  }();
  return joined.c_str();
}

template <class T>
void activation_forward(Activation act, T* out, const T* a, int64_t n) {
  const VectorMath<T>& vm = active_vector_math<T>();
  parallel_blocks(n, 4096, 1, [&](int64_t b, int64_t e) {
    vm.activation_forward(static_cast<int>(act), out + b, a + b, e - b);
  });
}

template <class T>
void activation_backward(Activation act, T* da, const T* y, const T* dy, int64_t n) {
  const VectorMath<T>& vm = active_vector_math<T>();
  parallel_blocks(n, 4096, 1, [&](int64_t b, int64_t e) {
    vm.activation_backward(static_cast<int>(act), da + b, y + b, dy + b, e - b);
  });
}

template <class T>
static void softmax_family(MatView<T> out, MatView<const T> a, bool log) {
  const VectorMath<T>& vm = active_vector_math<T>();
  parallel_blocks(a.rows, kReduceRows, 5 * a.cols, [&](int64_t b, int64_t e) {
    vm.softmax_rows(out.data + b * out.rs, out.rs, a.data + b * a.rs, a.rs, e - b, a.cols, log);
  });
}

template <class T>
void softmax_forward(MatView<T> out, MatView<const T> a) {
  softmax_family(out, a, false);
}

template <class T>
void log_softmax_forward(MatView<T> out, MatView<const T> a) {
  softmax_family(out, a, true);
}

template <class T>
double cross_entropy_scaled(MatView<const T> logits, const int64_t* labels,
                            MatView<const T> probs, MatView<T> dlogits, const T* weights,
                            double scale) {
  const VectorMath<T>& vm = active_vector_math<T>();
  const int64_t k = logits.cols;
  double total = blocked_sum(logits.rows, 5 * k, [&](int64_t b, int64_t e) {
    return vm.cross_entropy_rows(dlogits.data ? dlogits.data + b * dlogits.rs : nullptr,
                                 dlogits.rs, logits.data + b * logits.rs, logits.rs,
                                 labels ? labels + b : nullptr,
                                 labels ? nullptr : probs.data + b * probs.rs, probs.rs,
                                 weights ? weights + b : nullptr, e - b, k, T(scale));
  });
  return total * scale;
}

template <class T>
double cross_entropy(MatView<const T> logits, const int64_t* labels, MatView<const T> probs,
                     MatView<T> dlogits, Reduction reduction) {
  return cross_entropy_scaled(logits, labels, probs, dlogits, static_cast<const T*>(nullptr),
                              inv_rows(reduction, logits.rows));
}

template <class T>
double squared_error_scaled(const T* y, const T* d, int64_t n, int64_t k, T* dy,
                            const T* weights, double scale) {
  double total = blocked_sum(n, k, [&](int64_t b, int64_t e) {
    double s = 0;
    for (int64_t i = b; i < e; ++i) {
      const T wi = weights ? weights[i] : T(1);
      const T row_scale = T(scale) * wi;
      double row = 0;
#pragma omp simd reduction(+ : row)
      for (int64_t j = i * k; j < (i + 1) * k; ++j) {
        T r = y[j] - d[j];
        row += double(r) * double(r);
        if (dy) dy[j] = r * row_scale;
      }
      s += weights ? double(wi) * row : row;
    }
    return s;
  });
  return 0.5 * total * scale;
}

template <class T>
double squared_error(const T* y, const T* d, int64_t n, int64_t k, T* dy, Reduction reduction) {
  return squared_error_scaled(y, d, n, k, dy, static_cast<const T*>(nullptr),
                              inv_rows(reduction, n));
}

template <class T>
double perceptron_scaled(const T* s, const T* d, int64_t n, int64_t k, T* ds, const T* weights,
                         double scale, int64_t* mistakes) {
  // Mistakes are counted per block into a second fixed-order sum.
  thread_local std::vector<int64_t> block_mistakes;
  block_mistakes.assign(static_cast<size_t>((n + kReduceRows - 1) / kReduceRows), 0);
  int64_t* bm = block_mistakes.data();
  double total = blocked_sum(n, k, [&](int64_t b, int64_t e) {
    double acc = 0;
    int64_t wrong = 0;
    for (int64_t i = b; i < e; ++i) {
      const T wi = weights ? weights[i] : T(1);
      const T row_scale = T(scale) * wi;
      double row = 0;
#pragma omp simd reduction(+ : row, wrong)
      for (int64_t j = i * k; j < (i + 1) * k; ++j) {
        row += perceptron_term(s[j], d[j]);
        const bool mistake = perceptron_mistake(s[j], d[j]);  // NaN s: a NaN gradient
        wrong += mistake;
        if (ds) ds[j] = mistake ? -d[j] * row_scale : (s[j] == s[j] ? T(0) : s[j]);
      }
      acc += weights ? double(wi) * row : row;
    }
    bm[b / kReduceRows] = wrong;
    return acc;
  });
  if (mistakes) {
    *mistakes = 0;
    for (size_t blk = 0; blk < block_mistakes.size(); ++blk) *mistakes += bm[blk];
  }
  return total * scale;
}

template <class T>
double perceptron_criterion(const T* s, const T* d, int64_t n, int64_t k, T* ds,
                            Reduction reduction) {
  return perceptron_scaled(s, d, n, k, ds, static_cast<const T*>(nullptr),
                           inv_rows(reduction, n), static_cast<int64_t*>(nullptr));
}

namespace {

template <class T>
struct LinearEpilogue {
  const T* bias;
  int act;
  const VectorMath<T>* vm;

  static void apply(const void* ctx, T* c, int64_t rs, int64_t cs, int64_t, int64_t col0,
                    int64_t m, int64_t n) {
    const auto* self = static_cast<const LinearEpilogue*>(ctx);
    for (int64_t i = 0; i < m; ++i) {
      T* row = c + i * rs;
      if (self->bias) {
        const T* b = self->bias + col0;
        for (int64_t j = 0; j < n; ++j) row[j * cs] += b[j];
      }
      if (self->act != static_cast<int>(Activation::identity)) {
        if (cs == 1) {
          self->vm->activation_forward(self->act, row, row, n);
        } else {
          for (int64_t j = 0; j < n; ++j)
            self->vm->activation_forward(self->act, row + j * cs, row + j * cs, 1);
        }
      }
    }
  }
};

}  // namespace

template <class T>
void linear_forward(MatView<T> out, MatView<const T> x, MatView<const T> w, const T* b,
                    Activation act) {
  LinearEpilogue<T> ctx{b, static_cast<int>(act), &active_vector_math<T>()};
  GemmEpilogue<T> epilogue{&LinearEpilogue<T>::apply, &ctx};
  bool fused = b != nullptr || act != Activation::identity;
  gemm<T>(T(1), x, w, T(0), out, fused ? &epilogue : nullptr);
}

template <class T>
void linear_backward(MatView<T> dx, MatView<T> dw, T* db, MatView<const T> x,
                     MatView<const T> w, MatView<const T> dz) {
  if (dx.data) gemm<T>(T(1), dz, w.t(), T(0), dx);
  if (dw.data) gemm<T>(T(1), x.t(), dz, T(0), dw);
  if (!db) return;
  // Column sums in row order, in double; columns split between threads.
  const int64_t n = dz.rows, k = dz.cols;
  parallel_blocks(k, 256, n, [&](int64_t c0, int64_t c1) {
    double acc[256] = {0};
    for (int64_t i = 0; i < n; ++i) {
      const T* row = dz.data + i * dz.rs;
#pragma omp simd
      for (int64_t j = c0; j < c1; ++j) acc[j - c0] += double(row[j * dz.cs]);
    }
    for (int64_t j = c0; j < c1; ++j) db[j] = T(acc[j - c0]);
  });
}

#define MLPCORE_INSTANTIATE(T)                                                               \
  template void activation_forward<T>(Activation, T*, const T*, int64_t);                    \
  template void activation_backward<T>(Activation, T*, const T*, const T*, int64_t);         \
  template void softmax_forward<T>(MatView<T>, MatView<const T>);                            \
  template void log_softmax_forward<T>(MatView<T>, MatView<const T>);                        \
  template double cross_entropy<T>(MatView<const T>, const int64_t*, MatView<const T>,       \
                                   MatView<T>, Reduction);                                   \
  template double squared_error<T>(const T*, const T*, int64_t, int64_t, T*, Reduction);     \
  template double perceptron_criterion<T>(const T*, const T*, int64_t, int64_t, T*,          \
                                          Reduction);                                        \
  template double cross_entropy_scaled<T>(MatView<const T>, const int64_t*, MatView<const T>, \
                                          MatView<T>, const T*, double);                     \
  template double squared_error_scaled<T>(const T*, const T*, int64_t, int64_t, T*, const T*, \
                                          double);                                           \
  template double perceptron_scaled<T>(const T*, const T*, int64_t, int64_t, T*, const T*,    \
                                       double, int64_t*);                                    \
  template void linear_forward<T>(MatView<T>, MatView<const T>, MatView<const T>, const T*,  \
                                  Activation);                                               \
  template void linear_backward<T>(MatView<T>, MatView<T>, T*, MatView<const T>,             \
                                   MatView<const T>, MatView<const T>);
MLPCORE_INSTANTIATE(float)
MLPCORE_INSTANTIATE(double)
#undef MLPCORE_INSTANTIATE

}  // namespace mlpcore
