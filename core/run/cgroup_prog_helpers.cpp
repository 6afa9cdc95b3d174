// The helpers of cgroup programs that run inside a system call, as kernel/bpf/cgroup.c and
// net/core/filter.c define them: bpf_sysctl_get_name, bpf_sysctl_get_current_value,
// bpf_sysctl_get_new_value, bpf_sysctl_set_new_value (cgroup/sysctl), bpf_get_retval and
// bpf_set_retval (the system call's return value, struct bpf_cg_run_ctx.retval) and bpf_bind
// (cgroup/connect4 and connect6). Which program types may call which is the catalog's rule,
// checked at load; the run's state they share lives in the context (cgroup_contexts.hpp), and
// each change is journaled so reverse stepping undoes it.
#include "core/run/cgroup_prog_helpers.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "core/context/cgroup_contexts.hpp"
#include "core/helpers/helper_env.hpp"
#include "core/host/helper_support.hpp"
#include "core/host/host.hpp"
#include "core/maps/map_abi.hpp"
#include "core/run/uapi_consts.hpp"
#include "core/vm.hpp"

namespace bpfplay {

namespace {

constexpr uint64_t kSysctlBaseName = 1;  // BPF_F_SYSCTL_BASE_NAME
using uapi::kPageSize;

// The context r1 points at, or nullptr after stopping the run (the verifier checks r1 is the
// context: ARG_PTR_TO_CTX).
CgroupContext* ctx_arg(Vm& vm, const char* helper, uint64_t r1, const char* struct_name) {
    CgroupContext* c = cgroup_context_at(vm.memory(), r1);
    if (!c || c->struct_name() != struct_name) {
        vm.helper_fail(make_error(ErrorKind::Helper, std::string(helper) + ": r1 must be the program's context (struct " +
                                                         struct_name + " *), as the kernel's verifier requires"));
        return nullptr;
    }
    return c;
}

// Saves bytes a helper is about to change, so stepping back restores them.
void journal(Vm& vm, void* p, size_t n) {
    if (Journal* j = vm.journal()) j->mem(static_cast<uint8_t*>(p), 0, n);
}

uint8_t* out_buf(Vm& vm, const char* helper, uint64_t addr, uint32_t len) {
    uint8_t* p = vm.memory().helper_ptr(addr, len, /*write=*/true);
    if (!p && len) fail_helper_access(vm, helper, addr, len, Access::HelperWrite);
    return p;
}

// The kernel's strscpy: at most len - 1 bytes and a NUL; -E2BIG when `src` does not fit
// (the bytes that fit are copied, NUL-terminated), else the length copied.
int64_t strscpy(uint8_t*& dst, uint32_t& len, std::string_view src) {
    if (len == 0) return -kerrno::kE2BIG;
    const size_t n = std::min<size_t>(src.size(), len - 1);
    std::memcpy(dst, src.data(), n);
    dst[n] = 0;
    if (n < src.size()) return -kerrno::kE2BIG;
    dst += n;
    len -= uint32_t(n);
    return int64_t(n);
}

// bpf_sysctl_get_name: "net/ipv4/tcp_mem", or its base name "tcp_mem" with
// BPF_F_SYSCTL_BASE_NAME. A buffer too small holds what fitted, NUL-terminated, and the
// helper returns -E2BIG.
uint64_t sysctl_get_name(Vm& vm, uint64_t ctx, uint64_t buf, uint64_t buf_len, uint64_t flags, uint64_t) {
    constexpr const char* kName = "bpf_sysctl_get_name";
    if (!ctx_arg(vm, kName, ctx, "bpf_sysctl")) return 0;
    const Host* host = host_for(vm, kName);
    if (!host) return 0;
    uint32_t len = uint32_t(buf_len);
    uint8_t* p = out_buf(vm, kName, buf, len);
    if (!p && len) return 0;
    if (!buf) return helper_errno(kEINVAL);
    const std::string& name = host->sysctl.name;
    const size_t slash = name.rfind('/');
    const std::string_view base = slash == std::string::npos ? std::string_view(name) : std::string_view(name).substr(slash + 1);
    int64_t total = 0;
    if (!(flags & kSysctlBaseName) && slash != std::string::npos) {
        // sysctl_cpy_dir: each directory, then a slash.
        std::string_view dirs = std::string_view(name).substr(0, slash);
        for (size_t start = 0; start <= dirs.size();) {
            const size_t end = std::min(dirs.find('/', start), dirs.size());
            int64_t r = strscpy(p, len, dirs.substr(start, end - start));
            if (r < 0) return uint64_t(r);
            total += r;
            r = strscpy(p, len, "/");
            if (r < 0) return uint64_t(r);
            total += r;
            start = end + 1;
        }
    }
    const int64_t r = strscpy(p, len, base);
    return uint64_t(r < 0 ? r : total + r);
}

// copy_sysctl_value: the value and NULs to the end of the buffer, returning its length; a
// buffer too small gets what fits with its last byte NUL, and -E2BIG; no value: zeros, -EINVAL.
int64_t copy_sysctl_value(uint8_t* dst, uint32_t dst_len, const char* src, uint32_t src_len) {
    if (!dst) return -kEINVAL;
    if (!dst_len) return -kerrno::kE2BIG;
    if (!src || !src_len) {
        std::memset(dst, 0, dst_len);
        return -kEINVAL;
    }
    std::memcpy(dst, src, std::min(dst_len, src_len));
    if (dst_len > src_len) {
        std::memset(dst + src_len, 0, dst_len - src_len);
        return src_len;
    }
    dst[dst_len - 1] = 0;
    return -kerrno::kE2BIG;
}

uint64_t sysctl_get_current_value(Vm& vm, uint64_t ctx, uint64_t buf, uint64_t buf_len, uint64_t, uint64_t) {
    constexpr const char* kName = "bpf_sysctl_get_current_value";
    if (!ctx_arg(vm, kName, ctx, "bpf_sysctl")) return 0;
    const Host* host = host_for(vm, kName);
    if (!host) return 0;
    const uint32_t len = uint32_t(buf_len);
    uint8_t* p = out_buf(vm, kName, buf, len);
    if (!p && len) return 0;
    const std::string& v = host->sysctl.value;
    return uint64_t(copy_sysctl_value(buf ? p : nullptr, len, v.data(), uint32_t(v.size())));
}

uint64_t sysctl_get_new_value(Vm& vm, uint64_t ctx, uint64_t buf, uint64_t buf_len, uint64_t, uint64_t) {
    constexpr const char* kName = "bpf_sysctl_get_new_value";
    CgroupContext* c = ctx_arg(vm, kName, ctx, "bpf_sysctl");
    if (!c) return 0;
    const uint32_t len = uint32_t(buf_len);
    uint8_t* p = out_buf(vm, kName, buf, len);
    if (!p && len) return 0;
    if (!c->get_u32(bpf_sysctl::kWrite)) {
        // A read has no new value: the buffer is zeroed.
        if (buf && len) std::memset(p, 0, len);
        return helper_errno(kEINVAL);
    }
    const CgroupContext::SysctlValue& v = c->sysctl_value();
    return uint64_t(copy_sysctl_value(buf ? p : nullptr, len, v.len ? v.bytes.data() : nullptr, v.len));
}

// bpf_sysctl_set_new_value: only for a write that passes a value (the kernel has no buffer
// otherwise), at most a page less one byte.
uint64_t sysctl_set_new_value(Vm& vm, uint64_t ctx, uint64_t buf, uint64_t buf_len, uint64_t, uint64_t) {
    constexpr const char* kName = "bpf_sysctl_set_new_value";
    CgroupContext* c = ctx_arg(vm, kName, ctx, "bpf_sysctl");
    if (!c) return 0;
    const uint32_t len = uint32_t(buf_len);
    const uint8_t* p = helper_read(vm, kName, buf, len);
    if (!p && len) return 0;
    CgroupContext::SysctlValue& v = c->sysctl_value();
    if (!c->get_u32(bpf_sysctl::kWrite) || !v.len || !buf || !len) return helper_errno(kEINVAL);
    if (len > kPageSize - 1) return helper_errno(kerrno::kE2BIG);
    journal(vm, &v, sizeof v);
    std::memcpy(v.bytes.data(), p, len);
    v.len = len;
    v.updated = 1;
    return 0;
}

CgroupContext* retval_ctx(Vm& vm, const char* helper) {
    CgroupContext* c = cgroup_context_at(vm.memory(), window_base(window::kContext));
    if (!c)
        vm.helper_fail(make_error(ErrorKind::Helper,
                                  std::string(helper) + ": the run is not a cgroup program inside a system call "
                                                        "(sysctl, sockopt, sock_addr, dev), so there is no retval to "
                                                        "read or set here"));
    return c;
}

uint64_t get_retval(Vm& vm, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) {
    CgroupContext* c = retval_ctx(vm, "bpf_get_retval");
    return c ? uint64_t(int64_t(c->retval())) : 0;
}

// The value (an int) the system call returns unless a later program changes it; a program
// that then returns 0 keeps an error value here instead of -EPERM.
uint64_t set_retval(Vm& vm, uint64_t retval, uint64_t, uint64_t, uint64_t, uint64_t) {
    CgroupContext* c = retval_ctx(vm, "bpf_set_retval");
    if (!c) return 0;
    const std::span<uint8_t> bytes = c->retval_bytes();
    journal(vm, bytes.data(), bytes.size());
    c->set_retval(int32_t(uint32_t(retval)));
    return 0;
}

// bpf_bind from cgroup/connect4 and connect6: binds the connecting socket first. The kernel's
// checks of the sockaddr come first (-EINVAL for one too short for its family, -EAFNOSUPPORT for
// another family); __inet_bind / __inet6_bind then want one of the host's addresses (or the
// wildcard), -EADDRNOTAVAIL otherwise.
uint64_t bind(Vm& vm, uint64_t ctx, uint64_t addr, uint64_t addr_len_arg, uint64_t, uint64_t) {
    constexpr const char* kName = "bpf_bind";
    if (!ctx_arg(vm, kName, ctx, "bpf_sock_addr")) return 0;
    Host* host = host_for(vm, kName);
    if (!host) return 0;
    const int32_t addr_len = int32_t(uint32_t(addr_len_arg));
    const uint8_t* sa = addr_len > 0 ? vm.memory().helper_ptr(addr, uint32_t(addr_len), false) : nullptr;
    if (addr_len > 0 && !sa) {
        fail_helper_access(vm, kName, addr, uint32_t(addr_len), Access::HelperRead);
        return 0;
    }
    if (addr_len < 2) return helper_errno(kEINVAL);
    const uint16_t family = load_le<uint16_t>(sa);
    const bool v6 = family == kAfInet6;
    if (family != kAfInet && !v6) return helper_errno(kerrno::kEAFNOSUPPORT);
    if (addr_len < (v6 ? 24 : 16)) return helper_errno(kEINVAL);
    const uint16_t port = uint16_t(sa[2] << 8 | sa[3]);
    const uint8_t* ip = sa + (v6 ? 8 : 4);
    const size_t n = v6 ? 16 : 4;
    bool local = std::all_of(ip, ip + n, [](uint8_t b) { return b == 0; }) || (!v6 && ip[0] == 127);
    for (const NetDevice& d : host->net.devices) {
        if (!v6)
            for (const Ipv4Net& a : d.ipv4) local |= std::equal(ip, ip + 4, a.addr.begin());
        else
            for (const Ipv6Net& a : d.ipv6) local |= std::equal(ip, ip + 16, a.addr.begin());
    }
    if (!local) return helper_errno(kerrno::kEADDRNOTAVAIL);
    char text[INET6_ADDRSTRLEN] = {};
    inet_ntop(v6 ? AF_INET6 : AF_INET, ip, text, sizeof text);
    const std::string where = (v6 ? "[" + std::string(text) + "]" : std::string(text)) + ":" + std::to_string(port);
    log_host_event(vm, *host, kName, "the socket is bound to " + where + " before it connects" +
                                         (port == 0 ? " (port 0: the kernel picks one when it connects)" : ""));
    return 0;
}

constexpr HelperImpl kCgroupProgHelperImpls[] = {
    {64, bind},                        // bpf_bind
    {101, sysctl_get_name},            // bpf_sysctl_get_name
    {102, sysctl_get_current_value},   // bpf_sysctl_get_current_value
    {103, sysctl_get_new_value},       // bpf_sysctl_get_new_value
    {104, sysctl_set_new_value},       // bpf_sysctl_set_new_value
    {186, get_retval},                 // bpf_get_retval
    {187, set_retval},                 // bpf_set_retval
};

}  // namespace

std::span<const HelperImpl> cgroup_prog_helper_impls() { return kCgroupProgHelperImpls; }

}  // namespace bpfplay
