# Installation and packaging: headers, the static and shared libraries, a CMake package
# (find_package(pqnn CONFIG) -> pqnn::pqnn, pqnn::pqnn_static) and pkg-config's pqnn.pc.
# Included at the end of the top-level CMakeLists.txt; see docs/packaging.md.
#
# The imported targets are written by hand in pqnnConfig.cmake rather than exported with
# install(EXPORT): the build-tree targets link cpuinfo and pthreadpool by absolute path
# (Debian ships no CMake package for pthreadpool), and an installed package must find its
# dependencies on the consumer's machine instead of carrying the builder's paths.

include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

option(PQNN_INSTALL "Generate pqnn's install rules" ${PQNN_IS_TOP_LEVEL})

# The version lives in project(pqnn VERSION ...); include/pqnn.h repeats it as macros
# (a public header cannot be generated without making the source tree unusable as is).
# Refuse to configure when they disagree.
file(STRINGS "${PROJECT_SOURCE_DIR}/include/pqnn.h" _pqnn_version_lines
  REGEX "^#define PQNN_VERSION_(MAJOR|MINOR|PATCH) +[0-9]+")
foreach(_part MAJOR MINOR PATCH)
  set(_pqnn_header_${_part} "")
  foreach(_line ${_pqnn_version_lines})
    if(_line MATCHES "^#define PQNN_VERSION_${_part} +([0-9]+)")
      set(_pqnn_header_${_part} "${CMAKE_MATCH_1}")
    endif()
  endforeach()
  if(NOT _pqnn_header_${_part} STREQUAL PROJECT_VERSION_${_part})
    message(FATAL_ERROR "pqnn: include/pqnn.h has PQNN_VERSION_${_part} "
      "'${_pqnn_header_${_part}}' but project(pqnn VERSION ${PROJECT_VERSION}) says "
      "'${PROJECT_VERSION_${_part}}'; update the header's version macros.")
  endif()
endforeach()

# The same names for projects that add_subdirectory(pqnn) as for installed-package users.
# WASM (emscripten) builds have only the static library and no install rules.
if(PQNN_TARGET_WASM)
  if(NOT TARGET pqnn::pqnn)
    add_library(pqnn::pqnn ALIAS pqnn_static)
    add_library(pqnn::pqnn_static ALIAS pqnn_static)
  endif()
  return()
endif()
if(NOT TARGET pqnn::pqnn)
  add_library(pqnn::pqnn ALIAS pqnn_shared)
  add_library(pqnn::pqnn_static ALIAS pqnn_static)
endif()
# The shared library's build-tree target carries no include directory of its own.
target_include_directories(pqnn_shared INTERFACE
  $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>)
if(PQNN_USE_PTHREADPOOL)
  target_include_directories(pqnn_shared INTERFACE ${PTHREADPOOL_INCLUDE_DIR})
endif()

if(NOT PQNN_INSTALL)
  return()
endif()

set(PQNN_INSTALL_CMAKEDIR "${CMAKE_INSTALL_LIBDIR}/cmake/pqnn" CACHE STRING
  "Where pqnnConfig.cmake goes, relative to the prefix")
set(PQNN_INSTALL_PKGCONFIGDIR "${CMAKE_INSTALL_LIBDIR}/pkgconfig" CACHE STRING
  "Where pqnn.pc goes, relative to the prefix")

install(FILES "${PROJECT_SOURCE_DIR}/include/pqnn.h"
  DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}" COMPONENT pqnn_development)
install(TARGETS pqnn_shared
  LIBRARY DESTINATION "${CMAKE_INSTALL_LIBDIR}" COMPONENT pqnn_runtime
    NAMELINK_COMPONENT pqnn_development
  RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}" COMPONENT pqnn_runtime)
install(TARGETS pqnn_static
  ARCHIVE DESTINATION "${CMAKE_INSTALL_LIBDIR}" COMPONENT pqnn_development)
