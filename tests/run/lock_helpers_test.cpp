// bpf_spin_lock, bpf_spin_unlock and bpf_kptr_xchg from assembled programs, on maps whose specs
// carry the fields the loader finds in BTF: what the lock word holds, the verifier's rules as
// run-time errors (with the messages this machine's 6.18 kernel printed for the same programs),
// and reverse execution of the lock state.
#include <doctest/doctest.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <string>

#include "core/decode.hpp"
#include "core/helpers/helper_env.hpp"
#include "core/host/host.hpp"
#include "core/journal.hpp"
#include "core/maps/map_set.hpp"
#include "core/run/kernel_helpers.hpp"
#include "core/run/object_session.hpp"
#include "core/text/asm.hpp"
#include "core/vm.hpp"

using namespace bpfplay;

namespace {

std::string hex(uint64_t v) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
    return buf;
}

// struct val { struct bpf_spin_lock lock; __u32 n; struct T __kptr *ref; struct T
// __kptr_untrusted *unref; } as the loader describes it: lock at 0, kptrs at 8 and 16.
MapSpec value_spec(const char* name, bool btf = true) {
    MapSpec s;
    s.type = MapType::Array;
    s.name = name;
    s.key_size = 4;
    s.value_size = 24;
    s.max_entries = 2;
    if (btf) {
        s.btf_value_type_id = 1;
        s.kernel_btf = true;
        s.spin_lock_off = 0;
        s.kptrs = {{8, KptrKind::Referenced, "task_struct"}, {16, KptrKind::Unreferenced, "task_struct"}};
    }
    return s;
}

struct LockRun {
    MapSet maps;
    Host host;
    HelperEnv env;
    Map* vals = nullptr;
    std::optional<Program> program;
    std::unique_ptr<Vm> vm;

    LockRun() {
        env.host = &host;
        env.maps = &maps;
        vals = add(value_spec("vals"));
    }
    Map* add(const MapSpec& s) {
        auto id = maps.create(s);
        REQUIRE(id.ok());
        return maps.get(id.value());
    }
    // Value `slot`'s address plus `off`.
    uint64_t at(uint32_t slot, uint32_t off = 0, const Map* m = nullptr) const {
        return (m ? m : vals)->value_address(slot) + off;
    }
    uint32_t word(uint32_t slot) const {
        uint32_t w;
        std::memcpy(&w, vals->slot_value(slot).data(), 4);
        return w;
    }
    uint64_t u64_at(uint32_t slot, uint32_t off) const {
        uint64_t v;
        std::memcpy(&v, vals->slot_value(slot).data() + off, 8);
        return v;
    }
    void load(const std::string& text) {
        auto insns = assemble(text);
        REQUIRE_MESSAGE(insns.ok(), (insns.ok() ? std::string() : insns.error().to_string()));
        DecodeOptions options;
        options.helpers = &kernel_helper_registry();
        options.legacy_packet_access = true; // for the LD_ABS case
        auto decoded = decode(insns.value(), options);
        REQUIRE_MESSAGE(decoded.ok(), (decoded.ok() ? std::string() : decoded.error().to_string()));
        program.emplace(std::move(decoded.value()));
        vm = std::make_unique<Vm>(*program);
        vm->env = &env;
        maps.map_into(vm->memory());
    }
    RunStatus run(const std::string& text) {
        load(text);
        return vm->run();
    }
    std::string message() const { return vm && vm->fault() ? vm->fault()->what : std::string(); }
};

std::string lock_call(const LockRun&, const char* helper, uint64_t addr) {
    return "r1 = " + hex(addr) + " ll\ncall " + helper + "\n";
}

} // namespace

TEST_CASE("bpf_spin_lock sets the lock word to 1 and bpf_spin_unlock back to 0") {
    LockRun r;
    r.load(lock_call(r, "bpf_spin_lock", r.at(0)) + "r6 = 7\n" + lock_call(r, "bpf_spin_unlock", r.at(0)) +
           "r0 = r6\nexit\n");
    REQUIRE(r.vm->run(3) == RunStatus::Ready); // lddw (2 slots, 1 insn), call, r6 = 7
    CHECK(r.word(0) == 1u);
    CHECK(hex(r.vm->held_lock()) == hex(r.at(0)));
    REQUIRE(r.vm->run() == RunStatus::Exited);
    CHECK(r.word(0) == 0u);
    CHECK(r.vm->held_lock() == 0u);
    CHECK(r.vm->result() == 7u);
}

