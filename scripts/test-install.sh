#!/usr/bin/env bash
# Installs pqnn into a temporary prefix chosen at INSTALL time (`cmake --install --prefix`,
# the configure-time prefix is a directory that does not exist) and builds and runs the
# examples against the INSTALLED package, with CMake (find_package, CMAKE_PREFIX_PATH) and
# with pkg-config (PKG_CONFIG_PATH), each linked to the shared and to the static library;
# then moves the installed tree and builds against it again (both packages are
# relocatable). Also checks the shared library's SONAME and that it exports only pqnn_*
# symbols, and that a C-only project can add_subdirectory(pqnn): no C++ compiler, no tests
# or benchmarks, no -Werror. Exits non-zero on any failure. Needs the build dependencies
# (scripts/install-deps.sh) and pkg-config.
# Usage: scripts/test-install.sh [--keep]   (--keep: leave the temporary tree for inspection)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
keep=0
while [ $# -gt 0 ]; do
  case "$1" in
    --keep) keep=1; shift ;;
    *) echo "usage: scripts/test-install.sh [--keep]" >&2; exit 2 ;;
  esac
done
for tool in cmake ninja pkg-config readelf nm; do
  command -v "$tool" >/dev/null || { echo "test-install: $tool not found" >&2; exit 1; }
done

# The build dir sits inside the tree (ignored by .gitignore's /build-*/) so that ccache,
# with paths relative to the base dir, hits across runs and worktrees.
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$root}"
# Debug builds: leave the build directory out of the hash so other clones hit too.
export CCACHE_NOHASHDIR="${CCACHE_NOHASHDIR:-1}"
work=$(mktemp -d "$root/build-install.XXXXXX")
cleanup() { if [ "$keep" = 1 ]; then echo "test-install: kept $work"; else rm -rf "$work"; fi; }
trap cleanup EXIT
build="$work/build" prefix="$work/prefix"
jobs=$(nproc)

step() { echo; echo "== test-install: $*"; }

step "configure and build pqnn (Release, no tests or benchmarks)"
# The configure-time prefix does not exist: nothing installed may refer to it.
configure_prefix=/nonexistent/pqnn-configure-time-prefix
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DPQNN_BUILD_TESTS=OFF -DPQNN_BUILD_BENCHMARKS=OFF -DCMAKE_INSTALL_PREFIX="$configure_prefix" >/dev/null
cmake --build "$build" -j "$jobs"

step "install into $prefix (prefix given at install time)"
cmake --install "$build" --prefix "$prefix" >/dev/null
if grep -rl "$configure_prefix" "$prefix"; then
  echo "test-install: the files above name the configure-time prefix" >&2; exit 1
fi
(cd "$prefix" && find . | LC_ALL=C sort | sed 's/^\.\///' | grep -v '^\.$')

libdir=$(pkg-config --variable=libdir "$prefix"/lib*/pkgconfig/pqnn.pc 2>/dev/null || true)
if [ -z "$libdir" ] || [ ! -d "$libdir" ]; then
  echo "test-install: no usable pqnn.pc in $prefix" >&2; exit 1
fi

