// The GEMM driver: the five loops around the micro-kernel (BLIS), packing, threads.
//
//   5th loop  jc over NC columns of B and C          (B block  -> L3)
//   4th loop  pc over KC, the depth                   (pack B: KC x NC, shared)
//   3rd loop  ic over MC rows of A and C              (pack A: MC x KC, per thread -> L2)
//   2nd loop  jr over NR columns (a B micro-panel     -> L1)
//   1st loop  ir over MR rows    (an A micro-panel, streamed; the MR x NR tile in registers)
//
// Threads split the 3rd loop (rows of C, in whole micro-tiles) and, when C has too
// few rows, the 2nd loop (columns); never K. Every element of C is computed by the
// same kernel on the same micro-tile (the grid is anchored at row 0 and column jc
// whatever the split) with the same K order, so the result is bitwise identical for
// any thread count.
#include <omp.h>

#include <atomic>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <new>
#include <stdexcept>

#include "arch/context.hpp"
#include "gemm/narrow.hpp"
#include "gemm/pack.hpp"
#include "gemm/ukernel.hpp"
#include "mlpcore/gemm.hpp"
#include "mlpcore/runtime.hpp"
#include "parallel.hpp"

namespace mlpcore {
namespace {

using gemm_detail::GemmKernel;

int64_t round_up(int64_t x, int64_t to) { return (x + to - 1) / to * to; }
int64_t min64(int64_t x, int64_t y) { return x < y ? x : y; }

// The step that cuts `size` into ceil(size / max_block) near-equal blocks, rounded
// up to a multiple of `multiple` (max_block is one, so the step stays <= max_block).
int64_t balanced_block(int64_t size, int64_t max_block, int64_t multiple) {
  const int64_t blocks = (size + max_block - 1) / max_block;
  return min64(max_block, round_up((size + blocks - 1) / blocks, multiple));
}

// Packing buffers of the calling thread, kept between calls and grown only when too
// small, so that repeated products (a training loop) do not allocate. Allocated
// before the parallel region: a failure throws std::bad_alloc in the caller.
class Workspace {
 public:
  Workspace() = default;
  Workspace(const Workspace&) = delete;
  Workspace& operator=(const Workspace&) = delete;
  ~Workspace() { std::free(ptr_); }

  void* get(size_t bytes) {
    if (bytes > size_) {
      std::free(ptr_);
      ptr_ = nullptr;
      size_ = 0;
      const size_t rounded = (bytes + 63) / 64 * 64;  // aligned_alloc wants a multiple
      ptr_ = std::aligned_alloc(64, rounded);
      if (!ptr_) throw std::bad_alloc();
      size_ = rounded;
    }
    return ptr_;
  }