install(FILES "${PROJECT_SOURCE_DIR}/LICENSE" "${PROJECT_SOURCE_DIR}/README.md"
  "${PROJECT_SOURCE_DIR}/CHANGELOG.md"
  DESTINATION "${CMAKE_INSTALL_DOCDIR}" COMPONENT pqnn_development OPTIONAL)

# Values the templates need. Dependency directories found at build time are only hints
# for the consumer's search (its own paths come first).
get_filename_component(PQNN_CPUINFO_LIBRARY_DIR "${CPUINFO_LIBRARY}" DIRECTORY)
set(PQNN_CPUINFO_INCLUDE_HINT "${CPUINFO_INCLUDE_DIR}")
if(PQNN_USE_PTHREADPOOL)
  get_filename_component(PQNN_PTHREADPOOL_LIBRARY_DIR "${PTHREADPOOL_LIBRARY}" DIRECTORY)
  set(PQNN_PTHREADPOOL_INCLUDE_HINT "${PTHREADPOOL_INCLUDE_DIR}")
  set(PQNN_CONFIG_USE_PTHREADPOOL 1)
else()
  # pqnn.h includes <pthreadpool.h> where it is installed (else it declares pthreadpool_t).
  set(PQNN_PTHREADPOOL_LIBRARY_DIR "")
  set(PQNN_PTHREADPOOL_INCLUDE_HINT "${PTHREADPOOL_INCLUDE_DIR}")
  set(PQNN_CONFIG_USE_PTHREADPOOL 0)
endif()

