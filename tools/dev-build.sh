#!/usr/bin/env bash
# Builds the extension in place for development: build/dev, linked into python/mlpcore.
# Serialized with flock so that several shells can call it at once.
set -euo pipefail
cd "$(dirname "$0")/.."
exec 9>/tmp/mlpcore-dev-build.lock
flock 9
if [ ! -f build/dev/build.ninja ]; then
  cmake -S . -B build/dev -G Ninja -DMLPCORE_PYTHON=ON -DCMAKE_BUILD_TYPE=Release \
    -Dpybind11_DIR="$(python -m pybind11 --cmakedir)" >/dev/null
fi
cmake --build build/dev
so=$(ls build/dev/_core*.so)
ln -sf "../../$so" python/mlpcore/
