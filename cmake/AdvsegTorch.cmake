# LibTorch, and what the LibTorch found supports: CUDA, NCCL, Gloo. Sets
#   ADVSEG_PYTHON        the Python whose torch the build uses (parity tests, the twin, torchrun)
#   ADVSEG_TORCH_CUDA    the LibTorch has CUDA (libtorch_cuda): the CUDA code paths are compiled
#   ADVSEG_TORCH_NCCL    ... and c10d's NCCL process group, with nccl.h found
#   ADVSEG_TORCH_GLOO    c10d's Gloo process group, with Gloo's headers found
#   ADVSEG_TORCH_LINK_OPTIONS  for every program that links LibTorch (link order, run path)
# The LibTorch differences advseg works around all live here; its code has no
# version branches (LibTorch 2.4 is the oldest it builds against).
set(ADVSEG_MIN_TORCH_VERSION 2.4)

set(ADVSEG_PYTHON "${PROJECT_SOURCE_DIR}/.venv/bin/python3" CACHE FILEPATH
    "Python with torch: its wheel's LibTorch is the default engine (scripts/setup.sh makes .venv)")

# The wheel's LibTorch, unless the caller named one. Both its CMake folder and
# its root go on the prefix path: the root's lib/ must win over a system
# libtorch.so (Debian's libtorch-dev) when TorchConfig looks its libraries up.
if(NOT Torch_DIR AND EXISTS "${ADVSEG_PYTHON}")
  execute_process(
    COMMAND "${ADVSEG_PYTHON}" -c
            "import importlib.util as u; s = u.find_spec('torch'); print(s.submodule_search_locations[0] if s else '')"
    OUTPUT_VARIABLE wheel_torch OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
  if(wheel_torch)
    list(APPEND CMAKE_PREFIX_PATH "${wheel_torch}/share/cmake" "${wheel_torch}")
  endif()
endif()

# The wheel's CUDA build asks for TORCH_CUDA_ARCH_LIST, not CMake's variable;
# advseg compiles no CUDA kernels of its own, so the list only quiets a warning.
if(NOT DEFINED ENV{TORCH_CUDA_ARCH_LIST} AND NOT TORCH_CUDA_ARCH_LIST)
  set(TORCH_CUDA_ARCH_LIST "8.0;9.0" CACHE STRING "CUDA architectures (advseg has no kernels of its own)")
endif()
find_package(Torch REQUIRED)
if(Torch_VERSION VERSION_LESS ADVSEG_MIN_TORCH_VERSION)
  message(FATAL_ERROR "advseg needs LibTorch ${ADVSEG_MIN_TORCH_VERSION} or newer; found ${Torch_VERSION} "
                      "at ${TORCH_INSTALL_PREFIX}. Run scripts/setup.sh (the PyPI wheel in .venv) or "
                      "pass -DCMAKE_PREFIX_PATH=/path/to/libtorch.")
endif()

# LibTorch 2.5+ wheels export the std::filesystem functions of the libstdc++
# they link statically (pytorch/pytorch#133437). An executable that finds
# those before the system's libstdc++ runs them against its own compiler's
# inline code and crashes (seen with g++ 13 and LibTorch 2.11). Naming
# libstdc++ first in every executable's needed libraries makes it win:
# src/advseg/CMakeLists.txt gives these options to every program that links
# advseg, installed consumers included.
set(ADVSEG_TORCH_LINK_OPTIONS "")
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_SYSTEM_NAME STREQUAL "Linux")
  set(ADVSEG_TORCH_LINK_OPTIONS "LINKER:--push-state,--no-as-needed" -lstdc++ "LINKER:--pop-state")
endif()

include(CheckIncludeFileCXX)
set(CMAKE_REQUIRED_INCLUDES ${TORCH_INCLUDE_DIRS})

set(ADVSEG_TORCH_CUDA OFF)
if(TARGET torch_cuda OR TORCH_CUDA_LIBRARIES)
  set(ADVSEG_TORCH_CUDA ON)
endif()

# A wheel's CUDA libraries come as nvidia-* wheels beside torch. They must win
# over the CUDA toolkit's (whose folder CMake puts on the link and run paths
# for libcudart) when the linker checks libtorch_cuda's needs and when a
# program loads: libtorch_cuda needs their versions (NCCL 2.30's symbols, say,
# which the toolkit's NCCL 2.28 lacks). Their folders go first on both paths.
# (A wheel's LibTorch is the torch package folder: its parent is site-packages.)
get_filename_component(site_packages "${TORCH_INSTALL_PREFIX}" DIRECTORY)
set(ADVSEG_TORCH_CUDA_LIBRARY_DIRS "")
if(ADVSEG_TORCH_CUDA)
  file(GLOB ADVSEG_TORCH_CUDA_LIBRARY_DIRS LIST_DIRECTORIES true "${site_packages}/nvidia/*/lib")
endif()
if(ADVSEG_TORCH_CUDA_LIBRARY_DIRS AND CMAKE_SYSTEM_NAME STREQUAL "Linux")
  string(REPLACE ";" ":" dirs "${ADVSEG_TORCH_CUDA_LIBRARY_DIRS}")
  list(APPEND ADVSEG_TORCH_LINK_OPTIONS "LINKER:-rpath-link,${dirs}" "LINKER:-rpath,${dirs}")
endif()

# NCCL's header: the wheel's own (nvidia-nccl), so that it matches the library
# libtorch_cuda loads; else the CUDA toolkit's.
set(ADVSEG_TORCH_NCCL OFF)
if(ADVSEG_TORCH_CUDA)
  find_path(ADVSEG_NCCL_INCLUDE_DIR nccl.h HINTS "${site_packages}/nvidia/nccl/include" "${TORCH_INSTALL_PREFIX}/include"
            ${CUDAToolkit_INCLUDE_DIRS})
  if(ADVSEG_NCCL_INCLUDE_DIR AND EXISTS "${TORCH_INSTALL_PREFIX}/include/torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp")
    set(ADVSEG_TORCH_NCCL ON)
  endif()
endif()

# Gloo's headers are not in the wheel; Debian's libgloo-dev provides them.
# Without them advseg builds without Gloo (a multi-worker run on the CPU says so).
check_include_file_cxx(gloo/algorithm.h ADVSEG_TORCH_GLOO)
unset(CMAKE_REQUIRED_INCLUDES)

message(STATUS "advseg: LibTorch ${Torch_VERSION} at ${TORCH_INSTALL_PREFIX} (CUDA ${ADVSEG_TORCH_CUDA}, "
               "NCCL ${ADVSEG_TORCH_NCCL}, Gloo ${ADVSEG_TORCH_GLOO})")
