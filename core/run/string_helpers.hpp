#pragma once
// The string helpers of kernel/bpf/helpers.c and kernel/trace/bpf_trace.c:
//
//   id  name                 returns
//  105  bpf_strtol           characters consumed (*res = the value), or -EINVAL / -ERANGE (*res = 0)
//  106  bpf_strtoul          the same for an unsigned value; a '-' sign is -EINVAL
//  165  bpf_snprintf         the formatted length including the NUL; -EINVAL / -ENOSPC
//  177  bpf_trace_vprintk    like bpf_trace_printk (the bytes formatted, the text to Host::printk)
//  182  bpf_strncmp          strncmp(s1, s2, s1_sz): -1, 0 or 1
//
// bpf_snprintf and bpf_trace_vprintk take their arguments as an array of u64 (data, data_len
// bytes: a multiple of 8, at most MAX_BPRINTF_VARARGS = 12 of them) and share the formatter of
// bpf_trace_printk (core/host/bprintf.hpp). bpf_snprintf's format and bpf_strncmp's s2 are
// ARG_PTR_TO_CONST_STR: a NUL-terminated string in a read-only map (a frozen map created with
// BPF_F_RDONLY_PROG, i.e. .rodata); anything else is what the verifier refuses, and stops the run.
// The verifier also checks bpf_snprintf's format at load (check_bpf_snprintf_call), so a format
// bpf_bprintf_prepare refuses stops the run with its "Invalid format string".
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/helpers/registry.hpp"
#include "core/host/bprintf.hpp"

namespace bpfplay {

namespace helper_id {
constexpr int32_t kStrtol = 105;
constexpr int32_t kStrtoul = 106;
constexpr int32_t kSnprintf = 165;
constexpr int32_t kTraceVprintk = 177;
constexpr int32_t kStrncmp = 182;
} // namespace helper_id

constexpr uint32_t kBprintfMaxVarargs = 12; // MAX_BPRINTF_VARARGS

// __bpf_strtoull: parses buf (buf_len bytes, not NUL-terminated) with the base in flags' low 5
// bits (0, 8, 10, 16). Returns the characters consumed (leading whitespace and a '-' counted)
// or a negative errno; *negative says whether a '-' came first.
int64_t bpf_strtoull(std::string_view buf, uint64_t flags, uint64_t& res, bool& negative);

// What bpf_trace_vprintk and bpf_seq_printf share before they format (bpf_bprintf_prepare and
// the checks before it): `fmt_size` readable bytes at fmt_addr (ARG_CONST_SIZE, so not 0) and
// data_len at data (ARG_CONST_SIZE_OR_ZERO), else the run stops (nullopt); then err -EINVAL
// for data_len not a multiple of 8 or over 12 arguments, or a format without a NUL within
// fmt_size bytes, else prepare()'s verdict (0, -EINVAL, -ENOSPC). `fmt` points into VM memory.
struct VarargsFormat {
    int64_t err = 0;
    std::string_view fmt;
    bprintf::Prepared prepared;
};
std::optional<VarargsFormat> prepare_varargs_format(Vm& vm, const char* helper, uint64_t fmt_addr, uint32_t fmt_size,
                                                    uint64_t data, uint32_t data_len);

std::span<const HelperImpl> string_helper_impls();

} // namespace bpfplay