# pkg-config: relocatable. prefix is found from the .pc file's own directory
# (${pcfiledir}, set by pkg-config and pkgconf), so `cmake --install build --prefix P`,
# a DESTDIR staging or a moved tree all give a working file; only an absolute
# PQNN_INSTALL_PKGCONFIGDIR pins the configure-time prefix. libdir and includedir are
# relative to ${prefix} where the install dirs are relative.
if(IS_ABSOLUTE "${PQNN_INSTALL_PKGCONFIGDIR}")
  set(PQNN_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
else()
  file(RELATIVE_PATH _pqnn_pc_up "/pqnn-prefix/${PQNN_INSTALL_PKGCONFIGDIR}" "/pqnn-prefix")
  string(REGEX REPLACE "/$" "" _pqnn_pc_up "${_pqnn_pc_up}")
  set(PQNN_PC_PREFIX "\${pcfiledir}/${_pqnn_pc_up}")
endif()
foreach(_dir LIBDIR INCLUDEDIR)
  if(IS_ABSOLUTE "${CMAKE_INSTALL_${_dir}}")
    set(PQNN_PC_${_dir} "${CMAKE_INSTALL_${_dir}}")
  else()
    set(PQNN_PC_${_dir} "\${prefix}/${CMAKE_INSTALL_${_dir}}")
  endif()
endforeach()
set(PQNN_PC_EXTRA_CFLAGS "")
if(PTHREADPOOL_INCLUDE_DIR AND NOT PTHREADPOOL_INCLUDE_DIR IN_LIST CMAKE_C_IMPLICIT_INCLUDE_DIRECTORIES)
  set(PQNN_PC_EXTRA_CFLAGS " -I${PTHREADPOOL_INCLUDE_DIR}")
endif()
set(PQNN_PC_LIBS "-L\${libdir} -lpqnn")
set(PQNN_PC_LIBS_PRIVATE "")
if(PQNN_USE_PTHREADPOOL)
  # pthreadpool_t is part of the API: callers create the pool, so it is a public dependency.
  if(NOT PQNN_PTHREADPOOL_LIBRARY_DIR IN_LIST CMAKE_C_IMPLICIT_LINK_DIRECTORIES)
    string(APPEND PQNN_PC_LIBS " -L${PQNN_PTHREADPOOL_LIBRARY_DIR}")
  endif()
  string(APPEND PQNN_PC_LIBS " -lpthreadpool")
endif()
if(NOT PQNN_CPUINFO_LIBRARY_DIR IN_LIST CMAKE_C_IMPLICIT_LINK_DIRECTORIES)
  string(APPEND PQNN_PC_LIBS_PRIVATE "-L${PQNN_CPUINFO_LIBRARY_DIR} ")
endif()
string(APPEND PQNN_PC_LIBS_PRIVATE "-lcpuinfo -lpthread -lm")
configure_file("${PROJECT_SOURCE_DIR}/cmake/pqnn.pc.in" "${PROJECT_BINARY_DIR}/pqnn.pc" @ONLY)
install(FILES "${PROJECT_BINARY_DIR}/pqnn.pc"
  DESTINATION "${PQNN_INSTALL_PKGCONFIGDIR}" COMPONENT pqnn_development)
# The ONNX importer (PQNN_BUILD_ONNX): pqnn-onnx.pc requires pqnn.pc; protobuf-c is private
# to the shared library and link-only for the static one.
set(PQNN_CONFIG_ONNX_SHARED_NAME "")
set(PQNN_CONFIG_ONNX_STATIC_NAME "")
set(PQNN_PROTOBUF_C_LIBRARY_DIR "")
if(TARGET pqnn_onnx_shared)
  get_filename_component(PQNN_PROTOBUF_C_LIBRARY_DIR "${PROTOBUF_C_LIBRARY}" DIRECTORY)
  set(PQNN_ONNX_PC_LIBS_PRIVATE "")
  if(NOT PQNN_PROTOBUF_C_LIBRARY_DIR IN_LIST CMAKE_C_IMPLICIT_LINK_DIRECTORIES)
    set(PQNN_ONNX_PC_LIBS_PRIVATE "-L${PQNN_PROTOBUF_C_LIBRARY_DIR} ")
  endif()
  string(APPEND PQNN_ONNX_PC_LIBS_PRIVATE "-lprotobuf-c")
  configure_file("${PROJECT_SOURCE_DIR}/cmake/pqnn-onnx.pc.in" "${PROJECT_BINARY_DIR}/pqnn-onnx.pc"
    @ONLY)
  install(FILES "${PROJECT_BINARY_DIR}/pqnn-onnx.pc"
    DESTINATION "${PQNN_INSTALL_PKGCONFIGDIR}" COMPONENT pqnn_development)
  set(PQNN_CONFIG_ONNX_SHARED_NAME "$<TARGET_FILE_NAME:pqnn_onnx_shared>")
  set(PQNN_CONFIG_ONNX_SONAME "$<TARGET_SONAME_FILE_NAME:pqnn_onnx_shared>")
  set(PQNN_CONFIG_ONNX_STATIC_NAME "$<TARGET_FILE_NAME:pqnn_onnx_static>")
endif()

# CMake package. File names come from the targets (generator expressions), so the
# configure_file output goes through file(GENERATE) once the targets are known.
configure_package_config_file("${PROJECT_SOURCE_DIR}/cmake/pqnnConfig.cmake.in"
  "${PROJECT_BINARY_DIR}/pqnnConfig.cmake.gen"
  INSTALL_DESTINATION "${PQNN_INSTALL_CMAKEDIR}"
  PATH_VARS CMAKE_INSTALL_LIBDIR CMAKE_INSTALL_INCLUDEDIR)
file(GENERATE OUTPUT "${PROJECT_BINARY_DIR}/pqnnConfig.cmake"
  INPUT "${PROJECT_BINARY_DIR}/pqnnConfig.cmake.gen")
# 0.x: a minor release may break the API, so only the same major.minor is compatible.
write_basic_package_version_file("${PROJECT_BINARY_DIR}/pqnnConfigVersion.cmake"
  VERSION "${PROJECT_VERSION}" COMPATIBILITY SameMinorVersion)
install(FILES "${PROJECT_BINARY_DIR}/pqnnConfig.cmake" "${PROJECT_BINARY_DIR}/pqnnConfigVersion.cmake"
  DESTINATION "${PQNN_INSTALL_CMAKEDIR}" COMPONENT pqnn_development)
