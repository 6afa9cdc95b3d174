#include "core/host/host.hpp"

#include <algorithm>

namespace bpfplay {

std::array<char, kTaskCommLen> Task::comm_from(std::string_view name) {
    std::array<char, kTaskCommLen> out{};  // zero-filled: the terminator and the padding
    std::copy_n(name.begin(), std::min(name.size(), kTaskCommLen - 1), out.begin());
    return out;
}

std::string_view Task::comm_view() const {
    const auto end = std::find(comm.begin(), comm.end(), '\0');
    return std::string_view(comm.data(), size_t(end - comm.begin()));
}

// All clock arithmetic is unsigned, so a huge setting wraps (as a u64 counter would) rather
// than overflowing.
uint64_t Host::ktime_ns(uint64_t executed) const { return clock_start_ns + executed * ns_per_insn; }

uint64_t Host::boot_ns(uint64_t executed) const { return ktime_ns(executed) + boot_offset_ns; }

uint64_t Host::tai_ns(uint64_t executed) const { return ktime_ns(executed) + tai_offset_ns; }

uint64_t Host::tick_ns() const {
    const uint64_t h = hz ? hz : 250;
    return (1'000'000'000ull + h / 2) / h;  // TICK_NSEC
}

uint64_t Host::coarse_ns(uint64_t executed) const {
    const uint64_t t = ktime_ns(executed);
    return t - t % tick_ns();
}

uint64_t Host::initial_jiffies() const {
    const uint32_t h = hz ? hz : 250;
    return uint32_t(0u - 300u * h);  // (unsigned long)(unsigned int)(-300 * HZ)
}

uint64_t Host::jiffies64(uint64_t executed) const { return initial_jiffies() + ktime_ns(executed) / tick_ns(); }

// Addresses as a 6.x x86-64 kernel (text from 0xffffffff81000000) and a PIE binary with glibc
// would show them.
std::vector<StackFrame> default_kernel_stack() {
    return {{0xffffffff8140a1b0ull, "do_sys_openat2+0x0"},
            {0xffffffff8140a6f5ull, "__x64_sys_openat+0x55"},
            {0xffffffff8210c2bbull, "do_syscall_64+0x5b"},
            {0xffffffff82200130ull, "entry_SYSCALL_64_after_hwframe+0x76"}};
}

std::vector<HostCgroup> default_cgroups() {
    return {{1, "/"},
            {2, "/system.slice"},
            {3, "/user.slice"},
            {4, "/user.slice/user-1000.slice"},
            {5, "/user.slice/user-1000.slice/session-2.scope"}};
}

const HostCgroup* Host::cgroup(uint64_t id) const {
    for (const HostCgroup& c : cgroups)
        if (c.id == id) return &c;
    return nullptr;
}

bool Host::cgroup_under(uint64_t id, uint64_t ancestor_id) const {
    const HostCgroup* c = cgroup(id);
    const HostCgroup* a = cgroup(ancestor_id);
    if (!c || !a) return false;
    if (a->path == "/" || c->path == a->path) return true;
    return c->path.size() > a->path.size() && c->path.compare(0, a->path.size(), a->path) == 0 &&
           c->path[a->path.size()] == '/';
}

std::vector<StackFrame> default_user_stack() {
    return {{0x00007f8e5a114887ull, "__libc_open64+0x57"},
            {0x000055d0c4a01264ull, "main+0x44"},
            {0x00007f8e5a029d90ull, "__libc_start_call_main+0x80"},
            {0x00007f8e5a029e40ull, "__libc_start_main+0x80"},
            {0x000055d0c4a010a5ull, "_start+0x25"}};
}

}  // namespace bpfplay
