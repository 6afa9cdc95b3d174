#pragma once
// An Error as JSON, the one shape every user of core reads (the page, `bpfvm --json`):
// {"kind","what","hint","pc","address","line","section","map","source","message"}, absent fields
// omitted; "address" is a hex string (JavaScript would round a 64-bit number), "source" the C
// line ("prog.c:42"), "message" the whole sentence (Error::to_string).
#include <string>

#include "core/error.hpp"
#include "core/json/json_writer.hpp"

namespace bpfplay {

void to_json(JsonWriter& w, const Error& error);
std::string error_json(const Error& error);

}  // namespace bpfplay
