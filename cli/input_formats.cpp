#include "cli/input_formats.hpp"

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <span>
#include <string>

#include <sys/stat.h>

#include "core/hex.hpp"
#include "core/decode.hpp"
#include "core/text/asm.hpp"

namespace bpfplay::cli {

bool is_space(unsigned char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

namespace {

// Bytes >= 0x80 count as text: assembly comments may be UTF-8.
bool looks_binary(std::string_view content) {
    for (unsigned char c : content)
        if ((c < 0x20 && !is_space(c)) || c == 0x7f) return true;
    return false;
}

bool looks_hex(std::string_view content) {
    size_t digits = 0;
    for (unsigned char c : content) {
        if (is_space(c)) continue;
        if (!std::isxdigit(c)) return false;
        ++digits;
    }
    return digits % 16 == 0;
}

Error io_error(const std::string& what, int err) {
    return make_error(ErrorKind::Load, what + ": " + std::strerror(err));
}

Error too_large(const std::string& path, const std::string& size) {
    return make_error(ErrorKind::Load,
                      path + " is " + size + " bytes; bpfvm reads input files of up to " +
                          std::to_string(kMaxInputFileBytes) + " bytes (" +
                          std::to_string(kMaxInputFileBytes >> 20) + " MiB)",
                      std::nullopt, "(a BPF object, program or packet file is far smaller: is it the right file?)");
}

} // namespace

InputFormat detect_format(std::string_view path, std::string_view content) {
    if (path.ends_with(".bin") || looks_binary(content)) return InputFormat::Raw;
    if (looks_hex(content)) return InputFormat::Hex;
    return InputFormat::Assembly;
}

Result<std::string> read_file(const std::string& path) {
    std::FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) return io_error("cannot open " + path, errno);
    // The size first: a 1 GB file is refused at once, not after reading it whole (which took
    // 34 s and 3 GB). Pipes and devices have no size: the read below stops at the limit.
    struct stat st {};
    if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) && uint64_t(st.st_size) > kMaxInputFileBytes) {
        std::fclose(f);
        return too_large(path, std::to_string(st.st_size));
    }
    std::string content;
    char buf[65536];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) {
        content.append(buf, n);
        if (content.size() > kMaxInputFileBytes) {
            std::fclose(f);
            return too_large(path, "more than " + std::to_string(kMaxInputFileBytes));
        }
    }
    bool failed = std::ferror(f);
    int err = errno; // before fclose can change it
    std::fclose(f);
    // A directory "opens" on Linux but fails here with EISDIR.
    if (failed) return io_error("cannot read " + path, err);
    return content;
}

Result<std::vector<Insn>> program_from_content(std::string_view path, std::string_view content) {
    Result<std::vector<Insn>> insns = std::vector<Insn>{};
    switch (detect_format(path, content)) {
    case InputFormat::Raw: {
        auto bytes = std::span(reinterpret_cast<const uint8_t*>(content.data()), content.size());
        insns = insns_from_bytes(bytes);
        break;
    }
    case InputFormat::Hex: {
        auto bytes = parse_hex_bytes(content);
        if (!bytes) return bytes.error();
        insns = insns_from_bytes(*bytes);
        break;
    }
    case InputFormat::Assembly: insns = assemble(content); break;
    }
    if (insns && insns->empty())
        return make_error(ErrorKind::Parse, std::string(path) + " holds no instructions", std::nullopt,
                          "(give assembly text, hex bytes or a raw .bin file)");
    return insns;
}

Result<std::vector<Insn>> load_program_file(const std::string& path) {
    auto content = read_file(path);
    if (!content) return content.error();
    return program_from_content(path, *content);
}

} // namespace bpfplay::cli
