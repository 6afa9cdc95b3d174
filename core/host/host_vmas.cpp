// The default memory map of the current task, and the vm_flags and lookups bpf_find_vma needs.
#include "core/host/host_vmas.hpp"

namespace bpfplay {

std::vector<HostVma> default_vmas() {
    const std::string exe = "/usr/bin/bpfplay-demo", libc = "/usr/lib/x86_64-linux-gnu/libc.so.6";
    // The binary's segments (headers, text, read-only data, data with the openat path at
    // 0x55d0c4a03010), a heap after a randomized gap, glibc 2.35's segments, its bss, the stack
    // holding argv at 0x7ffd5e3c1f00, then vvar and vdso above it.
    return {{0x55d0c4a00000ull, 0x55d0c4a01000ull, "r--p", 0, exe},
            {0x55d0c4a01000ull, 0x55d0c4a02000ull, "r-xp", 1, exe},
            {0x55d0c4a02000ull, 0x55d0c4a03000ull, "r--p", 2, exe},
            {0x55d0c4a03000ull, 0x55d0c4a04000ull, "rw-p", 3, exe},
            {0x55d0c5f1e000ull, 0x55d0c5f3f000ull, "rw-p", 0, "[heap]"},
            {0x7f8e5a000000ull, 0x7f8e5a028000ull, "r--p", 0, libc},
            {0x7f8e5a028000ull, 0x7f8e5a1bd000ull, "r-xp", 0x28, libc},
            {0x7f8e5a1bd000ull, 0x7f8e5a215000ull, "r--p", 0x1bd, libc},
            {0x7f8e5a215000ull, 0x7f8e5a219000ull, "r--p", 0x214, libc},
            {0x7f8e5a219000ull, 0x7f8e5a21b000ull, "rw-p", 0x218, libc},
            {0x7f8e5a21b000ull, 0x7f8e5a228000ull, "rw-p", 0, ""},
            {0x7ffd5e3a2000ull, 0x7ffd5e3c3000ull, "rw-p", 0, "[stack]"},
            {0x7ffd5e3f0000ull, 0x7ffd5e3f4000ull, "r--p", 0, "[vvar]"},
            {0x7ffd5e3f4000ull, 0x7ffd5e3f6000ull, "r-xp", 0, "[vdso]"}};
}

std::optional<uint64_t> vm_flags_of(const HostVma& vma) {
    // include/linux/mm.h
    constexpr uint64_t kRead = 0x1, kWrite = 0x2, kExec = 0x4, kShared = 0x8, kMayRead = 0x10, kMayWrite = 0x20,
                       kMayExec = 0x40, kMayShare = 0x80, kGrowsDown = 0x100;
    const std::string_view p = vma.perms;
    if (p.size() != 4 || (p[0] != 'r' && p[0] != '-') || (p[1] != 'w' && p[1] != '-') ||
        (p[2] != 'x' && p[2] != '-') || (p[3] != 'p' && p[3] != 's'))
        return std::nullopt;
    uint64_t flags = kMayRead | kMayWrite | kMayExec;
    if (p[0] == 'r') flags |= kRead;
    if (p[1] == 'w') flags |= kWrite;
    if (p[2] == 'x') flags |= kExec;
    if (p[3] == 's') flags |= kShared | kMayShare;
    if (vma.file == "[stack]") flags |= kGrowsDown;
    return flags;
}

std::optional<uint32_t> vma_holding(const std::vector<HostVma>& vmas, uint64_t addr) {
    // find_vma: the first area ending above addr; bpf_find_vma then wants it to start at or below.
    for (uint32_t i = 0; i < vmas.size(); ++i)
        if (vmas[i].end > addr) return vmas[i].start <= addr ? std::optional(i) : std::nullopt;
    return std::nullopt;
}

}  // namespace bpfplay