step "check the shared library"
version=$(sed -n 's/^project(pqnn VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
major=${version%%.*}
so="$libdir/libpqnn.so.$version"
[ -f "$so" ] || { echo "test-install: $so missing" >&2; exit 1; }
[ -f "$libdir/libpqnn.a" ] || { echo "test-install: libpqnn.a missing" >&2; exit 1; }
soname=$(readelf -d "$so" | sed -n 's/.*Library soname: \[\(.*\)\]/\1/p')
[ "$soname" = "libpqnn.so.$major" ] || { echo "test-install: SONAME '$soname', expected libpqnn.so.$major" >&2; exit 1; }
[ "$(readlink "$libdir/libpqnn.so.$major")" = "libpqnn.so.$version" ] || { echo "test-install: bad libpqnn.so.$major link" >&2; exit 1; }
foreign=$(nm -D --defined-only "$so" | awk '{print $NF}' | grep -v '^pqnn_' || true)
if [ -n "$foreign" ]; then
  echo "test-install: the shared library exports non-pqnn symbols:" >&2; echo "$foreign" >&2; exit 1
fi
echo "SONAME $soname, $(nm -D --defined-only "$so" | wc -l) exported symbols, all pqnn_*"
[ "$(pkg-config --modversion "$libdir/pkgconfig/pqnn.pc")" = "$version" ] || { echo "test-install: pqnn.pc version" >&2; exit 1; }
# The ONNX importer (built by default where its Debian dependencies are installed, as
# install-deps.sh does): libpqnn-onnx, pqnn-onnx.pc, pqnn::onnx in the CMake package.
onnx_so="$libdir/libpqnn-onnx.so.$version"
for f in "$onnx_so" "$libdir/libpqnn-onnx.a" "$libdir/pkgconfig/pqnn-onnx.pc"; do
  [ -f "$f" ] || { echo "test-install: $f missing (PQNN_BUILD_ONNX off?)" >&2; exit 1; }
done
onnx_soname=$(readelf -d "$onnx_so" | sed -n 's/.*Library soname: \[\(.*\)\]/\1/p')
[ "$onnx_soname" = "libpqnn-onnx.so.$major" ] || { echo "test-install: SONAME '$onnx_soname', expected libpqnn-onnx.so.$major" >&2; exit 1; }
foreign=$(nm -D --defined-only "$onnx_so" | awk '{print $NF}' | grep -v '^pqnn_onnx_' || true)
if [ -n "$foreign" ]; then
  echo "test-install: libpqnn-onnx exports non-pqnn_onnx symbols:" >&2; echo "$foreign" >&2; exit 1
fi
echo "SONAME $onnx_soname, $(nm -D --defined-only "$onnx_so" | wc -l) exported symbols, all pqnn_onnx_*"

export LD_LIBRARY_PATH="$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"

step "examples with CMake: find_package(pqnn CONFIG) via CMAKE_PREFIX_PATH"
cmake -S examples -B "$work/examples-cmake" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$prefix"
cmake --build "$work/examples-cmake" -j "$jobs"
ctest --test-dir "$work/examples-cmake" --output-on-failure

step "examples with pkg-config via PKG_CONFIG_PATH"
mkdir -p "$work/examples-pkgconfig"
PKG_CONFIG_PATH="$libdir/pkgconfig" make -C examples --no-print-directory OUT="$work/examples-pkgconfig"
for example in dynamic-range-fc conv graph onnx-relu dynamic-range-fc-static conv-static \
    graph-static onnx-relu-static; do
  echo "-- $example"
  "$work/examples-pkgconfig/$example"
done
for example in conv-static onnx-relu-static; do
  if ldd "$work/examples-pkgconfig/$example" | grep -q libpqnn; then
    echo "test-install: $example is linked to a shared pqnn library" >&2; exit 1
  fi
done

step "relocated install tree: move $prefix and build against it again"
moved="$work/moved-prefix"
mv "$prefix" "$moved"
moved_libdir=$(pkg-config --variable=libdir "$moved"/lib*/pkgconfig/pqnn.pc)
[ "$(cd "$moved_libdir" && pwd -P)" = "$(cd "$moved" && pwd -P)/$(basename "$moved_libdir")" ] ||
  { echo "test-install: the moved pqnn.pc points at $moved_libdir" >&2; exit 1; }
mkdir -p "$work/examples-moved"
LD_LIBRARY_PATH="$moved_libdir" PKG_CONFIG_PATH="$moved_libdir/pkgconfig" \
  make -C examples --no-print-directory OUT="$work/examples-moved" \
  "$work/examples-moved/graph" "$work/examples-moved/graph-static"
LD_LIBRARY_PATH="$moved_libdir" "$work/examples-moved/graph" >/dev/null
"$work/examples-moved/graph-static" >/dev/null
cmake -S examples -B "$work/examples-cmake-moved" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$moved" >/dev/null
cmake --build "$work/examples-cmake-moved" -j "$jobs" --target graph-static onnx-relu-static >/dev/null
"$work/examples-cmake-moved/graph-static" >/dev/null
"$work/examples-cmake-moved/onnx-relu-static" >/dev/null
echo "pkg-config and CMake packages work from $moved"

step "add_subdirectory(pqnn) from a C-only project"
# CMAKE_CXX_COMPILER names no compiler: configuring fails if pqnn enables C++.
consumer="$work/consumer"
mkdir -p "$consumer"
cat > "$consumer/CMakeLists.txt" <<CMAKE
cmake_minimum_required(VERSION 3.18)
project(pqnn_consumer LANGUAGES C)
add_subdirectory("$root" pqnn)
add_executable(graph "$root/examples/graph.c")
target_link_libraries(graph PRIVATE pqnn::pqnn_static m)
foreach(option PQNN_BUILD_TESTS PQNN_BUILD_BENCHMARKS PQNN_WERROR PQNN_INSTALL)
  if(\${option})
    message(FATAL_ERROR "\${option} is ON in a project that add_subdirectory()s pqnn")
  endif()
endforeach()
CMAKE
launcher=()
if command -v ccache >/dev/null; then launcher=(-DCMAKE_C_COMPILER_LAUNCHER=ccache); fi
cmake -S "$consumer" -B "$consumer/build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_CXX_COMPILER=/nonexistent/c++ "${launcher[@]}" >/dev/null
if grep -q -- "-Werror" "$consumer/build/build.ninja"; then
  echo "test-install: the consumer's build compiles something with -Werror" >&2; exit 1
fi
if ls "$consumer"/build/CMakeFiles/*/CMakeCXXCompiler.cmake >/dev/null 2>&1; then
  echo "test-install: C++ was enabled in a C-only consumer" >&2; exit 1
fi
cmake --build "$consumer/build" -j "$jobs" --target graph
"$consumer/build/graph" >/dev/null
echo "a C-only project builds pqnn with add_subdirectory and runs the graph example"

step "OK: install tree, relocation, CMake package, pkg-config file and add_subdirectory work"
