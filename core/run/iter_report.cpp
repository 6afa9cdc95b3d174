#include "core/run/iter_report.hpp"

#include <algorithm>
#include <cstdio>

#include "core/hex.hpp"
#include "core/json/json_writer.hpp"
#include "core/maps/map_abi.hpp"
#include "core/run/iter_run.hpp"

namespace bpfplay {

namespace {

// Text a terminal shows as it is: printable ASCII, UTF-8 bytes, tabs and line ends.
bool is_text(const std::vector<uint8_t>& bytes) {
    return std::all_of(bytes.begin(), bytes.end(), [](uint8_t c) {
        return (c >= 0x20 && c != 0x7f) || c == '\n' || c == '\t' || c == '\r';
    });
}

std::string text_of(const std::vector<uint8_t>& bytes) { return std::string(bytes.begin(), bytes.end()); }

}  // namespace

void iter_output_json(JsonWriter& w, const IterOutput& out) {
    w.begin_object().member("target", out.target).member("session_id", out.session_id).member("reads", out.reads);
    if (out.read_error) w.member("read_error", errno_name(out.read_error));
    w.member("output", text_of(out.bytes)).member("output_hex", hex_bytes(out.bytes)).key("calls").begin_array();
    for (const IterCall& c : out.calls)
        w.begin_object()
            .member("read", c.read)
            .member("seq_num", c.seq_num)
            .member("element", c.element)
            .member("return", c.r0)
            .end_object();
    w.end_array().end_object();
}

std::string iter_output_text(const IterOutput& out) {
    std::string t = "iterator " + out.target + " (session " + std::to_string(out.session_id) + "): " +
                    std::to_string(out.calls.size()) + " call" + (out.calls.size() == 1 ? "" : "s") + ", " +
                    std::to_string(out.reads) + " read" + (out.reads == 1 ? "" : "s") + "\n";
    for (const IterCall& c : out.calls)
        t += "  read " + std::to_string(c.read) + ": seq_num " + std::to_string(c.seq_num) + " " + c.element +
             " -> " + std::to_string(c.r0) + "\n";
    t += "  read " + std::to_string(out.reads) + ": " +
         (out.read_error ? "fails with " + errno_name(out.read_error) : std::string("end of file")) + "\n";
    t += "iterator output (" + std::to_string(out.bytes.size()) + " bytes)" + (out.bytes.empty() ? "\n" : ":\n");
    if (is_text(out.bytes)) {
        t += text_of(out.bytes);
        if (!out.bytes.empty() && out.bytes.back() != '\n') t += "\n";
    } else {
        for (size_t i = 0; i < out.bytes.size(); i += 16) {
            const size_t n = std::min<size_t>(16, out.bytes.size() - i);
            char offset[32];
            std::snprintf(offset, sizeof offset, "  %04zx: ", i);
            t += offset + hex_bytes_spaced(std::span<const uint8_t>(out.bytes).subspan(i, n)) + "\n";
        }
    }
    return t;
}

}  // namespace bpfplay
