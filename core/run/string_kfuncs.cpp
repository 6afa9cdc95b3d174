// The kfuncs of kernel/bpf/helpers.c (Linux 6.18) that need no kernel object beyond memory: the
// string kfuncs (bpf_strlen, bpf_strcmp, bpf_strstr, ...), the open-coded bit iterator
// (bpf_iter_bits_*), bpf_copy_from_user_str / bpf_copy_from_user_task_str and __bpf_trap, each
// as its kernel function does it, loop bounds and error codes included.
//
// Which memory is "kernel memory": the string kfuncs take `__ign` pointers the verifier does not
// check, test the first address with copy_from_kernel_nofault_allowed() (-ERANGE for a user-space
// or non-canonical address) and read byte by byte with __get_kernel_nofault (-EFAULT where a byte
// cannot be read). In bpfplay the program's own memory -- stacks, map values, global data,
// packets, the emulated kernel's objects (window::kKernel, sockets, ...) -- is the kernel memory
// a real program's pointers point into, so:
//   - an address inside bpfplay's windows (1 .. window::kCount) is kernel memory: each byte reads
//     through the checked memory path, and a byte no region holds is -EFAULT;
//   - x86-64's kernel half (0xffff800000000000 and up) is kernel memory with nothing readable in
//     it (bpfplay models no kernel text or direct map): -EFAULT;
//   - everything else -- window 0 (NULL and small numbers), the emulated task's user memory
//     (Host::user_memory), the rest of the lower half, non-canonical addresses -- is -ERANGE.
// Where bpfplay cannot match the kernel: a string that runs off the end of its region reads
// on into whatever kernel memory follows in the kernel (another stack slot, the next map
// value); in bpfplay it ends with -EFAULT. A context pointer (struct xdp_md, __sk_buff) is a
// kernel structure the kernel reads; bpfplay's context has no bytes behind it: -EFAULT.
#include <array>
#include <cstring>
#include <optional>

#include "core/host/helper_support.hpp"
#include "core/host/kernel_ctype.hpp"
#include "core/maps/map_abi.hpp"
#include "core/run/kernel_kfuncs.hpp"
#include "core/run/kfunc_kernel_memory.hpp"
#include "core/vm.hpp"

