#pragma once
// bpf_trace_printk's formatting, as the kernel does it in two passes: bpf_bprintf_prepare
// (kernel/bpf/helpers.c) checks the format and copies each argument into a 512-byte binary
// buffer, reading strings and addresses from memory right then; bstr_printf (lib/vsprintf.c)
// then formats into a 1024-byte buffer. Independent of the C library's printf: no varargs,
// no locale, the same bytes on every platform.
//
// What is accepted (anything else: -EINVAL, nothing printed):
//   - the NUL terminator must lie within fmt_size bytes; the format ends there;
//   - ASCII control bytes other than \t \n \v \f \r are refused; bytes >= 0x80 (UTF-8 text)
//     pass, as in current Linux (older kernels refuse every non-ASCII byte);
//   - "%%" prints '%'; at most 3 conversions, each "%" [flags "0+- "]* [width 1-9 digits*]
//     then one of: d i u x X with an optional l or ll; c; s; p, pK, px, ps, pS, pB, pks, pus,
//     pi4, pI4, pi6, pI6. No precision ('.'), no '#', no '*', no 'h', 'z', 'n'.
//   - after %s, %pks and %pus the next byte must be the end, a space or punctuation, and
//     after a bare %p likewise (else "%pX" must be one of the forms above).
// What is printed:
//   - %d %i print the low 32 bits as signed; %u %x %X the low 32 bits unsigned; with l or ll
//     all 64 bits; flags and width as printf ("%-5d", "%08x", "%+d", "% d").
//   - %c the low byte; %s the NUL-terminated string at the pointer, cut to fit the binary
//     buffer (511 bytes when it is the first argument); a pointer to memory the program may
//     not read prints as nothing (the kernel prints "" on a fault).
//   - %p %pK %px print the address as 16 zero-padded lowercase hex digits, with no "0x" (the
//     kernel's pointer_string). The kernel hashes %p and %pK unless booted with
//     no_hash_pointers (and kptr_restrict=0); we print what such a kernel prints, since a
//     hash would hide the very address a learner is looking for.
//   - %ps %pS %pB print "0x" and the address in hex: the emulated machine has no kernel
//     symbols, and that is what the kernel prints for an address outside every symbol.
//   - %pI4 "1.2.3.4", %pi4 "001.002.003.004", %pI6 "0001:0db8:...", %pi6 32 hex digits, read
//     from the pointer (all zeros when unreadable). Like %pks, %pus and %pB they are formatted
//     early, so a width is ignored and letters and digits right after them are swallowed
//     ("%pI4h" prints the address alone), as bstr_printf does.
//   - The message keeps the first 1023 bytes, and stops at a NUL byte (from "%c" of 0) as the
//     trace event copies a C string; the return value is still the full length bstr_printf
//     computed.
// -ENOSPC: the binary buffer is full (only with long strings before a later argument).
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace bpfplay {

class Memory;

constexpr uint32_t kTracePrintkMaxArgs = 3;  // MAX_TRACE_PRINTK_VARARGS
constexpr uint32_t kBprintfBinArgsSize = 512;  // MAX_BPRINTF_BIN_ARGS
constexpr uint32_t kBprintfBufSize = 1024;     // MAX_BPRINTF_BUF

struct BprintfResult {
    int64_t ret = 0;   // the formatted length (>= 0), or -EINVAL / -ENOSPC
    std::string text;  // the message the trace buffer receives; empty when ret < 0
};

// `fmt` is the fmt_size bytes the program passed; `args` are r3..r5 (at most 3 are used);
// strings and addresses are read from `mem` with the program's read permissions.
BprintfResult format_trace_printk(std::string_view fmt, std::span<const uint64_t> args, const Memory& mem);

namespace bprintf {

// One argument as bpf_bprintf_prepare leaves it in the binary buffer.
struct PreparedArg {
    bool is_text = false;
    uint64_t value = 0;  // integers, plain pointers, the byte of %c
    std::string text;    // %s %pks %pus: the copied string; %pB %pI4 ...: the preformatted text
};

struct Prepared {
    int64_t err = 0;  // 0, -EINVAL or -ENOSPC
    std::vector<PreparedArg> args;
};

// The checks and copies of bpf_bprintf_prepare. `fmt` stops before its NUL terminator.
Prepared prepare(std::string_view fmt, std::span<const uint64_t> raw_args, const Memory& mem);

struct Rendered {
    uint64_t length = 0;  // all the bytes bstr_printf would write
    std::string text;     // the first buf_size - 1 of them (NUL bytes included)
};

// bstr_printf over a format prepare() accepted, with the arguments it prepared.
Rendered render(std::string_view fmt, const std::vector<PreparedArg>& args, size_t buf_size);

}  // namespace bprintf
}  // namespace bpfplay
