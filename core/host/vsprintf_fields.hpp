#pragma once
// The field formatters of the kernel's lib/vsprintf.c that bpf_trace_printk can reach:
// number(), string() with widen_string(), and pointer_string(). Same flags, same padding
// rules, so "%-5d", "%08x", "%+d", "% d" and "%5s" come out byte for byte as the kernel's.
#include <cstdint>
#include <string>
#include <string_view>

#include "core/host/bounded_out.hpp"

namespace bpfplay::vsprintf {

// struct printf_spec's flags.
enum : uint8_t { kSign = 1, kLeft = 2, kPlus = 4, kSpace = 8, kZeroPad = 16, kSmall = 32, kSpecial = 64 };

struct Spec {
    uint8_t flags = 0;
    uint8_t base = 10;          // 10 or 16
    int32_t field_width = -1;   // -1: none; the kernel keeps 24 bits of it, see field_width_from
    int32_t precision = -1;     // -1: none
};

// The kernel parses a width with int arithmetic that wraps and then stores it in a signed
// 24-bit field: this reproduces both steps from the digits' value computed mod 2^32.
int32_t field_width_from(uint32_t parsed);

// number(): `num` is the argument already widened to 64 bits (sign-extended for signed
// conversions, which set kSign).
void put_number(BoundedOut& out, uint64_t num, Spec spec);

// string_nocheck() + widen_string(): pads with spaces (never zeros) to the field width.
void put_string(BoundedOut& out, std::string_view s, Spec spec);

// pointer_string(): lowercase hex; without a width, zero-padded to 16 digits.
void put_pointer_hex(BoundedOut& out, uint64_t ptr, Spec spec);

// sprintf("0x%lx"): what the kernel prints for %ps, %pS and %pB of an address that no kernel
// symbol covers.
std::string hex_with_prefix(uint64_t v);

}  // namespace bpfplay::vsprintf
