# Every dependency comes from Debian 12 packages (scripts/setup.sh installs them).
# LibTorch 2.x works too: pass its prefix through CMAKE_PREFIX_PATH.
if(ADVSEG_WITH_TORCH)
  find_package(Torch REQUIRED)
  find_package(CLI11 REQUIRED)
  # LibTorch 2.5+ wheels export the std::filesystem functions of the libstdc++
  # they link statically (pytorch/pytorch#133437). An executable that finds
  # those before the system's libstdc++ runs them against its own compiler's
  # inline code and crashes (seen with g++ 13 and LibTorch 2.11). Naming
  # libstdc++ first in every executable's needed libraries makes it win.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_SYSTEM_NAME STREQUAL "Linux")
    string(APPEND CMAKE_EXE_LINKER_FLAGS " -Wl,--push-state,--no-as-needed -lstdc++ -Wl,--pop-state")
  endif()
endif()
find_package(Threads REQUIRED)
find_package(PNG REQUIRED)
find_package(JPEG REQUIRED)
find_package(yaml-cpp REQUIRED)
find_package(nlohmann_json 3.9 REQUIRED)

# Only OpenCV's core, imgproc and imgcodecs are used. Debian ships no CMake
# config for those alone (it lives in the much larger libopencv-dev), so find
# the three libraries directly; a full OpenCV install is used when present.
find_package(OpenCV QUIET COMPONENTS core imgproc imgcodecs)
if(OpenCV_FOUND)
  add_library(advseg_opencv INTERFACE)
  target_include_directories(advseg_opencv SYSTEM INTERFACE ${OpenCV_INCLUDE_DIRS})
  target_link_libraries(advseg_opencv INTERFACE ${OpenCV_LIBS})
else()
  find_path(ADVSEG_OPENCV_INCLUDE opencv2/imgcodecs.hpp PATH_SUFFIXES opencv4 REQUIRED)
  add_library(advseg_opencv INTERFACE)
  target_include_directories(advseg_opencv SYSTEM INTERFACE ${ADVSEG_OPENCV_INCLUDE})
  foreach(module imgcodecs imgproc core)
    find_library(ADVSEG_OPENCV_${module} opencv_${module} REQUIRED)
    target_link_libraries(advseg_opencv INTERFACE ${ADVSEG_OPENCV_${module}})
  endforeach()
endif()
