# Warnings and sanitizers as INTERFACE targets, so every project target opts in the same way.
add_library(jq_warnings INTERFACE)
add_library(jq::warnings ALIAS jq_warnings)
target_compile_options(jq_warnings INTERFACE
  $<$<CXX_COMPILER_ID:GNU,Clang>:-Wall -Wextra -Wno-unused-parameter -Wno-sign-compare>)

add_library(jq_sanitizers INTERFACE)
add_library(jq::sanitizers ALIAS jq_sanitizers)
if(JQ_SANITIZE)
  target_compile_options(jq_sanitizers INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer)
  target_link_options(jq_sanitizers INTERFACE -fsanitize=address,undefined)
endif()
