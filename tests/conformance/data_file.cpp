#include "conformance/data_file.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "core/hex.hpp"

namespace bpfplay::conformance {
namespace {

Error parse_error(const std::string& name, uint32_t line, std::string what) {
    Error e = make_error(ErrorKind::Parse, name + ": " + std::move(what));
    e.where.line = line;
    return e;
}

std::string_view trim(std::string_view s) {
    const char* ws = " \t\r\n";
    size_t b = s.find_first_not_of(ws);
    if (b == std::string_view::npos) return {};
    size_t e = s.find_last_not_of(ws);
    return s.substr(b, e - b + 1);
}

enum class Section { None, Asm, Mem, Result, Error };

}  // namespace

Result<DataFile> parse_data_file(std::string_view text, std::string name) {
    DataFile f;
    f.name = std::move(name);
    Section section = Section::None;
    bool seen[5] = {};
    bool has_asm_text = false;
    std::string error_text;
    uint32_t line_no = 0;
    size_t pos = 0;
    while (pos < text.size()) {
        size_t nl = text.find('\n', pos);
        std::string_view raw = text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
        pos = nl == std::string_view::npos ? text.size() : nl + 1;
        ++line_no;
        std::string_view line = trim(raw);

        if (line.starts_with("--")) {
            std::string_view title = trim(line.substr(2));
            Section next;
            if (title == "asm") next = Section::Asm;
            else if (title == "mem") next = Section::Mem;
            else if (title == "result") next = Section::Result;
            else if (title == "error") next = Section::Error;
            else return parse_error(f.name, line_no, "unknown section '-- " + std::string(title) + "'");
            if (seen[int(next)])
                return parse_error(f.name, line_no, "section '-- " + std::string(title) + "' appears twice");
            seen[int(next)] = true;
            section = next;
            continue;
        }

        switch (section) {
        case Section::None:
            if (line.empty()) break;
            if (!line.starts_with("#"))
                return parse_error(f.name, line_no, "text before the first section must be '#' comments");
            if (!f.comment.empty()) f.comment += '\n';
            f.comment += std::string(trim(line.substr(1)));
            break;
        case Section::Asm:
            f.asm_text.append(raw);
            f.asm_text += '\n';
            if (!line.empty()) has_asm_text = true;
            break;
        case Section::Mem: {
            if (line.empty() || line.starts_with("#")) break;
            std::istringstream words{std::string(line)};
            std::string w;
            while (words >> w) {
                if (w.size() % 2 != 0)
                    return parse_error(f.name, line_no, "memory byte '" + w + "' needs an even number of hex digits");
                for (size_t k = 0; k < w.size(); k += 2) {
                    int hi = hex_digit(w[k]), lo = hex_digit(w[k + 1]);
                    if (hi < 0 || lo < 0) return parse_error(f.name, line_no, "'" + w + "' is not hex");
                    f.memory.push_back(uint8_t(hi * 16 + lo));
                }
            }
            break;
        }
        case Section::Result: {
            if (line.empty() || line.starts_with("#")) break;
            if (f.result) return parse_error(f.name, line_no, "the result section holds more than one value");
            if (!line.starts_with("0x") && !line.starts_with("0X"))
                return parse_error(f.name, line_no, "the result must be hex with a 0x prefix");
            std::string_view digits = line.substr(2);
            if (digits.empty() || digits.size() > 16)
                return parse_error(f.name, line_no, "the result must have 1 to 16 hex digits");
            uint64_t v = 0;
            for (char c : digits) {
                int d = hex_digit(c);
                if (d < 0) return parse_error(f.name, line_no, "'" + std::string(line) + "' is not hex");
                v = v * 16 + uint64_t(d);
            }
            f.result = v;
            break;
        }
        case Section::Error:
            if (line.empty()) break;
            if (!error_text.empty()) error_text += ' ';
            error_text += std::string(line);
            break;
        }
    }
    if (!seen[int(Section::Asm)] || !has_asm_text) return parse_error(f.name, line_no, "no '-- asm' section with code");
    if (seen[int(Section::Result)] == seen[int(Section::Error)])
        return parse_error(f.name, line_no, "exactly one of '-- result' and '-- error' is required");
    if (seen[int(Section::Result)] && !f.result) return parse_error(f.name, line_no, "the result section is empty");
    if (seen[int(Section::Error)]) {
        if (error_text.empty()) return parse_error(f.name, line_no, "the error section is empty");
        f.error = std::move(error_text);
    }
    return f;
}

Result<DataFile> load_data_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return make_error(ErrorKind::Parse, "cannot open " + path.string());
    std::ostringstream ss;
    ss << in.rdbuf();
    return parse_data_file(ss.str(), path.stem().string());
}

std::vector<std::filesystem::path> list_data_files(const std::filesystem::path& dir) {
    std::vector<std::filesystem::path> out;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
        if (entry.is_regular_file() && entry.path().extension() == ".data") out.push_back(entry.path());
    }
    std::sort(out.begin(), out.end());
    return out;
}

std::filesystem::path default_data_dir() {
    return std::filesystem::path(BPFPLAY_SOURCE_DIR) / "tests" / "conformance" / "data";
}

std::string to_hex(std::span<const uint8_t> bytes) {
    return hex_bytes(bytes);
}

}  // namespace bpfplay::conformance
