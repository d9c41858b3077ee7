# Script (cmake -P), run after a test executable is built: lists its
# GoogleTest cases and writes the ctest file that registers them, one ctest
# test per suite ("Suite.*") and one per case of a value-parameterised suite
# ("Suite.Case/param", usually one network each, so they run in parallel).
# Each LibTorch process takes ~1 s to start (its operator registry and CUDA
# libraries): one process per suite instead of per case saves ~4 minutes of
# CPU per test run (docs/reliability.md). A failing suite's output names the
# failing case; `ctest -R Suite` runs one suite.
#   -D EXE=<test executable> -D OUT=<ctest file> -D LABELS=<a,b> -D TIMEOUT=<s>
#   -D COST=<n>: ctest starts costlier tests first (without timings of its own
#   yet, as in a fresh clone), so the slow ones do not finish last.
# Each test runs on one thread (OMP_NUM_THREADS=1): ctest -j N already keeps N
# cores busy, and N LibTorch processes each spinning an OpenMP pool of N
# threads made the heavy tests 3-4x slower on 2 cores (docs/reliability.md).
string(REPLACE "," ";" LABELS "${LABELS}")
cmake_minimum_required(VERSION 3.18)
execute_process(COMMAND "${EXE}" --gtest_list_tests OUTPUT_VARIABLE listing RESULT_VARIABLE status
                TIMEOUT 120)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "${EXE} --gtest_list_tests failed (${status}):\n${listing}")
endif()

# Turn the listing into lines; a line is "Suite." or "  Case  # GetParam() = ...".
string(REPLACE ";" "\\;" listing "${listing}")
string(REPLACE "\n" ";" lines "${listing}")
# tests: the gtest filters; names: the ctest names (a parameterised case is
# named by its parameter where gtest prints one, e.g. ".../fcn16s", not ".../3").
set(tests "")
set(names "")
set(suite "")
foreach(line IN LISTS lines)
  set(param "")
  # (a parameter gtest cannot print shows as bytes: the index names it then)
  if(line MATCHES "-byte object <")
  elseif(line MATCHES "# GetParam\\(\\) = (.*)$")
    string(STRIP "${CMAKE_MATCH_1}" param)
    string(REGEX REPLACE "[^A-Za-z0-9_.-]+" "_" param "${param}")
    string(REGEX REPLACE "^_+|_+$" "" param "${param}")
  endif()
  string(REGEX REPLACE " *#.*" "" line "${line}")
  if(line MATCHES "^([^ ].*)\\.$")
    set(suite "${CMAKE_MATCH_1}")
  elseif(line MATCHES "^  ([^ ]+)$")
    set(case "${CMAKE_MATCH_1}")
    if(case MATCHES "/")
      list(APPEND tests "${suite}.${case}")
      if(param STREQUAL "")
        list(APPEND names "${suite}.${case}")
      else()
        string(REGEX REPLACE "/[0-9]+$" "/${param}" case "${case}")
        list(APPEND names "${suite}.${case}")
      endif()
    elseif(NOT "${suite}.*" IN_LIST tests)
      list(APPEND tests "${suite}.*")
      list(APPEND names "${suite}")
    endif()
  endif()
endforeach()

set(script "")
foreach(test name IN ZIP_LISTS tests names)
  string(APPEND script "add_test([==[${name}]==] [==[${EXE}]==] [==[--gtest_filter=${test}]==])\n"
         "set_tests_properties([==[${name}]==] PROPERTIES TIMEOUT ${TIMEOUT} LABELS [==[${LABELS}]==] "
         "COST ${COST} ENVIRONMENT OMP_NUM_THREADS=1)\n")
endforeach()
file(WRITE "${OUT}" "${script}")
