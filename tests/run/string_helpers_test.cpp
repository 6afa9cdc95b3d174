// bpf_strtol, bpf_strtoul, bpf_strncmp, bpf_snprintf and bpf_trace_vprintk from assembled
// programs: the kernel's results (kernel/bpf/helpers.c, kernel/trace/bpf_trace.c) and the
// verifier's refusals, which stop the run.
#include <doctest/doctest.h>

#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/decode.hpp"
#include "core/helpers/helper_env.hpp"
#include "core/host/host.hpp"
#include "core/maps/map_set.hpp"
#include "core/run/kernel_helpers.hpp"
#include "core/text/asm.hpp"
#include "core/vm.hpp"

using namespace bpfplay;
using namespace std::string_literals;

namespace {

constexpr uint64_t neg(int64_t v) {
    return uint64_t(v);
}
constexpr uint64_t kEINVAL = neg(-22);
constexpr uint64_t kERANGE = neg(-34);
constexpr uint64_t kENOSPC = neg(-28);

std::string hex(uint64_t v) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
    return buf;
}

// Assembly storing `bytes` (zero-padded to whole u64s) at r10 + fp_off upwards.
std::string on_stack(std::string_view bytes, int fp_off) {
    std::string text;
    for (size_t k = 0; k < bytes.size(); k += 8) {
        uint64_t v = 0;
        for (size_t b = 0; b < 8 && k + b < bytes.size(); ++b)
            v |= uint64_t(uint8_t(bytes[k + b])) << (8 * b);
        text += "r1 = " + hex(v) + " ll\n*(u64 *)(r10 - " + std::to_string(-(fp_off + int(k))) + ") = r1\n";
    }
    return text;
}

// A program, a read-only map holding constant strings ("rodata", like libbpf's .rodata: frozen
// and BPF_F_RDONLY_PROG), a writable one ("data"), and the host.
struct StringRun {
    MapSet maps;
    Host host;
    HelperEnv env;
    Map* rodata = nullptr;
    Map* data = nullptr;
    std::string rodata_bytes;
    std::optional<Program> program;
    std::unique_ptr<Vm> vm;

    // `rodata_text`: the read-only value's bytes; strings are found in it by offset.
    explicit StringRun(std::string rodata_text = "GET\0port %d\0%s:%pI4\0"s)
        : rodata_bytes(std::move(rodata_text)) {
        env.host = &host;
        env.maps = &maps;
        rodata = make_map("rodata", uint32_t(rodata_bytes.size()), map_flag::kRdonlyProg);
        REQUIRE(rodata->update_user(std::vector<uint8_t>(4, 0),
                                    std::vector<uint8_t>(rodata_bytes.begin(), rodata_bytes.end())) == 0);
        rodata->freeze();
        data = make_map("data", 64, 0);
    }
    Map* make_map(const char* name, uint32_t value_size, uint32_t flags) {
        MapSpec s;
        s.type = MapType::Array;
        s.name = name;
        s.key_size = 4;
        s.value_size = value_size;
        s.max_entries = 1;
        s.map_flags = flags;
        auto id = maps.create(s);
        REQUIRE(id.ok());
        return maps.get(id.value());
    }
    // The address of the string `s` inside the read-only value.
    uint64_t str(std::string_view s) const {
        const size_t at = rodata_bytes.find(std::string(s) + '\0');
        REQUIRE(at != std::string::npos);
        return rodata->value_address(0) + at;
    }
    RunStatus run(const std::string& text) {
        auto insns = assemble(text);
        REQUIRE_MESSAGE(insns.ok(), (insns.ok() ? std::string() : insns.error().to_string()));
        DecodeOptions options;
        options.helpers = &kernel_helper_registry();
        auto decoded = decode(insns.value(), options);
        REQUIRE_MESSAGE(decoded.ok(), (decoded.ok() ? std::string() : decoded.error().to_string()));
        program.emplace(std::move(decoded.value()));
        vm = std::make_unique<Vm>(*program);
        vm->env = &env;
        maps.map_into(vm->memory());
        return vm->run();
    }
    uint64_t r0() const { return vm->result(); }
    std::string message() const { return vm && vm->fault() ? vm->fault()->what : std::string(); }
    // `n` bytes of frame 0's stack from r10 + fp_off.
    std::string stack(int fp_off, size_t n) const {
        const uint8_t* p =
            vm->memory().read_ptr(Vm::frame_pointer(0) + uint64_t(int64_t(fp_off)), uint32_t(n));
        REQUIRE(p != nullptr);
        return std::string(reinterpret_cast<const char*>(p), n);
    }
    uint64_t stack_u64(int fp_off) const {
        uint64_t v;
        std::memcpy(&v, stack(fp_off, 8).data(), 8);
        return v;
    }
};

