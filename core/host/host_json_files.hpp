#pragma once
// The host JSON member for the current task's open files (host_json.hpp lists the rest):
//
//   "open_files": [{"fd": 0, "path": "/dev/pts/0"}, {"fd": 1, "path": "/dev/pts/0"},
//                  {"fd": 4, "socket": 0}]
//
// One object per descriptor, as /proc/<pid>/fd lists them: fd (0 to 1023, ascending, each once)
// and either path (an absolute path) or socket (the index of one of the host's sockets). A list
// replaces the default table (core/host/host_files.hpp) whole; it is written only when it
// differs from it.
#include <optional>
#include <vector>

#include "core/host/host_files.hpp"
#include "core/host/host_json_tunnel.hpp"

namespace bpfplay {

// Reads "open_files" of the host document `doc` into `out` when present; `sockets` is how many
// sockets the host has (a descriptor's socket must be one of them).
std::optional<HostJsonProblem> read_open_files_member(const JsonValue& doc, size_t sockets,
                                                      std::vector<HostOpenFile>& out);
// Writes it when it differs from default_open_files().
void write_open_files_member(JsonWriter& w, const std::vector<HostOpenFile>& files);

}  // namespace bpfplay
