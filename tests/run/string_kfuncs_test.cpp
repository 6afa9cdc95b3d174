// The string kfuncs, the bit iterator and bpf_copy_from_user_str / _task_str
// (core/run/string_kfuncs.cpp, bits_kfuncs.cpp, user_string_kfuncs.cpp), run on
// examples/kfunc_strings.c. The expected values are what Linux 6.18 gave for the same object
// under BPF_PROG_TEST_RUN (tests/kernel/kernel_run.c: `kernel_run public/examples/kfunc_strings.o
// strings --ctx 0000000000000000`), except where a comment says the value follows from the
// kernel's source or names another kernel run.
#include <doctest/doctest.h>

#include <string>

#include "core/host/host.hpp"
#include "run/kfunc_test_util.hpp"

using namespace bpfplay;

namespace {

std::unique_ptr<ObjectSession> open_strings(Host host = {}) {
    return test::open_object("public/examples/kfunc_strings.o", std::move(host));
}

int64_t result(ObjectSession& s, uint32_t index) { return test::slot(s, "results", index); }

std::string copied(ObjectSession& s, uint32_t index) {
    std::vector<uint8_t> value(24);
    REQUIRE(s.object().maps->find("copied")->lookup_user(test::bytes(index), value) == 0);
    return std::string(value.begin(), value.end());
}

RunResult run_with_user_ptr(ObjectSession& s, uint64_t user_ptr) {
    RunInput in;
    in.ctx.resize(8);
    store_le<uint64_t>(in.ctx.data(), user_ptr);
    RunResult r = s.run("strings", in);
    REQUIRE_MESSAGE(r.status == RunStatus::Exited, (r.error ? r.error->to_string() : ""));
    return r;
}

constexpr int64_t ENOENT_ = -2, E2BIG_ = -7, EFAULT_ = -14, EINVAL_ = -22, ERANGE_ = -34;

} // namespace

TEST_CASE("string kfuncs: results and error codes as Linux 6.18 gives them") {
    auto s = open_strings();
    RunResult r = run_with_user_ptr(*s, 0);
    CHECK(r.r0 == 0);
    CHECK(result(*s, 0) == 12);      // bpf_strlen(.rodata "hello, world")
    CHECK(result(*s, 1) == 5);       // bpf_strnlen(.., 5)
    CHECK(result(*s, 2) == -1);      // bpf_strcmp("abc", "abd")
    CHECK(result(*s, 3) == 1);       // ... and the other way: -1/1, not a difference
    CHECK(result(*s, 4) == 0);       // stack string == .rodata string
    CHECK(result(*s, 5) == 0);       // bpf_strcasecmp("HeLLo", "hello")
    CHECK(result(*s, 6) == 0);       // ISO-8859-1: 0xC0 lowers to 0xE0
    CHECK(result(*s, 7) == 1);       // "\x80" > "a": the kernel's char is unsigned
    CHECK(result(*s, 8) == 4);       // bpf_strchr(.., 'o')
    CHECK(result(*s, 9) == ENOENT_); // no 'z'
    CHECK(result(*s, 10) == 12);     // the NUL can be searched for
    CHECK(result(*s, 11) == 12);     // bpf_strchrnul: the NUL's index when not found
    CHECK(result(*s, 12) == ENOENT_); // bpf_strnchr: no 'o' in the first 4
    CHECK(result(*s, 13) == 8);      // bpf_strrchr: the last 'o'
    CHECK(result(*s, 14) == 12);     // bpf_strrchr(.., 0)
    CHECK(result(*s, 15) == 4);      // bpf_strspn(.., "leh"): "hell"
    CHECK(result(*s, 16) == 5);      // bpf_strcspn(.., ", ")
    CHECK(result(*s, 17) == 7);      // bpf_strstr(.., "world")
    CHECK(result(*s, 18) == 0);      // the empty string is found at 0
    CHECK(result(*s, 19) == ENOENT_);
    CHECK(result(*s, 20) == 7);      // bpf_strnstr: "world" ending exactly at len 12 is found
    CHECK(result(*s, 21) == ENOENT_); // "hello" is longer than len 3
    CHECK(result(*s, 22) == 7);
    CHECK(result(*s, 23) == 0);      // a .data string (a map value)
    CHECK(result(*s, 24) == -1);
    CHECK(result(*s, 25) == 7);
    // Addresses that are not kernel memory, and kernel memory that cannot be read.
    CHECK(result(*s, 26) == ERANGE_); // NULL
    CHECK(result(*s, 27) == ERANGE_); // a user-space address
    CHECK(result(*s, 28) == EFAULT_); // an unmapped kernel address
    CHECK(result(*s, 29) == EFAULT_);
    CHECK(result(*s, 30) == ERANGE_);
    CHECK(result(*s, 31) == ERANGE_);
    CHECK(result(*s, 32) == EFAULT_);
    // 65544 bytes with no NUL: XATTR_SIZE_MAX (65536) is as far as they read.
    CHECK(result(*s, 33) == E2BIG_);
    CHECK(result(*s, 34) == E2BIG_);
    CHECK(result(*s, 35) == 100);
    CHECK(result(*s, 36) == E2BIG_);
    CHECK(result(*s, 37) == E2BIG_);
    CHECK(result(*s, 38) == ENOENT_);
    CHECK(result(*s, 39) == E2BIG_); // bpf_strspn: 'h' is not in a set of 65536 'a' with no NUL
    CHECK(result(*s, 59) == E2BIG_); // every byte of the long string is in "a"
    CHECK(result(*s, 60) == E2BIG_); // bpf_strcspn, the same set
    CHECK(result(*s, 61) == E2BIG_); // "aab": 'b' is not in the set, whose scan finds no NUL
}