 private:
  void* ptr_ = nullptr;
  size_t size_ = 0;
};

thread_local Workspace t_workspace;

// Threads as a tm x tn grid over (micro-tile rows of C) x (micro-panels of one B
// block): the split whose largest share of micro-tiles is smallest, but splitting
// rows unless splitting columns saves more than 10%: threads that share rows each
// pack the same A block.
void choose_grid(int nt, int64_t m_tiles, int64_t n_tiles, int* tm, int* tn) {
  int64_t best = -1;
  for (int rows = nt; rows >= 1; --rows) {
    if (nt % rows) continue;
    const int cols = nt / rows;
    const int64_t share = ((m_tiles + rows - 1) / rows) * ((n_tiles + cols - 1) / cols);
    if (best < 0 || share * 10 < best * 9) {
      best = share;
      *tm = rows;
      *tn = cols;
    }
  }
}

// The part of the product done by thread `tid` of `nt`. bbuf: the shared packed B
// block; abuf: this thread's packed A block.
// `stop` is shared by the team: thread 0 (the calling thread) sets it from
// interrupt_requested() between its blocks of A; every thread then skips its remaining
// blocks, and all leave after the same barrier (stop is read there before anyone can
// pass the next barrier, behind which thread 0 could set it again).
template <class T>
void gemm_blocked(const GemmKernel<T>& K, T alpha, MatView<const T> a, MatView<const T> b,
                  T beta, MatView<T> c, const GemmEpilogue<T>* ep, T* bbuf, T* abuf, int tid,
                  int nt, std::atomic<bool>* stop) {
  const int64_t m = c.rows, n = c.cols, k = a.cols;
  const int64_t MR = K.mr, NR = K.nr, MC = K.mc;
  // K and N cut into equal blocks (at most KC, NC) rather than full blocks and a
  // thin remainder: k = 784 with KC = 384 runs 3 x 264, not 2 x 384 + 16, whose
  // last block would reload C for little work. Depends on the sizes only, never on
  // the thread count.
  const int64_t KC = balanced_block(k, K.kc, 4);
  const int64_t NC = balanced_block(n, K.nc, NR);

  int tm = 1, tn = 1;
  choose_grid(nt, (m + MR - 1) / MR, (min64(n, NC) + NR - 1) / NR, &tm, &tn);
  const int tid_m = tid / tn, tid_n = tid % tn;
  // This thread's rows: whole micro-tiles, so the tile grid does not depend on nt.
  const int64_t m_tiles = (m + MR - 1) / MR;
  const int64_t i_begin = m_tiles * tid_m / tm * MR;
  const int64_t i_end = min64(m, m_tiles * (tid_m + 1) / tm * MR);

  // 5th loop around the micro-kernel: jc over NC columns of B and C.
  for (int64_t jc = 0; jc < n; jc += NC) {
    const int64_t nc = min64(NC, n - jc);
    const int64_t nc_tiles = (nc + NR - 1) / NR;

    // 4th loop around the micro-kernel: pc over KC, the depth. alpha and beta apply
    // on the first K-block; later blocks accumulate into C (beta = 1).
    for (int64_t pc = 0; pc < k; pc += KC) {
      const int64_t kc = min64(KC, k - pc);
      const T beta_pc = pc == 0 ? beta : T(1);
      const bool last_pc = pc + kc == k;

      // Pack B(pc : pc+kc, jc : jc+nc) into NR-column micro-panels, shared out
      // among all threads, then wait until the whole block is there.
      {
        const int64_t t0 = nc_tiles * tid / nt, t1 = nc_tiles * (tid + 1) / nt;
        if (t1 > t0)
          K.pack_b(kc, min64(nc, t1 * NR) - t0 * NR, b.data + pc * b.rs + (jc + t0 * NR) * b.cs,
                   b.rs, b.cs, bbuf + t0 * NR * kc);
      }
#pragma omp barrier

      // This thread's micro-panels of the B block.
      const int64_t jt_begin = nc_tiles * tid_n / tn, jt_end = nc_tiles * (tid_n + 1) / tn;

      // 3rd loop around the micro-kernel: ic over MC rows of A and C.
      for (int64_t ic = i_begin; ic < i_end; ic += MC) {
        if (tid == 0 && interrupt_requested()) stop->store(true, std::memory_order_relaxed);
        if (stop->load(std::memory_order_relaxed)) break;
        const int64_t mc = min64(MC, i_end - ic);
        K.pack_a(mc, kc, a.data + ic * a.rs + pc * a.cs, a.rs, a.cs, abuf);

        // 2nd loop around the micro-kernel: jr over NR columns (a B micro-panel in L1).
        for (int64_t jt = jt_begin; jt < jt_end; ++jt) {
          const int64_t jr = jt * NR;
          const int64_t nr = min64(NR, nc - jr);

          // 1st loop around the micro-kernel: ir over MR rows.
          for (int64_t ir = 0; ir < mc; ir += MR) {
            const int64_t mr = min64(MR, mc - ir);
            T* cp = c.data + (ic + ir) * c.rs + (jc + jr) * c.cs;
            K.ukr(kc, alpha, abuf + ir * kc, bbuf + jr * kc, NR, beta_pc, cp, c.rs, c.cs, mr,
                  nr);
            // The tile is final and still in L1: apply the epilogue now, once.
            if (last_pc && ep) ep->fn(ep->ctx, cp, c.rs, c.cs, ic + ir, jc + jr, mr, nr);
          }
        }
      }
      // The next pc (or jc) repacks bbuf: everyone must be done reading it.
#pragma omp barrier
      if (stop->load(std::memory_order_relaxed)) return;
    }
  }
}

// Few rows (at most kFewRowsMax) and a row-major B, e.g. a small minibatch times a
// weight matrix: the micro-kernel reads B's rows in place instead of a packed copy,
// since packing B costs as much as a product with few rows. Measured on AVX2
// (1 thread, k = 784, n = 128 and 256, against packing): 5-15% faster at 16 and 32
// rows, 10% slower at 64, where each panel of B read in place (rows 0.5-1 KiB apart)
// costs more than packing it once for 11 row tiles. A is packed once, whole, by the
// calling thread; then column micro-panels go to whichever thread is free,
// each running every K block, so no thread waits for another. The K blocks, the
// kernel and the write-back are those of gemm_blocked, so every element of C gets
// the same arithmetic (bitwise the same C, for any subset of the rows of A too);
// a last panel narrower than NR is packed (zero-padded), as gemm_blocked does.
constexpr int64_t kFewRowsMax = 32;
constexpr int64_t kFewRowsMaxA = 256 * 1024;  // bytes of packed A: it stays in L2

template <class T>
bool few_rows_fits(const GemmKernel<T>& K, MatView<const T> a, MatView<const T> b,
                   MatView<T> c) {
  return c.rows <= kFewRowsMax && b.cs == 1 && c.cols >= K.nr &&
         round_up(c.rows, K.mr) * a.cols * int64_t(sizeof(T)) <= kFewRowsMaxA;
}

template <class T>
void gemm_few_rows(const GemmKernel<T>& K, T alpha, MatView<const T> a, MatView<const T> b,
                   T beta, MatView<T> c, const GemmEpilogue<T>* ep) {
  const int64_t m = c.rows, n = c.cols, k = a.cols;
  const int64_t MR = K.mr, NR = K.nr;
  const int64_t KC = balanced_block(k, K.kc, 4);  // as gemm_blocked: the same K order
  const int64_t m_padded = round_up(m, MR), tiles = (n + NR - 1) / NR;
  const int nt = static_cast<int>(min64(threads_for(fma_work<T>(m * n * k)), tiles));
  const int64_t line = 64 / static_cast<int64_t>(sizeof(T));
  const int64_t a_elems = round_up(m_padded * k, line), edge_elems = round_up(KC * NR, line);
  T* ws = static_cast<T*>(
      t_workspace.get(static_cast<size_t>(a_elems + nt * edge_elems) * sizeof(T)));
  T* apack = ws;
  for (int64_t pc = 0; pc < k; pc += KC)  // the K blocks one after another
    K.pack_a(m, min64(KC, k - pc), a.data + pc * a.cs, a.rs, a.cs, apack + m_padded * pc);

  std::atomic<bool> stop{false};
  parallel_for(nt, tiles, [&](int64_t jt, int tid) {
    if (stop.load(std::memory_order_relaxed)) return;
    if (tid == 0 && interrupt_requested()) stop.store(true, std::memory_order_relaxed);
    const int64_t jr = jt * NR, nr = min64(NR, n - jr);
    T* edge = ws + a_elems + tid * edge_elems;
    for (int64_t pc = 0; pc < k; pc += KC) {
      const int64_t kc = min64(KC, k - pc);
      const T beta_pc = pc == 0 ? beta : T(1);
      const T* bp = b.data + pc * b.rs + jr;
      int64_t ldb = b.rs;
      if (nr < NR) {
        K.pack_b(kc, nr, bp, b.rs, b.cs, edge);
        bp = edge;
        ldb = NR;
      }
      const T* ap = apack + m_padded * pc;
      for (int64_t ir = 0; ir < m; ir += MR) {
        const int64_t mr = min64(MR, m - ir);
        T* cp = c.data + ir * c.rs + jr * c.cs;
        K.ukr(kc, alpha, ap + ir * kc, bp, ldb, beta_pc, cp, c.rs, c.cs, mr, nr);
        if (ep && pc + kc == k) ep->fn(ep->ctx, cp, c.rs, c.cs, ir, jr, mr, nr);
      }
    }
  });
  if (stop.load()) throw Interrupted();
}

// Narrow products (narrow.hpp): B packed transposed once by the calling thread,
// then threads take whole row blocks of C; each kernel call computes a chunk of
// rows over all n columns and the epilogue runs on it while it is in L1.
template <class T>
void gemm_narrow(T alpha, MatView<const T> a, MatView<const T> b, T beta, MatView<T> c,
                 const GemmEpilogue<T>* ep) {
  const gemm_detail::NarrowKernel<T>& K = *context<T>(active_isa()).narrow;
  const int64_t m = c.rows, n = c.cols, k = a.cols;
  const int64_t ld = round_up(k, gemm_detail::kNarrowPad);
  T* bt = static_cast<T*>(t_workspace.get(static_cast<size_t>(n * ld) * sizeof(T)));
  gemm_detail::pack_bt_nxk(k, n, b.data, b.rs, b.cs, ld, bt);

  // Chunks of rows go to whichever thread is free (a busy machine may not run every
  // thread at once); each row of C is computed alike in any chunk.
  const int64_t chunks = (m + K.chunk - 1) / K.chunk;
  parallel_for(threads_for(fma_work<T>(m * n * k)), chunks, [&](int64_t chunk) {
    const int64_t i = chunk * K.chunk, mc = min64(K.chunk, m - i);
    T* cp = c.data + i * c.rs;
    K.fn(mc, n, k, alpha, a.data + i * a.rs, a.rs, bt, ld, beta, cp, c.rs, c.cs);
    if (ep) ep->fn(ep->ctx, cp, c.rs, c.cs, i, 0, mc, n);
  });
}

// Column products: A's columns contiguous (A = X^T of a row-major X: the gradient
// X^T u of a tall X, or a transposed matrix-vector product), one or two columns in C
// and a small C. C(:, j) is a sum of columns of A weighted by B(p, j), over fixed blocks
// of kColumnBlock values of p, each block's sums in increasing p; the blocks' sums
// are then added in block order. Blocks go to threads whole, so any thread count
// gives bitwise the same C. B may have any strides, zero included (a broadcast).
constexpr int64_t kColumnBlock = 8192;
constexpr int64_t kColumnMaxC = 16384;  // elements of C: the partial sums stay small
// A is read once per column of C: measured (1 thread, k = 128 and 20000, m = 16..784),
// this beats the packed path for n <= 2 and loses from n = 4 on (2-4x at n = 10, the
// weight gradient of a 10-class logistic regression).
constexpr int64_t kColumnMaxN = 2;

template <class T>
void gemm_columns(T alpha, MatView<const T> a, MatView<const T> b, T beta, MatView<T> c,
                  const GemmEpilogue<T>* ep) {
  const VectorMath<T>& vm = active_vector_math<T>();
  const int64_t m = c.rows, n = c.cols, k = a.cols;
  const int64_t blocks = (k + kColumnBlock - 1) / kColumnBlock;
  T* partial = static_cast<T*>(t_workspace.get(static_cast<size_t>(blocks * n * m) * sizeof(T)));
  // The calling thread (thread 0) polls for Ctrl-C between blocks; all stop on it.
  std::atomic<bool> stop{false};
  // Blocks go to whichever thread is free; each block's sums land in its own slot.
  const int nt = static_cast<int>(min64(threads_for(fma_work<T>(m * n * k)), blocks));
  parallel_for(nt, blocks, [&](int64_t blk, int tid) {
    if (stop.load(std::memory_order_relaxed)) return;
    const int64_t p0 = blk * kColumnBlock, kb = min64(kColumnBlock, k - p0);
    for (int64_t j = 0; j < n; ++j) {
      T* acc = partial + (blk * n + j) * m;
      for (int64_t i = 0; i < m; ++i) acc[i] = T(0);
      vm.axpy_columns(acc, a.data + p0 * a.cs, a.cs, b.data + p0 * b.rs + j * b.cs, b.rs, m,
                      kb);
    }
    if (tid == 0 && interrupt_requested()) stop.store(true, std::memory_order_relaxed);
  });
  if (stop.load()) throw Interrupted();
  for (int64_t j = 0; j < n; ++j)
    for (int64_t i = 0; i < m; ++i) {
      T sum = partial[j * m + i];
      for (int64_t blk = 1; blk < blocks; ++blk) sum += partial[(blk * n + j) * m + i];
      c(i, j) = beta == T(0) ? alpha * sum : beta * c(i, j) + alpha * sum;
    }
  if (ep) ep->fn(ep->ctx, c.data, c.rs, c.cs, 0, 0, m, n);
}

// Few columns and a short k (a tall X of 2 or 3 features times a vector): one row
// of A at a time, each C(i, j) summed in increasing p, rows split between threads.
// The narrow kernels' vector lanes would mostly hold padding here.
constexpr int64_t kShortMaxK = 4;
constexpr int64_t kShortChunk = 4096;  // rows handed to a thread at a time

// Rows [i0, i1) of C for a compile-time k (unrolled), column j of B in registers.
template <int K, class T>
void short_rows(T alpha, MatView<const T> a, MatView<const T> b, T beta, MatView<T> c,
                int64_t i0, int64_t i1) {
  for (int64_t j = 0; j < c.cols; ++j) {
    T bj[K];
    for (int p = 0; p < K; ++p) bj[p] = b(p, j);
    for (int64_t i = i0; i < i1; ++i) {
      const T* ai = a.data + i * a.rs;
      T sum = T(0);
      for (int p = 0; p < K; ++p) sum += ai[p * a.cs] * bj[p];
      T& out = c(i, j);
      out = beta == T(0) ? alpha * sum : beta * out + alpha * sum;
    }
  }
}

template <class T>
void gemm_short(T alpha, MatView<const T> a, MatView<const T> b, T beta, MatView<T> c,
                const GemmEpilogue<T>* ep) {
  const int64_t m = c.rows, n = c.cols, k = a.cols;
  auto rows = [&](int64_t i0, int64_t i1) {
    switch (k) {
      case 1: short_rows<1>(alpha, a, b, beta, c, i0, i1); break;
      case 2: short_rows<2>(alpha, a, b, beta, c, i0, i1); break;
      case 3: short_rows<3>(alpha, a, b, beta, c, i0, i1); break;
      default: short_rows<kShortMaxK>(alpha, a, b, beta, c, i0, i1); break;
    }
    if (ep) ep->fn(ep->ctx, c.data + i0 * c.rs, c.rs, c.cs, i0, 0, i1 - i0, n);
  };
  const int64_t chunks = (m + kShortChunk - 1) / kShortChunk;
  parallel_for(threads_for(fma_work<T>(m * n * k)), chunks, [&](int64_t chunk) {
    rows(chunk * kShortChunk, min64(m, (chunk + 1) * kShortChunk));
  });
}

}  // namespace

namespace {
template <class T>
void gemm_blis(T alpha, MatView<const T> a, MatView<const T> b, T beta, MatView<T> c,
               const GemmEpilogue<T>* epilogue);
}  // namespace

template <class T>
void gemm(T alpha, MatView<const T> a, MatView<const T> b, T beta, MatView<T> c,
          const GemmEpilogue<T>* epilogue) {
  if (a.rows != c.rows || b.cols != c.cols || a.cols != b.rows)
    throw std::invalid_argument("mlpcore::gemm: shapes do not match (A m x k, B k x n, C m x n)");
  const int64_t m = c.rows, n = c.cols, k = a.cols;
  if (m == 0 || n == 0) return;

  if (k == 0) {  // A B is zero: C := beta C (beta == 0 writes zeros, C not read)
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) c(i, j) = beta == T(0) ? T(0) : beta * c(i, j);
    if (epilogue) epilogue->fn(epilogue->ctx, c.data, c.rs, c.cs, 0, 0, m, n);
    return;
  }

