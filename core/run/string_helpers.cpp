// bpf_strtol, bpf_strtoul, bpf_strncmp, bpf_snprintf and bpf_trace_vprintk (string_helpers.hpp).
// Each follows its kernel function; the checks the verifier makes at load come first and stop
// the run, then what the kernel function decides is returned in r0.
#include "core/run/string_helpers.hpp"

#include <algorithm>
#include <cstring>
#include <optional>
#include <vector>

#include "core/helpers/helper_env.hpp"
#include "core/hex.hpp"
#include "core/host/bprintf.hpp"
#include "core/host/helper_support.hpp"
#include "core/host/host.hpp"
#include "core/host/kernel_ctype.hpp"
#include "core/maps/map_abi.hpp"
#include "core/maps/map_set.hpp"
#include "core/run/helper_fail.hpp"
#include "core/vm.hpp"

namespace bpfplay {

using helper_error::fail;

namespace {

namespace e = kerrno;

constexpr uint64_t kStrtoxBaseMask = 0x1f;     // BPF_STRTOX_BASE_MASK
constexpr uint32_t kStrtoxOverflow = 1u << 31; // KSTRTOX_OVERFLOW

// The verifier's name for what a register points to, for its "R3 type=fp expected=..." lines.
const char* verifier_type_name(const Vm& vm, uint64_t addr) {
    const uint64_t w = addr >> 32;
    if (w >= window::kCount) return "scalar";
    switch (vm.memory().region(uint32_t(w)).kind) {
    case RegionKind::Stack: return "fp";
    case RegionKind::Context: return "ctx";
    case RegionKind::Packet: return "pkt";
    case RegionKind::MapValue: return "map_value";
    case RegionKind::ReadOnly:
    case RegionKind::Data:
    case RegionKind::None: break;
    }
    return "scalar";
}

// ARG_PTR_TO_CONST_STR (check_reg_const_str): the string at `addr`, up to its NUL, or nullopt
// after stopping the run with the verifier's refusal.
std::optional<std::string_view> const_str_arg(Vm& vm, const char* helper, int regno, uint64_t addr) {
    const std::string reg = "R" + std::to_string(regno);
    const char* kHint = "Pass a string constant: a literal, or a `static const char s[] = \"...\"` the "
                        "compiler puts in .rodata, "
                        "which libbpf loads as a read-only (frozen, BPF_F_RDONLY_PROG) map.";
    MapSet* maps = vm.env ? vm.env->maps : nullptr;
    std::optional<ValueLocation> loc = maps ? maps->from_value_address(addr) : std::nullopt;
    if (!loc) {
        fail(vm, helper,
             "r" + std::to_string(regno) + " = " + hex(addr) +
                 " is not a string in a map value: the kernel's verifier "
                 "refuses it (\"" +
                 reg + " type=" + verifier_type_name(vm, addr) + " expected=map_value\")",
             kHint);
        return std::nullopt;
    }
    const Map& map = *loc->map;
    if (!((map.map_flags() & map_flag::kRdonlyProg) && map.frozen())) {
        fail(vm, helper,
             "r" + std::to_string(regno) + " points into " + map.describe() +
                 ", which is not read-only: the kernel's "
                 "verifier refuses it (\"" +
                 reg + " does not point to a readonly map'\")",
             kHint);
        return std::nullopt;
    }
    const uint32_t left = loc->offset < map.value_size() ? map.value_size() - loc->offset : 0;
    const uint8_t* p = left ? vm.memory().helper_ptr(addr, left, /*write=*/false) : nullptr;
    const void* nul = p ? std::memchr(p, 0, left) : nullptr;
    if (!nul) {
        fail(vm, helper,
             "the string at r" + std::to_string(regno) + " = " + hex(addr) +
                 " has no NUL before the end of the value of " + map.describe() +
                 ": the kernel's verifier refuses it (\"string is not zero-terminated\")",
             kHint);
        return std::nullopt;
    }
    return std::string_view(reinterpret_cast<const char*>(p), size_t(static_cast<const uint8_t*>(nul) - p));
}

// ARG_PTR_TO_MEM with ARG_CONST_SIZE: `len` readable bytes, len > 0. nullptr after failing.
const uint8_t* string_mem_arg(Vm& vm, const char* helper, int size_regno, uint64_t addr, uint64_t len) {
    if (len == 0) {
        fail(vm, helper,
             "r" + std::to_string(size_regno) + " is 0: the kernel's verifier refuses a zero size here (\"R" +
                 std::to_string(size_regno) + " invalid zero-sized read: u64=[0,0]\")",
             "Pass the size of the buffer, at least 1.");
        return nullptr;
    }
    return helper_read(vm, helper, addr, len);
}

// The u64 array of bpf_snprintf / bpf_trace_vprintk: data_len bytes at `data` (NULL allowed for
// 0), as the verifier checks ARG_PTR_TO_MEM | PTR_MAYBE_NULL with ARG_CONST_SIZE_OR_ZERO.
bool data_arg(Vm& vm, const char* helper, uint64_t data, uint32_t data_len, std::vector<uint64_t>& out) {
    out.clear();
    if (data_len == 0) return true;
    const uint8_t* p = vm.memory().helper_ptr(data, data_len, /*write=*/false);
    if (!p) {
        fail_helper_access(vm, helper, data, data_len, Access::HelperRead);
        return false;
    }
    for (uint32_t k = 0; k + 8 <= data_len; k += 8)
        out.push_back(load_le<uint64_t>(p + k));
    return true;
}

// The kernel's _parse_integer_fixup_radix and _parse_integer_limit over a NUL-terminated copy.
uint32_t parse_integer(const char* s, uint32_t& base, uint64_t& res) {
    if (base == 0) {
        if (s[0] == '0') {
            const bool hex_digit =
                kctype::is_digit(uint8_t(s[2])) || (kctype::classes(uint8_t(s[2])) & kctype::kHexLetter);
            base = ((s[1] | 0x20) == 'x' && hex_digit) ? 16 : 8;
        } else {
            base = 10;
        }
    }
    uint32_t skipped = 0;
    if (base == 16 && s[0] == '0' && (s[1] | 0x20) == 'x') skipped = 2;
    s += skipped;
    res = 0;
    uint32_t rv = 0;
    for (;; ++s) {
        const unsigned c = uint8_t(*s);
        const unsigned lc = c | 0x20;
        unsigned val;
        if (c >= '0' && c <= '9')
            val = c - '0';
        else if (lc >= 'a' && lc <= 'f')
            val = lc - 'a' + 10;
        else
            break;
        if (val >= base) break;
        // Only near the top of the range can the next digit overflow (checked for base 16).
        if (res & (~0ull << 60))
            if (res > (UINT64_MAX - val) / base) rv |= kStrtoxOverflow;
        res = res * base + val;
        ++rv;
    }
    // The caller counts the "0x" prefix as consumed (cur_buf moved past it).
    return (rv & kStrtoxOverflow) ? rv : (rv ? rv + skipped : 0);
}

} // namespace

int64_t bpf_strtoull(std::string_view buf, uint64_t flags, uint64_t& res, bool& negative) {
    uint32_t base = uint32_t(flags & kStrtoxBaseMask);
    negative = false;
    if (buf.empty()) return -e::kEINVAL;
    if (base != 0 && base != 8 && base != 10 && base != 16) return -e::kEINVAL;
    if (flags & ~kStrtoxBaseMask) return -e::kEINVAL;
    size_t i = 0;
    while (i < buf.size() && kctype::is_space(uint8_t(buf[i])))
        ++i;
    negative = i < buf.size() && buf[i] == '-';
    if (negative) ++i;
    if (i == buf.size()) return -e::kEINVAL;
    // The kernel copies at most 63 bytes into a NUL-terminated char str[64] and parses that.
    char str[64];
    const size_t n = std::min<size_t>(buf.size() - i, sizeof str - 1);
    std::memcpy(str, buf.data() + i, n);
    str[n] = '\0';
    const uint32_t val_len = parse_integer(str, base, res);
    if (val_len & kStrtoxOverflow) return -kerrno::kERANGE;
    if (val_len == 0) return -e::kEINVAL;
    return int64_t(i + val_len);
}

std::optional<VarargsFormat> prepare_varargs_format(Vm& vm, const char* helper, uint64_t fmt_addr, uint32_t fmt_size,
                                                    uint64_t data, uint32_t data_len) {
    const uint8_t* f = string_mem_arg(vm, helper, 2, fmt_addr, fmt_size);
    if (!f) return std::nullopt;
    std::vector<uint64_t> args;
    if (!data_arg(vm, helper, data, data_len, args)) return std::nullopt;
    VarargsFormat out;
    if (data_len % 8 || data_len > kBprintfMaxVarargs * 8) {
        out.err = -e::kEINVAL;
        return out;
    }
    // The format ends at its NUL, which must lie within fmt_size bytes (strnchr).
    std::string_view fmt(reinterpret_cast<const char*>(f), fmt_size);
    const size_t nul = fmt.find('\0');
    if (nul == std::string_view::npos) {
        out.err = -e::kEINVAL;
        return out;
    }
    out.fmt = fmt.substr(0, nul);
    out.prepared = bprintf::prepare(out.fmt, args, vm.memory());
    out.err = out.prepared.err;
    return out;
}

namespace {

// The 8-byte result argument (ARG_PTR_TO_FIXED_SIZE_MEM | MEM_UNINIT | MEM_WRITE).
uint8_t* res_arg(Vm& vm, const char* helper, uint64_t res) {
    uint8_t* p = vm.memory().helper_ptr(res, 8, /*write=*/true);
    if (!p) fail_helper_access(vm, helper, res, 8, Access::HelperWrite);
    return p;
}

uint64_t strtol(Vm& vm, uint64_t buf, uint64_t buf_len, uint64_t flags, uint64_t res, uint64_t) {
    constexpr const char* kName = "bpf_strtol";
    const uint8_t* s = string_mem_arg(vm, kName, 2, buf, uint32_t(buf_len));
    if (!s) return 0;
    uint8_t* out = res_arg(vm, kName, res);
    if (!out) return 0;
    store_le<uint64_t>(out, 0); // *res = 0 before anything can fail
    uint64_t value = 0;
    bool negative = false;
    const int64_t err =
        bpf_strtoull({reinterpret_cast<const char*>(s), uint32_t(buf_len)}, flags, value, negative);
    if (err < 0) return uint64_t(err);
    // __bpf_strtoll: the magnitude must fit the sign (-2^63 does, 2^63 does not).
    if (negative ? int64_t(0 - value) > 0 : int64_t(value) < 0) return uint64_t(-kerrno::kERANGE);
    store_le<uint64_t>(out, negative ? 0 - value : value);
    return uint64_t(err);
}

uint64_t strtoul(Vm& vm, uint64_t buf, uint64_t buf_len, uint64_t flags, uint64_t res, uint64_t) {
    constexpr const char* kName = "bpf_strtoul";
    const uint8_t* s = string_mem_arg(vm, kName, 2, buf, uint32_t(buf_len));
    if (!s) return 0;
    uint8_t* out = res_arg(vm, kName, res);
    if (!out) return 0;
    store_le<uint64_t>(out, 0);
    uint64_t value = 0;
    bool negative = false;
    const int64_t err =
        bpf_strtoull({reinterpret_cast<const char*>(s), uint32_t(buf_len)}, flags, value, negative);
    if (err < 0) return uint64_t(err);
    if (negative) return uint64_t(-e::kEINVAL);
    store_le<uint64_t>(out, value);
    return uint64_t(err);
}

uint64_t strncmp(Vm& vm, uint64_t s1, uint64_t s1_sz, uint64_t s2, uint64_t, uint64_t) {
    constexpr const char* kName = "bpf_strncmp";
    const uint32_t count = uint32_t(s1_sz);
    const uint8_t* a = string_mem_arg(vm, kName, 2, s1, count);
    if (!a) return 0;
    const std::optional<std::string_view> b = const_str_arg(vm, kName, 3, s2);
    if (!b) return 0;
    // lib/string.c strncmp: unsigned bytes, -1 / 1 at the first difference, stops at a NUL.
    // s2's NUL ends the loop before s2 runs out, so b->size() + 1 bytes are enough.
    for (uint32_t k = 0; k < count; ++k) {
        const uint8_t c1 = a[k];
        const uint8_t c2 = k < b->size() ? uint8_t((*b)[k]) : 0;
        if (c1 != c2) return c1 < c2 ? uint64_t(-1) : 1;
        if (!c1) break;
    }
    return 0;
}

uint64_t snprintf(Vm& vm, uint64_t str, uint64_t str_size_arg, uint64_t fmt_addr, uint64_t data,
                  uint64_t data_len_arg) {
    constexpr const char* kName = "bpf_snprintf";
    const uint32_t str_size = uint32_t(str_size_arg);
    const uint32_t data_len = uint32_t(data_len_arg);
    // str: ARG_PTR_TO_MEM_OR_NULL with ARG_CONST_SIZE_OR_ZERO.
    uint8_t* out = nullptr;
    if (str_size) {
        out = vm.memory().helper_ptr(str, str_size, /*write=*/true);
        if (!out) {
            fail_helper_access(vm, kName, str, str_size, Access::HelperWrite);
            return 0;
        }
    }
    const std::optional<std::string_view> fmt = const_str_arg(vm, kName, 3, fmt_addr);
    if (!fmt) return 0;
    std::vector<uint64_t> args;
    if (!data_arg(vm, kName, data, data_len, args)) return 0;
    // check_bpf_snprintf_call: the data must be whole u64s, and the format must pass
    // bpf_bprintf_prepare with data_len / 8 arguments, or the program is not loaded.
    if (data_len % 8) {
        fail(vm, kName,
             "data_len (r5) is " + std::to_string(data_len) +
                 ", not a multiple of 8: the kernel's verifier refuses the program with -EINVAL and no message "
                 "(check_bpf_snprintf_call: the data must be an array of u64)",
             "Pass the arguments as an array of u64 and its size in bytes.");
        return 0;
    }
    bprintf::Prepared prepared = bprintf::prepare(*fmt, args, vm.memory());
    if (prepared.err == -e::kEINVAL) {
        fail(vm, kName,
             "the format \"" + std::string(*fmt) + "\" with " + std::to_string(args.size()) +
                 " arguments is refused by the kernel's verifier (\"Invalid format string\")",
             "Each conversion needs one u64 in the data array; allowed: %d %i %u %x %X with l/ll, %c, %s, "
             "%p, %pK, "
             "%px, %ps, %pS, %pB, %pks, %pus, %pi4, %pI4, %pi6, %pI6, with flags \"0+- \" and a width.");
        return 0;
    }
    // At run time bpf_snprintf checks the count before it prepares anything.
    if (data_len > kBprintfMaxVarargs * 8) return uint64_t(-e::kEINVAL);
    if (prepared.err) return uint64_t(prepared.err);
    const bprintf::Rendered r = bprintf::render(*fmt, prepared.args, str_size);
    // bstr_printf writes what fits, then a NUL whenever the size is not 0.
    if (out) {
        std::memcpy(out, r.text.data(), r.text.size());
        out[r.text.size()] = 0;
    }
    return uint64_t(int64_t(int32_t(uint32_t(r.length))) + 1);
}

uint64_t trace_vprintk(Vm& vm, uint64_t fmt_addr, uint64_t fmt_size_arg, uint64_t data, uint64_t data_len_arg,
                       uint64_t) {
    constexpr const char* kName = "bpf_trace_vprintk";
    Host* h = host_for(vm, kName);
    if (!h) return 0;
    std::optional<VarargsFormat> f = prepare_varargs_format(vm, kName, fmt_addr, uint32_t(fmt_size_arg), data,
                                                            uint32_t(data_len_arg));
    if (!f) return 0;
    if (f->err) return uint64_t(f->err);
    bprintf::Rendered r = bprintf::render(f->fmt, f->prepared.args, kBprintfBufSize);
    // The trace event copies the buffer as a C string, as for bpf_trace_printk.
    std::string text = std::move(r.text);
    text.resize(std::min(text.size(), text.find('\0')));
    h->printk.push_back(std::move(text));
    return uint64_t(int64_t(int32_t(uint32_t(r.length))));
}

constexpr HelperImpl kStringHelperImpls[] = {
    {helper_id::kStrtol, strtol},              // bpf_strtol
    {helper_id::kStrtoul, strtoul},            // bpf_strtoul
    {helper_id::kSnprintf, snprintf},          // bpf_snprintf
    {helper_id::kTraceVprintk, trace_vprintk}, // bpf_trace_vprintk
    {helper_id::kStrncmp, strncmp},            // bpf_strncmp
};

} // namespace

std::span<const HelperImpl> string_helper_impls() {
    return kStringHelperImpls;
}

} // namespace bpfplay
