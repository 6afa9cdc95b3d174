#pragma once
// The inputs of `bpfvm run prog.o`: a packet as hex text (--packet-hex, --packet FILE), packets
// from a pcap capture (--pcap), context bytes (--ctx).
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace bpfplay::cli {

// Hex bytes with all whitespace ignored, so a byte may even be split across lines: "02 00 00",
// "020000", a dump pasted from anywhere. '#' starts a comment that runs to the end of the line.
// `what` names the input in messages ("--packet-hex", "packet.hex"). Errors: ErrorKind::Parse.
Result<std::vector<uint8_t>> parse_packet_hex(std::string_view text, const std::string& what);

// The same, from a file.
Result<std::vector<uint8_t>> read_packet_hex_file(const std::string& path);

// The first packet of a pcap file, or all of them.
Result<std::vector<std::vector<uint8_t>>> read_pcap_packets(const std::string& path, bool all);

} // namespace bpfplay::cli
