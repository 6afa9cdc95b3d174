#pragma once
// The inverse of the BTF value printer (btf_value.hpp, to_json): a JSON value of the shape the
// printer writes -> the bytes of a BTF type, so a learner can edit a map entry as a C value
// instead of as hex. Whatever to_json writes reads back to the same bytes.
//
// Accepted, per type:
//   int      a JSON number, or a string holding a decimal ("-12", "18446744073709551615") or
//            hex ("0x1f") integer, so 64-bit values survive JavaScript's doubles. It must fit
//            the type: 70000 does not fit __u16, -1 does not fit an unsigned type.
//            bool: true/false (or 0/1). 128-bit: "0x..." (the raw bits) or a number.
//   enum     an enumerator's name ("BLUE") or a number.
//   float    a number, or "nan", "inf", "-inf"; floats of other sizes: "0x..." (their bits).
//   pointer  "0x..." (as the printer writes them) or a number.
//   array    a JSON array of at most nelems elements; a char array also a string shorter than
//            the array (its NUL must fit).
//   struct   an object of member names; members of anonymous struct/union members by their
//            own names, as the printer flattens them. A union's members may be given together
//            (the printer shows them all) only when they agree on the bytes they share.
//   bitfield the field's value, range-checked against its width; enum bitfields by name.
//   DATASEC  an object of variable names (global data maps).
// Missing members, variables and trailing array elements are zero, as in a C initializer
// (`{ .sport = 80 }` leaves the other members 0): an entry can be written from scratch by naming
// only what matters. Anything else is an error (ErrorKind::Parse) whose message starts with the
// path of the offending value: `value.sport: 70000 does not fit in __u16 (0 to 65535)`,
// `value: unknown field "foo" (struct flow_key has saddr, daddr, sport, dport, proto)`.
#include <cstdint>
#include <string_view>
#include <vector>

#include "core/btf/btf.hpp"
#include "core/error.hpp"
#include "core/json/json.hpp"

namespace bpfplay {

// `root` names the whole value in messages ("key", "value").
Result<std::vector<uint8_t>> encode_value(const Btf& btf, uint32_t type_id, const JsonValue& value,
                                          std::string_view root = "value");

// The same from JSON text; a syntax error is reported as `value: line 1: column 9: ...`.
Result<std::vector<uint8_t>> encode_value_json(const Btf& btf, uint32_t type_id, std::string_view json_text,
                                               std::string_view root = "value");

} // namespace bpfplay
