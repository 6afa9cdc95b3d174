#pragma once
// The conformance data-file format (tests/conformance/data/*.data), shared by the library
// runner and the bpfvm-plugin runner:
//
//   # comment lines (only before the first section)
//   -- asm
//   <llvm-objdump syntax, passed to assemble() as it is>
//   -- mem            (optional: input bytes as hex, r1 = pointer, r2 = length)
//   00 01 02 03
//   -- result         (expected r0, full 64 bits, as 0x...)
//   0x1
//   -- error          (instead of -- result: a substring of the expected error message)
//   legacy packet access
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace bpfplay::conformance {

struct DataFile {
    std::string name;                  // file name without directory and ".data"
    std::string comment;               // the leading '#' lines, without '#', joined by '\n'
    std::string asm_text;              // the -- asm section, verbatim
    std::vector<uint8_t> memory;       // the -- mem section (empty when absent)
    std::optional<uint64_t> result;    // the -- result section
    std::optional<std::string> error;  // the -- error section (trimmed)
};

// Parses the text of one data file; `name` is used in error messages. Errors are
// ErrorKind::Parse with where.line set.
Result<DataFile> parse_data_file(std::string_view text, std::string name);

// Reads and parses a file; the name is the file's stem.
Result<DataFile> load_data_file(const std::filesystem::path& path);

// Every *.data file directly in `dir`, sorted by name. Empty when dir does not exist.
std::vector<std::filesystem::path> list_data_files(const std::filesystem::path& dir);

// The conformance data directory of the source tree.
std::filesystem::path default_data_dir();

// Lowercase hex, two digits per byte, no separators ("0a1b").
std::string to_hex(std::span<const uint8_t> bytes);

}  // namespace bpfplay::conformance