TEST_CASE("bpf_iter_bits: the set bits of one and of three words, and the kernel's error codes") {
    auto s = open_strings();
    run_with_user_ptr(*s, 0);
    CHECK(result(*s, 40) == 68); // 0x8000000000000013: bits 0 + 1 + 4 + 63
    CHECK(result(*s, 41) == 4);
    CHECK(result(*s, 42) == 133); // {1, 0, 1 << 5}: bits 0 and 133
    CHECK(result(*s, 43) == 2);
    CHECK(result(*s, 62) == 133); // the words cleared during the loop: next works on new's copy
    CHECK(result(*s, 63) == 2);
    CHECK(result(*s, 44) == EINVAL_); // NULL
    CHECK(result(*s, 45) == EINVAL_); // 0 words
    CHECK(result(*s, 46) == E2BIG_);  // 512 words: more than BITS_ITER_NR_WORDS_MAX
    CHECK(result(*s, 47) == EFAULT_); // one word at an unmapped kernel address
    CHECK(result(*s, 48) == EFAULT_); // two
    CHECK(result(*s, 49) == EFAULT_); // one word at a user address: the u64 path says -EFAULT
    CHECK(result(*s, 50) == ERANGE_); // two: copy_from_kernel_nofault's -ERANGE as it is
    CHECK(result(*s, 51) == 0);       // after a failed new, next ends the loop at once
}

// A Host whose task has, at 0x55555555a7b0, the 40 bytes kernel_run (tests/kernel/kernel_run.c
// built with gcc -O2) has there when it runs without address randomization: the kernel's
// reference for reading user memory was `setarch x86_64 -R kernel_run
// public/examples/kfunc_strings.o strings --ctx b8a7555555550000` (user_ptr = 0x55555555a7b8).
static Host host_with_kernel_run_bytes() {
    Host h;
    const std::string bytes("--packet: not hex: %s\0--ctx\0--ctx: not h", 40);
    h.user_memory.push_back({0x55555555a7b0ull, std::vector<uint8_t>(bytes.begin(), bytes.end())});
    return h;
}

TEST_CASE("bpf_copy_from_user_str and _task_str: the task's user memory, BPF_F_PAD_ZEROS and the errors") {
    auto s = open_strings();
    // user_ptr NULL: -EFAULT. Without BPF_F_PAD_ZEROS bpf_copy_from_user_str leaves the buffer as
    // it was and bpf_copy_from_user_task_str has written its first NUL; with it, both zero the
    // 8 bytes they were given.
    run_with_user_ptr(*s, 0);
    CHECK(result(*s, 52) == EFAULT_);
    CHECK(copied(*s, 0) == std::string(24, 'x'));
    CHECK(copied(*s, 1) == std::string(8, '\0') + std::string(16, 'x'));
    CHECK(result(*s, 54) == EINVAL_); // an unknown flag
    CHECK(result(*s, 55) == EFAULT_); // a kernel (stack) address is not user memory
    CHECK(result(*s, 56) == EFAULT_);
    CHECK(copied(*s, 2) == std::string(1, '\0') + std::string(23, 'x'));
    CHECK(result(*s, 57) == EFAULT_);
    CHECK(copied(*s, 3) == std::string(8, '\0') + std::string(16, 'x'));
    CHECK(result(*s, 58) == EINVAL_);
}

TEST_CASE("bpf_copy_from_user_str and _task_str copy whole words as the kernel does") {
    auto s = open_strings(host_with_kernel_run_bytes());
    run_with_user_ptr(*s, 0x55555555a7b8ull); // ": not hex: %s" (13 bytes), then "\0--ctx\0..."
    // Both copy 8 bytes at a time: the word holding the NUL is stored with zeros after it, so
    // bytes 13-15 are 0 and the rest of the 24-byte buffer keeps its 'x'.
    const std::string copied_word = std::string(": not hex: %s") + std::string(3, '\0') + std::string(8, 'x');
    CHECK(result(*s, 52) == 14);
    CHECK(copied(*s, 0) == copied_word);
    CHECK(result(*s, 53) == 8); // 7 bytes and the NUL fit in 8
    CHECK(copied(*s, 1) == std::string(": not h") + std::string(1, '\0') + std::string(16, 'x'));
    CHECK(result(*s, 56) == 14);
    CHECK(copied(*s, 2) == copied_word);
    CHECK(result(*s, 57) == 8);
    CHECK(copied(*s, 3) == std::string(": not h") + std::string(1, '\0') + std::string(16, 'x'));

    // argv[0] of bpfplay's default task ("/usr/bin/bpfplay-demo", 21 bytes), which no kernel run
    // has, from the kernel's source: strncpy_from_user(dst, src, 23) copies two words, then byte
    // by byte (fewer than 8 are left), so the last two bytes stay as they were.
    s = open_strings();
    run_with_user_ptr(*s, kDefaultArgvAddr);
    CHECK(result(*s, 52) == 22);
    CHECK(copied(*s, 0) == std::string("/usr/bin/bpfplay-demo") + std::string(1, '\0') + "xx");
}

