// The current task's user memory (Host::user_memory) and the kernel's function symbols
// (Host::kernel_functions): the parts of the emulated host the tracing helpers reach.
#include <algorithm>
#include <cstring>
#include <string_view>

#include "core/host/host.hpp"

namespace bpfplay {

namespace {

std::vector<uint8_t> bytes_of(std::string_view text) { return {text.begin(), text.end()}; }

}  // namespace

std::vector<UserRegion> default_user_memory() {
    using namespace std::string_view_literals;
    // argv[0], argv[1], then the environment, each NUL-terminated, as execve(2) lays them out at
    // the top of the stack (mm->arg_start / env_start).
    return {{kDefaultArgvAddr, bytes_of("/usr/bin/bpfplay-demo\0--verbose\0HOME=/home/user\0PATH=/usr/bin:/bin\0"sv)},
            {kDefaultOpenatPathAddr, bytes_of("/etc/hostname\0"sv)}};
}

std::map<std::string, uint64_t> default_kernel_functions() {
    // do_sys_openat2 where the default kernel stack's innermost frame is; the rest at made-up
    // but distinct text addresses (a real kernel's differ with every build and boot).
    return {{"__x64_sys_execve", 0xffffffff813d6e90ull}, {"blk_mq_start_request", 0xffffffff81780a40ull},
            {"do_exit", 0xffffffff810c1f20ull},          {"do_nanosleep", 0xffffffff8214fa60ull},
            {"do_sys_openat2", 0xffffffff8140a1b0ull},   {"do_unlinkat", 0xffffffff81423f30ull},
            {"finish_task_switch", 0xffffffff81123c70ull}, {"inet_csk_accept", 0xffffffff81fb5a10ull},
            {"kernel_clone", 0xffffffff810b7bc0ull},     {"security_file_open", 0xffffffff816a3d50ull},
            {"tcp_close", 0xffffffff81fcf2c0ull},        {"tcp_connect", 0xffffffff81fd9b80ull},
            {"tcp_recvmsg", 0xffffffff81fc8e30ull},      {"tcp_sendmsg", 0xffffffff81fcb1a0ull},
            {"tcp_v4_connect", 0xffffffff81fe4d90ull},   {"vfs_open", 0xffffffff81404a50ull},
            {"vfs_read", 0xffffffff8140d6b0ull},         {"vfs_write", 0xffffffff8140dd40ull},
            {"wake_up_new_task", 0xffffffff8111a5f0ull}};
}

uint64_t Host::read_user(uint64_t addr, uint8_t* out, uint64_t len) const {
    uint64_t done = 0;
    while (done < len) {
        const uint64_t at = addr + done;
        if (at < addr) break;  // wrapped around the address space
        const UserRegion* hit = nullptr;
        for (const UserRegion& r : user_memory)
            if (at >= r.addr && at - r.addr < r.bytes.size()) hit = &r;
        if (!hit) break;
        const uint64_t n = std::min<uint64_t>(len - done, hit->bytes.size() - (at - hit->addr));
        std::memcpy(out + done, hit->bytes.data() + (at - hit->addr), n);
        done += n;
    }
    return done;
}

UserRegion* Host::user_region(uint64_t addr, uint64_t len) {
    for (UserRegion& r : user_memory)
        if (addr >= r.addr && addr - r.addr <= r.bytes.size() && len <= r.bytes.size() - (addr - r.addr)) return &r;
    return nullptr;
}

}  // namespace bpfplay
