// Packing of A and B into the contiguous micro-panels the micro-kernel streams.
//
// Sources are read through general strides (any sign, 0 included, as MatView allows),
// so x.T, reversed and strided views are packed without a prior copy. Partial panels
// are zero-padded: the kernel always computes full MR x NR tiles, and zeros keep
// garbage (NaN, denormals) out of the discarded lanes.
#pragma once
#include <cstdint>

namespace mlpcore {
namespace gemm_detail {

// A block, mc x kc (rows [0, mc), cols [0, kc) of A at `a`), into ceil(mc / MR)
// panels of MR rows; within a panel, for each p the MR values A(i0..i0+MR-1, p)
// are consecutive (the order in which the kernel broadcasts them).
template <int MR, class T>
void pack_a_mcxkc(int64_t mc, int64_t kc, const T* a, int64_t rs, int64_t cs, T* dst) {
  for (int64_t i0 = 0; i0 < mc; i0 += MR, dst += MR * kc) {
    const int64_t mr = mc - i0 < MR ? mc - i0 : MR;
    const T* ap = a + i0 * rs;
    if (mr == MR && rs == 1) {
      // Column-major A (e.g. x.T in x.T @ g): each p is MR consecutive values.
      for (int64_t p = 0; p < kc; ++p)
        for (int i = 0; i < MR; ++i) dst[p * MR + i] = ap[p * cs + i];
    } else if (mr == MR && cs == 1) {
      // Row-major A: MR row streams, each read sequentially.
      const T* row[MR];
      for (int i = 0; i < MR; ++i) row[i] = ap + i * rs;
      for (int64_t p = 0; p < kc; ++p)
        for (int i = 0; i < MR; ++i) dst[p * MR + i] = row[i][p];
    } else {
      for (int64_t p = 0; p < kc; ++p) {
        int i = 0;
        for (; i < mr; ++i) dst[p * MR + i] = ap[i * rs + p * cs];
        for (; i < MR; ++i) dst[p * MR + i] = T(0);
      }
    }
  }
}

// B block, kc x nc (rows [0, kc), cols [0, nc) of B at `b`), into ceil(nc / NR)
// panels of NR columns; within a panel, for each p the NR values B(p, j0..j0+NR-1)
// are consecutive (the vectors the kernel loads).
template <int NR, class T>
void pack_b_kcxnc(int64_t kc, int64_t nc, const T* b, int64_t rs, int64_t cs, T* dst) {
  for (int64_t j0 = 0; j0 < nc; j0 += NR, dst += NR * kc) {
    const int64_t nr = nc - j0 < NR ? nc - j0 : NR;
    const T* bp = b + j0 * cs;
    if (nr == NR && cs == 1) {
      // Row-major B: each p is a straight copy of NR values.
      for (int64_t p = 0; p < kc; ++p)
        for (int j = 0; j < NR; ++j) dst[p * NR + j] = bp[p * rs + j];
    } else if (nr == NR && rs == 1) {
      // Column-major B (e.g. w.T in g @ w.T): NR column streams, read sequentially.
      const T* col[NR];
      for (int j = 0; j < NR; ++j) col[j] = bp + j * cs;
      for (int64_t p = 0; p < kc; ++p)
        for (int j = 0; j < NR; ++j) dst[p * NR + j] = col[j][p];
    } else {
      for (int64_t p = 0; p < kc; ++p) {
        int j = 0;
        for (; j < nr; ++j) dst[p * NR + j] = bp[p * rs + j * cs];
        for (; j < NR; ++j) dst[p * NR + j] = T(0);
      }
    }
  }
}

// pack_bt_nxk for row-major B with N (<= 16) columns known at compile time: the
// inner loop unrolled over the N destination rows.
template <int N, class T>
void pack_bt_rows(int64_t k, const T* b, int64_t rs, int64_t ld, T* dst) {
  for (int64_t p = 0; p < k; ++p)
    for (int j = 0; j < N; ++j) dst[j * ld + p] = b[p * rs + j];
}

// B, k x n, transposed into n rows of ld (>= k) values: dst[j * ld + p] = B(p, j),
// each row zero-padded from k to ld (the narrow kernels read whole vectors).
template <class T>
void pack_bt_nxk(int64_t k, int64_t n, const T* b, int64_t rs, int64_t cs, int64_t ld, T* dst) {
  if (rs == 1) {
    // Column-major B (e.g. w.T): each row of dst is a straight copy.
    for (int64_t j = 0; j < n; ++j)
      for (int64_t p = 0; p < k; ++p) dst[j * ld + p] = b[j * cs + p];
  } else if (cs == 1 && n <= 16) {
    // Row-major B (x @ W): the row-by-row loop below, unrolled over the n streams.
    using Fn = void (*)(int64_t, const T*, int64_t, int64_t, T*);
    static constexpr Fn kRows[16] = {
        pack_bt_rows<1, T>,  pack_bt_rows<2, T>,  pack_bt_rows<3, T>,  pack_bt_rows<4, T>,
        pack_bt_rows<5, T>,  pack_bt_rows<6, T>,  pack_bt_rows<7, T>,  pack_bt_rows<8, T>,
        pack_bt_rows<9, T>,  pack_bt_rows<10, T>, pack_bt_rows<11, T>, pack_bt_rows<12, T>,
        pack_bt_rows<13, T>, pack_bt_rows<14, T>, pack_bt_rows<15, T>, pack_bt_rows<16, T>};
    kRows[n - 1](k, b, rs, ld, dst);
  } else {
    // Strided B: read B row by row, write n streams.
    for (int64_t p = 0; p < k; ++p)
      for (int64_t j = 0; j < n; ++j) dst[j * ld + p] = b[p * rs + j * cs];
  }
  for (int64_t j = 0; j < n; ++j)
    for (int64_t p = k; p < ld; ++p) dst[j * ld + p] = T(0);
}

}  // namespace gemm_detail
}  // namespace mlpcore