// ---- bpf_strtol / bpf_strtoul ----

struct Parsed {
    uint64_t r0 = 0;
    uint64_t res = 0;
};

// Calls `helper`(buf = `text` on the stack at r10 - 80, its length, flags, res = r10 - 8, which
// holds 0xdeadbeef before the call).
Parsed parse(const char* helper, std::string_view text, uint64_t flags) {
    StringRun run;
    std::string prog = on_stack(text, -80);
    prog += "r1 = 0xdeadbeef ll\n*(u64 *)(r10 - 8) = r1\n";
    prog += "r1 = r10\nr1 += -80\nr2 = " + std::to_string(text.size()) + "\nr3 = " + hex(flags) +
            " ll\nr4 = r10\nr4 += -8\ncall " + helper + "\nexit\n";
    REQUIRE_MESSAGE(run.run(prog) == RunStatus::Exited, run.message());
    return {run.r0(), run.stack_u64(-8)};
}

void check_parse(const char* helper, std::string_view text, uint64_t flags, uint64_t r0, uint64_t res) {
    CAPTURE(helper);
    CAPTURE(text);
    CAPTURE(flags);
    const Parsed p = parse(helper, text, flags);
    CHECK(hex(p.r0) == hex(r0));
    CHECK(hex(p.res) == hex(res));
}

} // namespace

TEST_CASE("bpf_strtol returns the characters consumed and writes the value") {
    check_parse("bpf_strtol", "8080", 10, 4, 8080);
    check_parse("bpf_strtol", "123abc", 10, 3, 123);
    check_parse("bpf_strtol", "-42 rest", 0, 3, neg(-42));
}

TEST_CASE("bpf_strtol skips leading whitespace and counts it as consumed") {
    check_parse("bpf_strtol", "  \t\n-7", 10, 6, neg(-7));
    check_parse("bpf_strtol",
                "\xa0"
                "5",
                10, 2, 5); // the kernel's isspace takes 0xA0 (NBSP)
}

TEST_CASE("base 0 picks 16 for 0x and a hex digit, 8 for a leading 0, else 10") {
    check_parse("bpf_strtoul", "0x1f", 0, 4, 0x1f);
    check_parse("bpf_strtoul", "0X1F", 0, 4, 0x1f);
    check_parse("bpf_strtoul", "017", 0, 3, 15);
    check_parse("bpf_strtoul", "019", 0, 2, 1); // 9 is not an octal digit
    check_parse("bpf_strtoul", "0xg", 0, 1, 0); // no hex digit after 0x: octal "0"
    check_parse("bpf_strtoul", "99", 0, 2, 99);
}

TEST_CASE("base 16 skips an optional 0x prefix, which counts as consumed") {
    check_parse("bpf_strtoul", "ff", 16, 2, 255);
    check_parse("bpf_strtoul", "0xff", 16, 4, 255);
    check_parse("bpf_strtoul", "0x", 16, kEINVAL, 0); // no digit after the prefix
    check_parse("bpf_strtoul", "777", 8, 3, 511);
    check_parse("bpf_strtoul", "8", 8, kEINVAL, 0);
}

TEST_CASE("bpf_strtol and bpf_strtoul refuse other bases and flag bits with -EINVAL and write 0") {
    check_parse("bpf_strtol", "12", 2, kEINVAL, 0);
    check_parse("bpf_strtol", "12", 36, kEINVAL, 0); // 36 & 0x1f = 4
    check_parse("bpf_strtoul", "12", 0x20 | 10, kEINVAL, 0);
}

