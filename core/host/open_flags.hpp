#pragma once
// open(2)'s flags by name, x86-64's values (asm-generic/fcntl.h): what a scenario's open event
// is written with ("O_RDONLY|O_CLOEXEC") and how it is shown.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace bpfplay {

// "O_WRONLY|O_CREAT|O_TRUNC" -> 01101; names are joined by '|' (spaces around them allowed).
// nullopt when a name is not an open flag.
std::optional<uint32_t> parse_open_flags(std::string_view text);

// The flags as names: the access mode first (O_RDONLY when neither O_WRONLY nor O_RDWR), then
// the other flags in their bits' order; bits no name covers in octal ("O_RDONLY|040000000000").
std::string open_flags_text(uint32_t flags);

}  // namespace bpfplay
