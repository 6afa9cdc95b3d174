// bpf_get_stackid and bpf_get_stack over the host's default stacks (core/host/host.cpp). The
// expected ids are jhash2(frames as u32 words, 0) & (n_buckets - 1), computed from the kernel's
// jhash2 (include/linux/jhash.h) outside bpfplay; the rules (max_depth = frames that fit + skip,
// -EFAULT, -EEXIST, -ENOMEM before a replace) are kernel/bpf/stackmap.c's in Linux 6.18. The
// kernel cannot run these under BPF_PROG_TEST_RUN (kprobe programs have no test run), so the
// values are derived from its source, not recorded.
#include <doctest/doctest.h>

#include <cstring>

#include "core/maps/stack_trace_map.hpp"
#include "run/asm_session.hpp"

namespace bpfplay::testing {
namespace {

constexpr uint64_t K[] = {0xffffffff8140a1b0ull, 0xffffffff8140a6f5ull, 0xffffffff8210c2bbull, 0xffffffff82200130ull};
constexpr uint64_t U[] = {0x7f8e5a114887ull, 0x55d0c4a01264ull, 0x7f8e5a029d90ull, 0x7f8e5a029e40ull,
                          0x55d0c4a010a5ull};

MapSpec stack_spec(uint32_t max_entries, uint32_t value_size, uint32_t flags = 0) {
    MapSpec s;
    s.type = MapType::StackTrace;
    s.name = "st";
    s.key_size = 4;
    s.value_size = value_size;
    s.max_entries = max_entries;
    s.map_flags = flags;
    return s;
}

// A kprobe program: r0 = bpf_get_stackid(ctx, st, flags).
std::unique_ptr<ObjectSession> stackid_prog(uint64_t flags, const MapSpec& spec) {
    return open_asm("r2 = {st} ll\nr3 = " + std::to_string(flags) + " ll\ncall 27\nexit\n", {spec},
                    "kprobe/do_sys_openat2");
}

int64_t run(ObjectSession& s) {
    const RunResult r = s.run("asm", RunInput{});
    REQUIRE_MESSAGE(r.status == RunStatus::Exited, (r.error ? r.error->to_string() : ""));
    return int64_t(r.r0);
}

std::vector<uint64_t> lookup(Map& m, uint32_t id) {
    std::vector<uint8_t> key(4), value(m.value_size());
    std::memcpy(key.data(), &id, 4);
    if (m.lookup_user(key, value) != 0) return {};
    std::vector<uint64_t> out(m.value_size() / 8);
    std::memcpy(out.data(), value.data(), value.size());
    return out;
}

} // namespace

TEST_CASE("bpf_get_stackid: ids are the kernel's jhash2 buckets; skip, user stacks, collisions") {
    // 8 buckets, 4 frames a stack; ten calls in one run, their results packed into r0.
    auto s = open_asm("r6 = r1\n"
                      "r2 = {st} ll\nr3 = 0\ncall 27\n*(u64 *)(r10 - 8) = r0\n"          // kernel: id 0
                      "r1 = r6\nr2 = {st} ll\nr3 = 0\ncall 27\n*(u64 *)(r10 - 16) = r0\n"  // again: 0
                      "r1 = r6\nr2 = {st} ll\nr3 = 1\ncall 27\n*(u64 *)(r10 - 24) = r0\n"  // skip 1: 2
                      "r1 = r6\nr2 = {st} ll\nr3 = 0x101\ncall 27\n*(u64 *)(r10 - 32) = r0\n"  // user skip 1: bucket 2 taken
                      "r1 = r6\nr2 = {st} ll\nr3 = 2\ncall 27\n*(u64 *)(r10 - 40) = r0\n"  // skip 2: 6
                      "r1 = r6\nr2 = {st} ll\nr3 = 4\ncall 27\n*(u64 *)(r10 - 48) = r0\n"  // skip 4: -EFAULT
                      "r1 = r6\nr2 = {st} ll\nr3 = 0x1000\ncall 27\n*(u64 *)(r10 - 56) = r0\n"  // bad flag
                      "r1 = r6\nr2 = {st} ll\nr3 = 0x200\ncall 27\n*(u64 *)(r10 - 64) = r0\n"  // fast cmp: 0
                      "r1 = r6\nr2 = {st} ll\nr3 = 0x102\ncall 27\n*(u64 *)(r10 - 72) = r0\n"  // user skip 2: -EEXIST at 0
                      "r1 = r6\nr2 = {st} ll\nr3 = 0x501\ncall 27\n*(u64 *)(r10 - 80) = r0\n"  // reuse: 2
                      // r0 = the 10 results packed: each + 64, one byte each (all fit)
                      "r0 = 0\n"
                      "r1 = *(u64 *)(r10 - 8)\nr1 += 64\nr0 |= r1\n"
                      "r1 = *(u64 *)(r10 - 16)\nr1 += 64\nr1 <<= 8\nr0 |= r1\n"
                      "r1 = *(u64 *)(r10 - 24)\nr1 += 64\nr1 <<= 16\nr0 |= r1\n"
                      "r1 = *(u64 *)(r10 - 32)\nr1 += 64\nr1 <<= 24\nr0 |= r1\n"
                      "r1 = *(u64 *)(r10 - 40)\nr1 += 64\nr1 <<= 32\nr0 |= r1\n"
                      "r1 = *(u64 *)(r10 - 48)\nr1 += 64\nr1 <<= 40\nr0 |= r1\n"
                      "r1 = *(u64 *)(r10 - 56)\nr1 += 64\nr1 <<= 48\nr0 |= r1\n"
                      "r1 = *(u64 *)(r10 - 64)\nr1 += 64\nr1 <<= 56\nr0 |= r1\n"
                      "r2 = *(u64 *)(r10 - 72)\nr3 = *(u64 *)(r10 - 80)\n"
                      "*(u64 *)(r10 - 8) = r2\n*(u64 *)(r10 - 16) = r3\n"
                      "exit\n",
                      {stack_spec(8, 32)}, "kprobe/do_sys_openat2");
    const uint64_t packed = uint64_t(run(*s));
    auto byte = [&](int i) { return int64_t((packed >> (8 * i)) & 0xff) - 64; };
    CHECK(byte(0) == 0);    // jhash2(K) = 0xef3b7918: bucket 0
    CHECK(byte(1) == 0);    // the same stack: the same id
    CHECK(byte(2) == 2);    // K[1..3]: 0xa4530822, bucket 2
    CHECK(byte(3) == -17);  // U[1..4]: 0x66ad19b2, bucket 2 holds another stack: -EEXIST
    CHECK(byte(4) == 6);    // K[2..3]: 0xf56fd526
    CHECK(byte(5) == -14);  // 4 frames, skip 4: -EFAULT
    CHECK(byte(6) == -22);  // an unknown flag: -EINVAL
    CHECK(byte(7) == 0);    // BPF_F_FAST_STACK_CMP: the hash matches bucket 0's
    Map& m = *s->object().maps->find("st");
    CHECK(m.count() == 3);
    CHECK(lookup(m, 0) == std::vector<uint64_t>(std::begin(K), std::end(K)));
    CHECK(lookup(m, 6) == std::vector<uint64_t>{K[2], K[3], 0, 0});
    // BPF_F_REUSE_STACKID replaced bucket 2 with the user stack.
    CHECK(lookup(m, 2) == std::vector<uint64_t>{U[1], U[2], U[3], U[4]});
    CHECK(m.entries()[1].label == "id 2: 4 frames: main+0x44 <- __libc_start_call_main+0x80 <- __libc_start_main+0x80 <- "
                                  "_start+0x25");
    CHECK(m.entries()[0].label == "id 0: 4 frames: do_sys_openat2+0x0 <- __x64_sys_openat+0x55 <- do_syscall_64+0x5b <- "
                                  "entry_SYSCALL_64_after_hwframe+0x76");
}

TEST_CASE("bpf_get_stackid: -EEXIST on a collision, -ENOMEM with max_entries stacks stored, -EFAULT without a stack") {
    {  // user skip 2 (U[2..4]: 0x3f8f9508) lands on bucket 0, which holds the kernel stack
        auto s = open_asm("r6 = r1\nr2 = {st} ll\nr3 = 0\ncall 27\nr1 = r6\nr2 = {st} ll\nr3 = 0x102 ll\ncall 27\nexit\n",
                          {stack_spec(8, 32)}, "kprobe/do_sys_openat2");
        CHECK(run(*s) == -17);
    }
    {  // max_entries 2, 2 buckets: K in 0 (0xef3b7918), K[3] in 1 (0xaa664e23); a replace
       // needs a free element first: -ENOMEM; after a delete it works.
        auto s = open_asm("r6 = r1\nr2 = {st} ll\nr3 = 0\ncall 27\n"
                          "r1 = r6\nr2 = {st} ll\nr3 = 3\ncall 27\n"
                          "r1 = r6\nr2 = {st} ll\nr3 = 0x500 ll\ncall 27\nexit\n",
                          {stack_spec(2, 32)}, "kprobe/do_sys_openat2");
        CHECK(run(*s) == -12);
        Map& m = *s->object().maps->find("st");
        CHECK(m.count() == 2);
        CHECK(lookup(m, 1) == std::vector<uint64_t>{K[3], 0, 0, 0});
        const uint8_t key1[4] = {1, 0, 0, 0};
        CHECK(m.delete_user(key1) == 0);
        CHECK(m.count() == 1);
    }
    {  // a kernel thread has no user stack: nothing to skip past
        auto s = stackid_prog(0x100, stack_spec(8, 32));
        s->host().user_stack.clear();
        CHECK(run(*s) == -14);
        s->host().user_stack = {{0x401000, "main"}};
        CHECK(run(*s) == 3);  // jhash2({0x401000, 0}) = 0x5a83e893
    }
}

TEST_CASE("stack_trace map: user space lookup, delete, get_next_key and update as the kernel answers them") {
    auto s = open_asm("r6 = r1\nr2 = {st} ll\nr3 = 0\ncall 27\nr1 = r6\nr2 = {st} ll\nr3 = 2\ncall 27\nexit\n",
                      {stack_spec(8, 48)}, "kprobe/do_sys_openat2");
    run(*s);
    Map& m = *s->object().maps->find("st");
    REQUIRE(m.count() == 2);
    auto key = [](uint32_t id) {
        std::vector<uint8_t> k(4);
        std::memcpy(k.data(), &id, 4);
        return k;
    };
    std::vector<uint8_t> value(48), next(4);
    CHECK(m.lookup_user(key(3), value) == -2);   // an empty bucket: -ENOENT
    CHECK(m.lookup_user(key(8), value) == -2);   // past the buckets: -ENOENT
    CHECK(m.update_user(key(3), value) == -22);  // stacks only come from bpf_get_stackid
    CHECK(m.get_next_key({}, next) == 0);
    const uint32_t first = next[0];
    CHECK(m.get_next_key(key(first), next) == 0);
    const uint32_t second = next[0];
    CHECK(first < second);
    CHECK(m.get_next_key(key(second), next) == -2);
    CHECK(m.get_next_key(key(100), next) == 0);  // a missing id starts over
    CHECK(next[0] == first);
    CHECK(m.delete_user(key(8)) == -7);   // past the buckets: -E2BIG
    CHECK(m.delete_user(key(3)) == -2);
    CHECK(m.delete_user(key(first)) == 0);
    CHECK(m.count() == 1);
    std::vector<uint8_t> out(48);
    CHECK(m.lookup_and_delete_user(key(second), out) == -524);  // -ENOTSUPP
}

} // namespace bpfplay::testing

