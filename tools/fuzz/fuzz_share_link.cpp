// libFuzzer target: a share link (the page's URL hash) as arbitrary text, through the decoder
// the page uses (core/share/share_link.hpp). A refusal must say why; a link that reads must
// be written back to one that reads to the same session, and the page's view of it (to_json,
// share_link_from_json) must come back the same too. Seeds: links made by tools/fuzz/make_seeds.py
// (deflated and plain, each source kind, damaged ones).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/json/json.hpp"
#include "core/json/json_writer.hpp"
#include "core/share/share_link.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace bpfplay;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto link = decode_share_link(text);
    if (!link.ok()) {
        if (link.error().what.empty()) __builtin_trap();
        return 0;
    }
    if (!link->has_value()) return 0;
    auto again = decode_share_link(encode_share_link(**link));
    if (!again.ok() || !again->has_value() || **again != **link) __builtin_trap();
    JsonWriter w;
    to_json(w, **link);
    auto view = parse_json(w.text());
    if (!view.ok()) __builtin_trap();
    auto back = share_link_from_json(*view);
    if (!back.ok() || *back != **link) __builtin_trap();
    return 0;
}
