# `cmake --install BUILD [--prefix P]`: the `advseg` command, the library and
# its headers, and a CMake package, so that another project can write
#   find_package(advseg REQUIRED)
#   target_link_libraries(app PRIVATE advseg::advseg)
# (examples/segment_image is such a project; CI builds it against an install).
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(ADVSEG_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/advseg)

# Installed, the command finds the library next to it, and both find a
# LibTorch outside the system's folders where they were linked against one.
# (LibTorch's own folder by name: CMake leaves it out of the link path it
# keeps, as it links LibTorch's libraries by full path.)
set_target_properties(advseg advseg_cli PROPERTIES
  INSTALL_RPATH "$ORIGIN/../${CMAKE_INSTALL_LIBDIR};${TORCH_INSTALL_PREFIX}/lib" INSTALL_RPATH_USE_LINK_PATH TRUE)

install(TARGETS advseg advseg_base advseg_opencv
  EXPORT advsegTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(TARGETS advseg_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY src/advseg/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/advseg
  FILES_MATCHING PATTERN "*.h")
install(EXPORT advsegTargets NAMESPACE advseg:: DESTINATION ${ADVSEG_INSTALL_CMAKEDIR})

configure_package_config_file(cmake/advsegConfig.cmake.in ${PROJECT_BINARY_DIR}/advsegConfig.cmake
  INSTALL_DESTINATION ${ADVSEG_INSTALL_CMAKEDIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/advsegConfigVersion.cmake COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/advsegConfig.cmake ${PROJECT_BINARY_DIR}/advsegConfigVersion.cmake
  DESTINATION ${ADVSEG_INSTALL_CMAKEDIR})