namespace bpfplay::testing {

namespace {

// r0 = bpf_get_stack(ctx, out's value, size, flags); the buffer is array map "out"'s value.
std::unique_ptr<ObjectSession> get_stack_prog(uint32_t size, uint64_t flags) {
    return open_asm("r2 = {out.value} ll\nr3 = " + std::to_string(size) + "\nr4 = " + std::to_string(flags) +
                        " ll\ncall 67\nexit\n",
                    {array_spec("out", 96)}, "kprobe/do_sys_openat2");
}

std::vector<uint64_t> out_words(ObjectSession& s) {
    auto v = s.object().maps->find("out")->value_region();
    std::vector<uint64_t> words(12);
    std::memcpy(words.data(), v.data(), 96);
    return words;
}

// Fills the buffer with 0xff first so that zeroing shows.
void dirty(ObjectSession& s) {
    auto v = s.object().maps->find("out")->value_region();
    std::memset(v.data(), 0xff, 96);
}

} // namespace

TEST_CASE("bpf_get_stack copies the frames, zeroes the rest of the buffer and returns the bytes copied") {
    auto s = get_stack_prog(48, 0);
    dirty(*s);
    CHECK(run(*s) == 32);
    CHECK(out_words(*s) == std::vector<uint64_t>{K[0], K[1], K[2], K[3], 0, 0, ~0ull, ~0ull, ~0ull, ~0ull, ~0ull, ~0ull});
    // User stack, skip 1, room for 3: max_depth 4 frames walked, the first skipped.
    auto u = get_stack_prog(24, 0x101);
    CHECK(run(*u) == 24);
    const std::vector<uint64_t> uw = out_words(*u);
    CHECK(std::vector<uint64_t>(uw.begin(), uw.begin() + 3) == std::vector<uint64_t>{U[1], U[2], U[3]});
    // skip 4 of 4 frames: nothing copied, 0; skip 5: -EFAULT. Both zero the buffer.
    auto all = get_stack_prog(16, 4);
    dirty(*all);
    CHECK(run(*all) == 0);
    CHECK(out_words(*all)[0] == 0);
    CHECK(out_words(*all)[1] == 0);
    auto past = get_stack_prog(16, 5);
    dirty(*past);
    CHECK(run(*past) == -14);
    CHECK(out_words(*past)[0] == 0);
    CHECK(out_words(*past)[2] == ~0ull);  // only `size` bytes are touched
}

TEST_CASE("bpf_get_stack: BPF_F_USER_BUILD_ID entries, and the flag and size errors (buffer zeroed)") {
    // struct bpf_stack_build_id: status BPF_STACK_BUILD_ID_IP (2), no build id, the address.
    auto b = get_stack_prog(64, 0x900);  // BPF_F_USER_STACK | BPF_F_USER_BUILD_ID
    dirty(*b);
    CHECK(run(*b) == 64);
    const std::vector<uint64_t> w = out_words(*b);
    CHECK(w[0] == 2);  // status 2, then the first 4 bytes of the zero build id
    CHECK(w[1] == 0);
    CHECK(w[2] == 0);
    CHECK(w[3] == U[0]);
    CHECK(w[4] == 2);
    CHECK(w[7] == U[1]);
    CHECK(w[8] == ~0ull);
    for (const auto& c : {std::pair<uint32_t, uint64_t>{64, 0x800},  // build ids of a kernel stack
                               {20, 0},                                    // not a multiple of 8
                               {48, 0x900},                                // not a multiple of 32
                               {64, 0x200}}) {                             // BPF_F_FAST_STACK_CMP: stackid only
        const uint32_t size = c.first;
        const uint64_t flags = c.second;
        CAPTURE(size);
        CAPTURE(flags);
        auto e = get_stack_prog(size, flags);
        dirty(*e);
        CHECK(run(*e) == -22);
        CHECK(out_words(*e)[0] == 0);
    }
}

TEST_CASE("stack_trace map creation checks: key 4, value a multiple of 8 up to 127 frames, build-id sizes") {
    auto errno_of = [](MapSpec s) {
        auto p = check_map_spec(s);
        return p ? p->code : 0;
    };
    CHECK(errno_of(stack_spec(16, 8)) == 0);
    CHECK(errno_of(stack_spec(16, 127 * 8)) == 0);
    CHECK(errno_of(stack_spec(16, 128 * 8)) == -22);
    CHECK(errno_of(stack_spec(16, 12)) == -22);
    CHECK(errno_of(stack_spec(16, 4)) == -22);
    CHECK(errno_of(stack_spec(0, 8)) == -22);
    MapSpec key8 = stack_spec(16, 8);
    key8.key_size = 8;
    CHECK(errno_of(key8) == -22);
    CHECK(errno_of(stack_spec(16, 64, map_flag::kStackBuildId)) == 0);
    CHECK(errno_of(stack_spec(16, 40, map_flag::kStackBuildId)) == -22);
    CHECK(errno_of(stack_spec(16, 8, map_flag::kNoPrealloc)) == -22);
    CHECK(errno_of(stack_spec(16, 8, map_flag::kRdonly)) == 0);
    auto p = check_map_spec(stack_spec(16, 12));
    REQUIRE(p);
    CHECK(p->error.what == "-EINVAL: stack_trace map \"st\" has value_size 12; a stack is u64 addresses, value_size "
                           "must be a non-zero multiple of 8");
}

TEST_CASE("stack_trace map with BPF_F_STACK_BUILD_ID stores 32-byte entries with the address") {
    auto s = stackid_prog(0, stack_spec(8, 128, map_flag::kStackBuildId));
    CHECK(run(*s) == 0);  // the same 4 addresses hash to bucket 0
    auto& m = static_cast<StackTraceMap&>(*s->object().maps->find("st"));
    CHECK(m.frames(0) == std::vector<uint64_t>(std::begin(K), std::end(K)));
    const std::vector<uint64_t> raw = lookup(m, 0);
    CHECK(raw[0] == 2);
    CHECK(raw[3] == K[0]);
    CHECK(raw[7] == K[1]);
}

} // namespace bpfplay::testing