TEST_CASE("no digits is -EINVAL: only whitespace, a lone minus, letters") {
    check_parse("bpf_strtol", "   ", 10, kEINVAL, 0);
    check_parse("bpf_strtol", "-", 10, kEINVAL, 0);
    check_parse("bpf_strtol", " -x", 10, kEINVAL, 0);
    check_parse("bpf_strtoul", "abc", 10, kEINVAL, 0);
}

TEST_CASE("bpf_strtoul refuses a minus sign with -EINVAL, after parsing") {
    check_parse("bpf_strtoul", "-1", 10, kEINVAL, 0);
    check_parse("bpf_strtoul", "-99999999999999999999", 10, kERANGE, 0); // the overflow is found first
}

TEST_CASE("values past 64 bits are -ERANGE; the extremes parse") {
    check_parse("bpf_strtoul", "18446744073709551615", 10, 20, UINT64_MAX);
    check_parse("bpf_strtoul", "18446744073709551616", 10, kERANGE, 0);
    check_parse("bpf_strtoul", "0x10000000000000000", 0, kERANGE, 0);
}

TEST_CASE("bpf_strtol's value must fit in s64: -2^63 does, 2^63 does not") {
    check_parse("bpf_strtol", "9223372036854775807", 10, 19, 0x7fffffffffffffff);
    check_parse("bpf_strtol", "9223372036854775808", 10, kERANGE, 0);
    check_parse("bpf_strtol", "-9223372036854775808", 10, 20, 0x8000000000000000);
    check_parse("bpf_strtol", "-9223372036854775809", 10, kERANGE, 0);
}

TEST_CASE("only the first 63 bytes after the sign are parsed (the kernel's 64-byte copy)") {
    const std::string zeros(63, '0');
    check_parse("bpf_strtoul", zeros + "7", 10, 63, 0);
    check_parse("bpf_strtoul", "  " + zeros + "7", 10, 65, 0);
    check_parse("bpf_strtoul", std::string(62, '0') + "7", 10, 63, 7);
}

TEST_CASE("the buffer ends the string: digits past buf_len are not read") {
    StringRun run;
    const std::string prog =
        on_stack("12345", -80) +
        "r1 = r10\nr1 += -80\nr2 = 2\nr3 = 10\nr4 = r10\nr4 += -8\ncall bpf_strtoul\nexit\n";
    REQUIRE(run.run(prog) == RunStatus::Exited);
    CHECK(run.r0() == 2);
    CHECK(run.stack_u64(-8) == 12);
}

TEST_CASE("bpf_strtol with buf_len 0 stops the run with the verifier's refusal") {
    StringRun run;
    REQUIRE(run.run("r1 = r10\nr1 += -16\nr2 = 0\nr3 = 10\nr4 = r10\nr4 += -8\ncall bpf_strtol\nexit\n") ==
            RunStatus::Faulted);
    CHECK(run.message() ==
          "bpf_strtol: r2 is 0: the kernel's verifier refuses a zero size here (\"R2 invalid "
          "zero-sized read: u64=[0,0]\")");
}

TEST_CASE("bpf_strtoul with an unwritable result pointer stops the run") {
    StringRun run;
    const std::string prog = on_stack("1", -80) + "r1 = r10\nr1 += -80\nr2 = 1\nr3 = 10\nr4 = " +
                             hex(run.rodata->value_address(0)) + " ll\ncall bpf_strtoul\nexit\n";
    REQUIRE(run.run(prog) == RunStatus::Faulted);
    CHECK(run.message().starts_with("bpf_strtoul: "));
    CHECK(run.vm->fault()->kind == ErrorKind::Memory);
}

// ---- bpf_strncmp ----

namespace {

// bpf_strncmp(s1 = `s1` on the stack, s1_sz, s2 = "GET" in .rodata).
uint64_t strncmp_get(std::string_view s1, uint32_t s1_sz) {
    StringRun run;
    const std::string prog = on_stack(s1, -32) + "r1 = r10\nr1 += -32\nr2 = " + std::to_string(s1_sz) +
                             "\nr3 = " + hex(run.str("GET")) + " ll\ncall bpf_strncmp\nexit\n";
    REQUIRE_MESSAGE(run.run(prog) == RunStatus::Exited, run.message());
    return run.r0();
}

} // namespace

