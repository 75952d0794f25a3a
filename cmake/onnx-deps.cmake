# Finds what the ONNX importer needs; sets PQNN_ONNX_DEPS_FOUND (and, when something is
# missing, PQNN_ONNX_DEPS_MISSING). Not looked for in WASM builds (no protobuf-c there).
#   PQNN_PROTOC_C           protoc-c (Debian: protobuf-c-compiler), a host program
#   PROTOBUF_C_INCLUDE_DIR  <protobuf-c/protobuf-c.h>, PROTOBUF_C_LIBRARY (libprotobuf-c-dev)
#   PQNN_ONNX_PROTO         onnx.proto (Debian: python3-onnx ships it with the module)
#   CJSON_INCLUDE_DIR       <cjson/cJSON.h>, CJSON_LIBRARY (libcjson-dev; pqnn-run only)
set(PQNN_ONNX_DEPS_FOUND OFF)
set(PQNN_ONNX_DEPS_MISSING "")
if(CMAKE_CROSSCOMPILING AND NOT PQNN_BUILD_ONNX)
  # A cross build would find the host's protobuf-c; turn the importer on explicitly
  # (-DPQNN_BUILD_ONNX=ON) with a target protobuf-c in the find root.
  set(PQNN_ONNX_DEPS_MISSING "a target protobuf-c (cross build: set PQNN_BUILD_ONNX=ON to look)")
elseif(NOT PQNN_TARGET_WASM)
  find_program(PQNN_PROTOC_C protoc-c)
  find_path(PROTOBUF_C_INCLUDE_DIR protobuf-c/protobuf-c.h)
  find_library(PROTOBUF_C_LIBRARY protobuf-c)
  find_file(PQNN_ONNX_PROTO onnx.proto
    PATHS /usr/lib/python3/dist-packages/onnx /usr/local/lib/python3/dist-packages/onnx
    NO_DEFAULT_PATH NO_CMAKE_FIND_ROOT_PATH)
  find_path(CJSON_INCLUDE_DIR cjson/cJSON.h)
  find_library(CJSON_LIBRARY cjson)
  foreach(_dep PQNN_PROTOC_C PROTOBUF_C_INCLUDE_DIR PROTOBUF_C_LIBRARY PQNN_ONNX_PROTO
      CJSON_INCLUDE_DIR CJSON_LIBRARY)
    if(NOT ${_dep})
      list(APPEND PQNN_ONNX_DEPS_MISSING ${_dep})
    endif()
  endforeach()
  if(NOT PQNN_ONNX_DEPS_MISSING)
    set(PQNN_ONNX_DEPS_FOUND ON)
  endif()
else()
  set(PQNN_ONNX_DEPS_MISSING "a WASM protobuf-c")
endif()

# The unit models of test/onnx are written by scripts/onnx-unit-models.py with Debian's
# python3-onnx and python3-numpy: find an interpreter that has them (a pyenv or venv
# python3 on PATH often does not).
if(PQNN_ONNX_DEPS_FOUND AND NOT DEFINED PQNN_ONNX_PYTHON)
  set(_python "")
  foreach(_candidate /usr/bin/python3 python3)
    find_program(_found NAMES ${_candidate} NO_CACHE)
    if(_found)
      execute_process(COMMAND "${_found}" -c "import onnx, numpy"
        RESULT_VARIABLE _rc OUTPUT_QUIET ERROR_QUIET)
      if(_rc EQUAL 0)
        set(_python "${_found}")
        break()
      endif()
    endif()
    unset(_found)
  endforeach()
  set(PQNN_ONNX_PYTHON "${_python}" CACHE FILEPATH
    "python3 with the onnx and numpy modules (test/onnx unit models); empty: none")
endif()
