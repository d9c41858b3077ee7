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

# advseg's LibTorch targets: their .cpp files compiled in batches of 8
# (ADVSEG_UNITY), in the order listed; a file with compile settings of its own
# stays alone. Not CMake's UNITY_BUILD: its batch files include the sources by
# absolute path, so a second checkout misses ccache for every batch; these
# name them relative to the checkout (found through -I<checkout>), so a batch
# file is the same in every checkout. Call once the target has all its sources.
function(advseg_batch_torch_sources target)
  if(NOT ADVSEG_UNITY)
    return()
  endif()
  get_target_property(sources ${target} SOURCES)
  get_target_property(source_dir ${target} SOURCE_DIR)
  set(batch "")
  set(in_batch 0)
  set(index 0)
  foreach(source IN LISTS sources)
    get_filename_component(path "${source}" ABSOLUTE BASE_DIR "${source_dir}")
    if(NOT path MATCHES "\\.cpp$")
      continue()
    endif()
    set(own "")
    foreach(property COMPILE_DEFINITIONS COMPILE_OPTIONS INCLUDE_DIRECTORIES)
      get_source_file_property(value "${path}" TARGET_DIRECTORY ${target} ${property})
      if(value)
        set(own "${value}")
      endif()
    endforeach()
    if(own)
      continue()
    endif()
    file(RELATIVE_PATH relative "${PROJECT_SOURCE_DIR}" "${path}")
    string(APPEND batch "#include \"${relative}\"\n")
    set_source_files_properties("${path}" TARGET_DIRECTORY ${target} PROPERTIES HEADER_FILE_ONLY ON)
    math(EXPR in_batch "${in_batch} + 1")
    if(in_batch EQUAL 8)
      advseg_write_batch(${target} ${index} "${batch}")
      math(EXPR index "${index} + 1")
      set(batch "")
      set(in_batch 0)
    endif()
  endforeach()
  if(in_batch GREATER 0)
    advseg_write_batch(${target} ${index} "${batch}")
  endif()
  target_include_directories(${target} PRIVATE ${PROJECT_SOURCE_DIR})
endfunction()

# Writes batch INDEX of TARGET (only when its text changes, so that
# reconfiguring recompiles nothing) and adds it to the target.
function(advseg_write_batch target index text)
  set(file "${CMAKE_BINARY_DIR}/batches/${target}_${index}.cpp")
  set(text "// Generated (cmake/AdvsegTargets.cmake): files of ${target} compiled as one.\n${text}")
  if(EXISTS "${file}")
    file(READ "${file}" old)
  endif()
  if(NOT old STREQUAL text)
    file(WRITE "${file}" "${text}")
  endif()
  target_sources(${target} PRIVATE "${file}")
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
