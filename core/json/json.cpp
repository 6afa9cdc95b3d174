#include "core/json/json.hpp"

#include <charconv>
#include <cstdio>
#include <limits>
#include <system_error>
#include <unordered_set>

namespace bpfplay {

const char* json_type_name(JsonType t) {
    switch (t) {
    case JsonType::Null: return "null";
    case JsonType::Bool: return "bool";
    case JsonType::Number: return "number";
    case JsonType::String: return "string";
    case JsonType::Array: return "array";
    case JsonType::Object: return "object";
    }
    return "unknown";
}

// ---------------------------------------------------------------------------------------------
// JsonValue

namespace {

const std::string& empty_string() {
    static const std::string s;
    return s;
}

const JsonValue& null_value() {
    static const JsonValue v;
    return v;
}

// The integer text of a JSON number ("-12" -> negative, "12"), or nullopt when it has a
// fraction or an exponent.
struct IntegerText {
    bool negative = false;
    std::string_view digits;
};

std::optional<IntegerText> integer_text(std::string_view t) {
    IntegerText out;
    if (!t.empty() && t[0] == '-') {
        out.negative = true;
        t.remove_prefix(1);
    }
    if (t.empty()) return std::nullopt;
    for (char c : t)
        if (c < '0' || c > '9') return std::nullopt;
    out.digits = t;
    return out;
}

std::optional<uint64_t> parse_u64_digits(std::string_view digits) {
    uint64_t v = 0;
    auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
    if (ec != std::errc() || ptr != digits.data() + digits.size()) return std::nullopt;
    return v;
}

}  // namespace

JsonValue JsonValue::make_bool(bool b) {
    JsonValue v;
    v.type_ = JsonType::Bool;
    v.bool_ = b;
    return v;
}

JsonValue JsonValue::make_number_text(std::string text) {
    JsonValue v;
    v.type_ = JsonType::Number;
    v.text_ = std::move(text);
    return v;
}

JsonValue JsonValue::make_string(std::string s) {
    JsonValue v;
    v.type_ = JsonType::String;
    v.text_ = std::move(s);
    return v;
}

JsonValue JsonValue::make_array() {
    JsonValue v;
    v.type_ = JsonType::Array;
    return v;
}

JsonValue JsonValue::make_object() {
    JsonValue v;
    v.type_ = JsonType::Object;
    return v;
}

const std::string& JsonValue::number_text() const {
    return type_ == JsonType::Number ? text_ : empty_string();
}

const std::string& JsonValue::as_string() const {
    return type_ == JsonType::String ? text_ : empty_string();
}

std::optional<uint64_t> JsonValue::as_uint64() const {
    if (type_ != JsonType::Number) return std::nullopt;
    auto it = integer_text(text_);
    if (!it) return std::nullopt;
    auto v = parse_u64_digits(it->digits);
    if (!v) return std::nullopt;
    if (it->negative && *v != 0) return std::nullopt;
    return v;
}

std::optional<int64_t> JsonValue::as_int64() const {
    if (type_ != JsonType::Number) return std::nullopt;
    auto it = integer_text(text_);
    if (!it) return std::nullopt;
    auto mag = parse_u64_digits(it->digits);
    if (!mag) return std::nullopt;
    constexpr uint64_t kMaxPos = uint64_t(std::numeric_limits<int64_t>::max());
    if (!it->negative) {
        if (*mag > kMaxPos) return std::nullopt;
        return int64_t(*mag);
    }
    if (*mag > kMaxPos + 1) return std::nullopt;
    if (*mag == kMaxPos + 1) return std::numeric_limits<int64_t>::min();
    return -int64_t(*mag);
}

std::optional<double> JsonValue::as_double() const {
    if (type_ != JsonType::Number) return std::nullopt;
    const char* b = text_.data();
    const char* e = b + text_.size();
    double d = 0;
    auto [ptr, ec] = std::from_chars(b, e, d);
    if (ec == std::errc() && ptr == e) return d;
    if (ec != std::errc::result_out_of_range) return std::nullopt;
    // Out of range: too large (no double) or too small (rounds to zero). The decimal exponent
    // of the leading significant digit tells which.
    std::string_view t = text_;
    bool negative = !t.empty() && t[0] == '-';
    if (negative) t.remove_prefix(1);
    size_t epos = t.find_first_of("eE");
    std::string_view mant = t.substr(0, epos);
    int64_t exp10 = 0;
    if (epos != std::string_view::npos) {
        std::string_view es = t.substr(epos + 1);
        bool eneg = !es.empty() && es[0] == '-';
        if (!es.empty() && (es[0] == '-' || es[0] == '+')) es.remove_prefix(1);
        // Clamp absurd exponents: only the sign of the result matters below.
        int64_t ev = 0;
        for (char c : es) {
            ev = ev * 10 + (c - '0');
            if (ev > 1'000'000'000) break;
        }
        exp10 = eneg ? -ev : ev;
    }
    size_t dot = mant.find('.');
    std::string_view ipart = mant.substr(0, dot);
    std::string_view fpart = dot == std::string_view::npos ? std::string_view{} : mant.substr(dot + 1);
    size_t lead = ipart.find_first_not_of('0');
    int64_t lead_exp;
    if (lead != std::string_view::npos) {
        lead_exp = int64_t(ipart.size() - lead) - 1;
    } else {
        size_t fl = fpart.find_first_not_of('0');
        if (fl == std::string_view::npos) return negative ? -0.0 : 0.0;
        lead_exp = -int64_t(fl) - 1;
    }
    if (lead_exp + exp10 > 0) return std::nullopt;  // overflow
    return negative ? -0.0 : 0.0;                    // underflow
}

const JsonValue* JsonValue::at(size_t i) const {
    if (type_ != JsonType::Array || i >= items_.size()) return nullptr;
    return &items_[i];
}

const JsonValue* JsonValue::find(std::string_view key) const {
    if (type_ != JsonType::Object) return nullptr;
    for (size_t i = 0; i < keys_.size(); i++)
        if (keys_[i] == key) return &items_[i];
    return nullptr;
}

const JsonValue& JsonValue::get(std::string_view key) const {
    const JsonValue* v = find(key);
    return v ? *v : null_value();
}

JsonValue& JsonValue::push_back(JsonValue v) {
    if (type_ != JsonType::Array) {
        static thread_local JsonValue sink;
        sink = std::move(v);
        return sink;
    }
    items_.push_back(std::move(v));
    return items_.back();
}

JsonValue& JsonValue::add_member(std::string key, JsonValue v) {
    if (type_ != JsonType::Object) {
        static thread_local JsonValue sink;
        sink = std::move(v);
        return sink;
    }
    keys_.push_back(std::move(key));
    items_.push_back(std::move(v));
    return items_.back();
}

bool operator==(const JsonValue& a, const JsonValue& b) {
    return a.type_ == b.type_ && a.bool_ == b.bool_ && a.text_ == b.text_ && a.keys_ == b.keys_ &&
           a.items_ == b.items_;
}

std::string json_quote(std::string_view s, JsonText text) {
    std::string out;
    out.reserve(s.size() + 2);
    out += '"';
    // Characters that need no escape are copied in runs: the page asks for a state's JSON on
    // every step, and most of it is names and hex digits.
    size_t run = 0;
    for (size_t i = 0; i < s.size(); ++i) {
        const unsigned char c = static_cast<unsigned char>(s[i]);
        const char* esc = nullptr;
        switch (c) {
        case '"': esc = "\\\""; break;
        case '\\': esc = "\\\\"; break;
        case '\n': esc = "\\n"; break;
        case '\r': esc = "\\r"; break;
        case '\t': esc = "\\t"; break;
        case '\b': esc = "\\b"; break;
        case '\f': esc = "\\f"; break;
        default:
            if (c >= 0x20 && (c < 0x7f || text != JsonText::Ascii)) continue;
        }
        out.append(s.data() + run, i - run);
        run = i + 1;
        if (esc) {
            out += esc;
        } else {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", c);
            out += buf;
        }
    }
    out.append(s.data() + run, s.size() - run);
    out += '"';
    return out;
}

namespace {

void dump_to(const JsonValue& v, std::string& out) {
    switch (v.type()) {
    case JsonType::Null: out += "null"; return;
    case JsonType::Bool: out += v.as_bool() ? "true" : "false"; return;
    case JsonType::Number: out += v.number_text(); return;
    case JsonType::String: out += json_quote(v.as_string()); return;
    case JsonType::Array:
        out += '[';
        for (size_t i = 0; i < v.size(); i++) {
            if (i) out += ',';
            dump_to(v.items()[i], out);
        }
        out += ']';
        return;
    case JsonType::Object:
        out += '{';
        for (size_t i = 0; i < v.size(); i++) {
            if (i) out += ',';
            out += json_quote(v.keys()[i]);
            out += ':';
            dump_to(v.items()[i], out);
        }
        out += '}';
        return;
    }
}

}  // namespace

std::string JsonValue::dump() const {
    std::string out;
    dump_to(*this, out);
    return out;
}

// ---------------------------------------------------------------------------------------------
// The parser: iterative, with an explicit stack of the containers being built.

namespace {

struct Frame {
    JsonValue value;        // an array or an object under construction
    std::string key;        // objects: the key of the value being parsed
    std::unordered_set<std::string> seen;  // objects: keys so far (duplicate check)
};

class Parser {
public:
    Parser(std::string_view text, const JsonOptions& options)
        : s_(text), max_depth_(options.max_depth < kJsonMaxDepthLimit ? options.max_depth
                                                                     : kJsonMaxDepthLimit),
          allow_dup_(options.allow_duplicate_keys) {}

    Result<JsonValue> run();

private:
    std::string_view s_;
    size_t pos_ = 0;
    uint32_t max_depth_;
    bool allow_dup_;
    std::vector<Frame> stack_;
    std::optional<Error> error_;

    bool at_end() const { return pos_ >= s_.size(); }
    unsigned char peek() const { return static_cast<unsigned char>(s_[pos_]); }

    void skip_ws() {
        while (pos_ < s_.size()) {
            char c = s_[pos_];
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') break;
            pos_++;
        }
    }

    bool fail(size_t at, std::string what);
    std::string found(size_t at) const;

    bool parse_string(std::string& out);
    bool parse_number(JsonValue& out);
    bool parse_literal(JsonValue& out);
    bool parse_key();
    // Adds a finished value to the innermost container (or makes it the document).
    void attach(JsonValue v, std::optional<JsonValue>& doc);
};

std::string Parser::found(size_t at) const {
    if (at >= s_.size()) return "the end of the input";
    unsigned char c = static_cast<unsigned char>(s_[at]);
    char buf[32];
    if (c >= 0x20 && c < 0x7f) {
        if (c == '\'') return "\"'\"";
        std::snprintf(buf, sizeof buf, "'%c'", c);
    } else if (c == '\n') {
        return "a line break";
    } else {
        std::snprintf(buf, sizeof buf, "byte 0x%02x", c);
    }
    return buf;
}

bool Parser::fail(size_t at, std::string what) {
    if (at > s_.size()) at = s_.size();
    uint32_t line = 1;
    size_t line_start = 0;
    for (size_t i = 0; i < at; i++) {
        if (s_[i] == '\n') {
            line++;
            line_start = i + 1;
        }
    }
    uint64_t column = 1;
    for (size_t i = line_start; i < at; i++)
        if ((static_cast<unsigned char>(s_[i]) & 0xC0) != 0x80) column++;
    Error e = make_error(ErrorKind::Parse, "column " + std::to_string(column) + ": " + std::move(what));
    e.where.line = line;
    error_ = std::move(e);
    return false;
}

// Decodes 4 hex digits at pos_ (after "\u").
static bool hex4(std::string_view s, size_t at, uint32_t& out) {
    if (at + 4 > s.size()) return false;
    uint32_t v = 0;
    for (size_t i = at; i < at + 4; i++) {
        char c = s[i];
        v <<= 4;
        if (c >= '0' && c <= '9') v |= uint32_t(c - '0');
        else if (c >= 'a' && c <= 'f') v |= uint32_t(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') v |= uint32_t(c - 'A' + 10);
        else return false;
    }
    out = v;
    return true;
}

static void append_utf8(std::string& out, uint32_t cp) {
    if (cp < 0x80) {
        out += char(cp);
    } else if (cp < 0x800) {
        out += char(0xC0 | (cp >> 6));
        out += char(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += char(0xE0 | (cp >> 12));
        out += char(0x80 | ((cp >> 6) & 0x3F));
        out += char(0x80 | (cp & 0x3F));
    } else {
        out += char(0xF0 | (cp >> 18));
        out += char(0x80 | ((cp >> 12) & 0x3F));
        out += char(0x80 | ((cp >> 6) & 0x3F));
        out += char(0x80 | (cp & 0x3F));
    }
}

// The length of the valid UTF-8 sequence starting at s[at] (a byte >= 0x80), or 0.
static size_t utf8_sequence(std::string_view s, size_t at) {
    auto b = [&](size_t i) -> int { return at + i < s.size() ? static_cast<unsigned char>(s[at + i]) : -1; };
    auto in = [](int v, int lo, int hi) { return v >= lo && v <= hi; };
    int c = b(0);
    if (in(c, 0xC2, 0xDF)) return in(b(1), 0x80, 0xBF) ? 2 : 0;
    if (c == 0xE0) return in(b(1), 0xA0, 0xBF) && in(b(2), 0x80, 0xBF) ? 3 : 0;
    if (in(c, 0xE1, 0xEC) || in(c, 0xEE, 0xEF)) return in(b(1), 0x80, 0xBF) && in(b(2), 0x80, 0xBF) ? 3 : 0;
    if (c == 0xED) return in(b(1), 0x80, 0x9F) && in(b(2), 0x80, 0xBF) ? 3 : 0;
    if (c == 0xF0) return in(b(1), 0x90, 0xBF) && in(b(2), 0x80, 0xBF) && in(b(3), 0x80, 0xBF) ? 4 : 0;
    if (in(c, 0xF1, 0xF3)) return in(b(1), 0x80, 0xBF) && in(b(2), 0x80, 0xBF) && in(b(3), 0x80, 0xBF) ? 4 : 0;
    if (c == 0xF4) return in(b(1), 0x80, 0x8F) && in(b(2), 0x80, 0xBF) && in(b(3), 0x80, 0xBF) ? 4 : 0;
    return 0;
}

bool Parser::parse_string(std::string& out) {
    // At the opening quote.
    size_t start = pos_;
    pos_++;
    out.clear();
    for (;;) {
        if (at_end()) return fail(start, "this string is never closed (missing '\"')");
        unsigned char c = peek();
        if (c == '"') {
            pos_++;
            return true;
        }
        if (c < 0x20) {
            return fail(pos_, std::string(c == '\n' ? "a line break" : "a control character") +
                                  " inside a string: write it as an escape (\\n, \\t, \\u00XX)");
        }
        if (c >= 0x80) {
            size_t n = utf8_sequence(s_, pos_);
            if (n == 0) return fail(pos_, "invalid UTF-8 (" + found(pos_) + ") inside a string");
            out.append(s_.substr(pos_, n));
            pos_ += n;
            continue;
        }
        if (c != '\\') {
            // A run of plain characters.
            size_t run = pos_;
            while (run < s_.size()) {
                unsigned char d = static_cast<unsigned char>(s_[run]);
                if (d == '"' || d == '\\' || d < 0x20 || d >= 0x80) break;
                run++;
            }
            out.append(s_.substr(pos_, run - pos_));
            pos_ = run;
            continue;
        }
        // An escape.
        size_t esc = pos_;
        pos_++;
        if (at_end()) return fail(start, "this string is never closed (missing '\"')");
        char e = s_[pos_];
        pos_++;
        switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
            uint32_t cp = 0;
            if (!hex4(s_, pos_, cp)) return fail(esc, "\\u must be followed by 4 hex digits");
            pos_ += 4;
            if (cp >= 0xDC00 && cp <= 0xDFFF)
                return fail(esc, "a lone low surrogate (\\u" + std::string(s_.substr(esc + 2, 4)) +
                                     ") with no high surrogate before it");
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                uint32_t lo = 0;
                if (pos_ + 1 >= s_.size() || s_[pos_] != '\\' || s_[pos_ + 1] != 'u' ||
                    !hex4(s_, pos_ + 2, lo) || lo < 0xDC00 || lo > 0xDFFF)
                    return fail(esc, "a high surrogate (\\u" + std::string(s_.substr(esc + 2, 4)) +
                                         ") must be followed by a low one (\\uDC00-\\uDFFF)");
                pos_ += 6;
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            }
            append_utf8(out, cp);
            break;
        }
        default:
            pos_ = esc;
            return fail(esc + 1, "unknown escape \\" + std::string(1, e) +
                                     " (valid: \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)");
        }
    }
}

bool Parser::parse_number(JsonValue& out) {
    size_t start = pos_;
    auto digit = [&](size_t i) { return i < s_.size() && s_[i] >= '0' && s_[i] <= '9'; };
    if (s_[pos_] == '-') pos_++;
    if (!digit(pos_)) return fail(pos_, "expected a digit after '-', found " + found(pos_));
    if (s_[pos_] == '0') {
        pos_++;
        if (digit(pos_)) return fail(start, "a number may not start with 0 followed by more digits");
    } else {
        while (digit(pos_)) pos_++;
    }
    if (pos_ < s_.size() && s_[pos_] == '.') {
        pos_++;
        if (!digit(pos_)) return fail(pos_, "expected a digit after the decimal point, found " + found(pos_));
        while (digit(pos_)) pos_++;
    }
    if (pos_ < s_.size() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
        pos_++;
        if (pos_ < s_.size() && (s_[pos_] == '+' || s_[pos_] == '-')) pos_++;
        if (!digit(pos_)) return fail(pos_, "expected a digit in the exponent, found " + found(pos_));
        while (digit(pos_)) pos_++;
    }
    out = JsonValue::make_number_text(std::string(s_.substr(start, pos_ - start)));
    return true;
}

bool Parser::parse_literal(JsonValue& out) {
    static constexpr std::string_view kTrue = "true", kFalse = "false", kNull = "null";
    std::string_view rest = s_.substr(pos_);
    auto word_end = [&](size_t n) {
        // The literal must not run on into more letters ("nullx", "trueish").
        return n >= rest.size() || !((rest[n] >= 'a' && rest[n] <= 'z') || (rest[n] >= 'A' && rest[n] <= 'Z') ||
                                     (rest[n] >= '0' && rest[n] <= '9') || rest[n] == '_');
    };
    if (rest.substr(0, 4) == kTrue && word_end(4)) {
        out = JsonValue::make_bool(true);
        pos_ += 4;
        return true;
    }
    if (rest.substr(0, 5) == kFalse && word_end(5)) {
        out = JsonValue::make_bool(false);
        pos_ += 5;
        return true;
    }
    if (rest.substr(0, 4) == kNull && word_end(4)) {
        out = JsonValue();
        pos_ += 4;
        return true;
    }
    size_t n = 0;
    while (n < rest.size() && n < 24 && !word_end(n)) n++;
    std::string word(rest.substr(0, n));
    return fail(pos_, "unknown word '" + word + "' (expected true, false or null; strings need quotes)");
}

bool Parser::parse_key() {
    // At the first character of a key (after '{' or ',' and whitespace).
    if (at_end()) return fail(pos_, "expected a key (a string in double quotes), found the end of the input");
    if (peek() != '"') {
        if (peek() == '}') return fail(pos_, "expected a key after ',', found '}' (trailing commas are not allowed)");
        return fail(pos_, "expected a key (a string in double quotes), found " + found(pos_));
    }
    Frame& f = stack_.back();
    size_t key_pos = pos_;
    if (!parse_string(f.key)) return false;
    if (!allow_dup_) {
        if (!f.seen.insert(f.key).second) return fail(key_pos, "duplicate key " + json_quote(f.key) + " in this object");
    }
    skip_ws();
    if (at_end() || peek() != ':') return fail(pos_, "expected ':' after the key " + json_quote(f.key) + ", found " + found(pos_));
    pos_++;
    return true;
}

void Parser::attach(JsonValue v, std::optional<JsonValue>& doc) {
    if (stack_.empty()) {
        doc = std::move(v);
        return;
    }
    Frame& f = stack_.back();
    if (f.value.is_array()) f.value.push_back(std::move(v));
    else f.value.add_member(std::move(f.key), std::move(v));
}

Result<JsonValue> Parser::run() {
    std::optional<JsonValue> doc;
    skip_ws();
    if (at_end()) {
        fail(pos_, s_.empty() ? "the input is empty (expected a JSON value)" : "the input holds only whitespace (expected a JSON value)");
        return *error_;
    }
    if (s_.size() >= 3 && s_.substr(0, 3) == "\xEF\xBB\xBF") {
        fail(0, "the input starts with a UTF-8 byte order mark, which JSON text must not have");
        return *error_;
    }
    // Each iteration parses one value (opening containers as it goes), then closes every
    // container that ends after it.
    for (;;) {
        skip_ws();
        if (at_end()) {
            fail(pos_, "expected a value, found the end of the input");
            return *error_;
        }
        unsigned char c = peek();
        bool have_value = false;
        JsonValue v;
        if (c == '{' || c == '[') {
            if (stack_.size() >= max_depth_) {
                fail(pos_, "nesting deeper than " + std::to_string(max_depth_) + " arrays/objects");
                return *error_;
            }
            pos_++;
            Frame f;
            f.value = c == '{' ? JsonValue::make_object() : JsonValue::make_array();
            stack_.push_back(std::move(f));
            skip_ws();
            char close = c == '{' ? '}' : ']';
            if (!at_end() && s_[pos_] == close) {
                pos_++;
                v = std::move(stack_.back().value);
                stack_.pop_back();
                have_value = true;
            } else if (c == '{') {
                if (!parse_key()) return *error_;
                continue;  // parse the member's value
            } else {
                continue;  // parse the first element
            }
        } else if (c == '"') {
            std::string str;
            if (!parse_string(str)) return *error_;
            v = JsonValue::make_string(std::move(str));
            have_value = true;
        } else if (c == '-' || (c >= '0' && c <= '9')) {
            if (!parse_number(v)) return *error_;
            have_value = true;
        } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
            if (!parse_literal(v)) return *error_;
            have_value = true;
        } else if (c == ']' || c == '}') {
            bool after_comma = false;
            if (!stack_.empty()) {
                size_t back = pos_;
                while (back > 0 && (s_[back - 1] == ' ' || s_[back - 1] == '\t' || s_[back - 1] == '\n' || s_[back - 1] == '\r'))
                    back--;
                after_comma = back > 0 && s_[back - 1] == ',';
            }
            fail(pos_, "expected a value, found " + found(pos_) +
                           (after_comma ? " (trailing commas are not allowed)" : ""));
            return *error_;
        } else if (c == '+' || c == '.') {
            fail(pos_, std::string("a number may not start with '") + char(c) + "'");
            return *error_;
        } else if (c == '\'') {
            fail(pos_, "strings take double quotes, not single ones");
            return *error_;
        } else if (c == '/') {
            fail(pos_, "comments are not part of JSON");
            return *error_;
        } else {
            fail(pos_, "expected a value, found " + found(pos_));
            return *error_;
        }
        (void)have_value;

        // Attach v and close every container that ends here.
        for (;;) {
            attach(std::move(v), doc);
            if (stack_.empty()) {
                skip_ws();
                if (!at_end()) {
                    fail(pos_, "unexpected " + found(pos_) + " after the end of the JSON value");
                    return *error_;
                }
                return std::move(*doc);
            }
            skip_ws();
            bool is_obj = stack_.back().value.is_object();
            char close = is_obj ? '}' : ']';
            if (at_end()) {
                fail(pos_, std::string("expected ',' or '") + close + "', found the end of the input");
                return *error_;
            }
            char d = s_[pos_];
            if (d == ',') {
                pos_++;
                if (is_obj) {
                    skip_ws();
                    if (!parse_key()) return *error_;
                }
                break;  // parse the next value
            }
            if (d == close) {
                pos_++;
                v = std::move(stack_.back().value);
                stack_.pop_back();
                continue;
            }
            fail(pos_, std::string("expected ',' or '") + close + "', found " + found(pos_));
            return *error_;
        }
    }
}

}  // namespace

Result<JsonValue> parse_json(std::string_view text, const JsonOptions& options) {
    Parser p(text, options);
    return p.run();
}

}  // namespace bpfplay
