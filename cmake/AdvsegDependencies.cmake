# Dependencies. LibTorch comes from the PyPI torch wheel that scripts/setup.sh
# installs into the project's virtual environment (.venv); CMAKE_PREFIX_PATH or
# Torch_DIR name another LibTorch instead (a zip from pytorch.org, a source
# build). Everything else comes from Debian 12 packages.
if(ADVSEG_WITH_TORCH)
  include(AdvsegTorch)
  find_package(CLI11 REQUIRED)
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
