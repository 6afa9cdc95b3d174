// bpf_trace_printk called from BPF programs: the return value is the printed length, the text
// lands in Host::printk, and refused formats return -EINVAL with nothing printed.
#include <doctest/doctest.h>

#include <string>

#include "host/host_test_util.hpp"

using namespace bpfplay;
using namespace bpfplay::host_test;
using namespace std::string_literals;

namespace {

struct Printed {
    uint64_t r0 = 0;
    std::vector<std::string> printk;
    RunStatus status = RunStatus::Faulted;
};

Printed printk(std::string_view fmt, std::vector<uint64_t> args = {}, std::optional<uint32_t> size = std::nullopt) {
    Host host;
    auto run = run_on_host(printk_program(fmt, std::move(args), size), host);
    REQUIRE_MESSAGE(run.status == RunStatus::Exited, run.message());
    return {run.r0, host.printk, run.status};
}

// Checks that `fmt` prints `expected` and returns its length.
void check_prints(std::string_view fmt, std::vector<uint64_t> args, const std::string& expected) {
    CAPTURE(fmt);
    auto p = printk(fmt, std::move(args));
    REQUIRE(p.printk.size() == 1);
    CHECK(p.printk[0] == expected);
    CHECK(p.r0 == expected.size());
}

void check_refused(std::string_view fmt, std::vector<uint64_t> args = {1, 2, 3}) {
    CAPTURE(fmt);
    auto p = printk(fmt, std::move(args));
    CHECK(p.r0 == neg(-22));
    CHECK(p.printk.empty());
}

}  // namespace

TEST_CASE("a plain message is printed as written, newline kept, and its length returned") {
    check_prints("hello\n\0"s, {}, "hello\n");
    check_prints("no newline\0"s, {}, "no newline");
}

TEST_CASE("each call appends one message") {
    Host host;
    std::string first = printk_program("one\n\0"s);
    first.resize(first.size() - std::string("exit\n").size());  // carry on to the second call
    const std::string text = first + printk_program("two\0"s);
    auto run = run_on_host(text, host);
    REQUIRE(run.status == RunStatus::Exited);
    CHECK(host.printk == std::vector<std::string>{"one\n", "two"});
    CHECK(run.r0 == 3u);
}

TEST_CASE("%d and %i print the low 32 bits as signed") {
    check_prints("%d\0"s, {0x80000000}, "-2147483648");
    check_prints("%d\0"s, {0xffffffff80000000}, "-2147483648");
    check_prints("%i\0"s, {neg(-5)}, "-5");
    check_prints("%d\0"s, {0x7fffffff}, "2147483647");
    check_prints("%d\0"s, {0x100000007}, "7");  // the upper half is ignored
    check_prints("%d|%d|%d\0"s, {0, 1, neg(-1)}, "0|1|-1");
}

TEST_CASE("%u, %x and %X print the low 32 bits unsigned") {
    check_prints("%u\0"s, {neg(-1)}, "4294967295");
    check_prints("%x\0"s, {0x1234567890abcdef}, "90abcdef");
    check_prints("%X\0"s, {0x1234567890abcdef}, "90ABCDEF");
    check_prints("%x\0"s, {0}, "0");
}

TEST_CASE("l and ll print all 64 bits") {
    check_prints("%lu\0"s, {neg(-1)}, "18446744073709551615");
    check_prints("%llx\0"s, {neg(-1)}, "ffffffffffffffff");
    check_prints("%lX\0"s, {0xabcdef0123456789}, "ABCDEF0123456789");
    check_prints("%ld\0"s, {0x8000000000000000}, "-9223372036854775808");
    check_prints("%lli\0"s, {neg(-42)}, "-42");
    check_prints("%llu\0"s, {0x8000000000000000}, "9223372036854775808");
    check_prints("%li %lld\0"s, {0x7fffffffffffffff, 1}, "9223372036854775807 1");
}

