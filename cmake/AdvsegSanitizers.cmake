# Instrumentation for `make test-sanitize` (ADVSEG_SANITIZE) and the fuzz
# targets (ADVSEG_FUZZ). It reaches advseg's own code and tests only: the
# dependencies are prebuilt Debian packages. UBSan findings abort
# (-fno-sanitize-recover), so they fail a test or count as a fuzzer crash.
# -O1 (it follows, so overrides, the build type's level): with the sanitizers
# on, -O3 doubles the compile time of the LibTorch sources; -g1: file:line in
# reports.
set(ADVSEG_SANITIZER_FLAGS -fsanitize=address,undefined -fno-sanitize-recover=undefined
                           -fno-omit-frame-pointer -O1 -g1)

if(ADVSEG_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "ADVSEG_FUZZ needs clang for libFuzzer: configure with -DCMAKE_CXX_COMPILER=clang++")
  endif()
  # fuzzer-no-link adds libFuzzer's coverage hooks; fuzz/ links the fuzzer itself.
  add_compile_options(${ADVSEG_SANITIZER_FLAGS} -fsanitize=fuzzer-no-link)
  add_link_options(${ADVSEG_SANITIZER_FLAGS})
elseif(ADVSEG_SANITIZE)
  add_compile_options(${ADVSEG_SANITIZER_FLAGS})
  add_link_options(${ADVSEG_SANITIZER_FLAGS})
endif()
