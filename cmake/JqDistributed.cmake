# c10d backends for core/dist (several GPUs / ranks through PyTorch's own distributed engine). Every piece is
# optional: what is found is compiled in, and core/dist reports the rest as "not built in" at run time.
#   JQ_C10D_GLOO  Gloo (CPU ranks): needs c10d's ProcessGroupGloo.hpp and the gloo headers (Debian: libgloo-dev).
#   JQ_C10D_NCCL  NCCL (CUDA ranks): needs a CUDA LibTorch, ProcessGroupNCCL.hpp and nccl.h (pip: nvidia-nccl-*).
# Sets JQ_DIST_DEFINITIONS, JQ_DIST_INCLUDE_DIRS, JQ_DIST_LIBRARIES for the jq_core_dist target.
option(JQ_C10D_GLOO "Build the Gloo backend of core/dist when its headers are found" ON)
option(JQ_C10D_NCCL "Build the NCCL backend of core/dist when its headers are found" ON)

set(JQ_DIST_DEFINITIONS)
set(JQ_DIST_INCLUDE_DIRS)
set(JQ_DIST_LIBRARIES)
set(_jq_dist_enabled)

find_path(JQ_C10D_INCLUDE_DIR torch/csrc/distributed/c10d/TCPStore.hpp HINTS ${TORCH_INCLUDE_DIRS} NO_DEFAULT_PATH)
if(NOT JQ_C10D_INCLUDE_DIR)
  find_path(JQ_C10D_INCLUDE_DIR torch/csrc/distributed/c10d/TCPStore.hpp)
endif()

if(JQ_C10D_INCLUDE_DIR)
  list(APPEND JQ_DIST_DEFINITIONS JQ_HAVE_C10D)
  if(JQ_C10D_GLOO AND EXISTS ${JQ_C10D_INCLUDE_DIR}/torch/csrc/distributed/c10d/ProcessGroupGloo.hpp)
    find_path(JQ_GLOO_INCLUDE_DIR gloo/algorithm.h HINTS ${TORCH_INCLUDE_DIRS})
    if(JQ_GLOO_INCLUDE_DIR)
      list(APPEND JQ_DIST_DEFINITIONS JQ_HAVE_C10D_GLOO)
      list(APPEND JQ_DIST_INCLUDE_DIRS ${JQ_GLOO_INCLUDE_DIR})
      # Debian's libtorch_cpu links the shared libgloo; PyTorch's own builds carry Gloo inside libtorch_cpu.
      find_library(JQ_GLOO_LIBRARY NAMES gloo)
      if(JQ_GLOO_LIBRARY)
        list(APPEND JQ_DIST_LIBRARIES ${JQ_GLOO_LIBRARY})
      endif()
      list(APPEND _jq_dist_enabled gloo)
    endif()
  endif()
  if(JQ_C10D_NCCL AND TARGET torch_cuda AND
     EXISTS ${JQ_C10D_INCLUDE_DIR}/torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp)
    # pip's PyTorch takes NCCL from the nvidia-nccl-cu* wheel: ask Python where it put nccl.h.
    find_package(Python3 COMPONENTS Interpreter QUIET)
    set(_jq_nccl_hints)
    if(Python3_Interpreter_FOUND)
      execute_process(
        COMMAND ${Python3_EXECUTABLE} -c
          "import glob,os,site,sysconfig\nroots={sysconfig.get_paths()['purelib']}\ntry: roots|=set(site.getsitepackages())\nexcept Exception: pass\nfor r in roots:\n  for p in glob.glob(os.path.join(r,'nvidia','**','nccl.h'),recursive=True): print(os.path.dirname(p))"
        OUTPUT_VARIABLE _jq_nccl_py OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
      string(REPLACE "\n" ";" _jq_nccl_hints "${_jq_nccl_py}")
    endif()
    find_path(JQ_NCCL_INCLUDE_DIR nccl.h HINTS ${_jq_nccl_hints} ${TORCH_INCLUDE_DIRS} ${CUDAToolkit_INCLUDE_DIRS}
              PATHS /usr/local/cuda/include)
    if(JQ_NCCL_INCLUDE_DIR)
      get_filename_component(_jq_nccl_root ${JQ_NCCL_INCLUDE_DIR} DIRECTORY)
      find_library(JQ_NCCL_LIBRARY NAMES nccl libnccl.so.2 HINTS ${_jq_nccl_root}/lib ${_jq_nccl_root}/lib64)
      list(APPEND JQ_DIST_DEFINITIONS JQ_HAVE_C10D_NCCL)
      list(APPEND JQ_DIST_INCLUDE_DIRS ${JQ_NCCL_INCLUDE_DIR})
      if(JQ_NCCL_LIBRARY)
        list(APPEND JQ_DIST_LIBRARIES ${JQ_NCCL_LIBRARY})
      endif()
      list(APPEND _jq_dist_enabled "nccl (${JQ_NCCL_INCLUDE_DIR})")
    endif()
  endif()
endif()

if(_jq_dist_enabled)
  string(REPLACE ";" ", " _jq_dist_text "${_jq_dist_enabled}")
  message(STATUS "JointQuant: c10d backends: ${_jq_dist_text}")
else()
  message(STATUS "JointQuant: c10d backends: none (multi-process runs unavailable)")
endif()
