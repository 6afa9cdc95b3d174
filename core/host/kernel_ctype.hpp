#pragma once
// The kernel's character classes (lib/ctype.c), which differ from the C library's: bytes
// 160-255 are classified as ISO-8859-1 (160 is a space, 161-191 punctuation, 192-255 letters
// but for 215 and 247), and the classes never depend on a locale. The format checks of
// bpf_trace_printk use these, so "%s" followed by byte 0xA0 is accepted while "%s" followed
// by 0xC3 (the start of most accented UTF-8 letters) is not.
#include <cstdint>

namespace bpfplay::kctype {

enum : uint8_t { kUpper = 0x01, kLower = 0x02, kDigit = 0x04, kCntrl = 0x08, kPunct = 0x10, kSpace = 0x20,
                 kHexLetter = 0x40, kHardSpace = 0x80 };

constexpr uint8_t classes(unsigned char c) {
    if (c <= 8) return kCntrl;
    if (c <= 13) return kCntrl | kSpace;
    if (c <= 31) return kCntrl;
    if (c == 32) return kSpace | kHardSpace;
    if (c <= 47) return kPunct;
    if (c <= 57) return kDigit;
    if (c <= 64) return kPunct;
    if (c <= 70) return kUpper | kHexLetter;
    if (c <= 90) return kUpper;
    if (c <= 96) return kPunct;
    if (c <= 102) return kLower | kHexLetter;
    if (c <= 122) return kLower;
    if (c <= 126) return kPunct;
    if (c <= 159) return kCntrl;  // DEL and the C1 controls
    if (c == 160) return kSpace | kHardSpace;
    if (c <= 191) return kPunct;
    if (c == 215 || c == 247) return kPunct;  // multiplication and division signs
    if (c <= 222) return kUpper;
    return kLower;
}

constexpr bool is_ascii(unsigned char c) { return c < 0x80; }
constexpr bool is_space(unsigned char c) { return classes(c) & kSpace; }
constexpr bool is_punct(unsigned char c) { return classes(c) & kPunct; }
constexpr bool is_digit(unsigned char c) { return classes(c) & kDigit; }
constexpr bool is_alnum(unsigned char c) { return classes(c) & (kUpper | kLower | kDigit); }
constexpr bool is_print(unsigned char c) { return classes(c) & (kPunct | kUpper | kLower | kDigit | kHardSpace); }

}  // namespace bpfplay::kctype