TEST_CASE("a value is changed between lock and unlock, and the lock can be taken again in the next run") {
    LockRun r;
    const std::string text = lock_call(r, "bpf_spin_lock", r.at(1)) + "r2 = " + hex(r.at(1)) +
                             " ll\nr3 = *(u32 *)(r2 + 4)\nr3 += 1\n*(u32 *)(r2 + 4) = r3\n" +
                             lock_call(r, "bpf_spin_unlock", r.at(1)) + "r0 = 0\nexit\n";
    r.load(text);
    REQUIRE(r.vm->run() == RunStatus::Exited);
    r.vm->reset();
    REQUIRE(r.vm->run() == RunStatus::Exited);
    CHECK(r.u64_at(1, 0) == 0x200000000ull); // lock word 0, n = 2
}

TEST_CASE("taking a second lock while one is held stops the run with the verifier's message") {
    LockRun r;
    REQUIRE(r.run(lock_call(r, "bpf_spin_lock", r.at(0)) + lock_call(r, "bpf_spin_lock", r.at(1)) +
                  "exit\n") == RunStatus::Faulted);
    CHECK(r.vm->fault()->kind == ErrorKind::Verify);
    CHECK(r.message() ==
          "a helper is called while the program holds a bpf_spin_lock (the kernel's verifier says "
          "\"function calls are not allowed while holding a lock\")");
    CHECK(r.vm->fault()->where.pc == 5u); // the second call
    CHECK(r.word(1) == 0u);
}

TEST_CASE("calling another helper under a lock stops the run") {
    LockRun r;
    REQUIRE(r.run(lock_call(r, "bpf_spin_lock", r.at(0)) + "call bpf_get_prandom_u32\nexit\n") ==
            RunStatus::Faulted);
    CHECK(
        r.message().ends_with("(the kernel's verifier says \"function calls are not allowed while holding a "
                              "lock\")"));
}

TEST_CASE("bpf_kptr_xchg under a lock stops the run too (6.18 allows only bpf_spin_unlock)") {
    LockRun r;
    REQUIRE(r.run(lock_call(r, "bpf_spin_lock", r.at(0)) + "r1 = " + hex(r.at(0, 8)) +
                  " ll\nr2 = 0\ncall bpf_kptr_xchg\nexit\n") == RunStatus::Faulted);
    CHECK(r.message().ends_with("\"function calls are not allowed while holding a lock\")"));
}

TEST_CASE("a bpf-to-bpf call under a lock is allowed, and the callee may unlock") {
    LockRun r;
    const std::string text = lock_call(r, "bpf_spin_lock", r.at(0)) + "call pc+2\nr0 = 5\nexit\n" +
                             lock_call(r, "bpf_spin_unlock", r.at(0)) + "exit\n";
    REQUIRE_MESSAGE(r.run(text) == RunStatus::Exited, r.message());
    CHECK(r.vm->result() == 5u);
    CHECK(r.word(0) == 0u);
}

TEST_CASE("exiting with a lock held stops the run with the verifier's message") {
    LockRun r;
    REQUIRE(r.run(lock_call(r, "bpf_spin_lock", r.at(0)) + "r0 = 0\nexit\n") == RunStatus::Faulted);
    CHECK(r.vm->fault()->kind == ErrorKind::Verify);
    CHECK(r.message() ==
          "the program exits while it holds a bpf_spin_lock (the kernel's verifier says \"BPF_EXIT "
          "instruction in main prog cannot be used inside bpf_spin_lock-ed region\")");
}

TEST_CASE("a legacy packet load under a lock stops the run") {
    LockRun r;
    REQUIRE(r.run("r6 = r1\n" + lock_call(r, "bpf_spin_lock", r.at(0)) + "r0 = *(u8 *)skb[0]\nexit\n") ==
            RunStatus::Faulted);
    CHECK(r.message().ends_with("(the kernel's verifier says \"BPF_LD_[ABS|IND] cannot be used inside "
                                "bpf_spin_lock-ed region\")"));
}

TEST_CASE("bpf_spin_unlock without a lock held stops the run") {
    LockRun r;
    REQUIRE(r.run(lock_call(r, "bpf_spin_unlock", r.at(0)) + "exit\n") == RunStatus::Faulted);
    CHECK(r.vm->fault()->kind == ErrorKind::Helper);
    CHECK(r.message() ==
          "bpf_spin_unlock: no lock is held: the kernel's verifier refuses it (\"bpf_spin_unlock "
          "without taking a lock\")");
}

