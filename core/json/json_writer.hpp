#pragma once
// The one JSON writer of the project: every view core shows (debug state, stops, object summary,
// maps, host, errors) is written through it, by one `to_json(JsonWriter&, const View&)` per view.
// It streams text as it goes (no tree), puts the commas itself, and quotes every string with
// json_quote (core/json/json.hpp), so no caller concatenates JSON by hand.
//
//   JsonWriter w;
//   w.begin_object().member("pc", 3).member("name", "xdp").key("regs").begin_array();
//   for (...) w.value(hex_string);
//   w.end_array().end_object();
//   std::string text = w.take();   // {"pc":3,"name":"xdp","regs":[..]}
//
// 64-bit values that JavaScript must not round are written as strings (hex() or decimal text)
// by the caller; numbers here are exact integers as C++ holds them.
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "core/json/json.hpp"

namespace bpfplay {

enum class JsonLayout : uint8_t {
    Compact,  // {"a":1,"b":[1,2]}: what tools and the page read
    // For people editing the document (host_json): the top object one member per line, each of
    // its arrays one element per line, everything deeper on one line, ", " and ": " between.
    Lines,
};

class JsonWriter {
public:
    explicit JsonWriter(JsonLayout layout = JsonLayout::Compact, JsonText text = JsonText::Utf8)
        : layout_(layout), text_(text) {}

    // A writer inside an object whose braces someone else writes: text() is members only,
    // "a":1,"b":[2] (the debugger CLI's commands each add members to one reply object).
    static JsonWriter members(JsonLayout layout = JsonLayout::Compact) {
        JsonWriter w(layout);
        w.levels_.push_back({false, true});
        return w;
    }

    JsonWriter& begin_object();
    JsonWriter& end_object();
    JsonWriter& begin_array();
    JsonWriter& end_array();
    // An object's member name; the next value written is its value.
    JsonWriter& key(std::string_view name);

    JsonWriter& value(std::string_view s);
    JsonWriter& value(const std::string& s) { return value(std::string_view(s)); }
    JsonWriter& value(const char* s) { return value(std::string_view(s)); }
    JsonWriter& value(bool b);
    template <class T>
        requires(std::is_integral_v<T> && !std::is_same_v<T, bool>)
    JsonWriter& value(T n) {
        return raw(std::to_string(n));
    }
    JsonWriter& null();
    // Text that is already one JSON value (BTF-decoded keys and values, to_json of a Value).
    JsonWriter& raw(std::string_view json);

    template <class T> JsonWriter& member(std::string_view name, const T& v) { return key(name).value(v); }
    // An array of plain values (numbers, strings), each by value().
    template <class Range> JsonWriter& values(const Range& items) {
        begin_array();
        for (const auto& v : items) value(v);
        return end_array();
    }

    // The text so far (complete once every container is closed).
    const std::string& text() const { return out_; }
    std::string take() { return std::move(out_); }

private:
    struct Level {
        bool lines = false;  // one element per line (JsonLayout::Lines)
        bool empty = true;
    };
    void before_value();
    JsonWriter& open(char c, bool is_array);
    JsonWriter& close(char c);

    JsonLayout layout_;
    JsonText text_;  // how json_quote writes strings and keys
    std::string out_;
    std::vector<Level> levels_;
    bool after_key_ = false;
};

// An array of views, each by its own to_json(JsonWriter&, const T&).
template <class Range> void to_json_array(JsonWriter& w, const Range& items) {
    w.begin_array();
    for (const auto& item : items) to_json(w, item);
    w.end_array();
}

// The one-call form for a view with a to_json(JsonWriter&, const T&) overload.
template <class T> std::string to_json_text(const T& view) {
    JsonWriter w;
    to_json(w, view);
    return w.take();
}

}  // namespace bpfplay
