// The checker's bpf_spin_lock and kfunc rules on hand-assembled programs: what the corpus (real
// objects, tests/verifier/corpus) cannot reach: pruning across held and free locks, a map
// without BTF, kfuncs the kernel lacks (strong or __weak), the acquire/release bookkeeping.
#include <doctest/doctest.h>

#include "core/text/asm.hpp"
#include "core/verifier/checker.hpp"

using namespace bpfplay;
using namespace bpfplay::verifier;

namespace {

MapSpec locked_hash(bool btf = true) {
    MapSpec m;
    m.name = "vals_with_a_long_name";  // the kernel prints 15 characters of it
    m.type = MapType::Hash;
    m.key_size = 4;
    m.value_size = 16;
    m.max_entries = 4;
    m.kernel_btf = btf;
    m.spin_lock_off = btf ? 0 : -1;
    return m;
}

// "call kfunc:NAME" lines become kfunc calls (src 2) of NAME; maps as lddw src 1.
struct KfuncProgram {
    std::vector<Insn> insns;
    std::vector<std::string> names;
};

KfuncProgram assemble_with_kfuncs(std::string text) {
    KfuncProgram out;
    std::string plain;
    std::vector<size_t> kfunc_lines;
    size_t line = 0, start = 0;
    while (start <= text.size()) {
        size_t end = text.find('\n', start);
        if (end == std::string::npos) end = text.size();
        std::string l = text.substr(start, end - start);
        if (l.rfind("call kfunc:", 0) == 0) {
            out.names.push_back(l.substr(11));
            kfunc_lines.push_back(line);
            l = "call 1";
        }
        plain += l + "\n";
        ++line;
        start = end + 1;
    }
    auto insns = assemble(plain);
    REQUIRE_MESSAGE(insns, (insns ? "" : insns.error().to_string()));
    out.insns = *insns;
    // Instruction indices: an lddw is two.
    size_t src_line = 0, k = 0;
    for (size_t i = 0; i < out.insns.size(); ++i, ++src_line) {
        Insn& insn = out.insns[i];
        if (insn.opcode == op::kLddw) insn.src = op::kPseudoMapFd;
        if (k < kfunc_lines.size() && src_line == kfunc_lines[k]) {
            insn.src = op::kPseudoKfuncCall;
            insn.imm = int32_t(k);
            ++k;
        }
        if (insn.opcode == op::kLddw) ++i;
    }
    return out;
}

Verdict check_locks(const std::string& text, std::vector<const MapSpec*> maps, ProgType type = ProgType::Xdp,
                    std::vector<std::string> weak = {}, bool prune = true) {
    KfuncProgram p = assemble_with_kfuncs(text);
    CheckInput in;
    in.insns = p.insns;
    in.type = type;
    in.maps = std::move(maps);
    in.prune = prune;
    in.weak_kfuncs = std::move(weak);
    in.gpl_compatible = true;
    in.kfunc_name = [names = p.names](int32_t imm) { return imm >= 0 && size_t(imm) < names.size() ? names[size_t(imm)] : std::string(); };
    return check(in);
}

// r6 = a value of map 0 (key 0 on the stack), or the program returns 0.
const char* const kLookup =
    "r1 = 0\n*(u32 *)(r10 - 4) = r1\nr2 = r10\nr2 += -4\nr1 = 0 ll\ncall 1\nif r0 != 0 goto +2\nr0 = 0\nexit\nr6 = r0\n";

}  // namespace

TEST_CASE("spin lock: taken and released around an update is accepted") {
    const MapSpec m = locked_hash();
    const std::string ok = std::string(kLookup) +
                           "r1 = r6\ncall 93\nr1 = *(u64 *)(r6 + 8)\nr1 += 1\n*(u64 *)(r6 + 8) = r1\nr1 = r6\ncall 94\nr0 = 2\nexit";
    const Verdict v = check_locks(ok, {&m});
    CHECK(v.kind == VerdictKind::Accept);
}

