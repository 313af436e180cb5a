// The extension module mlpcore._core: one init function per kernel family.
#include "common.hpp"

PYBIND11_MODULE(_core, m) {
  m.doc() = "mlpcore's compiled kernels (use mlpcore.kernels)";
  mlpcore::bind::init_interrupts();
  mlpcore::bind::init_runtime(m);
  mlpcore::bind::init_gemm(m);
  mlpcore::bind::init_nn(m);
  mlpcore::bind::init_optim(m);
  mlpcore::bind::init_train(m);
  mlpcore::bind::init_io(m);
}
