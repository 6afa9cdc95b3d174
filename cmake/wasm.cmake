# The Emscripten (wasm32) build: included from the top-level CMakeLists.txt under EMSCRIPTEN,
# before the libraries are defined. Build it with tools/build-wasm.sh.
#
# - libelf and zlib come from a prefix built by tools/build-wasm-libelf.sh (BPFPLAY_WASM_DEPS,
#   default .cache/wasm-deps); ELF_LIBRARY is preset to an imported target so the top-level
#   find_library(ELF_LIBRARY elf REQUIRED) keeps it and bpfplay_loader links the wasm libelf.
# - The native test setup (tests/CMakeLists.txt) needs find_package(doctest), which fails under
#   the Emscripten toolchain, and libbpf: under Emscripten it is replaced by the wasm tests below
#   (same sources, doctest binaries run with node by ctest), added at the end of the top-level
#   directory once every library exists.
# - Fuzzers (libFuzzer) and Google Benchmark are not built; bench/bench_portable, bench_journal,
#   bench_maps and the wasm bpfvm are, on request (--target): the default build is the tests and
#   the page's module.
# - wasm-bindings/ (an Embind module), when it exists, is included last.

set(BPFPLAY_WASM_CMAKE_DIR "${CMAKE_CURRENT_LIST_DIR}")  # for the deferred calls below
set(BPFPLAY_WASM_DEPS "${CMAKE_SOURCE_DIR}/.cache/wasm-deps" CACHE PATH
    "Prefix holding wasm libelf.a and libz.a (tools/build-wasm-libelf.sh)")
foreach(_f lib/libelf.a lib/libz.a include/libelf.h include/gelf.h)
  if(NOT EXISTS "${BPFPLAY_WASM_DEPS}/${_f}")
    message(FATAL_ERROR "wasm build: ${BPFPLAY_WASM_DEPS}/${_f} is missing; "
                        "run tools/build-wasm-libelf.sh first (or set BPFPLAY_WASM_DEPS)")
  endif()
endforeach()

add_library(bpfplay_wasm_z STATIC IMPORTED GLOBAL)
set_target_properties(bpfplay_wasm_z PROPERTIES
  IMPORTED_LOCATION "${BPFPLAY_WASM_DEPS}/lib/libz.a"
  INTERFACE_INCLUDE_DIRECTORIES "${BPFPLAY_WASM_DEPS}/include")
add_library(bpfplay_wasm_elf STATIC IMPORTED GLOBAL)
set_target_properties(bpfplay_wasm_elf PROPERTIES
  IMPORTED_LOCATION "${BPFPLAY_WASM_DEPS}/lib/libelf.a"
  INTERFACE_INCLUDE_DIRECTORIES "${BPFPLAY_WASM_DEPS}/include"
  INTERFACE_LINK_LIBRARIES bpfplay_wasm_z)
# A set cache entry makes find_library(ELF_LIBRARY ...) a no-op: it links this target instead.
set(ELF_LIBRARY bpfplay_wasm_elf CACHE STRING "libelf (wasm: imported target)" FORCE)

# emcc needs Debian's node modules (acorn) when it links: do not depend on the caller's env.
set(_bpfplay_emcc_env "${CMAKE_COMMAND}" -E env "NODE_PATH=/usr/share/nodejs")
set(CMAKE_C_LINKER_LAUNCHER ${_bpfplay_emcc_env})
set(CMAKE_CXX_LINKER_LAUNCHER ${_bpfplay_emcc_env})

# ctest runs the wasm binaries with node. node 20 needs --no-experimental-fetch for
# Emscripten 3.1.6's loader (it would fetch() the .wasm file); the toolchain's default
# emulator flags are rejected by node 20.
find_program(BPFPLAY_NODE NAMES node nodejs REQUIRED)
set(CMAKE_CROSSCOMPILING_EMULATOR "${BPFPLAY_NODE};--no-experimental-fetch")

# What the rest of the top-level CMakeLists.txt must not do under Emscripten.
set(BPFPLAY_WASM_TESTS ${BPFPLAY_TESTS})
set(BPFPLAY_TESTS OFF)  # a normal variable shadows the option: tests/ is replaced below
if(BPFPLAY_WASM_TESTS)
  enable_testing()  # here, not in the deferred function: it sets a directory-scope variable
endif()
set(BPFPLAY_FUZZ OFF)   # libFuzzer does not exist for wasm
if(BPFPLAY_SANITIZE)
  message(FATAL_ERROR "BPFPLAY_SANITIZE is not supported in the wasm build")
endif()

