#pragma once
// Wasm build only (force-included by cmake/wasm.cmake when the toolchain's libc++ lacks them):
// Emscripten 3.1.6's libc++ has no floating-point std::to_chars / std::from_chars. These
// provide the overloads bpfplay uses, with the standard's semantics: to_chars(first, last, v)
// gives the shortest text that reads back to v (fixed or scientific, whichever is shorter,
// fixed on a tie); from_chars(first, last, v) parses the "general" format.
#include <charconv>
#include <system_error>

namespace std {
to_chars_result to_chars(char* first, char* last, float value);
to_chars_result to_chars(char* first, char* last, double value);
from_chars_result from_chars(const char* first, const char* last, float& value);
from_chars_result from_chars(const char* first, const char* last, double& value);
}  // namespace std