TEST_CASE("bpf_spin_unlock of another lock than the one held stops the run") {
    LockRun r;
    REQUIRE(r.run(lock_call(r, "bpf_spin_lock", r.at(0)) + lock_call(r, "bpf_spin_unlock", r.at(1)) +
                  "exit\n") == RunStatus::Faulted);
    CHECK(r.message() == "bpf_spin_unlock: the lock at " + hex(r.at(1)) + " is not the one held (" +
                             hex(r.at(0)) +
                             "): the kernel's verifier refuses it (\"bpf_spin_unlock of different lock\")");
    CHECK(r.word(0) == 1u); // still held: nothing was unlocked
}

TEST_CASE("bpf_spin_lock on a map without BTF, or without a lock, or off the lock, is refused") {
    LockRun r;
    Map* plain = r.add(value_spec("plain", /*btf=*/false));
    MapSpec nolock_spec = value_spec("nolock");
    nolock_spec.spin_lock_off = -1;
    Map* nolock = r.add(nolock_spec);
    SUBCASE("no BTF") {
        REQUIRE(r.run(lock_call(r, "bpf_spin_lock", r.at(0, 0, plain)) + "exit\n") == RunStatus::Faulted);
        CHECK(r.message() ==
              "bpf_spin_lock: array map \"plain\" has no BTF for its value: the kernel's verifier "
              "refuses it (\"map 'plain' has to have BTF in order to use bpf_spin_lock\")");
        CHECK(r.vm->fault()->where.map == "plain");
    }
    SUBCASE("no lock in the value") {
        REQUIRE(r.run(lock_call(r, "bpf_spin_lock", r.at(0, 0, nolock)) + "exit\n") == RunStatus::Faulted);
        CHECK(r.message() ==
              "bpf_spin_lock: array map \"nolock\"'s value has no struct bpf_spin_lock: the kernel's "
              "verifier refuses it (\"map 'nolock' has no valid bpf_spin_lock\")");
    }
    SUBCASE("not at the lock's offset") {
        REQUIRE(r.run(lock_call(r, "bpf_spin_lock", r.at(0, 4)) + "exit\n") == RunStatus::Faulted);
        CHECK(r.message() ==
              "bpf_spin_lock: r1 points at offset 4 of the value of array map \"vals\": the kernel's "
              "verifier refuses it (\"off 4 doesn't point to 'struct bpf_spin_lock' that is at 0\")");
    }
    SUBCASE("not a map value") {
        REQUIRE(r.run("r1 = r10\nr1 += -8\ncall bpf_spin_lock\nexit\n") == RunStatus::Faulted);
        CHECK(r.message() ==
              "bpf_spin_lock: r1 = 0x8000001f8 does not point into a map value: the kernel's verifier "
              "refuses it (\"R1 type=fp expected=map_value\")");
    }
}

TEST_CASE("a lock left taken by a stopped run is reported instead of spinning forever") {
    LockRun r;
    REQUIRE(r.run(lock_call(r, "bpf_spin_lock", r.at(0)) + "exit\n") == RunStatus::Faulted);
    r.vm->reset();
    REQUIRE(r.vm->run() == RunStatus::Faulted);
    CHECK(r.message() == "bpf_spin_lock: the lock at " + hex(r.at(0)) +
                             " is already taken (its word is 0x1): a run "
                             "stopped while holding it, and the kernel would "
                             "spin here forever");
}

TEST_CASE("stepping back over bpf_spin_lock and bpf_spin_unlock restores the word and the held lock") {
    LockRun r;
    r.load(lock_call(r, "bpf_spin_lock", r.at(0)) + "r0 = 1\n" + lock_call(r, "bpf_spin_unlock", r.at(0)) +
           "exit\n");
    Journal journal;
    r.vm->set_recording(&journal, nullptr);
    REQUIRE(r.vm->run(5) == RunStatus::Ready); // up to and including the unlock
    CHECK(r.word(0) == 0u);
    CHECK(r.vm->held_lock() == 0u);
    REQUIRE(r.vm->undo_step()); // the unlock
    CHECK(r.word(0) == 1u);
    CHECK(hex(r.vm->held_lock()) == hex(r.at(0)));
    REQUIRE(r.vm->undo_step()); // lddw
    REQUIRE(r.vm->undo_step()); // r0 = 1
    REQUIRE(r.vm->undo_step()); // the lock
    CHECK(r.word(0) == 0u);
    CHECK(r.vm->held_lock() == 0u);
    REQUIRE(r.vm->run() == RunStatus::Exited); // forward again: the same end
    CHECK(r.word(0) == 0u);
}

// ---- bpf_kptr_xchg ----

