#pragma once
// The user's side of maps as bpf(2) gives it, one command a line, for `bpfvm debug` (the `map`
// command, and so its --batch files) and the page's map command line (Playground.map_command).
// Every command goes through the map's user-space operations (core/maps/map.hpp,
// map_batch.hpp) and answers with what the syscall returns: 0 or the kernel's errno.
//
//   lookup MAP KEY                 getnext MAP [KEY]            dump MAP
//   update MAP KEY VALUE [any|noexist|exist]                    delete MAP KEY
//   lookup_and_delete MAP KEY      push MAP VALUE [exist]       pop MAP      peek MAP
//   freeze MAP
//   lookup_batch MAP COUNT [TOKEN]              lookup_and_delete_batch MAP COUNT [TOKEN]
//   update_batch MAP KEY VALUE [KEY VALUE ...]  delete_batch MAP KEY [KEY ...]
//   help                           (these lines)
//
// KEY, VALUE and TOKEN are hex bytes without spaces ("06000000"); a per-CPU map's VALUE is every
// CPU's value, each 8-byte aligned, as user space passes it. A command that changes a map
// forgets the run's history, as the page's map edits do (stepping back stops there).
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/debugger/debug_session.hpp"

namespace bpfplay {

struct MapCommandResult {
    int64_t ret = 0;                 // 0 or -errno, as the syscall returns it
    std::vector<std::string> lines;  // the answer: "lookup: 0", then keys and values
    bool changed = false;            // the command changed a map
};

// Errors (ErrorKind::Parse or Map) are for what bpf(2) could not even be asked: an unknown
// command or map, hex that does not read, a key of the wrong size.
Result<MapCommandResult> run_map_command(DebugSession& session, std::string_view line);

// {"ret":0,"errno":"","lines":["lookup: 0", ...],"changed":false}
void to_json(class JsonWriter& w, const MapCommandResult& r);

// The command list above, for help texts.
extern const char kMapCommandHelp[];

}  // namespace bpfplay