TEST_CASE("%s prints a string from the stack, %c a byte, %% a percent sign") {
    Host host;
    // "name=%s c=%c %%\n" at r10 - 32, "world" at r10 - 8.
    const std::string fmt = "name=%s c=%c %%\n\0"s;
    const std::string text = store_on_stack(fmt, -32) + store_on_stack("world\0"s, -8) +
                             "r1 = r10\nr1 += -32\nr2 = " + std::to_string(fmt.size()) +
                             "\nr3 = r10\nr3 += -8\nr4 = 0x141\ncall bpf_trace_printk\nexit";
    auto run = run_on_host(text, host);
    REQUIRE(run.status == RunStatus::Exited);
    REQUIRE(host.printk.size() == 1);
    CHECK(host.printk[0] == "name=world c=A %\n");
    CHECK(run.r0 == 17u);
}

TEST_CASE("%s of a pointer the program may not read prints nothing") {
    check_prints("[%s]\0"s, {0}, "[]");
    check_prints("[%s]\0"s, {0x123456789}, "[]");
}

TEST_CASE("flags and widths follow the kernel's printf") {
    check_prints("%5d|%-5d|%05d|\0"s, {42, 42, 42}, "   42|42   |00042|");
    check_prints("%+d % d %+d\0"s, {5, 5, neg(-5)}, "+5  5 -5");
    check_prints("%08x %-4X|\0"s, {0xbeef, 0xab}, "0000beef AB  |");
    check_prints("%05d\0"s, {neg(-42)}, "-0042");
}

TEST_CASE("%p prints the address as 16 hex digits, %ps as 0x-prefixed hex") {
    check_prints("%p %px %pK\0"s, {0x800000000, 0x1f0, 0}, "0000000800000000 00000000000001f0 0000000000000000");
    check_prints("%ps %pS\0"s, {0x800000000, 0xf000000010}, "0x800000000 0xf000000010");
}

TEST_CASE("at most 3 conversions: a fourth is refused and nothing is printed") {
    check_refused("%d %d %d %d\0"s);
    check_refused("%d %s %c %p\0"s);
    check_prints("%d %d %d %%\0"s, {1, 2, 3}, "1 2 3 %");
}

TEST_CASE("a format without its NUL inside fmt_size is refused") {
    auto p = printk("abc\0"s, {}, 3);
    CHECK(p.r0 == neg(-22));
    CHECK(p.printk.empty());
    CHECK(printk("abc\0"s, {}, 4).printk == std::vector<std::string>{"abc"});
    // A size of 0 holds no NUL at all.
    CHECK(printk("abc\0"s, {}, 0).r0 == neg(-22));
}

TEST_CASE("bytes after the NUL are not part of the format") {
    check_prints("ok\0%q%n%d%d%d%d"s, {}, "ok");
}

TEST_CASE("unknown conversions are refused") {
    check_refused("%q\0"s);
    check_refused("%n\0"s);
    check_refused("%hd\0"s);
    check_refused("%.3d\0"s);
    check_refused("%#x\0"s);
    check_refused("%*d\0"s);
    check_refused("%zu\0"s);
    check_refused("%llld\0"s);
    check_refused("%lc\0"s);
    check_refused("%5%\0"s);
    check_refused("100%\0"s);
    check_refused("%pa\0"s);
    check_refused("%sx\0"s);
}

TEST_CASE("unset r3-r5 are passed as they are: trace_printk takes 2 checked arguments") {
    // Only r1 and r2 need a value for the program to decode; a conversion then prints whatever
    // r3 holds, here 0 as no instruction wrote it.
    check_prints("%d\0"s, {}, "0");
}

TEST_CASE("a format the program may not read stops the run") {
    Host host;
    auto run = run_on_host("r1 = r10\nr1 += -8\nr2 = 16\ncall bpf_trace_printk\nexit", host);
    REQUIRE(run.status == RunStatus::Faulted);
    REQUIRE(run.error);
    CHECK(run.error->kind == ErrorKind::Memory);
    CHECK(run.message() ==
          "bpf_trace_printk: 16-byte helper read at 0x8000001f8 (fp-8) is outside the 512-byte stack of frame 0 at "
          "0x800000000: valid stack offsets are fp-512 to fp-1");
    CHECK(host.printk.empty());
}
