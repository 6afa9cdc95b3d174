#pragma once
// A strict, safe JSON reader (RFC 8259): the case files of examples/cases, test data, and any
// JSON a user hands bpfplay. Input is treated as hostile: every malformed document gives an
// Error (ErrorKind::Parse, where.line set, the column at the start of `what`), never a throw or
// a crash. Nesting is limited (JsonOptions::max_depth) and parsing is iterative, so a deeply
// nested document cannot exhaust the stack.
//
//   auto doc = parse_json(text);
//   if (!doc) { print(doc.error().to_string()); return; }   // "line 3: column 7: expected ..."
//   const JsonValue* cases = doc->find("cases");
//   for (const JsonValue& c : cases->items()) { ... c.get("name").as_string() ... }
//
// Strict means: exactly RFC 8259's grammar (no comments, no trailing commas, no single
// quotes, no leading '+', no leading zeros, no NaN/Infinity), whitespace only as RFC 8259
// defines it, strings must be valid UTF-8 with no raw control characters and no lone
// surrogates in \u escapes, exactly one value in the document, and (by default) no duplicate
// keys in an object.
//
// Numbers keep their text, so 64-bit integers are exact: as_uint64() of
// 18446744073709551615 is 2^64-1, not a rounded double.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.hpp"

namespace bpfplay {

enum class JsonType : uint8_t { Null, Bool, Number, String, Array, Object };

const char* json_type_name(JsonType t);  // "null", "bool", "number", "string", "array", "object"

class JsonValue {
public:
    JsonValue() = default;  // null
    static JsonValue make_null() { return JsonValue(); }
    static JsonValue make_bool(bool b);
    // `text` must be a valid JSON number (parse_json only builds them from valid text).
    static JsonValue make_number_text(std::string text);
    static JsonValue make_string(std::string s);
    static JsonValue make_array();
    static JsonValue make_object();

    JsonType type() const { return type_; }
    bool is_null() const { return type_ == JsonType::Null; }
    bool is_bool() const { return type_ == JsonType::Bool; }
    bool is_number() const { return type_ == JsonType::Number; }
    bool is_string() const { return type_ == JsonType::String; }
    bool is_array() const { return type_ == JsonType::Array; }
    bool is_object() const { return type_ == JsonType::Object; }

    // Bool: the value; any other type: false.
    bool as_bool() const { return type_ == JsonType::Bool && bool_; }

    // Number: the text as written in the document ("-12", "1.5e3"); others: "".
    const std::string& number_text() const;
    // The number as an integer, exactly, when it is written as an integer (no fraction, no
    // exponent) and fits the type; nullopt otherwise (and for non-numbers). "-0" is 0.
    std::optional<int64_t> as_int64() const;
    std::optional<uint64_t> as_uint64() const;
    // The nearest double (round to nearest, as strtod); nullopt for non-numbers and for
    // numbers whose magnitude is too large for a double (1e400).
    std::optional<double> as_double() const;

    // String: the decoded UTF-8 text; others: "".
    const std::string& as_string() const;

    // Array: the elements; Object: the values in document order; others: empty.
    const std::vector<JsonValue>& items() const { return items_; }
    // Object: the keys in document order (keys()[i] belongs to items()[i]); others: empty.
    const std::vector<std::string>& keys() const { return keys_; }
    size_t size() const { return items_.size(); }  // elements or members; 0 for scalars

    // Array element i, or nullptr when out of range or not an array.
    const JsonValue* at(size_t i) const;
    // Object member by key (the first one with that key), or nullptr when absent or not an
    // object.
    const JsonValue* find(std::string_view key) const;
    bool contains(std::string_view key) const { return find(key) != nullptr; }
    // Like find(), but a missing member is a shared null value, so lookups chain:
    // doc.get("kernel").get("returns").at(0).
    const JsonValue& get(std::string_view key) const;

    // Building (used by the parser; handy in tests). push_back needs an array; add_member an
    // object; both do nothing otherwise. They return the stored value.
    JsonValue& push_back(JsonValue v);
    JsonValue& add_member(std::string key, JsonValue v);

    // Compact JSON text (numbers as written, strings escaped, keys in document order).
    std::string dump() const;

    friend bool operator==(const JsonValue& a, const JsonValue& b);

private:
    JsonType type_ = JsonType::Null;
    bool bool_ = false;
    std::string text_;               // Number: its text; String: its value
    std::vector<JsonValue> items_;   // Array elements / Object values
    std::vector<std::string> keys_;  // Object keys, parallel to items_
};

struct JsonOptions {
    // Arrays and objects nested deeper than this are an error. Values above kJsonMaxDepthLimit
    // are treated as kJsonMaxDepthLimit (destroying a tree is recursive, so depth stays bounded).
    uint32_t max_depth = 256;
    // RFC 8259 only says names SHOULD be unique; by default a repeated key is an error.
    bool allow_duplicate_keys = false;
};

constexpr uint32_t kJsonMaxDepthLimit = 10000;

// Parses one JSON document. Errors: ErrorKind::Parse with where.line (1-based) and `what`
// starting "column N: " (1-based, counted in characters of the line).
Result<JsonValue> parse_json(std::string_view text, const JsonOptions& options = {});

// Which bytes json_quote passes through as they are.
enum class JsonText : uint8_t {
    Utf8,   // every byte from 0x20 up (the text is UTF-8)
    Ascii,  // bytes 0x7f and up escaped as \u00XX, read as Latin-1: valid JSON from any bytes (BTF names)
};

// Escapes `s` as a JSON string literal, quotes included: the project's one JSON string quoter
// (JsonWriter and JsonValue::dump use it).
std::string json_quote(std::string_view s, JsonText text = JsonText::Utf8);

}  // namespace bpfplay
