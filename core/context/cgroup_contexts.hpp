#pragma once
// The contexts of cgroup programs that run inside a system call: struct bpf_sysctl
// (cgroup/sysctl), struct bpf_sockopt (cgroup/getsockopt, cgroup/setsockopt), struct
// bpf_sock_addr (cgroup/connect4, bind6, sendmsg4 ...) and struct bpf_cgroup_dev_ctx
// (cgroup/dev). Each refuses loads and stores as the kernel's *_is_valid_access does for the
// program's expected attach type, and keeps what the kernel keeps beside the struct for the
// run: the retval the system call will return (struct bpf_cg_run_ctx.retval, which
// bpf_get_retval / bpf_set_retval and bpf_sockopt.retval share) and, for sysctl, the new value.
#include <array>
#include <cstdint>
#include <memory>
#include <string>

#include "core/context/field_context.hpp"
#include "core/loader/prog_types.hpp"

namespace bpfplay {

namespace bpf_sysctl {
constexpr uint32_t kWrite = 0, kFilePos = 4, kSize = 8;
}
namespace bpf_cgroup_dev_ctx {
constexpr uint32_t kAccessType = 0, kMajor = 4, kMinor = 8, kSize = 12;
}
namespace bpf_sockopt {
constexpr uint32_t kSk = 0, kOptval = 8, kOptvalEnd = 16, kLevel = 24, kOptname = 28, kOptlen = 32, kRetval = 36,
                   kSize = 40;
}
namespace bpf_sock_addr {
constexpr uint32_t kUserFamily = 0, kUserIp4 = 4, kUserIp6 = 8, kUserPort = 24, kFamily = 28, kType = 32,
                   kProtocol = 36, kMsgSrcIp4 = 40, kMsgSrcIp6 = 44, kSk = 64, kSize = 72;
}

// What a cgroup program's run keeps outside its context struct, and the kernel's access rules.
class CgroupContext : public FieldContext {
public:
    // The kernel's is_valid_access for one struct: true when the access is allowed, else false
    // with the reason in `why`.
    using Rule = bool (*)(uint32_t off, uint32_t size, bool write, AttachType attach, std::string& why);

    CgroupContext(std::string struct_name, std::vector<ContextField> fields, uint32_t size, Rule rule,
                  AttachType attach);

    bool load(uint32_t off, uint32_t size, uint64_t& value, std::string& why) override;
    bool store(uint32_t off, uint32_t size, uint64_t value, std::string& why) override;

    AttachType attach() const { return attach_; }

    // bpf_cg_run_ctx.retval: what the system call returns (0, or -EPERM once a program returned
    // 0). bpf_sockopt keeps it in its retval field; the others beside the struct. Helpers that
    // change it journal retval_bytes() first.
    int32_t retval() const;
    void set_retval(int32_t v);
    std::span<uint8_t> retval_bytes();

    // cgroup/sysctl: the new value the writer passes (bpf_sysctl_kern.new_val, at most a page)
    // and whether bpf_sysctl_set_new_value replaced it.
    struct SysctlValue {
        std::array<char, 4096> bytes{};
        uint32_t len = 0;
        uint8_t updated = 0;
    };
    SysctlValue& sysctl_value() { return sysctl_value_; }
    const SysctlValue& sysctl_value() const { return sysctl_value_; }

    // The context's struct fields as they were when the run began (what the exit report
    // compares with: a rewritten address, a changed optlen).
    const std::vector<uint8_t>& initial() const { return initial_; }
    void keep_initial() { initial_ = bytes(); }

    // bpf_sockopt: the option buffer's size (max_optlen: optval_end - optval) and, for
    // setsockopt, the caller's optlen.
    int32_t max_optlen = 0;
    int32_t user_optlen = 0;

private:
    Rule rule_;
    AttachType attach_;
    int32_t retval_ = 0;  // all but bpf_sockopt
    SysctlValue sysctl_value_;
    std::vector<uint8_t> initial_;
};

std::unique_ptr<CgroupContext> make_bpf_sysctl();
std::unique_ptr<CgroupContext> make_bpf_cgroup_dev_ctx();
// getsockopt (attach CgroupGetsockopt) may write retval; setsockopt may write level and optname.
std::unique_ptr<CgroupContext> make_bpf_sockopt(AttachType attach);
// user_ip4 for the IPv4 attach types, user_ip6 for the IPv6 ones, msg_src_ip4/6 for sendmsg4/6.
std::unique_ptr<CgroupContext> make_bpf_sock_addr(AttachType attach);

// struct bpf_sock for cgroup/sock_create and sock_release (bound_dev_if, mark and priority
// writable) and post_bind4/6 (src_ip4 or src_ip6 and src_port readable).
std::unique_ptr<CgroupContext> make_cgroup_bpf_sock(AttachType attach);

// The program's cgroup context at `addr` (r1 at entry), or nullptr.
CgroupContext* cgroup_context_at(const class Memory& memory, uint64_t addr);

}  // namespace bpfplay
