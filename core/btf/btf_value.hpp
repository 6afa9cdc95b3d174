#pragma once
// A small JSON-like value tree, and the BTF-driven printer that turns the raw bytes of a
// map key/value (or a global variable) into one, so learners see C values instead of hex.
//
// Printer conventions (close to `bpftool map dump` JSON, adjusted where a learner reads
// better):
//   struct/union   -> object, members in declaration order; a union shows every member.
//                     Members of anonymous struct/union members are flattened into the
//                     parent, as C lets you name them (bpftool would use key "").
//   array          -> array; multi-dimensional arrays nest.
//   char array     -> string when it is printable ASCII up to a NUL inside the array and
//                     only zeros after it (bpftool's rule, minus bpftool's dropping of bytes
//                     after the NUL: what is shown must encode back to the same bytes; `char`
//                     only, not typedefs like __u8/__s8); otherwise an array of numbers.
//   int            -> number (signed or unsigned per BTF); bool -> true/false;
//                     128-bit ints -> "0x..." hex (bpftool's convention), written bare in C.
//   bitfield       -> the exact field value (sign-extended for signed ints, enumerator
//                     for enums, true/false for bool); bpftool prints hex instead.
//   enum           -> enumerator name; the number if no enumerator matches.
//   float/double   -> number (shortest text that reads back the same value).
//   pointer        -> hex "0x...": a JSON string (JSON has no hex), bare in C text.
//   bytes shorter than the type -> an error node for that value; nothing is read past
//                     the span.
#include <cstdint>
#include <optional>
#include <utility>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/btf/btf.hpp"

namespace bpfplay {

// How deep the printer follows nested aggregates (the encoder, which reads the printer's JSON,
// stops at the same depth); real C types stay far below this.
constexpr int kBtfValueMaxDepth = 64;

struct Value {
    enum class Kind : uint8_t { Null, Bool, Int, Uint, Double, String, Array, Object, Error };
    // How a scalar is written; the data is the same.
    enum class Style : uint8_t {
        Plain,
        Hex,      // Uint: "0x1f" (pointers)
        Symbol,   // String: a C token (enumerator, 128-bit hex literal): bare in C text
        Float32,  // Double: came from a float; printed with float precision
    };

    Kind kind = Kind::Null;
    Style style = Style::Plain;
    bool bool_value = false;
    int64_t int_value = 0;
    uint64_t uint_value = 0;
    double double_value = 0;
    std::string text;               // String value, Error message
    std::vector<std::string> keys;  // Object keys, parallel to items
    std::vector<Value> items;       // Array elements, Object values

    static Value null() { return Value{}; }
    static Value boolean(bool b);
    static Value integer(int64_t v);
    static Value unsigned_integer(uint64_t v, Style style = Style::Plain);
    static Value floating(double v, Style style = Style::Plain);
    static Value string(std::string s, Style style = Style::Plain);
    static Value array();
    static Value object();
    static Value error(std::string message);

    // Object: append a member (keys keep insertion order). Array: append an element.
    void add(std::string key, Value v);
    void push(Value v);
    // Object lookup; nullptr if absent or not an object.
    const Value* get(std::string_view key) const;

    bool operator==(const Value&) const = default;
};

struct FormatOptions {
    // Total values produced before the rest is cut off (with an error node saying so):
    // a zero-sized element repeated 2^32 times must not exhaust memory.
    size_t max_nodes = 1u << 20;
};

// Formats `bytes` as a value of BTF type `type_id` (typedefs, qualifiers, VARs and
// DATASECs included: a DATASEC gives an object of its variables).
// A DATASEC's bytes no variable covers (clang puts unnamed constants there: a local array's
// initializer, a switch's jump table) are shown as one entry per uncovered run that holds a
// non-zero byte, keyed "(bytes 16-39)" (first and last offset) with the bytes as hex, so what
// is shown encodes back to the same bytes. All-zero runs are left out.
std::string unnamed_bytes_key(uint32_t first, uint32_t last);
// {first, last} of such a key; nullopt for any other name.
std::optional<std::pair<uint32_t, uint32_t>> parse_unnamed_bytes_key(std::string_view key);

Value format_value(const Btf& btf, uint32_t type_id, std::span<const uint8_t> bytes,
                   const FormatOptions& options = {});

// Compact JSON with keys in member order; the same tree always gives the same text.
// Error nodes are written as {"$error":"message"}; NaN and infinities as strings.
std::string to_json(const Value& v);

// C initializer syntax: { .saddr = 167772161, .name = "eth0", .pts = { { .x = 1 } } }.
// Error nodes become /* error: message */.
std::string to_c_text(const Value& v);

}  // namespace bpfplay
