# Cross-compiles for aarch64 Linux with Debian's gcc-aarch64-linux-gnu and the arm64
# multiarch libraries (/usr/lib/aarch64-linux-gnu: libcpuinfo0, libpthreadpool-dev,
# libgtest-dev). ctest runs the test binaries under qemu-user with every feature the
# emulator has (-cpu max: NEON, FP16 arithmetic, dot product, ...).
# Usage: cmake -DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/aarch64-linux-gnu.cmake ...
# See scripts/test-aarch64.sh and docs/arm.md.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)

set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)

# Headers and libraries: PQNN_AARCH64_PREFIX (arm64 .debs unpacked by
# scripts/test-aarch64.sh, whose libraries live in <prefix>/usr/lib/aarch64-linux-gnu)
# when given, then the compilers' own /usr/aarch64-linux-gnu and the host's multiarch
# tree (/usr/lib/aarch64-linux-gnu). Programs (python3, ninja) are the host's.
set(PQNN_AARCH64_PREFIX "" CACHE PATH "Unpacked arm64 packages (root of their usr/)")
set(CMAKE_FIND_ROOT_PATH /usr/aarch64-linux-gnu /)
if(PQNN_AARCH64_PREFIX)
  list(PREPEND CMAKE_FIND_ROOT_PATH "${PQNN_AARCH64_PREFIX}")
endif()
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE BOTH)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# -L makes the cross loader (/usr/aarch64-linux-gnu/lib/ld-linux-aarch64.so.1) the
# interpreter; LD_LIBRARY_PATH makes it load the cross libc/libstdc++ beside it rather than
# an arm64 multiarch libc6 of another release, whose mix with that loader hangs at the
# first pthread_create.
find_program(PQNN_QEMU_AARCH64 qemu-aarch64)
if(PQNN_QEMU_AARCH64)
  set(CMAKE_CROSSCOMPILING_EMULATOR ${PQNN_QEMU_AARCH64} -cpu max -L /usr/aarch64-linux-gnu
      -E LD_LIBRARY_PATH=/usr/aarch64-linux-gnu/lib)
endif()
