# Helpers for advseg's own targets. Warnings: dependencies are included as SYSTEM so
# their warnings never fail our build.
function(advseg_set_warnings target)
  # -Wshadow=local is GCC's; clang (the fuzz build) has no equivalent.
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic $<$<CXX_COMPILER_ID:GNU>:-Wshadow=local>)
  if(ADVSEG_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
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
endfunction()
