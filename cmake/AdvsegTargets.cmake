# Helpers for advseg's own targets. Warnings: dependencies are included as SYSTEM so
# their warnings never fail our build.
function(advseg_set_warnings target)
  # -Wshadow=local is GCC's; clang (the fuzz build) has no equivalent.
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic $<$<CXX_COMPILER_ID:GNU>:-Wshadow=local>)
  # GCC 12 (Debian 12's) warns falsely on std::string's inlined operator+ at
  # -O3 in C++20, which LibTorch 2.15 requires (GCC bugs 105329, 105651:
  # "specified bound ... exceeds maximum object size", "pointer overflow
  # between offset ..."). Fixed in GCC 13.
  set(gcc12 "$<AND:$<CXX_COMPILER_ID:GNU>,$<VERSION_LESS:$<CXX_COMPILER_VERSION>,13>>")
  target_compile_options(${target} PRIVATE "$<${gcc12}:-Wno-stringop-overflow;-Wno-restrict;-Wno-array-bounds>")
  if(ADVSEG_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

# advseg's LibTorch targets: files compiled in batches of 8 (ADVSEG_UNITY).
function(advseg_batch_torch_sources target)
  if(ADVSEG_UNITY)
    set_target_properties(${target} PROPERTIES UNITY_BUILD ON UNITY_BUILD_BATCH_SIZE 8)
  endif()
endfunction()

# Reuses advseg's precompiled <torch/torch.h> (parsing it costs ~30 s per
# file). GCC only accepts a PCH compiled with the same flags: advseg is a
# shared library built with -fPIC (and no export macro, see
# src/advseg/CMakeLists.txt), so its consumers compile with -fPIC too.
function(advseg_reuse_torch_pch target)
  target_compile_options(${target} PRIVATE -fPIC)
  if(ADVSEG_PCH)
    target_precompile_headers(${target} REUSE_FROM advseg_objects)
  endif()
  advseg_batch_torch_sources(${target})
endfunction()