  // Few columns (n <= 16, e.g. 10 logits) and A's rows contiguous (x @ W): dot
  // products along k, without packing A (narrow.hpp). Chosen on n, the layout and
  // the ISA only, never on m or the thread count, so that any subset of the rows of
  // A gives bitwise the same rows of C.
  if (n <= gemm_detail::kNarrowMaxN && k <= kShortMaxK) {
    gemm_short<T>(alpha, a, b, beta, c, epilogue);
    return;
  }
  if (n <= gemm_detail::kNarrowMaxN && a.cs == 1) {
    gemm_narrow<T>(alpha, a, b, beta, c, epilogue);
    return;
  }
  // One or two columns, A's columns contiguous and a small C (X^T u): sums of columns
  // of A. Chosen on the size of C too, so unlike the row paths above, a subset of the rows
  // of such an A may take another path and get other bits (within the tolerance);
  // A with contiguous columns is a transposed operand (X^T), never a batch of rows.
  if (n <= kColumnMaxN && a.rs == 1 && m * n <= kColumnMaxC) {
    gemm_columns<T>(alpha, a, b, beta, c, epilogue);
    return;
  }

  gemm_blis<T>(alpha, a, b, beta, c, epilogue);
}

namespace {

// The epilogue of C, seen from C^T: a tile of C^T is the transposed tile of C.
template <class T>
struct TransposedEpilogue {
  const GemmEpilogue<T>* inner;
  static void apply(const void* ctx, T* c, int64_t rs, int64_t cs, int64_t row0, int64_t col0,
                    int64_t m, int64_t n) {
    const GemmEpilogue<T>* e = static_cast<const TransposedEpilogue*>(ctx)->inner;
    e->fn(e->ctx, c, cs, rs, col0, row0, n, m);
  }
};

// The five loops for any shape. Few columns and more rows (x^T @ dz, the weight
// gradient of a narrow layer, whose A is not row-contiguous) run as C^T = B^T A^T,
// which puts the long side along the micro-kernel's vectors. Each element gets the
// same arithmetic either way (the same k order, kernel and write-back; a * b = b * a),
// so the orientation changes the speed, not the bits.
template <class T>
void gemm_blis(T alpha, MatView<const T> a, MatView<const T> b, T beta, MatView<T> c,
               const GemmEpilogue<T>* epilogue) {
  const int64_t m = c.rows, n = c.cols, k = a.cols;
  const GemmKernel<T>& K = *context<T>(active_isa()).gemm;
  if (n < K.nr && m > n) {
    TransposedEpilogue<T> inner{epilogue};
    GemmEpilogue<T> transposed{&TransposedEpilogue<T>::apply, &inner};
    gemm_blis<T>(alpha, b.t(), a.t(), beta, c.t(), epilogue ? &transposed : nullptr);
    return;
  }
  if (few_rows_fits(K, a, b, c)) {
    gemm_few_rows<T>(K, alpha, a, b, beta, c, epilogue);
    return;
  }
  const int nt = threads_for(fma_work<T>(m * n * k));

  // One B block shared by the team, one A block per thread, each 64-byte aligned
  // (sizes rounded to a whole number of cache lines).
  const int64_t line = 64 / static_cast<int64_t>(sizeof(T));
  const int64_t kc_max = min64(K.kc, k);
  const int64_t b_elems = round_up(kc_max * min64(K.nc, round_up(n, K.nr)), line);
  const int64_t a_elems = round_up(kc_max * min64(K.mc, round_up(m, K.mr)), line);
  T* ws = static_cast<T*>(t_workspace.get(static_cast<size_t>(b_elems + nt * a_elems) * sizeof(T)));

  std::atomic<bool> stop{false};
  if (nt == 1) {
    gemm_blocked<T>(K, alpha, a, b, beta, c, epilogue, ws, ws + b_elems, 0, 1, &stop);
  } else {
#pragma omp parallel num_threads(nt)
    {
      // The team may be smaller than asked (nested parallelism, thread limits).
      const int tid = omp_get_thread_num();
      gemm_blocked<T>(K, alpha, a, b, beta, c, epilogue, ws, ws + b_elems + tid * a_elems, tid,
                      omp_get_num_threads(), &stop);
    }
  }
  if (stop.load()) throw Interrupted();
}

}  // namespace

template <class T>
void gemm_naive(T alpha, MatView<const T> a, MatView<const T> b, T beta, MatView<T> c) {
  for (int64_t i = 0; i < c.rows; ++i)
    for (int64_t j = 0; j < c.cols; ++j) {
      T acc = T(0);
      for (int64_t p = 0; p < a.cols; ++p) acc += a(i, p) * b(p, j);
      const T r = alpha * acc;
      c(i, j) = beta == T(0) ? r : beta * c(i, j) + r;  // beta == 0: C is not read
    }
}

template void gemm<float>(float, MatView<const float>, MatView<const float>, float,
                          MatView<float>, const GemmEpilogue<float>*);
template void gemm<double>(double, MatView<const double>, MatView<const double>, double,
                           MatView<double>, const GemmEpilogue<double>*);
template void gemm_naive<float>(float, MatView<const float>, MatView<const float>, float,
                                MatView<float>);
template void gemm_naive<double>(double, MatView<const double>, MatView<const double>, double,
                                 MatView<double>);

}  // namespace mlpcore
