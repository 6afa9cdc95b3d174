// Contexts the corpus cannot record on this machine (its kernel lacks CONFIG_BPF_LIRC_MODE2;
// struct_ops and LSM programs do not load without their attach points), checked on
// hand-assembled programs against the kernel source's rules.
#include <doctest/doctest.h>

#include "core/text/asm.hpp"
#include "core/verifier/checker.hpp"

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
