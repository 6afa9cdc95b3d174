#pragma once
// The host JSON member for the current task's memory map (host_json.hpp lists the rest):
//
//   "vmas": [{"start": "0x55d0c4a00000", "end": "0x55d0c4a01000", "flags": "r--p", "pgoff": 0,
//             "file": "/usr/bin/bpfplay-demo"},
//            {"start": "0x7ffd5e3a2000", "end": "0x7ffd5e3c3000", "flags": "rw-p", "file": "[stack]"}]
//
// One object per line of /proc/<pid>/maps: start and end page aligned (numbers or hex strings),
// in ascending order, not overlapping, below 0x7ffffffff000; flags as maps' permissions ("r-xp",
// "rw-s"); pgoff (default 0) the file offset in pages; file (default "", anonymous) an absolute
// path, or a name in brackets ("[heap]") for an anonymous mapping maps names. A list replaces
// the default map (core/host/host_vmas.hpp) whole; it is written only when it differs from it.
#include <cstdint>
#include <optional>
#include <vector>

#include "core/host/host_json_tunnel.hpp"
#include "core/host/host_vmas.hpp"

namespace bpfplay {

// An address: a number, or a hex string like "0x7ffd5e3c1f00" (JavaScript numbers hold only 53 bits).
std::optional<uint64_t> host_json_address(const JsonValue& v);

// Reads "vmas" of the host document `doc` into `out` when present.
std::optional<HostJsonProblem> read_vmas_member(const JsonValue& doc, std::vector<HostVma>& out);
// Writes it when it differs from default_vmas().
void write_vmas_member(JsonWriter& w, const std::vector<HostVma>& vmas);

}  // namespace bpfplay
