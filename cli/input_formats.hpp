#pragma once
// Program file -> wire instructions. One file may hold raw bytecode, hex text or assembly;
// the CLI tells them apart by content so `bpfvm run` takes whatever the learner has.
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/insn.hpp"

namespace bpfplay::cli {

enum class InputFormat { Raw, Hex, Assembly };

// A ".bin" name or bytes no text file has (NUL, other control characters) -> Raw; only hex
// digits and whitespace, with a digit count that is a multiple of 16 -> Hex; else Assembly.
InputFormat detect_format(std::string_view path, std::string_view content);

// The C locale's whitespace (what std::isspace says there), without the locale.
bool is_space(unsigned char c);

// Every file bpfvm reads (programs, objects, packets, pcaps, host and map-init JSON) is at most
// this big; larger ones are refused by their size before they are read.
constexpr uint64_t kMaxInputFileBytes = 64ull << 20;

Result<std::string> read_file(const std::string& path);

// Reads, detects and converts. An empty program is an error: every command needs at least one
// instruction to be useful.
Result<std::vector<Insn>> load_program_file(const std::string& path);

// The same conversion for content already in memory.
Result<std::vector<Insn>> program_from_content(std::string_view path, std::string_view content);

} // namespace bpfplay::cli
