# Every dependency comes from the system (Debian packages, or PyTorch's own LibTorch on GPU servers:
#   cmake -DCMAKE_PREFIX_PATH="$(python3 -c 'import torch;print(torch.utils.cmake_prefix_path)')").
find_package(Torch REQUIRED)
find_package(HDF5 REQUIRED COMPONENTS C)
find_package(spdlog REQUIRED)
find_package(nlohmann_json 3 REQUIRED)
find_package(Threads REQUIRED)

# PCRE2 ships pkg-config files but no CMake package; allow a hint for an unpacked .deb (GPU machine).
find_path(PCRE2_INCLUDE_DIR pcre2.h HINTS ${PCRE2_ROOT}/usr/include ENV PCRE2_ROOT)
find_library(PCRE2_LIBRARY NAMES pcre2-8 libpcre2-8.so.0
  HINTS ${PCRE2_ROOT}/usr/lib/x86_64-linux-gnu ENV PCRE2_ROOT)
if(NOT PCRE2_INCLUDE_DIR OR NOT PCRE2_LIBRARY)
  message(FATAL_ERROR "PCRE2 (libpcre2-dev) not found; set PCRE2_ROOT to an unpacked libpcre2-dev")
endif()
add_library(jq_pcre2 INTERFACE)
target_include_directories(jq_pcre2 SYSTEM INTERFACE ${PCRE2_INCLUDE_DIR})
target_link_libraries(jq_pcre2 INTERFACE ${PCRE2_LIBRARY})
target_compile_definitions(jq_pcre2 INTERFACE PCRE2_CODE_UNIT_WIDTH=8)

if(JQ_BUILD_GUI OR JQ_BUILD_TESTS)
  set(_jq_qt_components Core)
  if(JQ_BUILD_GUI)
    list(APPEND _jq_qt_components Gui Widgets Charts Svg PrintSupport DataVisualization LinguistTools Concurrent)
  endif()
  if(JQ_BUILD_TESTS)
    list(APPEND _jq_qt_components Test)
  endif()
  find_package(Qt6 REQUIRED COMPONENTS ${_jq_qt_components})
endif()
