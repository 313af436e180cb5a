// The numbers of a plain CSV block, for mlpcore.datasets.load_csv: one pass over the bytes,
// each cell parsed by std::from_chars (correctly rounded, as Python's float()). Anything
// unusual (a quote, a row of another length, a cell that is not a plain finite number, an
// underflow) gives None, and load_csv's careful path reads the block and names the cell.
#include <charconv>
#include <cmath>
#include <cstring>
#include <string>
#include <system_error>

#include "common.hpp"

namespace mlpcore::bind {

namespace {

struct Cell {
  const char* begin;
  const char* end;
};

// Surrounding spaces go, as float(" 1.5 ") allows; a '+' sign too, which from_chars refuses
// ("+-1" stays refused).
Cell number_text(Cell c) {
  while (c.begin < c.end && *c.begin == ' ') ++c.begin;
  while (c.end > c.begin && c.end[-1] == ' ') --c.end;
  if (c.end - c.begin > 1 && *c.begin == '+' && c.begin[1] != '-' && c.begin[1] != '+')
    ++c.begin;
  return c;
}

bool parse_double(Cell c, double& value) {
#if defined(__cpp_lib_to_chars)
  if (c.begin == c.end) return false;
  auto [ptr, ec] = std::from_chars(c.begin, c.end, value);
  return ec == std::errc() && ptr == c.end && std::isfinite(value);
#else  // a C++ library without from_chars for floats (older Apple SDKs): NumPy's parser reads
  (void)c;
  (void)value;
  return false;
#endif
}

bool parse_int(Cell c, int64_t& value) {
  if (c.begin == c.end) return false;
  auto [ptr, ec] = std::from_chars(c.begin, c.end, value);
  return ec == std::errc() && ptr == c.end;
}

bool blank(const char* begin, const char* end, char delimiter) {
  if (delimiter == ' ' || delimiter == '\t') return begin == end;  // "\t" is two empty cells
  for (const char* p = begin; p < end; ++p)
    if (*p != ' ' && *p != '\t') return false;
  return true;
}

// Rows of n_cols cells into x (rows x features, the target column left out), the target
// into y_float and, while every target cell is an integer, y_int; with labels, the target
// cells are not parsed: y_int gets each one's [begin, end) offsets in data instead. Returns
// the rows parsed, or -1 where the block is not plain.
template <class T>
int64_t parse_rows(const char* data, const char* end, char delimiter, int64_t n_cols,
                   int64_t target, bool labels, T* x, double* y_float, int64_t* y_int,
                   bool& all_int) {
  const int64_t features = n_cols - (target >= 0 ? 1 : 0);
  int64_t rows = 0;
  all_int = target >= 0;
  for (const char* line = data; line < end;) {
    const char* line_end = static_cast<const char*>(std::memchr(line, '\n', end - line));
    if (line_end == nullptr) line_end = end;
    if (!blank(line, line_end, delimiter)) {
      T* row = x + rows * features;
      const char* cell = line;
      for (int64_t j = 0, k = 0; j < n_cols; ++j) {
        const char* stop = static_cast<const char*>(std::memchr(cell, delimiter, line_end - cell));
        if (stop == nullptr) stop = line_end;
        if ((stop == line_end) != (j == n_cols - 1)) return -1;  // too few or too many cells
        if (j == target && labels) {
          y_int[2 * rows] = cell - data;
          y_int[2 * rows + 1] = stop - data;
          cell = stop + 1;
          continue;
        }
        const Cell text = number_text({cell, stop});
        double value;
        if (!parse_double(text, value)) return -1;
        if (j == target) {
          if (!std::isfinite(static_cast<T>(value))) return -1;  // a float32 y is cast too
          y_float[rows] = value;
          if (all_int) all_int = parse_int(text, y_int[rows]);
        } else {
          const T stored = static_cast<T>(value);
          if (!std::isfinite(stored)) return -1;  // beyond float32's range
          row[k++] = stored;
        }
        cell = stop + 1;
      }
      ++rows;
    }
    line = line_end + 1;
  }
  return rows;
}

// (X, y_int or None, y_float or None) of a block, or (X, the target cells, None) with
// labels, or None (see the top of the file).
py::object parse_csv_rows(const py::bytes& block, const std::string& delimiter, int64_t n_cols,
                          int64_t target, const py::dtype& dtype, bool labels) {
  const char* kernel = "_parse_csv_rows";
  if (delimiter.size() != 1 || n_cols < 1 || target < -1 || target >= n_cols)
    fail<py::value_error>(kernel, "expected one delimiter character, n_cols >= 1 and a target "
                                  "column in -1..n_cols-1");
  char* data = nullptr;
  Py_ssize_t size = 0;
  if (PyBytes_AsStringAndSize(block.ptr(), &data, &size) != 0) throw py::error_already_set();
  int64_t max_rows = 1;
  for (Py_ssize_t i = 0; i < size; ++i) max_rows += data[i] == '\n';
  const int64_t features = n_cols - (target >= 0 ? 1 : 0);
  py::array x = allocate(kernel, "X", dtype, {max_rows, features});
  py::array_t<double> y_float(target >= 0 ? max_rows : 0);
  py::array_t<int64_t> y_int(target >= 0 ? (labels ? 2 : 1) * max_rows : 0);
  double* yf = y_float.mutable_data();
  int64_t* yi = y_int.mutable_data();
  const bool f32 = is_f32(x);
  void* out = x.mutable_data();
  int64_t rows;
  bool all_int = false;
  {
    py::gil_scoped_release release;
    const bool with_labels = labels && target >= 0;
    rows = f32 ? parse_rows(data, data + size, delimiter[0], n_cols, target, with_labels,
                            static_cast<float*>(out), yf, yi, all_int)
               : parse_rows(data, data + size, delimiter[0], n_cols, target, with_labels,
                            static_cast<double*>(out), yf, yi, all_int);
  }
  if (rows < 0) return py::none();
  py::slice first(0, rows, 1);
  py::object X = x[py::make_tuple(first, py::slice(0, features, 1))];
  if (target < 0) return py::make_tuple(X, py::none(), py::none());
  if (labels) {  // the target cells, one per line: Python splits them in one call
    std::string cells;
    {
      py::gil_scoped_release release;
      for (int64_t i = 0; i < rows; ++i) {
        if (i) cells.push_back('\n');
        cells.append(data + yi[2 * i], data + yi[2 * i + 1]);
      }
    }
    return py::make_tuple(X, py::bytes(cells), py::none());
  }
  py::object ints = all_int ? py::object(y_int[first]) : py::object(py::none());
  return py::make_tuple(X, ints, y_float[first]);
}

}  // namespace

void init_io(py::module_& m) {
  m.def("_parse_csv_rows", &parse_csv_rows, py::arg("block"), py::arg("delimiter"),
        py::arg("n_cols"), py::arg("target"), py::arg("dtype"), py::arg("labels") = false,
        "(X, y_int, y_float) of a block of plain CSV rows (y_int None unless every target "
        "cell is an integer; both None without a target, -1); with labels, (X, cells, "
        "None): the target cells unparsed, as bytes with a line break between cells; or "
        "None when the block needs load_csv's careful path.");
}

}  // namespace mlpcore::bind
