// Non-owning views of the arrays that Python (or an embedding program) owns.
#pragma once
#include <cstdint>

namespace mlpcore {

// A rows x cols matrix with element strides rs (between rows) and cs (between
// columns). Any strides, including negative ones and 0 (a broadcast), are valid
// for reading; x.T is the same view with rows/cols and rs/cs swapped.
template <class T>
struct MatView {
  T* data;
  int64_t rows, cols, rs, cs;
  T& operator()(int64_t i, int64_t j) const { return data[i * rs + j * cs]; }
  MatView<T> t() const { return {data, cols, rows, cs, rs}; }
};

}  // namespace mlpcore
