#pragma once
// What the object commands (`run prog.o`, `info`) share about ELF files.
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace bpfplay::cli {

// An ELF file starts with "\x7f" "ELF"; clang -target bpf -c writes one.
inline bool is_elf_object(std::string_view content) {
    return content.starts_with(std::string_view("\x7f"
                                                "ELF",
                                                4));
}

// "dir/global_vars.o" -> "global_vars.o": the name libbpf derives map names from.
inline std::string object_base_name(std::string_view path) {
    const size_t slash = path.find_last_of('/');
    return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

// A load error as one message that starts with the object's path: "prog.o: section ...".
inline Error object_error(const std::string& path, const Error& error) {
    Error out = error;
    out.what = path + ": " + error.to_string();
    out.where = Where{};
    out.hint.clear();
    return out;
}

} // namespace bpfplay::cli