TEST_CASE("bpf_strncmp compares s1_sz bytes: 0 when equal") {
    CHECK(strncmp_get("GET / HTTP/1.1", 3) == 0);
    CHECK(strncmp_get("GET\0xx"s, 6) == 0); // both strings end at the NUL
    CHECK(strncmp_get("GEX", 2) == 0);
}

TEST_CASE("bpf_strncmp returns 1 or -1 at the first difference, bytes compared unsigned") {
    CHECK(hex(strncmp_get("GEX", 3)) == "0x1");
    CHECK(hex(strncmp_get("GEA", 3)) == "0xffffffffffffffff");
    CHECK(hex(strncmp_get("GE", 3)) == "0xffffffffffffffff"); // s1's NUL is below 'T'
    CHECK(hex(strncmp_get("GETX", 4)) == "0x1");              // s2 ended
    CHECK(hex(strncmp_get("\x80", 1)) == "0x1");              // 0x80 > 'G'
}

TEST_CASE("bpf_strncmp's s2 on the stack stops the run with the verifier's refusal") {
    StringRun run;
    const std::string prog =
        on_stack("GET", -32) + "r1 = r10\nr1 += -32\nr2 = 3\nr3 = r10\nr3 += -32\ncall bpf_strncmp\nexit\n";
    REQUIRE(run.run(prog) == RunStatus::Faulted);
    CHECK(run.vm->fault()->kind == ErrorKind::Helper);
    CHECK(run.message() ==
          "bpf_strncmp: r3 = 0x8000001e0 is not a string in a map value: the kernel's verifier "
          "refuses it (\"R3 type=fp expected=map_value\")");
}

TEST_CASE("bpf_strncmp's s2 in a writable map stops the run: it must be read-only") {
    StringRun run;
    const std::string prog = on_stack("GET", -32) +
                             "r1 = r10\nr1 += -32\nr2 = 3\nr3 = " + hex(run.data->value_address(0)) +
                             " ll\ncall bpf_strncmp\nexit\n";
    REQUIRE(run.run(prog) == RunStatus::Faulted);
    CHECK(run.message() ==
          "bpf_strncmp: r3 points into array map \"data\", which is not read-only: the kernel's "
          "verifier refuses it (\"R3 does not point to a readonly map'\")");
}

TEST_CASE("bpf_strncmp's s2 without a NUL before the end of the value stops the run") {
    StringRun run("GET\0abc"s);
    const std::string prog = on_stack("abc", -32) +
                             "r1 = r10\nr1 += -32\nr2 = 3\nr3 = " + hex(run.rodata->value_address(0) + 4) +
                             " ll\ncall bpf_strncmp\nexit\n";
    REQUIRE(run.run(prog) == RunStatus::Faulted);
    CHECK(run.message().ends_with("the kernel's verifier refuses it (\"string is not zero-terminated\")"));
}

// ---- bpf_snprintf ----

namespace {

// bpf_snprintf(str = r10 - 64, str_size, fmt, data = `args` at r10 - 200, data_len).
std::string snprintf_program(const StringRun& run, std::string_view fmt, const std::vector<uint64_t>& args,
                             uint32_t str_size, std::optional<uint32_t> data_len = std::nullopt) {
    std::string prog = "r1 = 0x5858585858585858 ll\n"; // 'X' fill, to see what is written
    for (int k = 8; k <= 64; k += 8)
        prog += "*(u64 *)(r10 - " + std::to_string(k) + ") = r1\n";
    for (size_t k = 0; k < args.size(); ++k)
        prog += "r1 = " + hex(args[k]) + " ll\n*(u64 *)(r10 - " + std::to_string(200 - 8 * k) + ") = r1\n";
    prog +=
        "r1 = r10\nr1 += -64\nr2 = " + std::to_string(str_size) + "\nr3 = " + hex(run.str(fmt)) +
        " ll\nr4 = r10\nr4 += -200\nr5 = " + std::to_string(data_len.value_or(uint32_t(8 * args.size()))) +
        "\ncall bpf_snprintf\nexit\n";
    return prog;
}

} // namespace

