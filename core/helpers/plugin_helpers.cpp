#include "core/helpers/plugin_helpers.hpp"

#include <algorithm>
#include <cstdio>
#include <string>

#include "core/helpers/registry.hpp"
#include "core/hex.hpp"
#include "core/vm.hpp"

namespace bpfplay {
namespace {

void fail(Vm& vm, std::string what, std::string hint) {
    vm.helper_fail(make_error(ErrorKind::Helper, std::move(what), vm.current_pc(), std::move(hint)));
}

uint64_t gather_bytes(Vm&, uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e) {
    return ((a & 0xff) << 32) | ((b & 0xff) << 24) | ((c & 0xff) << 16) | ((d & 0xff) << 8) | (e & 0xff);
}

uint64_t memfrob(Vm& vm, uint64_t ptr, uint64_t len, uint64_t, uint64_t, uint64_t) {
    if (len == 0) return 0; // nothing to touch, so any pointer will do (as in uBPF)
    uint8_t* p = vm.memory().helper_ptr(ptr, len, /*write=*/true);
    if (!p) {
        fail(vm,
             "memfrob: cannot write " + std::to_string(len) + " bytes at " + hex(ptr) +
                 ": the range is not inside one writable memory region",
             "(r1 must point into the input memory or the stack, and r2 must fit in what is left there)");
        return 0;
    }
    for (uint64_t i = 0; i < len; ++i)
        p[i] ^= 42;
    return 0;
}

uint64_t no_op(Vm&, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) {
    return 0;
}

uint64_t sqrti(Vm&, uint64_t a, uint64_t, uint64_t, uint64_t, uint64_t) {
    return integer_sqrt(a);
}

uint64_t strcmp_ext(Vm& vm, uint64_t p1, uint64_t p2, uint64_t, uint64_t, uint64_t) {
    // A string may be as long as the region holding it; read_cstr stops at the region's end.
    constexpr uint32_t kMaxLen = UINT32_MAX;
    auto s1 = vm.memory().read_cstr(p1, kMaxLen);
    auto s2 = s1 ? vm.memory().read_cstr(p2, kMaxLen) : std::nullopt;
    if (!s1 || !s2) {
        int which = s1 ? 2 : 1;
        fail(vm,
             "strcmp_ext: no NUL-terminated string at " + hex(which == 1 ? p1 : p2) + " (argument " +
                 std::to_string(which) + ")",
             "(the string and its terminating NUL byte must lie inside one readable memory region)");
        return 0;
    }
    // strcmp compares as unsigned char. uBPF passes on the C library's int, whose magnitude is
    // unspecified; only its sign is portable, so we return -1, 0 or 1 (sign-extended, as uBPF's
    // int-to-u64 conversion does).
    int c = 0;
    size_t n = std::min(s1->size(), s2->size());
    for (size_t i = 0; i < n && c == 0; ++i) {
        auto a = static_cast<unsigned char>((*s1)[i]), b = static_cast<unsigned char>((*s2)[i]);
        c = a < b ? -1 : a > b ? 1 : 0;
    }
    if (c == 0 && s1->size() != s2->size()) c = s1->size() < s2->size() ? -1 : 1;
    return static_cast<uint64_t>(static_cast<int64_t>(c));
}

uint64_t unwind(Vm& vm, uint64_t a, uint64_t, uint64_t, uint64_t, uint64_t) {
    // uBPF's plugin makes helper 5 its "unwind" helper: a zero return stops the whole program.
    if (a == 0) vm.helper_exit(0);
    return a;
}

} // namespace

uint64_t integer_sqrt(uint64_t a) {
    // Bit by bit from the top: the root fits in 32 bits, so candidate * candidate never
    // overflows, and there is no floating-point rounding (std::sqrt on a double is off by one
    // near 2^64).
    uint64_t root = 0;
    for (int shift = 31; shift >= 0; --shift) {
        uint64_t candidate = root | (uint64_t{1} << shift);
        if (candidate * candidate <= a) root = candidate;
    }
    return root;
}

void add_plugin_helpers(HelperRegistry& registry) {
    static const HelperSpec kSpecs[] = {
        {0, "gather_bytes", 5, gather_bytes},
        {1, "memfrob", 2, memfrob},
        {2, "no_op", 0, no_op},
        {3, "sqrti", 1, sqrti},
        {4, "strcmp_ext", 2, strcmp_ext},
        {5, "unwind", 1, unwind},
    };
    registry.add_all(kSpecs);
}

} // namespace bpfplay
