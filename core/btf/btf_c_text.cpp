// Value -> C initializer text, the way a learner would write the value in their program:
// { .key = 1, .name = "eth0", .color = BLUE, .pts = { { .x = 1, .y = -2 } } }.
#include <cmath>
#include <string>

#include "core/btf/btf_number_text.hpp"
#include "core/btf/btf_value.hpp"

namespace bpfplay {

namespace {

void append_c_string(std::string& out, std::string_view s) {
    out += '"';
    for (char ch : s) {
        auto c = static_cast<unsigned char>(ch);
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\t': out += "\\t"; break;
        case '\r': out += "\\r"; break;
        default:
            if (c < 0x20 || c >= 0x7f) {
                // Octal, always three digits: unlike \x it cannot swallow a following digit.
                out += '\\';
                out += static_cast<char>('0' + ((c >> 6) & 7));
                out += static_cast<char>('0' + ((c >> 3) & 7));
                out += static_cast<char>('0' + (c & 7));
            } else {
                out += static_cast<char>(c);
            }
        }
    }
    out += '"';
}

void append_c(std::string& out, const Value& v) {
    switch (v.kind) {
    case Value::Kind::Null: out += "NULL"; return;
    case Value::Kind::Bool: out += v.bool_value ? "true" : "false"; return;
    case Value::Kind::Int: out += std::to_string(v.int_value); return;
    case Value::Kind::Uint:
        out += v.style == Value::Style::Hex ? btf_detail::hex_text(v.uint_value) : std::to_string(v.uint_value);
        return;
    case Value::Kind::Double:
        if (std::isnan(v.double_value)) out += "NAN";
        else if (std::isinf(v.double_value)) out += v.double_value < 0 ? "-INFINITY" : "INFINITY";
        else out += btf_detail::finite_float_text(v.double_value, v.style == Value::Style::Float32);
        return;
    case Value::Kind::String:
        if (v.style == Value::Style::Symbol) out += v.text;  // enumerator or literal: bare
        else append_c_string(out, v.text);
        return;
    case Value::Kind::Array:
    case Value::Kind::Object: {
        if (v.items.empty()) {
            out += "{}";
            return;
        }
        bool named = v.kind == Value::Kind::Object;
        out += "{ ";
        for (size_t i = 0; i < v.items.size(); ++i) {
            if (i) out += ", ";
            if (named && i < v.keys.size() && parse_unnamed_bytes_key(v.keys[i])) {
                // Bytes no variable names are no C initializer: a comment with their hex.
                out += "/* " + v.keys[i].substr(1, v.keys[i].size() - 2) + ": " + v.items[i].text + " */";
                continue;
            }
            if (named && i < v.keys.size() && !v.keys[i].empty()) {
                out += '.';
                out += v.keys[i];
                out += " = ";
            }
            append_c(out, v.items[i]);
        }
        out += " }";
        return;
    }
    case Value::Kind::Error: {
        // Keep the comment well-formed whatever the message says.
        std::string msg = v.text;
        for (size_t p = msg.find("*/"); p != std::string::npos; p = msg.find("*/")) msg.replace(p, 2, "* /");
        out += "/* error: " + msg + " */";
        return;
    }
    }
}

}  // namespace

std::string to_c_text(const Value& v) {
    std::string out;
    append_c(out, v);
    return out;
}

}  // namespace bpfplay
