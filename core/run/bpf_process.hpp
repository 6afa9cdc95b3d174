#pragma once
// The user process behind a session: the one that loaded the object (libbpf's
// bpf_object__load) and calls BPF_PROG_TEST_RUN. In the kernel, the file descriptors a
// syscall program gets from bpf_sys_bpf land in this process's fd table, live on after the
// run (a light skeleton's loader hands them to user space that way) and are closed with
// bpf_sys_close or close(2). bpfplay keeps that table here, one per ObjectSession, so fds
// persist from run to run as they do in the kernel.
//
// The numbering follows the kernel and libbpf: 0, 1 and 2 are stdin, stdout and stderr (open
// files that are no bpf objects: closing one succeeds, and its number is then the next one
// handed out); a new fd is the lowest free number; the object's own objects are opened in
// libbpf's order when the session opens: its BTF (when it has a .BTF section), then its maps
// (a map of maps' inner map is created first and closed after the outer map, so its fd is
// taken meanwhile and reused next), then its programs. A process that opened nothing else
// before loading gets the same numbers from libbpf (tests/kernel/kernel_run does: a syscall
// program can be handed the fd of one of its object's maps in its context); a process holding
// other fds gets others.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/loader/prog_types.hpp"

namespace bpfplay {

class Btf;

enum class BpfObjectKind : uint8_t {
    File,    // not a bpf object: stdin, stdout, stderr (index 0, 1, 2)
    Map,     // index: the map's id in the session's MapSet
    Program, // index: the program's index in LoadedObject::programs
    Btf,     // index: into BpfProcess::btfs
};
const char* bpf_object_kind_name(BpfObjectKind kind); // "file", "map", "program", "BTF"

// One open file descriptor. Map fds carry the file mode they were opened with: BPF_F_RDONLY
// at creation (or in BPF_MAP_GET_FD_BY_ID's open_flags) gives a read-only fd, BPF_F_WRONLY a
// write-only one (bpf_get_file_flag); the kernel checks the fd's mode, not the map's flags.
struct BpfFd {
    BpfObjectKind kind = BpfObjectKind::Map;
    uint32_t index = 0;
    bool can_read = true;
    bool can_write = true;
    friend bool operator==(const BpfFd&, const BpfFd&) = default;
};

class BpfFdTable {
  public:
    // RLIMIT_NOFILE's usual soft limit: opening past it fails with -EMFILE.
    static constexpr int64_t kMaxFds = 1024;

    BpfFdTable(); // stdin, stdout and stderr open

    // The lowest free fd, or -EMFILE when every fd below kMaxFds is taken.
    int64_t open(const BpfFd& fd);
    // close(2): 0, or -EBADF for an fd that is not open.
    int64_t close(int64_t fd);
    const BpfFd* get(int64_t fd) const;
    // True when some open fd refers to map `id`.
    bool holds_map(uint32_t id) const;
    const std::map<int64_t, BpfFd>& open_fds() const { return fds_; }
    friend bool operator==(const BpfFdTable&, const BpfFdTable&) = default;

  private:
    std::map<int64_t, BpfFd> fds_;
};

// What the process holds: its fds, the BTF objects they may name, and how many of the
// session's maps the object itself defined (maps with higher ids were created by
// bpf_sys_bpf(BPF_MAP_CREATE) during runs).
struct BpfProgramInfo {
    std::string name;
    ProgType type = ProgType::Unspec;
    AttachType attach = AttachType(0);
    friend bool operator==(const BpfProgramInfo&, const BpfProgramInfo&) = default;
};

struct BpfProcess {
    BpfFdTable fds;
    // The object's programs by index (what a Program fd's index names).
    std::vector<BpfProgramInfo> programs;
    // BTF objects: [0] is the object's own .BTF (null when it has none); BPF_BTF_LOAD appends.
    std::vector<std::shared_ptr<const Btf>> btfs;
    uint32_t object_maps = 0;
    friend bool operator==(const BpfProcess&, const BpfProcess&) = default;
};

// The id the kernel would give map `id` of a session (BPF_MAP_GET_FD_BY_ID, bpf_map_info):
// kernel ids start at 1, bpfplay's map ids at 0.
constexpr uint32_t kernel_map_id(uint32_t map_id) {
    return map_id + 1;
}

} // namespace bpfplay
