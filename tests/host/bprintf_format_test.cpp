// The trace_printk formatter on its own, with memory mapped by hand: the kernel's edge cases
// of bpf_bprintf_prepare and bstr_printf.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "core/host/bprintf.hpp"
#include "core/memory.hpp"

using namespace bpfplay;
using namespace std::string_literals;

namespace {

constexpr uint64_t kData = window_base(window::kFirstFree);  // where the test bytes live

// A memory with `bytes` readable at kData.
struct TestMemory {
    std::vector<uint8_t> bytes;
    Memory mem;
    explicit TestMemory(std::vector<uint8_t> b) : bytes(std::move(b)) {
        mem.map(window::kFirstFree, RegionKind::ReadOnly, kRead, bytes.data(), uint32_t(bytes.size()), "test data");
    }
    explicit TestMemory(const std::string& s) : TestMemory(std::vector<uint8_t>(s.begin(), s.end())) {}
};

BprintfResult format(std::string_view fmt, std::vector<uint64_t> args, const Memory& mem) {
    return format_trace_printk(fmt, args, mem);
}

BprintfResult format(std::string_view fmt, std::vector<uint64_t> args = {}) {
    static const Memory empty;
    return format(fmt, std::move(args), empty);
}

void check_text(const BprintfResult& r, const std::string& expected) {
    CHECK(r.text == expected);
    CHECK(r.ret == int64_t(expected.size()));
}

}  // namespace

TEST_CASE("numbers: sign, plus, space, zero padding and left alignment") {
    check_text(format("%-05d|\0"s, {42}), "42   |");  // '-' wins over '0'
    check_text(format("%+05d\0"s, {42}), "+0042");
    check_text(format("% 5d\0"s, {42}), "   42");
    check_text(format("%+u %+x\0"s, {42, 42}), "42 2a");  // + and space only for signed
    check_text(format("%2d\0"s, {12345}), "12345");       // a width never truncates
    check_text(format("%-+6d|\0"s, {~uint64_t{0}}), "-1    |");
}

TEST_CASE("strings and characters pad with spaces, never zeros") {
    TestMemory m("ab\0"s);
    check_text(format("%5s|%-5s|%05s\0"s, {kData, kData, kData}, m.mem), "   ab|ab   |   ab");
    check_text(format("%3c|%-3c|%c\0"s, {'A', 'B', 'C'}), "  A|B  |C");
}

TEST_CASE("%s is read up to its NUL; a string running off its region prints nothing") {
    TestMemory m("hello\0xyz"s);
    check_text(format("<%s>\0"s, {kData}, m.mem), "<hello>");
    check_text(format("<%s>\0"s, {kData + 6}, m.mem), "<>");  // "xyz" has no NUL before the end
    check_text(format("<%s>\0"s, {kData + 9}, m.mem), "<>");  // just past the end
}

TEST_CASE("a string conversion must be followed by the end, a space or punctuation") {
    TestMemory m("x\0"s);
    CHECK(format("%sa\0"s, {kData}, m.mem).ret == -22);
    CHECK(format("%s1\0"s, {kData}, m.mem).ret == -22);
    check_text(format("%s.%s %s\0"s, {kData, kData, kData}, m.mem), "x.x x");
    check_text(format("%s\t\0"s, {kData}, m.mem), "x\t");
    check_text(format("%s\xa0\0"s, {kData}, m.mem), "x\xa0");  // Latin-1 no-break space counts as space
    CHECK(format("%s\xc3\xa9\0"s, {kData}, m.mem).ret == -22);  // 'é' starts with a Latin-1 letter
}

TEST_CASE("%s copies at most what fits in the 512-byte argument buffer") {
    TestMemory m(std::string(600, 'a') + '\0');
    auto r = format("%s\0"s, {kData}, m.mem);
    check_text(r, std::string(511, 'a'));
    // The first string fills the buffer, so there is no room for a second argument.
    CHECK(format("%s%s\0"s, {kData, kData}, m.mem).ret == -28);
    CHECK(format("%s%d\0"s, {kData, 1}, m.mem).ret == -28);
    CHECK(format("%s%c\0"s, {kData, 'x'}, m.mem).ret == -28);
    CHECK(format("%s%s\0"s, {kData, kData}, m.mem).text.empty());
    // After a shorter string (101 bytes and its NUL), the second gets the 410 bytes left.
    auto two = format("%s|%s\0"s, {kData + 499, kData}, m.mem);
    CHECK(two.ret == 101 + 1 + 409);
    CHECK(two.text == std::string(101, 'a') + "|" + std::string(409, 'a'));
    // An integer is stored 4-byte aligned: %c takes 1 byte, %d bytes 4 to 7, leaving 504.
    check_text(format("%c%d%s\0"s, {'x', 1, kData}, m.mem), "x1" + std::string(503, 'a'));
}

