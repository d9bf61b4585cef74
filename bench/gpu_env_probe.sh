#!/usr/bin/env bash
# Prints what the GPU machine offers for building the project (compilers, LibTorch, HDF5, spdlog, json, CUDA).
set -u
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv
cmake --version | head -1; g++ --version | head -1; nvcc --version | tail -1; ninja --version
python3 -c 'import torch,transformers,tokenizers;print("torch",torch.__version__,"cuda",torch.version.cuda,"tf",transformers.__version__,"tok",tokenizers.__version__);print(torch.utils.cmake_prefix_path)'
ls -d /usr/include/hdf5* /usr/include/spdlog /usr/include/nlohmann /usr/include/fmt 2>&1
ls /usr/lib/x86_64-linux-gnu/ | grep -E "hdf5|spdlog|fmt|pcre2" | head -20