TEST_CASE("bpf_snprintf formats into str and returns the length with the NUL") {
    StringRun run;
    REQUIRE(run.run(snprintf_program(run, "port %d", {8080}, 32)) == RunStatus::Exited);
    CHECK(run.r0() == 10);
    CHECK(run.stack(-64, 12) == "port 8080\0XX"s);
}

TEST_CASE("bpf_snprintf truncates to str_size, always ends with a NUL, and returns the full length") {
    StringRun run;
    REQUIRE(run.run(snprintf_program(run, "port %d", {8080}, 5)) == RunStatus::Exited);
    CHECK(run.r0() == 10);
    CHECK(run.stack(-64, 6) == "port\0X"s);
}

TEST_CASE("bpf_snprintf with str_size 0 writes nothing and still returns the length") {
    StringRun run;
    std::string prog = snprintf_program(run, "port %d", {8080}, 0);
    REQUIRE(run.run(prog) == RunStatus::Exited);
    CHECK(run.r0() == 10);
    CHECK(run.stack(-64, 4) == "XXXX");
}

TEST_CASE("bpf_snprintf's %s reads the string argument and %pI4 the address it points to") {
    // "%s:%pI4" with s = "GET" (in .rodata) and the address 10.0.0.1 from .rodata too.
    StringRun probe("GET\0%s:%pI4\0\x0a\x00\x00\x01"s);
    const uint64_t ip = probe.rodata->value_address(0) + 12;
    REQUIRE(probe.run(snprintf_program(probe, "%s:%pI4", {probe.str("GET"), ip}, 32)) == RunStatus::Exited);
    CHECK(probe.r0() == 13);
    CHECK(probe.stack(-64, 13) == "GET:10.0.0.1\0"s);
}

TEST_CASE("bpf_snprintf with more than 12 arguments returns -EINVAL") {
    StringRun run;
    REQUIRE(run.run(snprintf_program(run, "port %d", std::vector<uint64_t>(13, 1), 32)) == RunStatus::Exited);
    CHECK(hex(run.r0()) == hex(kEINVAL));
    CHECK(run.stack(-64, 4) == "XXXX");
}

TEST_CASE("bpf_snprintf with a data_len that is not a multiple of 8 stops the run") {
    StringRun run;
    REQUIRE(run.run(snprintf_program(run, "port %d", {8080, 0}, 32, 12)) == RunStatus::Faulted);
    CHECK(run.message() ==
          "bpf_snprintf: data_len (r5) is 12, not a multiple of 8: the kernel's verifier refuses the program with "
          "-EINVAL and no message (check_bpf_snprintf_call: the data must be an array of u64)");
}

TEST_CASE("bpf_snprintf with fewer arguments than conversions stops the run: Invalid format string") {
    StringRun run;
    REQUIRE(run.run(snprintf_program(run, "port %d", {}, 32)) == RunStatus::Faulted);
    CHECK(run.message() == "bpf_snprintf: the format \"port %d\" with 0 arguments is refused by the kernel's "
                           "verifier (\"Invalid format string\")");
}

TEST_CASE("bpf_snprintf's format must be a constant string in a read-only map") {
    StringRun run;
    const std::string prog =
        on_stack("hi", -32) +
        "r1 = r10\nr1 += -64\nr2 = 8\nr3 = r10\nr3 += -32\nr4 = 0\nr5 = 0\ncall bpf_snprintf\nexit\n";
    REQUIRE(run.run(prog) == RunStatus::Faulted);
    CHECK(run.message().starts_with("bpf_snprintf: r3 = 0x8000001e0 is not a string in a map value"));
}

TEST_CASE("bpf_snprintf's %c of 0 writes a NUL inside the output") {
    StringRun run("a%cb\0"s);
    REQUIRE(run.run(snprintf_program(run, "a%cb", {0}, 8)) == RunStatus::Exited);
    CHECK(run.r0() == 4);
    CHECK(run.stack(-64, 5) == "a\0b\0X"s);
}

