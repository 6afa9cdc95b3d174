#include "core/run/probe_helpers.hpp"

#include <cstring>
#include <string>

#include "core/helpers/helper_env.hpp"
#include "core/host/host.hpp"
#include "core/maps/map_abi.hpp"
#include "core/run/kfunc_kernel_memory.hpp"
#include "core/vm.hpp"

namespace bpfplay {

namespace {

// The error for `src`, which the run's memory does not map: a kernel read of what x86-64's
// copy_from_kernel_nofault_allowed refuses (user space, NULL, non-canonical) is -ERANGE before it
// is tried (kernel_address: bpfplay's windows are its kernel memory); any other miss is -EFAULT.
int64_t unmapped(uint64_t src, bool user) { return !user && !kernel_address(src) ? -kerrno::kERANGE : -kerrno::kEFAULT; }

// The destination must be valid program memory: the verifier checks it, so a bad one is a fault.
uint8_t* destination(Vm& vm, const char* helper, uint64_t dst, uint64_t size) {
    uint8_t* p = vm.memory().helper_ptr(dst, size, true);
    if (!p) {
        Error e = vm.memory().describe_fault(dst, uint32_t(std::min<uint64_t>(size, UINT32_MAX)), Access::HelperWrite,
                                             vm.current_pc());
        e.what = std::string(helper) + ": " + e.what;
        vm.helper_fail(std::move(e));
    }
    return p;
}

// The current task's user memory (Host::user_memory), for an address the run's own memory
// does not map: where the user variants (and the legacy bpf_probe_read, which on x86 reads
// either space) find a user pointer such as a tracepoint's filename.
const Host* user_space(Vm& vm, bool user) {
    return user && vm.env ? vm.env->host : nullptr;
}

uint64_t probe_read(const char* helper, Vm& vm, uint64_t dst, uint64_t size, uint64_t src, bool user) {
    if (size == 0) return 0;
    uint8_t* out = destination(vm, helper, dst, size);
    if (!out) return 0;
    const int64_t err = probe_copy(vm, out, size, src, user);
    if (err) std::memset(out, 0, size);
    return uint64_t(err);
}

// Copies at most size - 1 bytes and a NUL; returns the length including the NUL.
uint64_t probe_read_str(const char* helper, Vm& vm, uint64_t dst, uint64_t size, uint64_t src, bool user) {
    if (size == 0) return 0;
    uint8_t* out = destination(vm, helper, dst, size);
    if (!out) return 0;
    const int64_t n = probe_copy_str(vm, out, size, src, user);
    if (n < 0) std::memset(out, 0, size);
    return uint64_t(n);
}

#define PROBE(fn, name, impl, user)                                                                          \
    uint64_t fn(Vm& vm, uint64_t dst, uint64_t size, uint64_t src, uint64_t, uint64_t) {                     \
        return impl(name, vm, dst, size, src, user);                                                         \
    }
PROBE(probe_read_any, "bpf_probe_read", probe_read, true)
PROBE(probe_read_user, "bpf_probe_read_user", probe_read, true)
PROBE(probe_read_kernel, "bpf_probe_read_kernel", probe_read, false)
PROBE(probe_read_str_any, "bpf_probe_read_str", probe_read_str, true)
PROBE(probe_read_user_str, "bpf_probe_read_user_str", probe_read_str, true)
PROBE(probe_read_kernel_str, "bpf_probe_read_kernel_str", probe_read_str, false)
#undef PROBE

constexpr HelperImpl kProbeHelperImpls[] = {
    {4, probe_read_any},  // bpf_probe_read
    {45, probe_read_str_any},  // bpf_probe_read_str
    {112, probe_read_user},  // bpf_probe_read_user
    {113, probe_read_kernel},  // bpf_probe_read_kernel
    {114, probe_read_user_str},  // bpf_probe_read_user_str
    {115, probe_read_kernel_str},  // bpf_probe_read_kernel_str
};

}  // namespace

int64_t probe_copy(Vm& vm, uint8_t* out, uint64_t size, uint64_t src, bool user) {
    if (size == 0) return 0;
    const uint8_t* in = vm.memory().helper_ptr(src, size, false);
    if (!in) {
        const Host* host = user_space(vm, user);
        return host && host->read_user(src, out, size) == size ? 0 : unmapped(src, user);
    }
    std::memmove(out, in, size);
    return 0;
}

int64_t probe_copy_str(Vm& vm, uint8_t* out, uint64_t size, uint64_t src, bool user) {
    if (size == 0) return 0;
    const uint8_t* first = vm.memory().helper_ptr(src, 1, false);
    if (const Host* host = user_space(vm, user); !first && host) {
        uint8_t c = 0;
        if (host->read_user(src, &c, 1) == 1) {
            uint64_t n = 0;
            while (n + 1 < size && host->read_user(src + n, &c, 1) == 1 && c != 0) out[n++] = c;
            out[n] = 0;
            return int64_t(n + 1);
        }
    }
    if (!first) return unmapped(src, user);
    uint64_t n = 0;
    while (n + 1 < size) {
        const uint8_t* c = vm.memory().helper_ptr(src + n, 1, false);
        if (!c || *c == 0) break;  // the string ends, or readable memory does
        out[n++] = *c;
    }
    out[n] = 0;
    return int64_t(n + 1);
}

std::span<const HelperImpl> probe_helper_impls() { return kProbeHelperImpls; }

}  // namespace bpfplay
