#include "cli/packet_input.hpp"

#include <span>

#include "cli/input_formats.hpp"
#include "cli/pcap.hpp"
#include "core/hex.hpp"

namespace bpfplay::cli {
namespace {

Error hex_error(const std::string& what, const std::string& message) {
    return make_error(ErrorKind::Parse, what + ": " + message, std::nullopt,
                      "(write bytes as pairs of hex digits, e.g. \"02 00 00 00 00 02\" or \"020000000002\")");
}

std::string printable(char c) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u < 0x7f) return std::string("'") + c + "'";
    return "byte 0x" + hex_bytes(std::span<const uint8_t>(&u, 1));
}

} // namespace

Result<std::vector<uint8_t>> parse_packet_hex(std::string_view text, const std::string& what) {
    std::vector<uint8_t> out;
    int high = -1; // the first digit of a byte, while waiting for the second
    uint32_t line = 1, column = 0;
    for (size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        ++column;
        if (c == '\n') {
            ++line;
            column = 0;
            continue;
        }
        if (is_space(c)) continue;
        if (c == '#') {
            while (i + 1 < text.size() && text[i + 1] != '\n')
                ++i;
            continue;
        }
        const int digit = hex_digit(c);
        if (digit < 0) {
            std::string where = line > 1 ? "line " + std::to_string(line) + " column " : "character ";
            return hex_error(what,
                             printable(c) + " at " + where + std::to_string(column) + " is not a hex digit");
        }
        if (high < 0) {
            high = digit;
        } else {
            out.push_back(uint8_t(high << 4 | digit));
            high = -1;
        }
    }
    if (high >= 0)
        return hex_error(what, "odd number of hex digits (" + std::to_string(out.size() * 2 + 1) +
                                   "): the last byte has only one digit");
    return out;
}

Result<std::vector<uint8_t>> read_packet_hex_file(const std::string& path) {
    auto content = read_file(path);
    if (!content) return content.error();
    return parse_packet_hex(*content, path);
}

Result<std::vector<std::vector<uint8_t>>> read_pcap_packets(const std::string& path, bool all) {
    auto content = read_file(path);
    if (!content) return content.error();
    auto bytes = std::span(reinterpret_cast<const uint8_t*>(content->data()), content->size());
    auto file = read_pcap(bytes, path, all ? 0 : 1);
    if (!file) return file.error();
    std::vector<std::vector<uint8_t>> packets;
    for (PcapPacket& p : file->packets)
        packets.push_back(std::move(p.bytes));
    return packets;
}

} // namespace bpfplay::cli