TEST_CASE("bpf_snprintf with a %s that fills the 512-byte buffer before a later argument returns -ENOSPC") {
    // A 600-byte string in .rodata, then "%s%d".
    std::string ro(600, 'a');
    ro += "\0%s%d\0"s;
    StringRun run(ro);
    const uint64_t big = run.rodata->value_address(0);
    REQUIRE(run.run(snprintf_program(run, "%s%d", {big, 1}, 32)) == RunStatus::Exited);
    CHECK(hex(run.r0()) == hex(kENOSPC));
}

// ---- bpf_trace_vprintk ----

namespace {

// bpf_trace_vprintk(fmt = `fmt` on the stack at r10 - 128, fmt_size, data at r10 - 200, data_len).
std::string vprintk_program(std::string_view fmt, const std::vector<uint64_t>& args,
                            std::optional<uint32_t> data_len = std::nullopt,
                            std::optional<uint32_t> fmt_size = std::nullopt) {
    std::string prog = on_stack(fmt, -128);
    for (size_t k = 0; k < args.size(); ++k)
        prog += "r1 = " + hex(args[k]) + " ll\n*(u64 *)(r10 - " + std::to_string(200 - 8 * k) + ") = r1\n";
    prog += "r1 = r10\nr1 += -128\nr2 = " + std::to_string(fmt_size.value_or(uint32_t(fmt.size()))) +
            "\nr3 = r10\nr3 += -200\nr4 = " + std::to_string(data_len.value_or(uint32_t(8 * args.size()))) +
            "\ncall bpf_trace_vprintk\nexit\n";
    return prog;
}

} // namespace

TEST_CASE("bpf_trace_vprintk prints more than 3 arguments to the trace buffer and returns the length") {
    StringRun run;
    REQUIRE(run.run(vprintk_program("%d %d %d %d %x\n\0"s, {1, 2, 3, neg(-4), 0xbeef})) == RunStatus::Exited);
    REQUIRE(run.host.printk.size() == 1);
    CHECK(run.host.printk[0] == "1 2 3 -4 beef\n");
    CHECK(run.r0() == 14);
}

TEST_CASE("bpf_trace_vprintk returns -EINVAL, printing nothing, for a bad data_len, format or NUL") {
    SUBCASE("data_len not a multiple of 8") {
        StringRun run;
        REQUIRE(run.run(vprintk_program("%d\0"s, {1, 2}, 12)) == RunStatus::Exited);
        CHECK(hex(run.r0()) == hex(kEINVAL));
        CHECK(run.host.printk.empty());
    }
    SUBCASE("more than 12 arguments") {
        StringRun run;
        REQUIRE(run.run(vprintk_program("%d\0"s, std::vector<uint64_t>(13, 1))) == RunStatus::Exited);
        CHECK(hex(run.r0()) == hex(kEINVAL));
        CHECK(run.host.printk.empty());
    }
    SUBCASE("fewer arguments than conversions (checked at run time, unlike bpf_snprintf)") {
        StringRun run;
        REQUIRE(run.run(vprintk_program("%d %d\0"s, {1})) == RunStatus::Exited);
        CHECK(hex(run.r0()) == hex(kEINVAL));
        CHECK(run.host.printk.empty());
    }
    SUBCASE("no NUL within fmt_size") {
        StringRun run;
        REQUIRE(run.run(vprintk_program("abc\0"s, {}, 0, 3)) == RunStatus::Exited);
        CHECK(hex(run.r0()) == hex(kEINVAL));
        CHECK(run.host.printk.empty());
    }
}

TEST_CASE("bpf_trace_vprintk with data_len 0 and data NULL prints a plain message") {
    StringRun run;
    const std::string prog = on_stack("hello\0"s, -128) +
                             "r1 = r10\nr1 += -128\nr2 = 6\nr3 = 0\nr4 = 0\ncall bpf_trace_vprintk\nexit\n";
    REQUIRE(run.run(prog) == RunStatus::Exited);
    CHECK(run.r0() == 5);
    CHECK(run.host.printk == std::vector<std::string>{"hello"});
}
