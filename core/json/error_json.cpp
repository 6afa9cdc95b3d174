#include "core/json/error_json.hpp"

#include "core/hex.hpp"

namespace bpfplay {

void to_json(JsonWriter& w, const Error& e) {
    w.begin_object().member("kind", error_kind_name(e.kind)).member("what", e.what);
    if (!e.hint.empty()) w.member("hint", e.hint);
    if (e.where.pc) w.member("pc", *e.where.pc);
    if (e.where.address) w.member("address", hex(*e.where.address));
    if (e.where.line) w.member("line", *e.where.line);
    if (!e.where.section.empty()) w.member("section", e.where.section);
    if (!e.where.map.empty()) w.member("map", e.where.map);
    if (!e.where.source.empty()) w.member("source", e.where.source);
    w.member("message", e.to_string()).end_object();
}

std::string error_json(const Error& error) { return to_json_text(error); }

}  // namespace bpfplay
