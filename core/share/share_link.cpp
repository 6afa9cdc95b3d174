#include "core/share/share_link.hpp"

#include <span>

#include "core/hex.hpp"
#include "core/json/json.hpp"
#include "core/json/json_writer.hpp"
#include "core/share/base64url.hpp"
#include "core/share/raw_deflate.hpp"

namespace bpfplay {

namespace {

Error share_error(const std::string& what) {
    return Error{ErrorKind::Parse, {}, "share link: " + what,
                 "The link was cut or changed on its way; ask for it again, or open the program by hand."};
}

std::span<const uint8_t> as_bytes(std::string_view s) {
    return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// One JSON object's members, read with the member's name in every error.
class Members {
public:
    Members(const JsonValue& object, std::string where) : object_(object), where_(std::move(where)) {}

    const JsonValue* find(std::string_view key) const { return object_.find(key); }

    Result<std::string> text(std::string_view key, std::string_view what) const {
        const JsonValue* v = object_.find(key);
        if (!v || !v->is_string()) return wrong(key, what, "a text");
        return v->as_string();
    }
    Result<std::optional<std::string>> optional_text(std::string_view key, std::string_view what) const {
        const JsonValue* v = object_.find(key);
        if (!v || v->is_null()) return std::optional<std::string>{};
        if (!v->is_string()) return wrong(key, what, "a text");
        return std::optional<std::string>(v->as_string());
    }
    Result<std::vector<uint8_t>> hex(std::string_view key, std::string_view what) const {
        auto t = text(key, what);
        if (!t) return t.error();
        auto bytes = parse_hex_bytes(*t);
        if (!bytes) return share_error(where_ + "\"" + std::string(key) + "\" (" + std::string(what) + "): " + bytes.error().what);
        return std::move(*bytes);
    }
    Error wrong(std::string_view key, std::string_view what, std::string_view expected) const {
        return share_error(where_ + "\"" + std::string(key) + "\" (" + std::string(what) + ") is not " + std::string(expected));
    }

private:
    const JsonValue& object_;
    std::string where_;
};

// A host member's value as the page typed it: a text, or (older links) a number's digits.
std::optional<std::string> host_text(const JsonValue& v) {
    if (v.is_string()) return v.as_string();
    if (v.is_number()) return v.number_text();
    return std::nullopt;
}

Result<ShareSource> wire_source(const JsonValue& s) {
    if (!s.is_object()) return share_error("\"s\" (the program's source) is not an object");
    const Members m(s, "s.");
    auto kind = m.text("k", "the source's kind");
    if (!kind) return kind.error();
    ShareSource src;
    if (*kind == "e" || *kind == "o") {
        auto name = m.text("n", "the file's name");
        if (!name) return name.error();
        src.name = std::move(*name);
        if (*kind == "e") return src;
        src.kind = ShareSourceKind::Object;
        auto b64 = m.text("b", "the object's bytes");
        if (!b64) return b64.error();
        auto bytes = base64url_decode(*b64);
        if (!bytes) return share_error("s.\"b\" (the object's bytes): " + bytes.error().what);
        src.bytes = std::move(*bytes);
        auto c = m.optional_text("c", "the object's C source");
        if (!c) return c.error();
        src.c = std::move(*c);
        return src;
    }
    if (*kind == "a") {
        src.kind = ShareSourceKind::Assembly;
        auto text = m.text("t", "the assembly text");
        if (!text) return text.error();
        src.text = std::move(*text);
        auto section = m.optional_text("sc", "the assembly's section");
        if (!section) return section.error();
        src.section = section->value_or("");
        return src;
    }
    return share_error("s.\"k\" is \"" + *kind + "\": a source is \"e\" (example), \"o\" (object) or \"a\" (assembly)");
}

Result<ShareLink> wire_link(const JsonValue& w) {
    if (!w.is_object()) return share_error("its JSON is not an object");
    const JsonValue* v = w.find("v");
    if (!v || v->as_uint64() != std::optional<uint64_t>(1))
        return share_error("link version " + (v ? v->dump() : std::string("(none)")) + " is not known to this playground");
    const Members m(w, "");
    ShareLink link;
    const JsonValue* s = w.find("s");
    if (!s) return share_error("\"s\" (the program's source) is missing");
    auto source = wire_source(*s);
    if (!source) return source.error();
    link.source = std::move(*source);
    auto program = m.text("p", "the program's name");
    if (!program) return program.error();
    link.program = std::move(*program);
    auto packet = m.hex("pk", "the packet");
    if (!packet) return packet.error();
    link.packet = std::move(*packet);
    auto ctx = m.hex("cx", "the context");
    if (!ctx) return ctx.error();
    link.ctx = std::move(*ctx);
    // Lenient where the page always was: a host member of another type and a breakpoint that is
    // not an instruction number are skipped, a missing host or breakpoint list is empty.
    if (const JsonValue* h = w.find("h")) {
        if (!h->is_null() && !h->is_object()) return m.wrong("h", "the host", "an object");
        for (size_t i = 0; i < h->size(); ++i)
            if (auto t = host_text(h->items()[i])) link.host.emplace_back(h->keys()[i], std::move(*t));
    }
    const JsonValue* conditions = w.find("bc");
    if (conditions && !conditions->is_null() && !conditions->is_object())
        return m.wrong("bc", "the breakpoints' conditions", "an object");
    if (const JsonValue* bp = w.find("bp")) {
        if (!bp->is_null() && !bp->is_array()) return m.wrong("bp", "the breakpoints", "a list");
        for (const JsonValue& pc : bp->items()) {
            const auto n = pc.as_uint64();
            if (!n || *n > UINT32_MAX) continue;
            ShareBreakpoint b{uint32_t(*n), ""};
            if (conditions)
                if (const JsonValue* c = conditions->find(std::to_string(*n)); c && c->is_string()) b.condition = c->as_string();
            link.breakpoints.push_back(std::move(b));
        }
    }
    auto lesson = m.optional_text("l", "the lesson");
    if (!lesson) return lesson.error();
    link.lesson = std::move(*lesson);
    return link;
}

std::string wire_json(const ShareLink& link) {
    JsonWriter w;
    w.begin_object().member("v", 1).key("s").begin_object();
    switch (link.source.kind) {
    case ShareSourceKind::Example: w.member("k", "e").member("n", link.source.name); break;
    case ShareSourceKind::Object:
        w.member("k", "o").member("n", link.source.name).member("b", base64url_encode(link.source.bytes));
        if (link.source.c) w.member("c", *link.source.c);
        break;
    case ShareSourceKind::Assembly: w.member("k", "a").member("t", link.source.text).member("sc", link.source.section); break;
    }
    w.end_object().member("p", link.program).member("pk", hex_bytes(link.packet)).member("cx", hex_bytes(link.ctx));
    w.key("h").begin_object();
    for (const auto& [key, value] : link.host) w.member(key, value);
    w.end_object().key("bp").begin_array();
    for (const ShareBreakpoint& b : link.breakpoints) w.value(b.pc);
    w.end_array();
    bool conditional = false;
    for (const ShareBreakpoint& b : link.breakpoints) conditional |= !b.condition.empty();
    if (conditional) {
        w.key("bc").begin_object();
        for (const ShareBreakpoint& b : link.breakpoints)
            if (!b.condition.empty()) w.member(std::to_string(b.pc), b.condition);
        w.end_object();
    }
    if (link.lesson) w.member("l", *link.lesson);
    return w.end_object().take();
}

const char* source_kind_name(ShareSourceKind k) {
    switch (k) {
    case ShareSourceKind::Example: return "example";
    case ShareSourceKind::Object: return "object";
    case ShareSourceKind::Assembly: return "assembly";
    }
    return "example";
}

}  // namespace

Result<std::optional<ShareLink>> decode_share_link(std::string_view hash) {
    if (!hash.empty() && hash.front() == '#') hash.remove_prefix(1);
    const bool deflated = hash.starts_with("z=");
    if (!deflated && !hash.starts_with("j=")) return std::optional<ShareLink>{};
    if (hash.size() > kShareLinkMaxText)
        return share_error("it is " + std::to_string(hash.size()) + " characters long; a link holds at most " +
                           std::to_string(kShareLinkMaxText));
    auto packed = base64url_decode(hash.substr(2));
    if (!packed) return share_error(packed.error().what);
    std::vector<uint8_t> json;
    if (deflated) {
        auto unpacked = inflate_raw(*packed, kShareLinkMaxJson);
        if (!unpacked) return share_error(unpacked.error().what);
        json = std::move(*unpacked);
    } else {
        json = std::move(*packed);
    }
    auto doc = parse_json(std::string_view(reinterpret_cast<const char*>(json.data()), json.size()));
    if (!doc) return share_error("its JSON: " + doc.error().to_string());
    auto link = wire_link(*doc);
    if (!link) return link.error();
    return std::optional<ShareLink>(std::move(*link));
}

std::string encode_share_link(const ShareLink& link) {
    const std::string json = wire_json(link);
    return "z=" + base64url_encode(deflate_raw(as_bytes(json)));
}

void to_json(JsonWriter& w, const ShareLink& link) {
    const ShareSource& s = link.source;
    w.begin_object().key("source").begin_object().member("kind", source_kind_name(s.kind));
    switch (s.kind) {
    case ShareSourceKind::Example: w.member("name", s.name); break;
    case ShareSourceKind::Object:
        w.member("name", s.name).member("bytes", hex_bytes(s.bytes));
        if (s.c) w.member("c", *s.c);
        break;
    case ShareSourceKind::Assembly: w.member("text", s.text).member("section", s.section); break;
    }
    w.end_object().member("program", link.program).member("packet", hex_bytes(link.packet)).member("ctx", hex_bytes(link.ctx));
    w.key("host").begin_object();
    for (const auto& [key, value] : link.host) w.member(key, value);
    w.end_object().key("breakpoints").begin_array();
    for (const ShareBreakpoint& b : link.breakpoints)
        w.begin_object().member("pc", b.pc).member("condition", b.condition).end_object();
    w.end_array();
    if (link.lesson) w.member("lesson", *link.lesson);
    w.end_object();
}

Result<ShareLink> share_link_from_json(const JsonValue& view) {
    if (!view.is_object()) return share_error("the session to share is not an object");
    const Members m(view, "");
    ShareLink link;
    const JsonValue* source = view.find("source");
    if (!source || !source->is_object()) return m.wrong("source", "the program's source", "an object");
    const Members sm(*source, "source.");
    auto kind = sm.text("kind", "the source's kind");
    if (!kind) return kind.error();
    if (*kind == "example" || *kind == "object") {
        auto name = sm.text("name", "the file's name");
        if (!name) return name.error();
        link.source.name = std::move(*name);
        if (*kind == "object") {
            link.source.kind = ShareSourceKind::Object;
            auto bytes = sm.hex("bytes", "the object's bytes");
            if (!bytes) return bytes.error();
            link.source.bytes = std::move(*bytes);
            auto c = sm.optional_text("c", "the object's C source");
            if (!c) return c.error();
            link.source.c = std::move(*c);
        }
    } else if (*kind == "assembly") {
        link.source.kind = ShareSourceKind::Assembly;
        auto text = sm.text("text", "the assembly text");
        if (!text) return text.error();
        link.source.text = std::move(*text);
        auto section = sm.optional_text("section", "the assembly's section");
        if (!section) return section.error();
        link.source.section = section->value_or("");
    } else {
        return share_error("source.\"kind\" is \"" + *kind + "\": a source is \"example\", \"object\" or \"assembly\"");
    }
    auto program = m.text("program", "the program's name");
    if (!program) return program.error();
    link.program = std::move(*program);
    auto packet = m.hex("packet", "the packet");
    if (!packet) return packet.error();
    link.packet = std::move(*packet);
    auto ctx = m.hex("ctx", "the context");
    if (!ctx) return ctx.error();
    link.ctx = std::move(*ctx);
    if (const JsonValue* h = view.find("host")) {
        if (!h->is_object()) return m.wrong("host", "the host", "an object");
        for (size_t i = 0; i < h->size(); ++i) {
            if (!h->items()[i].is_string()) return share_error("host.\"" + h->keys()[i] + "\" is not a text");
            link.host.emplace_back(h->keys()[i], h->items()[i].as_string());
        }
    }
    if (const JsonValue* bps = view.find("breakpoints")) {
        if (!bps->is_array()) return m.wrong("breakpoints", "the breakpoints", "a list");
        for (const JsonValue& b : bps->items()) {
            const auto pc = b.get("pc").as_uint64();
            if (!pc || *pc > UINT32_MAX) return share_error("a breakpoint's \"pc\" is not an instruction number");
            const JsonValue& c = b.get("condition");
            if (!c.is_null() && !c.is_string()) return share_error("the condition of the breakpoint at " + std::to_string(*pc) + " is not a text");
            link.breakpoints.push_back({uint32_t(*pc), c.as_string()});
        }
    }
    auto lesson = m.optional_text("lesson", "the lesson");
    if (!lesson) return lesson.error();
    link.lesson = std::move(*lesson);
    return link;
}

}  // namespace bpfplay
