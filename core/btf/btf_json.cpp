// Value -> compact, deterministic JSON. Output is always ASCII: bytes >= 0x7f in names
// or strings are escaped as \u00XX (read as Latin-1), so any BTF name gives valid JSON.
#include <cmath>
#include <string>

#include "core/btf/btf_number_text.hpp"
#include "core/btf/btf_value.hpp"
#include "core/json/json.hpp"

namespace bpfplay {

namespace {

void append_json_string(std::string& out, std::string_view s) { out += json_quote(s, JsonText::Ascii); }

void append_json(std::string& out, const Value& v) {
    switch (v.kind) {
    case Value::Kind::Null: out += "null"; return;
    case Value::Kind::Bool: out += v.bool_value ? "true" : "false"; return;
    case Value::Kind::Int: out += std::to_string(v.int_value); return;
    case Value::Kind::Uint:
        // JSON has no hex numbers; hex-styled values (pointers) become strings.
        if (v.style == Value::Style::Hex) append_json_string(out, btf_detail::hex_text(v.uint_value));
        else out += std::to_string(v.uint_value);
        return;
    case Value::Kind::Double:
        if (std::isnan(v.double_value)) append_json_string(out, "nan");
        else if (std::isinf(v.double_value)) append_json_string(out, v.double_value < 0 ? "-inf" : "inf");
        else out += btf_detail::finite_float_text(v.double_value, v.style == Value::Style::Float32);
        return;
    case Value::Kind::String: append_json_string(out, v.text); return;
    case Value::Kind::Array:
        out += '[';
        for (size_t i = 0; i < v.items.size(); ++i) {
            if (i) out += ',';
            append_json(out, v.items[i]);
        }
        out += ']';
        return;
    case Value::Kind::Object:
        out += '{';
        for (size_t i = 0; i < v.items.size(); ++i) {
            if (i) out += ',';
            append_json_string(out, i < v.keys.size() ? v.keys[i] : std::string());
            out += ':';
            append_json(out, v.items[i]);
        }
        out += '}';
        return;
    case Value::Kind::Error:
        out += "{\"$error\":";
        append_json_string(out, v.text);
        out += '}';
        return;
    }
}

}  // namespace

std::string to_json(const Value& v) {
    std::string out;
    append_json(out, v);
    return out;
}

}  // namespace bpfplay