TEST_CASE("bpf_kptr_xchg stores NULL in a referenced kptr field and returns the old pointer") {
    LockRun r;
    const uint64_t old = 0xffff888012345678ull;
    std::memcpy(r.vals->value_region().data() + 8, &old, 8); // as if a kfunc had stored one
    REQUIRE_MESSAGE(r.run("r1 = " + hex(r.at(0, 8)) + " ll\nr2 = 0\ncall bpf_kptr_xchg\nexit\n") ==
                        RunStatus::Exited,
                    r.message());
    CHECK(hex(r.vm->result()) == hex(old));
    CHECK(r.u64_at(0, 8) == 0u);
    r.vm->reset();
    REQUIRE(r.vm->run() == RunStatus::Exited);
    CHECK(r.vm->result() == 0u); // the field now holds NULL
}

TEST_CASE("bpf_kptr_xchg refuses what the verifier refuses") {
    LockRun r;
    Map* plain = r.add(value_spec("plain", /*btf=*/false));
    MapSpec none = value_spec("none");
    none.kptrs.clear();
    Map* nokptr = r.add(none);
    auto xchg = [&](uint64_t dst, uint64_t ptr) {
        REQUIRE(r.run("r1 = " + hex(dst) + " ll\nr2 = " + hex(ptr) + " ll\ncall bpf_kptr_xchg\nexit\n") ==
                RunStatus::Faulted);
        CHECK(r.vm->fault()->kind == ErrorKind::Helper);
        return r.message();
    };
    CHECK(xchg(r.at(0, 8, plain), 0) ==
          "bpf_kptr_xchg: array map \"plain\" has no BTF for its value: the kernel's "
          "verifier refuses it (\"map 'plain' has to have BTF in order to use "
          "bpf_kptr_xchg\")");
    CHECK(xchg(r.at(0, 8, nokptr), 0) ==
          "bpf_kptr_xchg: array map \"none\"'s value has no kptr field: the kernel's "
          "verifier refuses it (\"R1 has no valid kptr\")");
    CHECK(xchg(r.at(0, 4), 0) ==
          "bpf_kptr_xchg: r1 points at offset 4 of the value of array map \"vals\", where "
          "there is no kptr: the kernel's verifier refuses it (\"off=4 doesn't point to kptr\")");
    CHECK(xchg(r.at(0, 16), 0) ==
          "bpf_kptr_xchg: the kptr at offset 16 is __kptr_untrusted: the kernel's verifier "
          "refuses it (\"off=16 kptr isn't referenced kptr\")");
    CHECK(xchg(r.at(0, 8), 0x1234) ==
          "bpf_kptr_xchg: r2 = 0x1234 is not a referenced task_struct pointer: the "
          "kernel's verifier refuses it (\"R2 must be referenced when passed to release "
          "function\")");
    CHECK(xchg(0, 0).starts_with("bpf_kptr_xchg: r1 = 0x0 does not point into a map value"));
}

// ---- bpf-to-bpf calls under a lock, from a compiled object (tests/loader/fixtures/lock_calls.c) ----

namespace {

std::unique_ptr<ObjectSession> open_lock_calls() {
    std::ifstream f(std::string(BPFPLAY_SOURCE_DIR) + "/tests/loader/fixtures/lock_calls.o",
                    std::ios::binary);
    std::vector<uint8_t> bytes{std::istreambuf_iterator<char>(f), {}};
    REQUIRE_FALSE(bytes.empty());
    auto s = ObjectSession::open(bytes, "lock_calls.o");
    if (!s.ok()) FAIL(s.error().to_string());
    return std::move(s).value();
}

} // namespace

TEST_CASE("a static function may be called under a lock; the lock word is 0 again after the run") {
    auto s = open_lock_calls();
    RunInput in;
    in.packet.assign(64, 0);
    RunResult r = s->run("static_call", in);
    REQUIRE_MESSAGE(r.status == RunStatus::Exited, (r.error ? r.error->to_string() : ""));
    CHECK(r.r0 == 2u);
    r = s->run("static_call", in);
    REQUIRE(r.status == RunStatus::Exited);
    Map* m = s->object().maps->find("vals");
    REQUIRE(m != nullptr);
    uint64_t v;
    std::memcpy(&v, m->slot_value(0).data(), 8);
    CHECK(hex(v) == "0x400000000"); // lock 0, counter (0 * 3 + 1) * 3 + 1 = 4
}

TEST_CASE("calling a global function under a lock stops the run with the verifier's message") {
    auto s = open_lock_calls();
    RunInput in;
    in.packet.assign(64, 0);
    RunResult r = s->run("global_call", in);
    REQUIRE(r.status == RunStatus::Faulted);
    CHECK(r.error->kind == ErrorKind::Verify);
    CHECK(r.error->what ==
          "a global function is called while the program holds a bpf_spin_lock (the kernel's "
          "verifier says \"global function calls are not allowed while holding a lock,\nuse static "
          "function instead\")");
}
