#pragma once
// A link that reproduces a playground session: which program (a bundled example by name, or a
// user's object or assembly text carried whole, with the C the page compiled it from), its
// input (packet, context), the host, the breakpoints with their conditions, and the lesson open
// then. The page puts it in the URL's hash; core reads and writes it, so the page, the tests and
// the fuzzer (tools/fuzz/fuzz_share_link.cpp) all go through this one decoder.
//
// Wire (unchanged since the page first wrote links; the page's CompressionStream made "z=" ones,
// a browser without it "j=" ones):
//   "z=" base64url(deflate-raw(JSON))   or   "j=" base64url(JSON)
//   JSON: {"v":1, "s":{"k":"e","n":NAME} | {"k":"o","n":NAME,"b":BASE64URL,"c"?:C} |
//                     {"k":"a","t":TEXT,"sc":SECTION},
//          "p":PROGRAM, "pk":HEX, "cx":HEX, "h":{FIELD: TEXT or NUMBER, "hostJson"?: TEXT},
//          "bp":[PC...], "bc"?:{"PC":CONDITION}, "l"?:LESSON}
// The page's view of it (share_link_json / share_link_from_json): the same, spelled out
// (source.kind "example" / "object" / "assembly", bytes as hex).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.hpp"

namespace bpfplay {

class JsonValue;
class JsonWriter;

enum class ShareSourceKind : uint8_t { Example, Object, Assembly };

struct ShareSource {
    ShareSourceKind kind = ShareSourceKind::Example;
    std::string name;                // Example, Object: the file's name
    std::vector<uint8_t> bytes;      // Object: the ELF file
    std::optional<std::string> c;    // Object: the C it was compiled from in the page's editor
    std::string text;                // Assembly: the text
    std::string section;             // Assembly: "xdp", "socket", ... ("" = raw memory)

    friend bool operator==(const ShareSource&, const ShareSource&) = default;
};

struct ShareBreakpoint {
    uint32_t pc = 0;
    std::string condition;  // "" = always

    friend bool operator==(const ShareBreakpoint&, const ShareBreakpoint&) = default;
};

struct ShareLink {
    ShareSource source;
    std::string program;
    std::vector<uint8_t> packet;
    std::vector<uint8_t> ctx;
    // The page's host fields as typed (older links' numbers as their digits), in the link's
    // order; the page keeps those it knows. "hostJson" is the network as core's host JSON.
    std::vector<std::pair<std::string, std::string>> host;
    std::vector<ShareBreakpoint> breakpoints;
    std::optional<std::string> lesson;

    friend bool operator==(const ShareLink&, const ShareLink&) = default;
};

// What a link may hold: the hash's length and what it unpacks to. A page tab holds the JSON, its
// parse and the object twice over; 32 MiB of JSON is far past any real session.
inline constexpr size_t kShareLinkMaxText = 16u << 20;
inline constexpr size_t kShareLinkMaxJson = 32u << 20;

// Reads a hash made by encode_share_link or by the page (a leading '#' is skipped). nullopt when
// the hash is not a session at all ("#top"); an error (ErrorKind::Parse, "share link: ...")
// when it is one but damaged, too big, or of an unknown version.
Result<std::optional<ShareLink>> decode_share_link(std::string_view hash);

// "z=..." (deflated; the page's links have always been so where the browser could).
std::string encode_share_link(const ShareLink& link);

// The page's view: {"source":{...},"program":..,"packet":HEX,"ctx":HEX,"host":{..},
// "breakpoints":[{"pc":N,"condition":".."}],"lesson"?:..}
void to_json(JsonWriter& w, const ShareLink& link);
// The page's view back (what the page sends to have a link made); errors name the member.
Result<ShareLink> share_link_from_json(const JsonValue& view);

}  // namespace bpfplay
