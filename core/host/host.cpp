#include "core/host/host.hpp"

#include <algorithm>

namespace bpfplay {

std::array<char, kTaskCommLen> Task::comm_from(std::string_view name) {
    std::array<char, kTaskCommLen> out{};  // zero-filled: the terminator and the padding
    size_t len = std::min(name.size(), kTaskCommLen - 1);
    // The kernel cuts a long name after 15 bytes, even inside a UTF-8 character; here the cut
    // moves back to the character's start, so the host document that names the task (UTF-8
    // JSON) can always be written and read back as it was.
    if (len < name.size()) {
        size_t start = len;
        while (start > 0 && (uint8_t(name[start]) & 0xc0) == 0x80) --start;  // inside a character
        len = start;
    }
    std::copy_n(name.begin(), len, out.begin());
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

std::map<std::string, std::string> default_kconfig() {
    // KERNEL_VERSION(a, b, c) = (a << 16) + (b << 8) + min(c, 255), as libbpf computes it.
    constexpr uint32_t kVersion = (6u << 16) + (18u << 8) + 0;
    return {
        {"LINUX_KERNEL_VERSION", std::to_string(kVersion)},
        {"LINUX_HAS_BPF_COOKIE", "y"},
        {"LINUX_HAS_SYSCALL_WRAPPER", "y"},
        {"CONFIG_64BIT", "y"},
        {"CONFIG_X86_64", "y"},
        {"CONFIG_SMP", "y"},
        {"CONFIG_NR_CPUS", "8192"},
        {"CONFIG_HZ", "250"},
        {"CONFIG_HZ_250", "y"},
        {"CONFIG_PREEMPT_VOLUNTARY", "y"},
        {"CONFIG_BPF", "y"},
        {"CONFIG_BPF_SYSCALL", "y"},
        {"CONFIG_BPF_JIT", "y"},
        {"CONFIG_BPF_JIT_ALWAYS_ON", "y"},
        {"CONFIG_BPF_EVENTS", "y"},
        {"CONFIG_BPF_LSM", "y"},
        {"CONFIG_BPF_PRELOAD", "y"},
        {"CONFIG_BPF_PRELOAD_UMD", "m"},
        {"CONFIG_DEBUG_INFO_BTF", "y"},
        {"CONFIG_DEBUG_INFO_BTF_MODULES", "y"},
        {"CONFIG_CGROUPS", "y"},
        {"CONFIG_CGROUP_BPF", "y"},
        {"CONFIG_NET", "y"},
        {"CONFIG_INET", "y"},
        {"CONFIG_IPV6", "y"},
        {"CONFIG_NET_SCH_INGRESS", "m"},
        {"CONFIG_KPROBES", "y"},
        {"CONFIG_UPROBES", "y"},
        {"CONFIG_FTRACE", "y"},
        {"CONFIG_FUNCTION_TRACER", "y"},
        {"CONFIG_KALLSYMS", "y"},
        {"CONFIG_PAGE_OFFSET", "0xffff888000000000"},
        {"CONFIG_PGTABLE_LEVELS", "5"},
        {"CONFIG_DEFAULT_HOSTNAME", "\"(none)\""},
        {"CONFIG_LOCALVERSION", "\"\""},
    };
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