TEST_CASE("an address formatted into the last bytes of the buffer is cut, as the kernel's snprintf cuts it") {
    std::string bytes = std::string(480, 'a') + '\0';
    bytes += "\x20\x01\x0d\xb8"s + std::string(11, '\0') + "\x01";
    TestMemory m(bytes);
    // The string takes 481 bytes; 31 remain, enough for the 16-byte address but not for its
    // 39-character text, which keeps 30 characters. The kernel then steps past the end of its
    // buffer, so the next argument is not refused.
    check_text(format("%s%pI6%d\0"s, {kData, kData + 481, 7}, m.mem),
               std::string(480, 'a') + "2001:0db8:0000:0000:0000:0000:" + "7");
    // With fewer than 16 bytes left the address is refused.
    TestMemory longer(std::string(500, 'a') + '\0');
    CHECK(format("%s%pI6\0"s, {kData, kData}, longer.mem).ret == -28);
    CHECK(format("%s%pI4\0"s, {kData + 4, kData}, longer.mem).ret == 496 + 11);  // 15 left: "97.97.97.97" fits
}

TEST_CASE("pointers: %p %px %pK are 16 zero-padded digits unless a width is given") {
    check_text(format("%p\0"s, {0x800000000}), "0000000800000000");
    check_text(format("%20p|\0"s, {0x800000000}), "           800000000|");
    check_text(format("%-12px|\0"s, {0xabc}), "abc         |");
    check_text(format("%020pK\0"s, {0xabc}), "00000000000000000abc");
    check_text(format("%p.\0"s, {0}), "0000000000000000.");
    CHECK(format("%pz\0"s, {1}).ret == -22);
    CHECK(format("%pe\0"s, {1}).ret == -22);
}

TEST_CASE("%ps %pS %pB print 0x and the address; letters after a %p form are swallowed") {
    check_text(format("%ps|%12pS|%pB\0"s, {0x1000, 0x2000, 0x3000}), "0x1000|      0x2000|0x3000");
    // bstr_printf skips every letter and digit after "%p": "%pxyz" prints the pointer alone.
    auto r = format("%pxyz!\0"s, {0x10});
    check_text(r, "0000000000000010!");
}

TEST_CASE("%pks and %pus print strings as %s does, but without a width") {
    TestMemory m("kernel\0"s);
    check_text(format("%pks|%10pus\0"s, {kData, kData}, m.mem), "kernel|kernel");
    CHECK(format("%pksx\0"s, {kData}, m.mem).ret == -22);
    CHECK(format("%pk\0"s, {kData}, m.mem).ret == -22);
}

TEST_CASE("IPv4 and IPv6 addresses are read from memory in network order") {
    TestMemory m(std::vector<uint8_t>{192, 168, 0, 1, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01});
    check_text(format("%pI4 %pi4\0"s, {kData, kData}, m.mem), "192.168.0.1 192.168.000.001");
    check_text(format("%pI6\0"s, {kData + 4}, m.mem), "2001:0db8:0000:0000:0000:0000:0000:0001");
    check_text(format("%pi6\0"s, {kData + 4}, m.mem), "20010db8000000000000000000000001");
    // Unreadable: all zeros, as the kernel's failed copy leaves them.
    check_text(format("%pI4\0"s, {0}), "0.0.0.0");
    check_text(format("%pI4\0"s, {kData + 18}, m.mem), "0.0.0.0");  // only 2 bytes left
    // Preformatted: no width, and trailing letters belong to the conversion.
    check_text(format("[%20pI4]\0"s, {kData}, m.mem), "[192.168.0.1]");
    check_text(format("%pI4h.\0"s, {kData}, m.mem), "192.168.0.1.");
    CHECK(format("%pI5\0"s, {kData}, m.mem).ret == -22);
    CHECK(format("%pI\0"s, {kData}, m.mem).ret == -22);
}

TEST_CASE("the message keeps 1023 bytes; the return value counts them all") {
    auto r = format("%1100d\0"s, {7});
    CHECK(r.ret == 1100);
    CHECK(r.text == std::string(1023, ' '));
    auto big = format("%8388607d|\0"s, {7});  // the largest width the kernel keeps
    CHECK(big.ret == 8388608);
    CHECK(big.text.size() == 1023u);
}

TEST_CASE("widths wrap as the kernel's 24-bit field does") {
    check_text(format("%16777216d\0"s, {5}), "5");  // 2^24: the field holds 0
    check_text(format("%8388608d\0"s, {5}), "5");   // 2^23: the field holds -2^23
    check_text(format("%16777219d\0"s, {5}), "  5");  // 2^24 + 3
}

TEST_CASE("%c of 0 ends the message, though the return value counts on") {
    auto r = format("a%cb\0"s, {0});
    CHECK(r.text == "a");
    CHECK(r.ret == 3);
}

TEST_CASE("control characters are refused; whitespace and UTF-8 text pass") {
    CHECK(format("bell\a\0"s).ret == -22);
    CHECK(format("del\x7f\0"s).ret == -22);
    check_text(format("tab\there\r\n\v\f\0"s), "tab\there\r\n\v\f");
    check_text(format("caf\xc3\xa9 %d\0"s, {1}), "caf\xc3\xa9 1");
    CHECK(format("%\xc3\xa9\0"s, {1}).ret == -22);  // but not right after '%'
}

TEST_CASE("fewer raw arguments than conversions is refused") {
    CHECK(format("%d %d\0"s, {1}).ret == -22);
    check_text(format("%%%d%%\0"s, {1}), "%1%");
}