# Flags for programs run by node: the host file system (tests read fixtures from the
# repository), growable memory, a native-sized stack, and main's exit code as node's.
set(BPFPLAY_WASM_NODE_LINK_OPTIONS
  -sENVIRONMENT=node -sNODERAWFS=1 -sALLOW_MEMORY_GROWTH=1 -sTOTAL_STACK=8388608 -sEXIT_RUNTIME=1)

# Emscripten 3.1.6's libc++ lacks floating-point std::to_chars / std::from_chars (core/btf,
# core/json use them): declare replacements in every translation unit and build them into
# bpfplay_base. Skipped when the toolchain has them.
include(CheckCXXSourceCompiles)
set(CMAKE_REQUIRED_FLAGS "-std=c++20")
check_cxx_source_compiles([=[
#include <charconv>
int main() { char b[32]; double d = 0; auto r = std::to_chars(b, b + 32, 1.5);
             auto s = std::from_chars(b, r.ptr, d); return int(s.ec != std::errc()); }]=]
  BPFPLAY_WASM_HAVE_FP_CHARCONV)
unset(CMAKE_REQUIRED_FLAGS)
if(NOT BPFPLAY_WASM_HAVE_FP_CHARCONV)
  add_compile_options("SHELL:-include ${BPFPLAY_WASM_CMAKE_DIR}/wasm/charconv_fp.hpp")
endif()

# The node-run programs are CommonJS .js files; the repository's package.json says
# "type": "module", which would make node load them as ES modules. The nearest package.json wins.
file(WRITE "${CMAKE_BINARY_DIR}/package.json" "{ \"type\": \"commonjs\" }\n")

set(BPFPLAY_WASM_TEST_OPT -O1)

# Debian's doctest header alone (find_package(doctest) drags in -isystem /usr/include).
function(_bpfplay_wasm_doctest)
  if(TARGET bpfplay_wasm_doctest)
    return()
  endif()
  find_file(BPFPLAY_DOCTEST_HEADER doctest.h PATHS /usr/include/doctest NO_DEFAULT_PATH
            NO_CMAKE_FIND_ROOT_PATH REQUIRED)
  file(COPY "${BPFPLAY_DOCTEST_HEADER}" DESTINATION "${CMAKE_BINARY_DIR}/wasm-doctest/doctest")
  add_library(bpfplay_wasm_doctest INTERFACE)
  target_include_directories(bpfplay_wasm_doctest SYSTEM INTERFACE "${CMAKE_BINARY_DIR}/wasm-doctest")
  # doctest's runner once for every test binary (per binary it cost 20-38 s of emcc -O3).
  add_library(bpfplay_wasm_doctest_main OBJECT "${CMAKE_SOURCE_DIR}/tests/doctest_main.cpp")
  target_link_libraries(bpfplay_wasm_doctest_main PUBLIC bpfplay_wasm_doctest)
  target_compile_options(bpfplay_wasm_doctest_main PRIVATE ${BPFPLAY_WASM_TEST_OPT})
endfunction()

# Mirrors bpfplay_area_test in tests/CMakeLists.txt: tests/<area>/*.cpp -> test_<area>, one ctest.
# EXCLUDE <file>...: sources that cannot work in wasm.
function(bpfplay_wasm_area_test area)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "" "EXCLUDE;LIBS")
  set(dir "${CMAKE_SOURCE_DIR}/tests")
  file(GLOB sources CONFIGURE_DEPENDS "${dir}/${area}/*.cpp")
  foreach(f IN LISTS arg_EXCLUDE)
    list(REMOVE_ITEM sources "${dir}/${area}/${f}")
  endforeach()
  if(NOT sources)
    return()
  endif()
  _bpfplay_wasm_doctest()
  add_executable(test_${area} ${sources})
  target_link_libraries(test_${area} PRIVATE ${arg_LIBS} bpfplay_wasm_doctest_main)
  # The code under test is the Release (-O3) libraries; the tests' own code and their link run
  # at -O1: binaryen's -O3 pass over each test binary and -O3 test code took about half of the
  # wasm build's time, and optimizing the assertions buys nothing.
  target_compile_options(test_${area} PRIVATE ${BPFPLAY_WASM_TEST_OPT})
  target_link_options(test_${area} PRIVATE ${BPFPLAY_WASM_TEST_OPT})
  bpfplay_pch(test_${area} tests <doctest/doctest.h>)
  target_include_directories(test_${area} PRIVATE "${dir}")
  target_compile_definitions(test_${area} PRIVATE BPFPLAY_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
                                                  BPFPLAY_BINARY_DIR="${PROJECT_BINARY_DIR}")
  target_link_options(test_${area} PRIVATE ${BPFPLAY_WASM_NODE_LINK_OPTIONS})
  add_test(NAME ${area} COMMAND test_${area})