namespace bpfplay {

namespace {

constexpr int kXattrSizeMax = 65536; // XATTR_SIZE_MAX: the longest string the kfuncs read

uint64_t ret(int v) { return uint64_t(int64_t(v)); }

// __get_kernel_nofault of one byte: nullopt where it faults. The kernel builds with
// -funsigned-char (Linux 6.2+), so its `char` is this unsigned byte.
std::optional<uint8_t> read_byte(Vm& vm, uint64_t addr) {
    if (addr >= kKernelHalfStart) return std::nullopt;
    const uint8_t* p = vm.memory().helper_ptr(addr, 1, false);
    if (!p) return std::nullopt;
    return *p;
}

// The kernel's tolower (lib/ctype.c classes: ISO-8859-1 capitals lower too).
uint8_t ktolower(uint8_t c) { return (kctype::classes(c) & kctype::kUpper) ? uint8_t(c + ('a' - 'A')) : c; }

// __bpf_strcasecmp(s1, s2, ignore_case): -1, 0 or 1.
uint64_t strcasecmp_impl(Vm& vm, uint64_t s1, uint64_t s2, bool ignore_case) {
    if (!kernel_address(s1) || !kernel_address(s2)) return helper_errno(kerrno::kERANGE);
    for (int i = 0; i < kXattrSizeMax; i++) {
        auto c1 = read_byte(vm, s1 + uint64_t(i)), c2 = read_byte(vm, s2 + uint64_t(i));
        if (!c1 || !c2) return helper_errno(kerrno::kEFAULT);
        uint8_t a = *c1, b = *c2;
        if (ignore_case) {
            a = ktolower(a);
            b = ktolower(b);
        }
        if (a != b) return ret(a < b ? -1 : 1);
        if (a == 0) return 0;
    }
    return helper_errno(kerrno::kE2BIG);
}

uint64_t strcmp_(Vm& vm, uint64_t s1, uint64_t s2, uint64_t, uint64_t, uint64_t) {
    return strcasecmp_impl(vm, s1, s2, false);
}
uint64_t strcasecmp_(Vm& vm, uint64_t s1, uint64_t s2, uint64_t, uint64_t, uint64_t) {
    return strcasecmp_impl(vm, s1, s2, true);
}

// bpf_strnchr(s, count, c): the index of the first c in the first count bytes (the NUL counts).
uint64_t strnchr_impl(Vm& vm, uint64_t s, uint64_t count, uint8_t c) {
    if (!kernel_address(s)) return helper_errno(kerrno::kERANGE);
    int i = 0;
    for (; uint64_t(i) < count && i < kXattrSizeMax; i++) {
        auto sc = read_byte(vm, s + uint64_t(i));
        if (!sc) return helper_errno(kerrno::kEFAULT);
        if (*sc == c) return ret(i);
        if (*sc == 0) return helper_errno(kerrno::kENOENT);
    }
    return helper_errno(i == kXattrSizeMax ? kerrno::kE2BIG : kerrno::kENOENT);
}

uint64_t strnchr_(Vm& vm, uint64_t s, uint64_t count, uint64_t c, uint64_t, uint64_t) {
    return strnchr_impl(vm, s, count, uint8_t(c));
}
uint64_t strchr_(Vm& vm, uint64_t s, uint64_t c, uint64_t, uint64_t, uint64_t) {
    return strnchr_impl(vm, s, kXattrSizeMax, uint8_t(c));
}

uint64_t strchrnul_(Vm& vm, uint64_t s, uint64_t c, uint64_t, uint64_t, uint64_t) {
    if (!kernel_address(s)) return helper_errno(kerrno::kERANGE);
    for (int i = 0; i < kXattrSizeMax; i++) {
        auto sc = read_byte(vm, s + uint64_t(i));
        if (!sc) return helper_errno(kerrno::kEFAULT);
        if (*sc == 0 || *sc == uint8_t(c)) return ret(i);
    }
    return helper_errno(kerrno::kE2BIG);
}

// bpf_strrchr(s, int c): c is an int here, compared with the (unsigned) byte: 0x141 never matches.
uint64_t strrchr_(Vm& vm, uint64_t s, uint64_t c64, uint64_t, uint64_t, uint64_t) {
    if (!kernel_address(s)) return helper_errno(kerrno::kERANGE);
    const int32_t c = int32_t(uint32_t(c64));
    int last = -int(kerrno::kENOENT);
    for (int i = 0; i < kXattrSizeMax; i++) {
        auto sc = read_byte(vm, s + uint64_t(i));
        if (!sc) return helper_errno(kerrno::kEFAULT);
        if (int32_t(*sc) == c) last = i;
        if (*sc == 0) return ret(last);
    }
    return helper_errno(kerrno::kE2BIG);
}

uint64_t strnlen_impl(Vm& vm, uint64_t s, uint64_t count) {
    if (!kernel_address(s)) return helper_errno(kerrno::kERANGE);
    int i = 0;
    for (; uint64_t(i) < count && i < kXattrSizeMax; i++) {
        auto c = read_byte(vm, s + uint64_t(i));
        if (!c) return helper_errno(kerrno::kEFAULT);
        if (*c == 0) return ret(i);
    }
    return i == kXattrSizeMax ? helper_errno(kerrno::kE2BIG) : ret(i);
}

uint64_t strnlen_(Vm& vm, uint64_t s, uint64_t count, uint64_t, uint64_t, uint64_t) {
    return strnlen_impl(vm, s, count);
}
uint64_t strlen_(Vm& vm, uint64_t s, uint64_t, uint64_t, uint64_t, uint64_t) {
    return strnlen_impl(vm, s, kXattrSizeMax);
}

// bpf_strspn / bpf_strcspn: the length of s's prefix made of bytes in (spn) or not in (cspn) set.
// The kernel scans the set again for every byte of s (up to 65536 x 65536 reads); the set is
// read once here instead, into what each scan would end with -- found, the set's NUL, a fault,
// or 65536 bytes without a NUL -- which gives the same answers.
uint64_t span_impl(Vm& vm, uint64_t s, uint64_t set, bool accept) {
    if (!kernel_address(s) || !kernel_address(set)) return helper_errno(kerrno::kERANGE);
    std::array<bool, 256> in_set{};
    enum class SetEnd { Nul, Fault, TooLong } end = SetEnd::TooLong;
    for (int j = 0; j < kXattrSizeMax; j++) {
        auto c = read_byte(vm, set + uint64_t(j));
        if (!c) {
            end = SetEnd::Fault;
            break;
        }
        if (*c == 0) {
            end = SetEnd::Nul;
            break;
        }
        in_set[*c] = true;
    }
    for (int i = 0; i < kXattrSizeMax; i++) {
        auto cs = read_byte(vm, s + uint64_t(i));
        if (!cs) return helper_errno(kerrno::kEFAULT);
        if (*cs == 0) return ret(i);
        if (!in_set[*cs]) { // the scan for *cs runs to where the set ends
            if (end == SetEnd::Fault) return helper_errno(kerrno::kEFAULT);
            if (end == SetEnd::TooLong) return helper_errno(kerrno::kE2BIG);
        }
        if (in_set[*cs] != accept) return ret(i); // spn: not in the set; cspn: in it
    }
    return helper_errno(kerrno::kE2BIG);
}

uint64_t strspn_(Vm& vm, uint64_t s, uint64_t accept, uint64_t, uint64_t, uint64_t) {
    return span_impl(vm, s, accept, true);
}
uint64_t strcspn_(Vm& vm, uint64_t s, uint64_t reject, uint64_t, uint64_t, uint64_t) {
    return span_impl(vm, s, reject, false);
}

// bpf_strnstr(s1, s2, len): the index of s2 in the first len bytes of s1. One byte of s2 past
// len is read (`i + j <= len`), so that s2 ending exactly at len is found.
uint64_t strnstr_impl(Vm& vm, uint64_t s1, uint64_t s2, uint64_t len) {
    if (!kernel_address(s1) || !kernel_address(s2)) return helper_errno(kerrno::kERANGE);
    for (int i = 0; i < kXattrSizeMax; i++) {
        int j = 0;
        for (; uint64_t(i) + uint64_t(j) <= len && j < kXattrSizeMax; j++) {
            auto c2 = read_byte(vm, s2 + uint64_t(j));
            if (!c2) return helper_errno(kerrno::kEFAULT);
            if (*c2 == 0) return ret(i);
            if (uint64_t(i) + uint64_t(j) == len) break;
            auto c1 = read_byte(vm, s1 + uint64_t(i) + uint64_t(j));
            if (!c1) return helper_errno(kerrno::kEFAULT);
            if (*c1 == 0) return helper_errno(kerrno::kENOENT);
            if (*c1 != *c2) break;
        }
        if (j == kXattrSizeMax) return helper_errno(kerrno::kE2BIG);
        if (uint64_t(i) + uint64_t(j) == len) return helper_errno(kerrno::kENOENT);
    }
    return helper_errno(kerrno::kE2BIG);
}

uint64_t strnstr_(Vm& vm, uint64_t s1, uint64_t s2, uint64_t len, uint64_t, uint64_t) {
    return strnstr_impl(vm, s1, s2, len);
}
uint64_t strstr_(Vm& vm, uint64_t s1, uint64_t s2, uint64_t, uint64_t, uint64_t) {
    return strnstr_impl(vm, s1, s2, kXattrSizeMax);
}

constexpr KfuncImpl kStringKfuncImpls[] = {
    {"bpf_strcasecmp", strcasecmp_}, {"bpf_strchr", strchr_},   {"bpf_strchrnul", strchrnul_},
    {"bpf_strcmp", strcmp_},         {"bpf_strcspn", strcspn_}, {"bpf_strlen", strlen_},
    {"bpf_strnchr", strnchr_},       {"bpf_strnlen", strnlen_}, {"bpf_strnstr", strnstr_},
    {"bpf_strrchr", strrchr_},       {"bpf_strspn", strspn_},   {"bpf_strstr", strstr_},
};

} // namespace

std::span<const KfuncImpl> string_kfunc_impls() { return kStringKfuncImpls; }

} // namespace bpfplay
