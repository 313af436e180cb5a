// Every GEMM block size, per ISA and dtype, in one place (BLIS naming).
//
//   MR x NR  micro-tile of C held in registers by the micro-kernel
//   KC       depth of one rank-KC update: a KC x NR micro-panel of B stays in L1
//   MC       rows of the packed MC x KC block of A, which stays in L2
//   NC       columns of the packed KC x NC block of B, which stays in L3
//
// MC is a multiple of MR and NC of NR, so that the micro-tile grid of C is the same
// whatever the thread partition (see driver.cpp: bitwise identical results).
// This header holds constants only: the ISA files include it too, and it must not
// bring any out-of-line code into them.
#pragma once

namespace mlpcore {
namespace gemm_detail {

struct BlockSizes {
  int mr, nr, mc, kc, nc;
};

// Portable reference kernel (SSE2 at best): 16 xmm registers, so a 4 x 8 float tile
// (8 accumulators) or 4 x 4 double tile. Cache sizes as for the AVX2 path.
inline constexpr BlockSizes kRefF32{4, 8, 128, 256, 4096};
inline constexpr BlockSizes kRefF64{4, 4, 64, 256, 4096};

// AVX2 + FMA (tuned on AMD Zen 3: L1d 32 KiB, L2 512 KiB per core, L3 32 MiB).
// 6 x 16 float: 12 ymm accumulators + 2 B vectors + 1 broadcast = 15 of 16 registers,
// 12 FMAs per 2 loads + 6 broadcasts, enough independent FMAs to cover the latency
// (4 cycles x 2 pipes = 8 in flight). 6 x 8 double is the same register shape.
// KC = 384: the B micro-panel (384*16*4 = 24 KiB float, 384*8*8 = 24 KiB double)
// stays in L1 beside the streaming A micro-panel, and C is reloaded only once per
// 384 FMAs per element. MC = 96 / 48: the A block is 144 KiB, well inside L2 with
// room for the B micro-panels and C. NC = 4080 (= 255*16): the B block, 6 MiB,
// a share of L3. Measured (1 thread, 512..2048 squares and the MLP shapes):
// KC 256..512 with MC 72..144 all land within ~3% (85-92 GFLOP/s float, 42-45
// double), at the noise of a shared machine; 384 / 96 was at the top.
inline constexpr BlockSizes kAvx2F32{6, 16, 96, 384, 4080};
inline constexpr BlockSizes kAvx2F64{6, 8, 48, 384, 4080};

// AVX-512 (untuned here: this machine has no AVX-512; values follow the BLIS skx
// configuration and L1 32-48 KiB, L2 1-2 MiB). 12 x 32 float / 12 x 16 double:
// 24 zmm accumulators + 2 B vectors + 1 broadcast = 27 of 32 registers.
// KC = 192: B micro-panel 192*32*4 = 24 KiB (float) and 192*16*8 = 24 KiB (double)
// fit L1 beside the A micro-panel. MC = 240 / 120: A block 180 KiB, a fraction of L2.
inline constexpr BlockSizes kAvx512F32{12, 32, 240, 192, 3072};
inline constexpr BlockSizes kAvx512F64{12, 16, 120, 192, 3072};

// Narrow products (narrow.hpp): C with at most kNarrowMaxN columns and A with unit
// column stride are computed as dot products along k against B packed transposed,
// not by the micro-kernels above: a 16-wide tile would be 10/16 useful for the
// usual 10 columns (logits), and packing A and B costs as much as the product.
// The limit depends on n only (never on m or the thread count), so a subset of the
// rows of A gives bitwise the rows of the full product.
//   rb x cb   accumulators, one vector each: rb rows of A x cb columns of C per pass
//             over k (the columns of C are cut into ceil(n / cb) near-equal blocks,
//             so 10 = 3 + 3 + 2 + 2, never a lone column: one accumulator chain per
//             row would be bound by the FMA latency)
//   chunk     rows of C per kernel call: the epilogue runs on each chunk while it is
//             still in L1 (64 x 16 doubles = 8 KiB)
//   kc        depth of one pass: the rb rows of A (4 KiB float, 8 KiB double) and the
//             n rows of packed B (at most 16 KiB) stay in L1 while every column block
//             re-reads them; the accumulators go through a small stack buffer between
//             passes, which does not change the arithmetic (per lane, the same FMAs
//             in the same order), so results do not depend on kc either
// AVX2 + FMA: 4 x 3 is 12 ymm accumulators + 3 B vectors + 1 A vector = 16 of 16
// registers; per step 7 loads (2 per cycle on Zen 3) feed 12 FMAs (2 per cycle),
// and 12 >= 8 independent chains cover the FMA latency (4 cycles x 2 pipes).
struct NarrowSizes {
  int rb, cb, chunk, kc;
};
inline constexpr int kNarrowMaxN = 16;
inline constexpr NarrowSizes kNarrowAvx2F32{4, 3, 64, 256};
inline constexpr NarrowSizes kNarrowAvx2F64{4, 3, 64, 128};
// Portable: one accumulator array of kNarrowRefLanes partial sums per element (the
// compiler may map it onto SSE2 registers); rows and columns one at a time.
inline constexpr int kNarrowRefLanes = 8;

}  // namespace gemm_detail
}  // namespace mlpcore
