// Contexts the corpus cannot record on this machine (its kernel lacks CONFIG_BPF_LIRC_MODE2;
// struct_ops and LSM programs do not load without their attach points), checked on
// hand-assembled programs against the kernel source's rules.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "core/loader/loader.hpp"
#include "core/run/kernel_helpers.hpp"
#include "core/text/asm.hpp"
#include "core/verifier/checker.hpp"
#include "core/verifier/object_check.hpp"
#include "verifier/object_verdicts.hpp"

using namespace bpfplay;
using namespace bpfplay::verifier;

namespace {

Verdict check_ctx_asm(const char* text, ProgType type) {
    auto insns = assemble(text);
    REQUIRE_MESSAGE(insns, (insns ? "" : insns.error().to_string()));
    CheckInput in;
    in.insns = *insns;
    in.type = type;
    return check(in);
}

}  // namespace

TEST_CASE("lirc_mode2: the context is one u32 sample, read whole and never written") {
    CHECK(check_ctx_asm("r0 = *(u32 *)(r1 + 0)\nexit", ProgType::LircMode2).kind == VerdictKind::Accept);
    CHECK(check_ctx_asm("r0 = *(u16 *)(r1 + 0)\nexit", ProgType::LircMode2).message == "invalid bpf_context access off=0 size=2");
    CHECK(check_ctx_asm("r0 = *(u32 *)(r1 + 4)\nexit", ProgType::LircMode2).message == "invalid bpf_context access off=4 size=4");
    CHECK(check_ctx_asm("r0 = *(u64 *)(r1 + 0)\nexit", ProgType::LircMode2).message == "invalid bpf_context access off=0 size=8");
    const Verdict write = check_ctx_asm("r2 = 0\n*(u32 *)(r1 + 0) = r2\nr0 = 0\nexit", ProgType::LircMode2);
    CHECK(write.kind == VerdictKind::Refuse);
    CHECK(write.insn == 1);
    CHECK(write.message == "invalid bpf_context access off=0 size=4");
}

TEST_CASE("lsm: a hook's arguments are trusted unless the hook is on the kernel's untrusted list") {
    // bpf_lsm_is_trusted: bpf_lsm_task_free runs while the task is torn down.
    LoadedProgram p;
    p.type = ProgType::Lsm;
    p.attach = AttachType::LsmMac;
    p.attach_target = "file_open";
    auto ctx = btf_ctx_for(p);
    REQUIRE(ctx);
    REQUIRE(ctx->args.size() == 1);
    CHECK(ctx->args[0].trusted);
    p.attach_target = "task_free";
    ctx = btf_ctx_for(p);
    REQUIRE(ctx);
    REQUIRE(ctx->args.size() == 1);
    CHECK(ctx->args[0].kind == BtfSlotKind::ObjectPointer);
    CHECK(!ctx->args[0].trusted);
}

namespace {

// An LSM program on bprm_check_security(struct linux_binprm *bprm), sleepable or not.
Verdict check_bprm(const char* text, bool sleepable) {
    LoadedProgram p;
    p.type = ProgType::Lsm;
    p.attach = AttachType::LsmMac;
    p.attach_target = "bprm_check_security";
    auto insns = assemble(text);
    REQUIRE(insns);
    CheckInput in;
    in.insns = *insns;
    in.type = p.type;
    in.attach = p.attach;
    in.btf_ctx = btf_ctx_for(p);
    in.gpl_compatible = true;
    in.sleepable = sleepable;
    return check(in);
}

}  // namespace

TEST_CASE("sleepable programs: what they walk out of a trusted object is untrusted, but for listed fields") {
    // struct linux_binprm: mm at 24, file at 64 (BTF_TYPE_SAFE_TRUSTED); struct mm_struct:
    // exe_file at 1320 (RCU-safe, which needs an RCU section a sleepable program is not in).
    // bpf_ima_file_hash takes a struct file (ARG_PTR_TO_BTF_ID): a trusted one, not an untrusted.
    const char* hash = "r2 = r10\nr2 += -32\nr3 = 32\ncall 193\nr0 = 0\nexit";
    const std::string bprm_file = std::string("r1 = *(u64 *)(r1 + 0)\nr1 = *(u64 *)(r1 + 64)\n") + hash;
    CHECK(check_bprm(bprm_file.c_str(), true).kind == VerdictKind::Accept);
    const std::string exe_file = std::string("r1 = *(u64 *)(r1 + 0)\nr1 = *(u64 *)(r1 + 24)\nr1 = *(u64 *)(r1 + 1320)\n") + hash;
    const Verdict v = check_bprm(exe_file.c_str(), true);
    CHECK(v.kind == VerdictKind::Refuse);
    CHECK(v.insn == 6);
    CHECK(v.message == "R1 type=untrusted_ptr_ expected=ptr_, trusted_ptr_, rcu_ptr_");
    // Reading through an untrusted pointer is allowed (the kernel turns it into a probe read).
    CHECK(check_bprm("r1 = *(u64 *)(r1 + 0)\nr1 = *(u64 *)(r1 + 24)\nr1 = *(u64 *)(r1 + 1320)\nr0 = *(u32 *)(r1 + 0)\nr0 = 0\nexit",
                     true)
              .kind == VerdictKind::Accept);
}


TEST_CASE("libbpf's kfunc prototype check: an int where the kernel has an enum stops the object") {
    // The fixture declares cubictcp_cwnd_event(struct sock *, int) where the kernel has enum
    // tcp_ca_event: this machine's libbpf (1.1.2) refuses the object ("func_proto [18]
    // incompatible with kernel [61775]"), naming a kernel BTF id the checker does not have.
    bool seen = false;
    // (no structured bindings: clang 14's CAPTURE lambdas cannot capture them)
    for (const auto& named :
         verifier::testing::object_verdicts(std::filesystem::path(BPFPLAY_SOURCE_DIR) / "tests/verifier/fixtures/kfunc_extern_int_for_enum.o")) {
        const std::string& name = named.first;
        const Verdict& v = named.second;
        CAPTURE(name);
        CAPTURE(v.message);
        if (name != "int_cwnd_event") continue;
        seen = true;
        CHECK(v.kind == VerdictKind::CannotTell);
        CHECK(v.message == "libbpf's refusal of the extern cubictcp_cwnd_event, whose parameter 2 is an integer where the kernel's "
                           "is an enum (\"func_proto [..] incompatible with kernel [..]\")");
    }
    CHECK(seen);
    // examples/tcp_ca_cubic.c declares the enum as the kernel does: its cwnd_event is accepted.
    seen = false;
    for (const auto& named : verifier::testing::object_verdicts(std::filesystem::path(BPFPLAY_SOURCE_DIR) / "public/examples/tcp_ca_cubic.o")) {
        const std::string& name = named.first;
        const Verdict& v = named.second;
        CAPTURE(name);
        CAPTURE(v.message);
        if (name != "cubic_cwnd_event") continue;
        seen = true;
        CHECK(v.kind == VerdictKind::Accept);
    }
    CHECK(seen);
}