TEST_CASE("spin lock: a path that skipped the lock is never pruned against one that holds it") {
    const MapSpec m = locked_hash();
    // One side takes the lock, the other not; both meet at the unlock. The state that holds the
    // lock is explored first and recorded at the join: the one without it must still be walked.
    // Jumps and instructions after the join make the walk record a state there.
    std::string after_join;
    for (int k = 0; k < 4; ++k) after_join += "r8 += 1\nr8 += 1\nr8 += 1\nif r8 > 100 goto +0\n";
    const std::string text = std::string(kLookup) + "call 7\nr7 = r0\nr8 = 0\nif r7 > 5 goto +2\nr1 = r6\ncall 93\n" +
                             after_join + "r1 = r6\ncall 94\nr0 = 2\nexit";
    for (bool prune : {true, false}) {
        CAPTURE(prune);
        const Verdict v = check_locks(text, {&m}, ProgType::Xdp, {}, prune);
        CHECK(v.kind == VerdictKind::Refuse);
        CHECK(v.message == "bpf_spin_unlock without taking a lock");
        CHECK(v.insn == 34);
        CHECK(v.rule == Rule::Lock);
        CHECK(!v.why.empty());
    }
}

TEST_CASE("spin lock: a map whose value BTF the kernel dropped, and a name the kernel shortens") {
    const MapSpec no_btf = locked_hash(false);
    const Verdict v = check_locks(std::string(kLookup) + "r1 = r6\ncall 93\nr1 = r6\ncall 94\nr0 = 2\nexit", {&no_btf});
    CHECK(v.message == "map 'vals_with_a_lon' has to have BTF in order to use bpf_spin_lock");
    CHECK(v.insn == 12);
}

TEST_CASE("spin lock: a bpf-to-bpf call under the lock is allowed, a helper inside it is not") {
    const MapSpec m = locked_hash();
    const std::string head = std::string(kLookup) + "r1 = r6\ncall 93\ncall sub\nr1 = r6\ncall 94\nr0 = 2\nexit\nsub:\n";
    CHECK(check_locks(head + "r0 = 1\nr0 += 2\nexit", {&m}).kind == VerdictKind::Accept);
    const Verdict v = check_locks(head + "call 7\nexit", {&m});
    CHECK(v.message == "function calls are not allowed while holding a lock");
    CHECK(v.insn == 18);
    // Leaving the subprogram with the lock held is fine; the main program's exit is not.
    const Verdict exit_held = check_locks(std::string(kLookup) + "r1 = r6\ncall 93\nr0 = 2\nexit", {&m});
    CHECK(exit_held.message == "BPF_EXIT instruction in main prog cannot be used inside bpf_spin_lock-ed region");
    CHECK(exit_held.insn == 14);
}

TEST_CASE("kfuncs: one the kernel lacks stops libbpf wherever it is, unless declared __weak") {
    // The call is unreachable (r0 is 0): libbpf still refuses the object.
    const char* text = "r0 = 0\nif r0 == 0 goto +1\ncall kfunc:bpf_no_such_kfunc\nr0 = 2\nexit";
    Verdict v = check_locks(text, {});
    CHECK(v.kind == VerdictKind::Refuse);
    CHECK(v.message == "extern (func ksym) 'bpf_no_such_kfunc': not found in kernel or module BTFs");
    CHECK(v.insn == 2);
    CHECK(v.rule == Rule::HelperUnavailable);
    // __weak: libbpf loads it, and the verifier never sees the unreachable call.
    CHECK(check_locks(text, {}, ProgType::Xdp, {"bpf_no_such_kfunc"}).kind == VerdictKind::Accept);
    // Reached: refused with a number the checker does not know.
    v = check_locks("call kfunc:bpf_no_such_kfunc\nr0 = 2\nexit", {}, ProgType::Xdp, {"bpf_no_such_kfunc"});
    CHECK(v.kind == VerdictKind::CannotTell);
}

