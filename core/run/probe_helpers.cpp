#include "core/run/probe_helpers.hpp"

#include <cstring>
#include <string>

#include "core/vm.hpp"

namespace bpfplay {

namespace {

constexpr int64_t kEfault = -14;

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

uint64_t probe_read(const char* helper, Vm& vm, uint64_t dst, uint64_t size, uint64_t src) {
    if (size == 0) return 0;
    uint8_t* out = destination(vm, helper, dst, size);
    if (!out) return 0;
    const uint8_t* in = vm.memory().helper_ptr(src, size, false);
    if (!in) {
        std::memset(out, 0, size);
        return uint64_t(kEfault);
    }
    std::memmove(out, in, size);
    return 0;
}

// Copies at most size - 1 bytes and a NUL; returns the length including the NUL.
uint64_t probe_read_str(const char* helper, Vm& vm, uint64_t dst, uint64_t size, uint64_t src) {
    if (size == 0) return 0;
    uint8_t* out = destination(vm, helper, dst, size);
    if (!out) return 0;
    const uint8_t* first = vm.memory().helper_ptr(src, 1, false);
    if (!first) {
        std::memset(out, 0, size);
        return uint64_t(kEfault);
    }
    uint64_t n = 0;
    while (n + 1 < size) {
        const uint8_t* c = vm.memory().helper_ptr(src + n, 1, false);
        if (!c || *c == 0) break;  // the string ends, or readable memory does
        out[n++] = *c;
    }
    out[n] = 0;
    return n + 1;
}

#define PROBE(fn, name, impl)                                                                                \
    uint64_t fn(Vm& vm, uint64_t dst, uint64_t size, uint64_t src, uint64_t, uint64_t) {                     \
        return impl(name, vm, dst, size, src);                                                               \
    }
PROBE(probe_read_any, "bpf_probe_read", probe_read)
PROBE(probe_read_user, "bpf_probe_read_user", probe_read)
PROBE(probe_read_kernel, "bpf_probe_read_kernel", probe_read)
PROBE(probe_read_str_any, "bpf_probe_read_str", probe_read_str)
PROBE(probe_read_user_str, "bpf_probe_read_user_str", probe_read_str)
PROBE(probe_read_kernel_str, "bpf_probe_read_kernel_str", probe_read_str)
#undef PROBE

constexpr HelperImpl kImpls[] = {
    {4, probe_read_any},  // bpf_probe_read
    {45, probe_read_str_any},  // bpf_probe_read_str
    {112, probe_read_user},  // bpf_probe_read_user
    {113, probe_read_kernel},  // bpf_probe_read_kernel
    {114, probe_read_user_str},  // bpf_probe_read_user_str
    {115, probe_read_kernel_str},  // bpf_probe_read_kernel_str
};

}  // namespace

std::span<const HelperImpl> probe_helper_impls() { return kImpls; }

}  // namespace bpfplay
