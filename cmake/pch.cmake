# Precompiled headers. Parsing the C++20 standard library headers (and doctest) was most of each
# file's compile time: about 5 of a test file's 8 s at -O3, repeated in the native, the wasm and
# the sanitizer builds. Each group of targets shares one precompiled header (REUSE_FROM), built once.
option(BPFPLAY_PCH "Precompile the standard library headers (and doctest for the tests)" ON)

# What most of core's files include. Only system headers: a change to core never rebuilds it.
set(BPFPLAY_PCH_STD
    <algorithm> <array> <cstdint> <cstring> <functional> <map> <memory> <optional> <span> <string>
    <string_view> <unordered_map> <utility> <variant> <vector>)

# bpfplay_pch(TARGET GROUP [EXTRA header...]): TARGET's C++ files use GROUP's precompiled header,
# made from the first target of the group. C files (there are none in these targets today) get none.
# Only with clang (the wasm and the sanitizer builds): GCC 12 loses the system-header status of
# libstdc++'s inlined code when it comes from a precompiled header, and then reports its
# std::string memcpy as -Warray-bounds / -Wstringop-overflow errors even at -O1 (the false
# positives of GCC bugs 105329 and 105651 that system headers otherwise keep quiet).
function(bpfplay_pch target group)
  if(NOT BPFPLAY_PCH OR NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    return()
  endif()
  get_property(owner GLOBAL PROPERTY BPFPLAY_PCH_OWNER_${group})
  if(owner)
    target_precompile_headers(${target} REUSE_FROM ${owner})
    return()
  endif()
  set_property(GLOBAL PROPERTY BPFPLAY_PCH_OWNER_${group} ${target})
  set(headers ${BPFPLAY_PCH_STD} ${ARGN})
  list(TRANSFORM headers REPLACE "^<(.*)>$" "$<$<COMPILE_LANGUAGE:CXX>:<\\1$<ANGLE-R>>")
  target_precompile_headers(${target} PRIVATE ${headers})
endfunction()