TEST_CASE("kfuncs: an acquired task is referenced, maybe NULL, and released once") {
    const char* head = "r1 = 1\ncall kfunc:bpf_task_from_pid\n";
    // Released after the NULL check.
    Verdict v = check_locks(std::string(head) + "if r0 == 0 goto +2\nr1 = r0\ncall kfunc:bpf_task_release\nr0 = 0\nexit", {},
                            ProgType::Tracepoint);
    CHECK(v.kind == VerdictKind::Accept);
    // Kept: the reference leaks (ids: one for the maybe-NULL pointer, then the reference).
    v = check_locks(std::string(head) + "if r0 == 0 goto +0\nr0 = 0\nexit", {}, ProgType::Tracepoint);
    CHECK(v.message == "Unreleased reference id=2 alloc_insn=1");
    CHECK(v.insn == 4);
    // A copy moved 8 bytes in is not the object acquired.
    v = check_locks(std::string(head) + "if r0 == 0 goto +3\nr1 = r0\nr1 += 8\ncall kfunc:bpf_task_release\nr0 = 0\nexit", {},
                    ProgType::Tracepoint);
    CHECK(v.message == "R1 must have zero offset when passed to release func or trusted arg to kfunc");
    // The current task is trusted but not a reference the program holds.
    v = check_locks("call 158\nr1 = r0\ncall kfunc:bpf_task_release\nr0 = 0\nexit", {}, ProgType::Tracepoint);
    CHECK(v.message == "release kernel function bpf_task_release expects refcounted PTR_TO_BTF_ID");
    CHECK(v.insn == 2);
    // A pointer where the kfunc takes a number.
    v = check_locks("r1 = r10\ncall kfunc:bpf_task_from_pid\nr0 = 0\nexit", {}, ProgType::Tracepoint);
    CHECK(v.message == "R1 is not a scalar");
    CHECK(v.insn == 1);
    // Socket filters have no generic kfuncs.
    v = check_locks(std::string(head) + "r0 = 0\nexit", {}, ProgType::SocketFilter);
    CHECK(v.message == "calling kernel function bpf_task_from_pid is not allowed");
}

TEST_CASE("kfuncs: a memory argument may be NULL only where the kfunc says __opt or __nullable") {
    // bpf_skb_ct_lookup(skb, NULL, 0, &opts, 16): its tuple buffer is not optional. (Linux 6.18
    // says the same for bpf_cpumask_populate(mask, NULL, 8): "Possibly NULL pointer passed to
    // trusted arg1", whatever the kfunc's flags.)
    const char* call = "r6 = r1\nr1 = 0\n*(u64 *)(r10 - 16) = r1\n*(u64 *)(r10 - 8) = r1\nr1 = r6\nr2 = 0\nr3 = 0\n"
                       "r4 = r10\nr4 += -16\nr5 = 16\ncall kfunc:bpf_skb_ct_lookup\nr0 = 0\nexit";
    const Verdict v = check_locks(call, {}, ProgType::SchedCls);
    CHECK(v.kind == VerdictKind::Refuse);
    CHECK(v.message == "Possibly NULL pointer passed to trusted arg1");
    CHECK(v.insn == 10);
}

TEST_CASE("kfuncs: what the checker does not model is 'cannot tell', never a guess") {
    // bpf_rcu_read_lock changes the state in a way its prototype does not say.
    Verdict v = check_locks("call kfunc:bpf_rcu_read_lock\ncall kfunc:bpf_rcu_read_unlock\nr0 = 0\nexit", {}, ProgType::Tracepoint);
    CHECK(v.kind == VerdictKind::CannotTell);
    CHECK(v.insn == 0);
    // A kfunc under a lock is refused before anything about the kfunc is looked at.
    const MapSpec m = locked_hash();
    v = check_locks(std::string(kLookup) + "r1 = r6\ncall 93\ncall kfunc:bpf_rcu_read_lock\nr0 = 0\nexit", {&m});
    CHECK(v.message == "function calls are not allowed while holding a lock");
}
