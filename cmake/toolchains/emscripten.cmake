# Cross-compiling pqnn to WebAssembly with emscripten (Debian's package works):
#   cmake -S . -B build/wasm -G Ninja -DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/emscripten.cmake
# (or `emcmake cmake ...`, which uses emscripten's own toolchain file; this one adds the
# node test runner). See docs/wasm.md and scripts/test-wasm.sh.
if(DEFINED ENV{EMSCRIPTEN_ROOT})
  set(_pqnn_em_root "$ENV{EMSCRIPTEN_ROOT}")
else()
  find_program(_pqnn_emcc emcc REQUIRED)
  get_filename_component(_pqnn_emcc "${_pqnn_emcc}" REALPATH)
  get_filename_component(_pqnn_em_root "${_pqnn_emcc}" DIRECTORY)
endif()
set(_pqnn_em_toolchain "${_pqnn_em_root}/cmake/Modules/Platform/Emscripten.cmake")
if(NOT EXISTS "${_pqnn_em_toolchain}")
  message(FATAL_ERROR "pqnn: ${_pqnn_em_toolchain} not found; set EMSCRIPTEN_ROOT")
endif()
# Test binaries run under node. Emscripten 3.1.6 tries fetch() for the .wasm file when
# node has it (node >= 18), which fails on file paths: turn node's fetch off.
find_program(PQNN_NODE_EXECUTABLE NAMES node nodejs REQUIRED)
set(CMAKE_CROSSCOMPILING_EMULATOR "${PQNN_NODE_EXECUTABLE};--no-experimental-fetch"
  CACHE STRING "Runs the WASM test binaries")
include("${_pqnn_em_toolchain}")
