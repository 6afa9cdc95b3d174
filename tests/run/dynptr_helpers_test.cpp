// The dynptr helpers (197-203): each result and error code as Linux 6.18 gives it (checked with
// BPF_PROG_TEST_RUN on the same calls), the 16 bytes of struct bpf_dynptr_kern they leave on the
// stack, and what the kernel's verifier refuses, with its message.
#include <doctest/doctest.h>

#include "core/hex.hpp"
#include "core/maps/map_abi.hpp"
#include "core/maps/ringbuf_map.hpp"
#include "run/asm_session.hpp"

namespace bpfplay::testing {
namespace {

// The maps every program here has: where their values are.
constexpr uint64_t kRbData = window_base(window::kFirstFree);     // map 0: "rb", a 4096-byte ring buffer
constexpr uint64_t kBuf = window_base(window::kFirstFree + 1);    // map 1: "buf", a 32-byte array value
constexpr uint64_t kRodata = window_base(window::kFirstFree + 2); // map 2: "ro", 16 bytes, BPF_F_RDONLY_PROG
constexpr uint64_t kEinval = uint64_t(-22), kE2big = uint64_t(-7);

struct DynptrRun {
    std::unique_ptr<ObjectSession> s;
    RunResult r;

    // Runs `text` once, with buf holding the bytes 01 02 ... 20.
    explicit DynptrRun(const std::string& text, std::string_view section = "xdp")
        : s(open_asm(text,
                     {ringbuf_spec("rb"), array_spec("buf", 32), array_spec("ro", 16, map_flag::kRdonlyProg),
                      [] {
                          MapSpec p;
                          p.type = MapType::ProgArray;
                          p.name = "progs";
                          p.key_size = 4;
                          p.value_size = 4;
                          p.max_entries = 1;
                          return p;
                      }()},
                     section)) {
        std::span<uint8_t> v = s->object().maps->find("buf")->value_region();
        for (uint8_t i = 0; i < 32; ++i)
            v[i] = uint8_t(i + 1);
        r = run_asm(*s);
    }
    bool exited() const { return r.status == RunStatus::Exited; }
    std::string error() const { return r.error ? r.error->what : std::string("(no error)"); }
    std::vector<uint8_t> buf() const {
        auto v = s->object().maps->find("buf")->value_region();
        return {v.begin(), v.begin() + 32};
    }
    RingbufMap& rb() const { return *static_cast<RingbufMap*>(s->object().maps->find("rb")); }
};

// bpf_dynptr_from_mem(buf + off, size, flags, fp-16).
std::string from_mem(uint32_t size = 32, uint64_t flags = 0, std::string data = "{buf.value}") {
    return "r1 = " + data + " ll\nr2 = " + std::to_string(size) + "\nr3 = " + std::to_string(flags) +
           " ll\nr4 = r10\nr4 += -16\ncall bpf_dynptr_from_mem\n";
}
// bpf_ringbuf_reserve_dynptr(rb, size, flags, fp-16).
std::string reserve(uint32_t size, uint64_t flags = 0) {
    return "r1 = {rb} ll\nr2 = " + std::to_string(size) + "\nr3 = " + std::to_string(flags) +
           " ll\nr4 = r10\nr4 += -16\ncall bpf_ringbuf_reserve_dynptr\n";
}
const std::string kSubmit = "r1 = r10\nr1 += -16\nr2 = 0\ncall bpf_ringbuf_submit_dynptr\n";
const std::string kDiscard = "r1 = r10\nr1 += -16\nr2 = 0\ncall bpf_ringbuf_discard_dynptr\n";
// bpf_dynptr_read(fp-24, len, fp-16, offset, flags); r0 is saved in r6.
std::string read(uint32_t len, uint32_t offset, uint64_t flags = 0) {
    return "r1 = r10\nr1 += -24\nr2 = " + std::to_string(len) +
           "\nr3 = r10\nr3 += -16\nr4 = " + std::to_string(offset) + "\nr5 = " + std::to_string(flags) +
           " ll\ncall bpf_dynptr_read\nr6 = r0\n";
}
// bpf_dynptr_write(fp-16, offset, fp-24, len, flags) with fp-24 = aa bb cc dd ee ff 11 22.
std::string write(uint32_t offset, uint32_t len, uint64_t flags = 0) {
    return "r1 = 0x2211ffeeddccbbaa ll\n*(u64 *)(r10 - 24) = r1\nr1 = r10\nr1 += -16\nr2 = " +
           std::to_string(offset) + " ll\nr3 = r10\nr3 += -24\nr4 = " + std::to_string(len) +
           "\nr5 = " + std::to_string(flags) + " ll\ncall bpf_dynptr_write\n";
}
// bpf_dynptr_data(fp-16, offset, len).
std::string data(uint32_t offset, uint32_t len) {
    return "r1 = r10\nr1 += -16\nr2 = " + std::to_string(offset) + " ll\nr3 = " + std::to_string(len) +
           "\ncall bpf_dynptr_data\n";
}
const std::string kExit = "exit\n";
// r0 = the dynptr's first 8 bytes (data) or its second 8 (size word, then offset). The kernel's
// verifier refuses such direct reads of a dynptr's stack slots; bpf_probe_read_kernel of them
// shows the same bytes there.
const std::string kDataWord = "r0 = *(u64 *)(r10 - 16)\nexit\n";
const std::string kSizeWord = "r0 = *(u64 *)(r10 - 8)\nexit\n";
// Fills fp-16..fp-1 with 0xff, so a helper that zeroes them shows.
const std::string kDirtyStack = "r1 = -1\n*(u64 *)(r10 - 16) = r1\n*(u64 *)(r10 - 8) = r1\n";

// ---- bpf_dynptr_from_mem ----

TEST_CASE("bpf_dynptr_from_mem lays out struct bpf_dynptr_kern: the data address, then size | LOCAL << 28, "
          "offset 0") {
    DynptrRun data_word(from_mem() + kDataWord);
    REQUIRE_MESSAGE(data_word.exited(), data_word.error());
    CHECK(data_word.r.r0 == kBuf);
    DynptrRun size_word(from_mem(20) + kSizeWord);
    CHECK(size_word.r.r0 == 0x10000014); // DYNPTR_TYPE_SHIFT 28, BPF_DYNPTR_TYPE_LOCAL 1; offset 0 above
    DynptrRun result(from_mem() + kExit);
    CHECK(result.r.r0 == 0x0);
}

TEST_CASE("bpf_dynptr_from_mem with flags returns -EINVAL and leaves an invalid dynptr of zeros") {
    DynptrRun r(kDirtyStack + from_mem(32, 1) +
                "r6 = r0\nr0 = *(u64 *)(r10 - 16)\nr1 = *(u64 *)(r10 - 8)\nr0 |= r1\n"
                "if r6 == -22 goto ok\nr0 = 99\nok:\nexit\n");
    REQUIRE_MESSAGE(r.exited(), r.error());
    CHECK(r.r.r0 == 0x0);
}

TEST_CASE("bpf_dynptr_from_mem of 0 bytes makes a valid empty dynptr") {
    DynptrRun r(from_mem(0) + kSizeWord);
    CHECK(r.r.r0 == 0x10000000);
    DynptrRun read_it(from_mem(0) + read(0, 0) + "r0 = r6\nexit\n");
    CHECK(read_it.r.r0 == 0x0);
}

// ---- bpf_dynptr_read ----

TEST_CASE("bpf_dynptr_read copies len bytes from offset of the dynptr's memory") {
    DynptrRun r(from_mem() + read(8, 8) + "r0 = *(u64 *)(r10 - 24)\nr0 += r6\nexit\n");
    REQUIRE_MESSAGE(r.exited(), r.error());
    CHECK(r.r.r0 == 0x100f0e0d0c0b0a09);
}

TEST_CASE("bpf_dynptr_read outside the dynptr returns -E2BIG; up to its end is allowed") {
    CHECK(DynptrRun(from_mem() + read(8, 25) + "r0 = r6\nexit\n").r.r0 == kE2big);
    CHECK(DynptrRun(from_mem() + read(8, 24) + "r0 = r6\nexit\n").r.r0 == 0x0);
    CHECK(DynptrRun(from_mem() + read(0, 32) + "r0 = r6\nexit\n").r.r0 == 0x0);
    CHECK(DynptrRun(from_mem() + read(0, 33) + "r0 = r6\nexit\n").r.r0 == kE2big);
}

TEST_CASE("bpf_dynptr_read with flags, or of an invalid dynptr, returns -EINVAL") {
    CHECK(DynptrRun(from_mem() + read(8, 0, 1) + "r0 = r6\nexit\n").r.r0 == kEinval);
    CHECK(DynptrRun(from_mem(32, 1) + read(8, 0) + "r0 = r6\nexit\n").r.r0 == kEinval);
    // An invalid dynptr is checked first: -EINVAL, not -E2BIG.
    CHECK(DynptrRun(from_mem(32, 1) + read(8, 99) + "r0 = r6\nexit\n").r.r0 == kEinval);
}

// ---- bpf_dynptr_write ----

TEST_CASE("bpf_dynptr_write copies into the dynptr's memory at offset") {
    DynptrRun r(from_mem() + write(4, 3) + kExit);
    REQUIRE_MESSAGE(r.exited(), r.error());
    CHECK(r.r.r0 == 0x0);
    CHECK(hex_bytes(r.buf()) == "01020304aabbcc08090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20");
}

TEST_CASE("bpf_dynptr_write outside the dynptr returns -E2BIG, checked before its flags") {
    DynptrRun past(from_mem() + write(30, 3) + kExit);
    CHECK(past.r.r0 == kE2big);
    CHECK(past.buf()[30] == 31);
    CHECK(DynptrRun(from_mem() + write(0xffffffff, 1, 1) + kExit).r.r0 == kE2big);
}

TEST_CASE("bpf_dynptr_write with flags, or to an invalid dynptr, returns -EINVAL") {
    DynptrRun flags(from_mem() + write(0, 8, 1) + kExit);
    CHECK(flags.r.r0 == kEinval);
    CHECK(flags.buf()[0] == 1);
    CHECK(DynptrRun(from_mem(32, 1) + write(0, 8) + kExit).r.r0 == kEinval);
}

// ---- bpf_dynptr_data ----

TEST_CASE("bpf_dynptr_data returns the address of offset, or NULL outside the dynptr or for an invalid one") {
    CHECK(DynptrRun(from_mem() + data(8, 8) + kExit).r.r0 == kBuf + 8);
    CHECK(DynptrRun(from_mem() + data(32, 0) + kExit).r.r0 == kBuf + 32);
    CHECK(DynptrRun(from_mem() + data(9, 24) + kExit).r.r0 == 0x0);
    CHECK(DynptrRun(from_mem(32, 1) + data(0, 0) + kExit).r.r0 == 0x0);
}

TEST_CASE("a bpf_dynptr_data slice reads and writes the dynptr's memory") {
    DynptrRun r(from_mem() + data(16, 8) + "r1 = 0x55\n*(u8 *)(r0 + 0) = r1\nr0 = *(u8 *)(r0 + 1)\nexit\n");
    CHECK(r.r.r0 == 18);
    CHECK(r.buf()[16] == 0x55);
}

// ---- ring buffer dynptrs ----

TEST_CASE("bpf_ringbuf_reserve_dynptr points the dynptr at the record: size | RINGBUF << 28") {
    DynptrRun data_word(reserve(5) + "r6 = *(u64 *)(r10 - 16)\n" + kDiscard + "r0 = r6\nexit\n");
    REQUIRE_MESSAGE(data_word.exited(), data_word.error());
    CHECK(data_word.r.r0 == kRbData + 8); // after the record's 8-byte header
    DynptrRun size_word(reserve(5) + "r6 = *(u64 *)(r10 - 8)\n" + kDiscard + "r0 = r6\nexit\n");
    CHECK(size_word.r.r0 == 0x20000005);
}

TEST_CASE("a record written through a dynptr and submitted is what bpf_ringbuf_submit gives user space") {
    DynptrRun r(reserve(5) + write(1, 3) + "r6 = r0\n" + kSubmit +
                "r0 = *(u64 *)(r10 - 16)\nr1 = *(u64 *)(r10 - 8)\nr0 |= r1\nr0 |= r6\nexit\n");
    REQUIRE_MESSAGE(r.exited(), r.error());
    CHECK(r.r.r0 == 0x0); // write returned 0; submit left 16 zero bytes
    CHECK(r.rb().submitted() == std::vector<std::vector<uint8_t>>{{0x00, 0xaa, 0xbb, 0xcc, 0x00}});
    CHECK(r.rb().bytes_in_use() == 16);
}

TEST_CASE("bpf_ringbuf_discard_dynptr discards the record, whose space stays used") {
    DynptrRun r(reserve(8) + write(0, 8) + kDiscard + reserve(0) + kSubmit + "r0 = 0\nexit\n");
    REQUIRE_MESSAGE(r.exited(), r.error());
    CHECK(r.rb().submitted() == std::vector<std::vector<uint8_t>>{{}});
    CHECK(r.rb().bytes_in_use() == 24);
}

TEST_CASE(
    "bpf_ringbuf_reserve_dynptr without room returns -EINVAL and an invalid dynptr, which submit ignores") {
    DynptrRun r(kDirtyStack + reserve(4088) +
                "r6 = r0\nr7 = *(u64 *)(r10 - 16)\nr1 = *(u64 *)(r10 - 8)\nr7 |= r1\n" + kSubmit +
                "r0 = r6\nr0 |= r7\nexit\n");
    REQUIRE_MESSAGE(r.exited(), r.error());
    CHECK(r.r.r0 == kEinval);
    CHECK(r.rb().submitted().empty());
    CHECK(r.rb().bytes_in_use() == 0);
}

TEST_CASE("bpf_ringbuf_reserve_dynptr: flags give -EINVAL, a size past DYNPTR_MAX_SIZE -E2BIG") {
    CHECK(DynptrRun(reserve(8, 1) + "r6 = r0\n" + kDiscard + "r0 = r6\nexit\n").r.r0 == kEinval);
    CHECK(DynptrRun(reserve(1u << 24) + "r6 = r0\n" + kDiscard + "r0 = r6\nexit\n").r.r0 == kE2big);
    CHECK(DynptrRun(reserve((1u << 24) - 1) + "r6 = r0\n" + kDiscard + "r0 = r6\nexit\n").r.r0 == kEinval);
}

TEST_CASE("reading a ring buffer dynptr past its record's end returns -E2BIG") {
    DynptrRun r(reserve(5) + read(4, 2) + kSubmit + "r0 = r6\nexit\n");
    CHECK(r.r.r0 == kE2big);
}

// ---- what the verifier refuses ----

TEST_CASE("a dynptr argument that is not on the stack stops the run with the verifier's message") {
    DynptrRun r(
        from_mem() +
        "r1 = r10\nr1 += -24\nr2 = 8\nr3 = {buf.value} ll\nr4 = 0\nr5 = 0\ncall bpf_dynptr_read\nexit\n");
    REQUIRE(r.r.status == RunStatus::Faulted);
    CHECK(r.r.error->kind == ErrorKind::Helper);
    CHECK(r.error() ==
          "bpf_dynptr_read: r3 = 0x1100000000 is not on the stack (a map value pointer), and a struct "
          "bpf_dynptr must be: the kernel's verifier refuses the call (\"R3 type=map_value expected=fp, "
          "dynptr_ptr\")");
}

TEST_CASE("a dynptr at a stack offset that is not a multiple of 8 is refused") {
    DynptrRun r("r1 = {buf.value} ll\nr2 = 8\nr3 = 0\nr4 = r10\nr4 += -20\ncall bpf_dynptr_from_mem\nexit\n");
    CHECK(r.error() ==
          "bpf_dynptr_from_mem: r4 = 0x8000001ec is fp-20, not a multiple of 8 below r10: the kernel's "
          "verifier refuses the call (\"cannot pass in dynptr at an offset=-20\")");
}

TEST_CASE("a dynptr no helper made is refused as uninitialized") {
    DynptrRun r(read(8, 0) + kExit);
    CHECK(r.error() ==
          "bpf_dynptr_read: r3 points to fp-16, which holds no dynptr (none was made there, or it was "
          "submitted, discarded or written over): the kernel's verifier refuses the call (\"Expected an "
          "initialized dynptr as arg #2\")");
}

TEST_CASE("a dynptr used after bpf_ringbuf_submit_dynptr is refused as uninitialized") {
    DynptrRun r(reserve(8) + kSubmit + data(0, 8) + kExit);
    CHECK(r.error() ==
          "bpf_dynptr_data: r1 points to fp-16, which holds no dynptr (none was made there, or it was "
          "submitted, discarded or written over): the kernel's verifier refuses the call (\"Expected an "
          "initialized dynptr as arg #0\")");
}

TEST_CASE("submitting a ring buffer dynptr twice is refused as releasing an unacquired reference") {
    DynptrRun r(reserve(8) + kSubmit + kDiscard + kExit);
    CHECK(r.error() ==
          "bpf_ringbuf_discard_dynptr: r1 points to fp-16, which holds no reserved ring buffer dynptr "
          "(none was made there, or it was already submitted or discarded): the kernel's verifier "
          "refuses the call (\"arg 1 is an unacquired reference\")");
    CHECK(r.r.error->where.pc == 15u);
}

TEST_CASE("submitting a local dynptr is refused as releasing an unacquired reference") {
    DynptrRun r(from_mem() + kSubmit + kExit);
    CHECK(r.error() ==
          "bpf_ringbuf_submit_dynptr: r1 points to the local dynptr that bpf_dynptr_from_mem at insn 7 "
          "made, which holds no ring buffer reservation: the kernel's verifier refuses the call (\"arg 1 "
          "is an unacquired reference\")");
}

TEST_CASE("exiting with a ring buffer dynptr reserved faults at the exit with the verifier's Unreleased "
          "reference") {
    DynptrRun r(reserve(8) + "r0 = 2\nexit\n");
    REQUIRE(r.r.status == RunStatus::Faulted);
    CHECK(r.r.error->kind == ErrorKind::Verify);
    CHECK(r.r.error->where.pc == 9u);
    CHECK(r.error() ==
          "the program exits still holding the ring buffer dynptr at fp-16 that bpf_ringbuf_reserve_dynptr "
          "at insn 7 reserved: the kernel's verifier refuses this program (\"Unreleased reference ... "
          "alloc_insn=7\", \"BPF_EXIT instruction in main prog would lead to reference leak\")");
    CHECK(r.r.instructions == 7); // the exit did not complete (an lddw counts once)
}

TEST_CASE("a failed reservation is a reference too: exiting without submitting it is refused") {
    DynptrRun r(reserve(4088) + "r0 = 2\nexit\n");
    REQUIRE(r.r.status == RunStatus::Faulted);
    CHECK(r.r.error->kind == ErrorKind::Verify);
}

TEST_CASE("a ring buffer dynptr reserved in a subprogram and never released is refused at the main exit") {
    DynptrRun r("call leak\nr0 = 2\nexit\nleak:\n" + reserve(8) + "r0 = 0\nexit\n");
    REQUIRE(r.r.status == RunStatus::Faulted);
    CHECK(r.r.error->where.pc == 2u);
    CHECK(r.error().find(
              "the ring buffer dynptr at fp-16 of frame 1 that bpf_ringbuf_reserve_dynptr at insn 10 "
              "reserved") != std::string::npos);
}

TEST_CASE("a subprogram may submit the caller's ring buffer dynptr") {
    DynptrRun r(reserve(4) + "r1 = r10\nr1 += -16\ncall release\nr0 = 2\nexit\nrelease:\nr2 = 0\n"
                             "call bpf_ringbuf_submit_dynptr\nr0 = 0\nexit\n");
    REQUIRE_MESSAGE(r.exited(), r.error());
    CHECK(r.rb().submitted().size() == 1);
}

TEST_CASE("a store over a reserved ring buffer dynptr is refused as the verifier refuses it") {
    DynptrRun r(reserve(8) + "r1 = 100\n*(u32 *)(r10 - 8) = r1\n" + kSubmit + kExit);
    CHECK(r.error() ==
          "bpf_ringbuf_submit_dynptr: the program wrote over the ring buffer dynptr at fp-16 that "
          "bpf_ringbuf_reserve_dynptr at insn 7 made, while it still holds the reservation: the kernel's "
          "verifier refuses the store (\"cannot overwrite referenced dynptr\")");
}

TEST_CASE("a store over a local dynptr destroys it") {
    DynptrRun r(from_mem() + "r1 = 100\n*(u32 *)(r10 - 8) = r1\n" + read(8, 0) + kExit);
    CHECK(r.error() ==
          "bpf_dynptr_read: the program wrote over the dynptr at fp-16 that bpf_dynptr_from_mem at insn 7 "
          "made, which destroys it: the kernel's verifier refuses the call (\"Expected an initialized "
          "dynptr as arg #2\")");
}

TEST_CASE("making a dynptr over a reserved ring buffer dynptr is refused; over a local one it replaces it") {
    DynptrRun over_ref(reserve(8) + from_mem() + kExit);
    CHECK(over_ref.error() ==
          "bpf_dynptr_from_mem: r4 = fp-16 would overwrite the ring buffer dynptr at fp-16 that "
          "bpf_ringbuf_reserve_dynptr at insn 7 made, which is still reserved: the kernel's "
          "verifier refuses the call (\"cannot overwrite referenced dynptr\")");
    DynptrRun over_local(from_mem() + from_mem(8) + kSizeWord);
    REQUIRE_MESSAGE(over_local.exited(), over_local.error());
    CHECK(over_local.r.r0 == 0x10000008);
}

TEST_CASE("bpf_dynptr_from_mem takes only map values, as the verifier requires") {
    DynptrRun stack(
        "r1 = r10\nr1 += -32\nr2 = 8\nr3 = 0\nr4 = r10\nr4 += -16\ncall bpf_dynptr_from_mem\nexit\n");
    CHECK(stack.error() ==
          "bpf_dynptr_from_mem: r1 = 0x8000001e0 is a stack pointer, but the memory of a local dynptr must "
          "be a map value: the kernel's verifier refuses the call (\"Unsupported reg type fp for "
          "bpf_dynptr_from_mem data\")");
    DynptrRun ro(from_mem(8, 0, "{ro.value}") + kExit);
    CHECK(ro.error() ==
          "bpf_dynptr_from_mem: r1 = " + hex(kRodata) +
              " points into array map \"ro\", which programs may only "
              "read: the kernel's verifier refuses the call (\"write into map forbidden, value_size=16 off=0 "
              "size=8\")");
    DynptrRun past(from_mem(33) + kExit);
    CHECK(past.error() ==
          "bpf_dynptr_from_mem: r1 = 0x1100000000 and 33 bytes reach past the end of a value of array "
          "map \"buf\": the kernel's verifier refuses the call (\"invalid access to map value, "
          "value_size=32 off=0 size=33\")");
    DynptrRun ctx("r2 = 8\nr3 = 0\nr4 = r10\nr4 += -16\ncall bpf_dynptr_from_mem\nexit\n");
    CHECK(ctx.error() ==
          "bpf_dynptr_from_mem: r1 = 0x100000000 is the context pointer: the kernel's verifier refuses the "
          "call (\"R1 type=ctx expected=fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, "
          "trusted_ptr_\")");
    DynptrRun packet(
        "r1 = *(u32 *)(r1 + 0)\nr2 = 8\nr3 = 0\nr4 = r10\nr4 += -16\ncall bpf_dynptr_from_mem\nexit\n");
    CHECK(packet.error() ==
          "bpf_dynptr_from_mem: r1 = 0x200000000 points into the packet: the kernel's verifier "
          "refuses the call (\"helper access to the packet is not allowed\")");
}

TEST_CASE("bpf_ringbuf_reserve_dynptr on a map that is not a ring buffer is refused") {
    DynptrRun r(
        "r1 = {buf} ll\nr2 = 8\nr3 = 0\nr4 = r10\nr4 += -16\ncall bpf_ringbuf_reserve_dynptr\nexit\n");
    CHECK(r.error() ==
          "bpf_ringbuf_reserve_dynptr: r1 is array map \"buf\", not a ring buffer: the kernel's verifier "
          "refuses the call (\"cannot pass map_type 2 into func bpf_ringbuf_reserve_dynptr#198\")");
}

TEST_CASE("a tail call while a ring buffer dynptr is reserved is refused") {
    DynptrRun r("r6 = r1\n" + reserve(8) + "r1 = r6\nr2 = {progs} ll\nr3 = 0\ncall bpf_tail_call\n" +
                kDiscard + kExit);
    CHECK(r.error() ==
          "bpf_tail_call: the program still holds the ring buffer dynptr at fp-16 that "
          "bpf_ringbuf_reserve_dynptr at insn 8 reserved: the kernel's verifier refuses the call "
          "(\"Unreleased reference ... alloc_insn=8\", \"tail_call would lead to reference leak\")");
}

TEST_CASE("bpf_dynptr_write refuses a source in the packet, as the verifier does") {
    DynptrRun r("r6 = r1\n" + from_mem() + "r3 = *(u32 *)(r6 + 0)\n" +
                "r1 = r10\nr1 += -16\nr2 = 0\nr4 = 4\nr5 = 0\ncall bpf_dynptr_write\nexit\n");
    CHECK(r.error().find("(\"helper access to the packet is not allowed\")") != std::string::npos);
}

} // namespace
} // namespace bpfplay::testing
