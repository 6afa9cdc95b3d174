#pragma once
// The helper catalog (core/helpers/helper_catalog.hpp) joined with what bpfplay implements
// (core/run/kernel_helpers.hpp), as people and programs read it: `bpfvm helpers`, the README's
// coverage table (tools/helper_catalog/gen_readme_table.py reads the JSON) and the page.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace bpfplay {

// "bpf_map_lookup_elem", "map_lookup_elem" or "1" -> 1. An error names what was asked and,
// when the text is part of some helpers' names, those helpers.
Result<int32_t> find_helper(std::string_view name_or_id);

// Where a helper may be called, in few words: "all 30 program types", "xdp, sched_cls",
// "all but xdp, socket_filter" or "17 program types"; "no program type" for helpers only
// types bpfplay was not told about may call.
std::string helper_prog_types_summary(int32_t id);

// One helper as one line of `bpfvm helpers`:
// "  1 bpf_map_lookup_elem           yes  -    map_value or NULL (map, map_key)  all 30 program types"
std::string helper_line(int32_t id);
// The header `bpfvm helpers` prints above the lines (counts, then the column names).
std::string helper_lines_header();

// One helper in full (`bpfvm helpers NAME`): its C signature, what bpfplay and the kernel say
// about it (implemented, GPL only, arguments, return, program types), then linux/bpf.h's
// description and return documentation.
std::string helper_details(int32_t id);

// {"id":1,"name":"bpf_map_lookup_elem","signature":"void *bpf_map_lookup_elem(...)",
//  "args":[{"reg":"r1","kind":"map","description":"map"},..],"ret":"map_value","ret_maybe_null":true,
//  "gpl_only":false,"prog_types":["socket_filter",..],"prog_types_summary":"all 30 program types",
//  "implemented":true}
// With `docs`, also "description" and "returns" (linux/bpf.h's text).
std::string helper_json(int32_t id, bool docs = false);
// Every helper, one object a line: "[\n{..},\n{..}\n]".
std::string helpers_json();

// How many of the catalog's helpers bpfplay implements.
int32_t implemented_helper_count();

} // namespace bpfplay