endfunction()

function(_bpfplay_wasm_finish)
  if(NOT BPFPLAY_WASM_HAVE_FP_CHARCONV)
    target_sources(bpfplay_base PRIVATE "${BPFPLAY_WASM_CMAKE_DIR}/wasm/charconv_fp.cpp")
  endif()
  if(TARGET bpfvm)
    # The CLI builds; run under node it reads and writes the host's files.
    target_link_options(bpfvm PRIVATE ${BPFPLAY_WASM_NODE_LINK_OPTIONS})
  endif()
  if(TARGET bench_portable)
    target_link_options(bench_portable PRIVATE ${BPFPLAY_WASM_NODE_LINK_OPTIONS})
  endif()
  # Built on request only (cmake --build build-wasm --target bench_portable): no test runs them,
  # and their links (binaryen -O3 over the whole core) were about four minutes of CI's wasm phase.
  foreach(_on_request IN ITEMS bpfvm bench_portable bench_journal bench_maps)
    if(TARGET ${_on_request})
      set_target_properties(${_on_request} PROPERTIES EXCLUDE_FROM_ALL ON)
    endif()
  endforeach()

  if(BPFPLAY_WASM_TESTS)
    bpfplay_wasm_area_test(vm LIBS bpfplay_text bpfplay_vm)
    bpfplay_wasm_area_test(text LIBS bpfplay_text)
    # plugin_runner.cpp runs the bpfvm executable as a child process (posix_spawn + pipes):
    # a wasm program under node cannot spawn processes. The library runner covers the same data.
    bpfplay_wasm_area_test(conformance EXCLUDE plugin_runner.cpp LIBS bpfplay_text bpfplay_vm)
    # The fast run: its modules run in node's WebAssembly runtime against the interpreter.
    bpfplay_wasm_area_test(fastrun LIBS bpfplay_fastrun bpfplay_text bpfplay_vm)
    if(TARGET test_fastrun)
      target_sources(test_fastrun PRIVATE "${CMAKE_SOURCE_DIR}/tests/conformance/data_file.cpp")
    endif()
    bpfplay_wasm_area_test(host LIBS bpfplay_run bpfplay_host bpfplay_text bpfplay_vm)
    if(TARGET bpfplay_maps)
      bpfplay_wasm_area_test(maps LIBS bpfplay_maps bpfplay_host bpfplay_text bpfplay_vm)
    endif()
    if(TARGET bpfplay_btf)
      bpfplay_wasm_area_test(btf LIBS bpfplay_btf ${ELF_LIBRARY})
    endif()
    bpfplay_wasm_area_test(loader LIBS bpfplay_loader bpfplay_text)
    bpfplay_wasm_area_test(run LIBS bpfplay_run bpfplay_text)
    if(TARGET bpfplay_json)
      bpfplay_wasm_area_test(json LIBS bpfplay_json bpfplay_share)
    endif()
    if(TARGET bpfplay_run AND TARGET bpfplay_json)
      # Built without libbpf (BPFPLAY_HAVE_LIBBPF undefined): the live kernel differential test
      # reports that it is skipped; the recorded kernel results are all compared.
      bpfplay_wasm_area_test(fastrun_examples LIBS bpfplay_run bpfplay_json)
      target_sources(test_fastrun_examples PRIVATE "${CMAKE_SOURCE_DIR}/tests/examples/example_harness.cpp")
      bpfplay_wasm_area_test(examples LIBS bpfplay_run bpfplay_json)
    endif()
    if(TARGET bpfplay_debugger AND TARGET bpfplay_json)
      bpfplay_wasm_area_test(debugger LIBS bpfplay_debugger bpfplay_verifier bpfplay_json)
      if(TARGET test_debugger)
        target_sources(test_debugger PRIVATE "${CMAKE_SOURCE_DIR}/tests/examples/example_harness.cpp")
      endif()
    endif()
    # tests/cli is not built: every test there runs the bpfvm executable as a child process.
  endif()

  # The Embind module. A deferred call may not add_subdirectory(): wasm-bindings/CMakeLists.txt
  # is written to be include()d (absolute paths only).
  if(EXISTS "${CMAKE_SOURCE_DIR}/wasm-bindings/CMakeLists.txt")
    include("${CMAKE_SOURCE_DIR}/wasm-bindings/CMakeLists.txt")
  endif()
endfunction()
cmake_language(DEFER CALL _bpfplay_wasm_finish)
