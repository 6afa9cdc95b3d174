#pragma once
// The bpf(2) commands a BPF_PROG_TYPE_SYSCALL program issues through bpf_sys_bpf (helper 166),
// as Linux 6.18's __sys_bpf runs them for a kernel caller (KERNEL_BPFPTR): the attr bytes come
// from the program's memory, pointers inside them are read with copy_from_kernel_nofault (a
// pointer the program cannot read is -EFAULT, as for the kernel), and fds live in the
// session's process (core/run/bpf_process.hpp).
//
// bpf_sys_bpf only lets through BPF_MAP_CREATE, BPF_MAP_DELETE_ELEM, BPF_MAP_UPDATE_ELEM,
// BPF_MAP_FREEZE, BPF_MAP_GET_FD_BY_ID, BPF_PROG_LOAD, BPF_BTF_LOAD, BPF_LINK_CREATE and
// BPF_RAW_TRACEPOINT_OPEN; every other command (lookups and BPF_PROG_TEST_RUN among them) is
// -EINVAL. What bpfplay implements of each:
//   BPF_MAP_CREATE        fully: map_create's checks in the kernel's order (core/maps/map_spec.cpp
//                         for the per-type ones), BTF key/value checks against a BTF fd, a new
//                         map in the session's MapSet and a new fd.
//   BPF_MAP_UPDATE_ELEM,  fully, fds as values of prog arrays and maps of maps included.
//   BPF_MAP_DELETE_ELEM,
//   BPF_MAP_FREEZE,
//   BPF_MAP_GET_FD_BY_ID  map ids are kernel_map_id(bpfplay id).
//   BPF_BTF_LOAD          the attr checks, then bpfplay's BTF parser and validation (not the
//                         kernel's; its log buffer is left untouched): a BTF fd MAP_CREATE takes.
//   BPF_PROG_LOAD         the kernel's errors for malformed attrs (flags, insn_cnt, unreadable
//                         insns or license, program type, name, attach fds); a well-formed
//                         request stops the run: bpfplay does not load programs at run time.
//   BPF_LINK_CREATE,      the errors the kernel gives before attaching (bad fds, program types
//   BPF_RAW_TRACEPOINT_OPEN  that cannot be linked or named from a kernel caller); attaching
//                         itself stops the run: bpfplay has no attach points.
#include <cstdint>
#include <string>
#include <vector>

namespace bpfplay {

class Map;
class MapSet;
class Vm;
struct BpfProcess;
struct HelperEnv;

// enum bpf_cmd, the numbers bpfplay names.
namespace bpf_cmd {
constexpr uint32_t kMapCreate = 0, kMapLookupElem = 1, kMapUpdateElem = 2, kMapDeleteElem = 3,
                   kMapGetNextKey = 4, kProgLoad = 5, kProgTestRun = 10, kMapGetFdById = 14,
                   kRawTracepointOpen = 17, kBtfLoad = 18, kLinkCreate = 28, kMapFreeze = 22;
}
// __MAX_BPF_CMD in Linux 6.18 (BPF_PROG_STREAM_READ_BY_FD is the last command).
constexpr uint32_t kBpfCmdCount = 38;
// "BPF_MAP_CREATE"; "command 99" past the kernel's last command.
std::string bpf_cmd_name(uint64_t cmd);

// sizeof(union bpf_attr) in Linux 6.18 (measured: bpf(2) answers E2BIG for a non-zero byte
// at offset 168 and beyond).
constexpr uint32_t kBpfAttrSize = 168;

// True for the commands bpf_sys_bpf passes on to __sys_bpf.
bool sys_bpf_allows(uint64_t cmd);

// Runs an allowed command. `attr` is the attr as __sys_bpf sees it: the program's bytes,
// zero-filled to kBpfAttrSize. Returns r0 and says in `event` what the kernel did (one
// sentence, for the host's event log). Stops the run (vm.helper_fail) where bpfplay cannot do
// what the kernel would.
int64_t run_sys_bpf(Vm& vm, HelperEnv& env, uint32_t cmd, const uint8_t* attr, std::string& event);

// Whether the kernel still has map `id`: the object's own maps always (libbpf holds their
// fds); a map bpf_sys_bpf created while an fd or a map of maps holds it. Once nothing does,
// the kernel frees it (bpfplay keeps it in the MapSet to show, but BPF_MAP_GET_FD_BY_ID no
// longer finds it).
bool bpf_map_alive(const BpfProcess& proc, const MapSet& maps, uint32_t id);

// The maps a bpf_sys_bpf call with these arguments (r1..r3) may change, for the debugger's
// undo record: the map an update, delete or freeze names by fd.
std::vector<Map*> maps_sys_bpf_may_change(const Vm& vm, const HelperEnv& env, const uint64_t args[5]);

} // namespace bpfplay
