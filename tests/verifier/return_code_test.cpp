// The return value at the program's exit (core/verifier/return_code.cpp) for the program types
// this machine's kernel will not load here (fentry, fexit, fmod_ret and LSM programs fail
// with EPERM before their verification, so the corpus cannot record them) and for attach types
// the corpus' libbpf 1.1.2 cannot name (unix sockaddr hooks, kprobe sessions, netfilter):
// kernel/bpf/verifier.c's check_return_code and bpf_lsm.c's bool_lsm_hooks are the reference.
#include <doctest/doctest.h>

#include "core/loader/loader.hpp"
#include "core/text/asm.hpp"
#include "core/verifier/btf_walk.hpp"
#include "core/verifier/checker.hpp"

using namespace bpfplay;
using namespace bpfplay::verifier;

namespace {

Verdict check_exit(const char* text, ProgType type, AttachType attach, std::optional<BtfCtx> ctx = std::nullopt) {
    auto insns = assemble(text);
    REQUIRE_MESSAGE(insns, (insns ? "" : insns.error().to_string()));
    CheckInput in;
    in.insns = *insns;
    in.type = type;
    in.attach = attach;
    in.btf_ctx = std::move(ctx);
    in.gpl_compatible = true;
    return check(in);
}

BtfCtx hook(const char* func, BtfReturn returns) {
    BtfCtx c;
    c.func = func;
    c.returns = returns;
    return c;
}

std::string range_message(const char* value, const char* range) {
    return std::string("At program exit the register R0 has ") + value + " should have been in " + range;
}

void refused_with(const Verdict& v, const std::string& message, uint32_t insn) {
    CHECK(v.kind == VerdictKind::Refuse);
    CHECK(v.message == message);
    CHECK(v.insn == insn);
    CHECK(v.rule == Rule::ReturnValue);
    CHECK(!v.why.empty());
}

}  // namespace

TEST_CASE("fentry and fexit return 0, fmod_ret and tp_btf anything, iterators 0 or 1") {
    refused_with(check_exit("r0 = 1\nexit", ProgType::Tracing, AttachType::TraceFentry),
                 range_message("smin=1 smax=1", "[0, 0]"), 1);
    refused_with(check_exit("r0 = -1\nexit", ProgType::Tracing, AttachType::TraceFexit),
                 range_message("smin=-1 smax=-1", "[0, 0]"), 1);
    CHECK(check_exit("r0 = 0\nexit", ProgType::Tracing, AttachType::TraceFexit).kind == VerdictKind::Accept);
    CHECK(check_exit("r0 = -22\nexit", ProgType::Tracing, AttachType::ModifyReturn).kind == VerdictKind::Accept);
    CHECK(check_exit("r0 = 9\nexit", ProgType::Tracing, AttachType::TraceRawTp).kind == VerdictKind::Accept);
    refused_with(check_exit("r0 = 2\nexit", ProgType::Tracing, AttachType::TraceIter),
                 range_message("smin=2 smax=2", "[0, 1]"), 1);
    // Still, R0 must have been written.
    const Verdict unwritten = check_exit("exit", ProgType::Tracing, AttachType::ModifyReturn);
    CHECK(unwritten.kind == VerdictKind::Refuse);
    CHECK(unwritten.message == "R0 !read_ok");
}

TEST_CASE("an LSM hook returning int: 0 or -errno, compared on the low 32 bits") {
    const BtfCtx file_open = hook("bpf_lsm_file_open", BtfReturn::Value);
    CHECK(check_exit("r0 = -1\nexit", ProgType::Lsm, AttachType::LsmMac, file_open).kind == VerdictKind::Accept);
    CHECK(check_exit("r0 = -4095\nexit", ProgType::Lsm, AttachType::LsmMac, file_open).kind == VerdictKind::Accept);
    // w0 = -1 leaves 0xffffffff: out of range on 64 bits, -1 on the 32 the kernel compares.
    CHECK(check_exit("w0 = -1\nexit", ProgType::Lsm, AttachType::LsmMac, file_open).kind == VerdictKind::Accept);
    refused_with(check_exit("r0 = 1\nexit", ProgType::Lsm, AttachType::LsmMac, file_open),
                 range_message("smin=1 smax=1", "[-4095, 0]"), 1);
    refused_with(check_exit("r0 = -4096\nexit", ProgType::Lsm, AttachType::LsmMac, file_open),
                 range_message("smin=-4096 smax=-4096", "[-4095, 0]"), 1);
    // The message shows the 64-bit bounds even though the low 32 bits were compared.
    refused_with(check_exit("w0 = 1\nexit", ProgType::Lsm, AttachType::LsmMac, file_open),
                 range_message("smin=1 smax=1", "[-4095, 0]"), 1);
    // A number whose low 32 bits the kernel may bound better than the checker derives from the
    // 64-bit ones: refused only when all of them lie outside the range.
    refused_with(check_exit("call 7\nr0 &= 7\nr0 += 1\nexit", ProgType::Lsm, AttachType::LsmMac, file_open),
                 range_message("smin=1 smax=8", "[-4095, 0]"), 3);
    const Verdict overlapping = check_exit("call 7\nr0 &= 7\nexit", ProgType::Lsm, AttachType::LsmMac, file_open);
    CHECK(overlapping.kind == VerdictKind::CannotTell);
    CHECK(overlapping.message == "the low 32 bits of an LSM program's return value");
}

TEST_CASE("an LSM hook answering yes or no returns 0 or 1; a void hook's R0 is never read") {
    refused_with(check_exit("r0 = 2\nexit", ProgType::Lsm, AttachType::LsmMac,
                            hook("bpf_lsm_inode_xattr_skipcap", BtfReturn::Value)),
                 range_message("smin=2 smax=2", "[0, 1]"), 1);
    CHECK(check_exit("r0 = 1\nexit", ProgType::Lsm, AttachType::LsmMac, hook("bpf_lsm_audit_rule_known", BtfReturn::Value))
              .kind == VerdictKind::Accept);
    CHECK(check_exit("exit", ProgType::Lsm, AttachType::LsmMac, hook("bpf_lsm_bprm_committing_creds", BtfReturn::Void))
              .kind == VerdictKind::Accept);
    // A hook whose prototype the built-in BTF lacks: its range is not known.
    const Verdict unknown = check_exit("r0 = 0\nexit", ProgType::Lsm, AttachType::LsmMac);
    CHECK(unknown.kind == VerdictKind::CannotTell);
    CHECK(unknown.message == "the return value of an LSM program whose hook's prototype is not in the built-in BTF");
}

TEST_CASE("lsm_cgroup returns 0 or 1, and 1 only on a void hook") {
    refused_with(check_exit("r0 = 0\nexit", ProgType::Lsm, AttachType::LsmCgroup,
                            hook("bpf_lsm_bprm_committing_creds", BtfReturn::Void)),
                 range_message("smin=0 smax=0", "[1, 1]"), 1);
    refused_with(check_exit("r0 = 2\nexit", ProgType::Lsm, AttachType::LsmCgroup, hook("bpf_lsm_file_open", BtfReturn::Value)),
                 range_message("smin=2 smax=2", "[0, 1]"), 1);
    // Unlike LSM_MAC, a void hook's R0 is read (and must be 1).
    const Verdict unwritten = check_exit("exit", ProgType::Lsm, AttachType::LsmCgroup,
                                         hook("bpf_lsm_bprm_committing_creds", BtfReturn::Void));
    CHECK(unwritten.message == "R0 !read_ok");
}

TEST_CASE("the hook's return type comes from the built-in BTF") {
    LoadedProgram p;
    p.type = ProgType::Lsm;
    p.attach = AttachType::LsmMac;
    p.attach_target = "file_open";
    auto ctx = btf_ctx_for(p);
    REQUIRE(ctx);
    CHECK(ctx->func == "bpf_lsm_file_open");
    CHECK(ctx->returns == BtfReturn::Value);
    p.attach_target = "bprm_committing_creds";
    ctx = btf_ctx_for(p);
    REQUIRE(ctx);
    CHECK(ctx->returns == BtfReturn::Void);
}

TEST_CASE("attach types libbpf 1.1.2 cannot name: unix sockaddr hooks, kprobe sessions, netfilter") {
    refused_with(check_exit("r0 = 0\nexit", ProgType::CgroupSockAddr, AttachType::CgroupUnixGetsockname),
                 range_message("smin=0 smax=0", "[1, 1]"), 1);
    refused_with(check_exit("r0 = 2\nexit", ProgType::CgroupSockAddr, AttachType::CgroupUnixConnect),
                 range_message("smin=2 smax=2", "[0, 1]"), 1);
    refused_with(check_exit("r0 = 2\nexit", ProgType::Kprobe, AttachType::TraceKprobeSession),
                 range_message("smin=2 smax=2", "[0, 1]"), 1);
    CHECK(check_exit("r0 = 2\nexit", ProgType::Kprobe, AttachType::TraceKprobeMulti).kind == VerdictKind::Accept);
    refused_with(check_exit("r0 = 2\nexit", ProgType::Netfilter, AttachType::Netfilter),
                 range_message("smin=2 smax=2", "[0, 1]"), 1);
    CHECK(check_exit("r0 = 1\nexit", ProgType::Netfilter, AttachType::Netfilter).kind == VerdictKind::Accept);
}

TEST_CASE("freplace programs: the rules of the program they replace are not known") {
    const Verdict ext = check_exit("r0 = 0\nexit", ProgType::Ext, AttachType(0));
    CHECK(ext.kind == VerdictKind::CannotTell);
    CHECK(ext.message == "a freplace program's return value (the rules of the program it replaces)");
}

TEST_CASE("struct_ops: any value from a member that returns one, R0 unread for a void member") {
    // On this machine's 6.18: tcp_congestion_ops.undo_cwnd returning (u32)-5 or, declared u64,
    // 0x123456789 loads (a void member's unwritten R0 could not be built through libbpf here).
    const BtfCtx undo = hook("undo_cwnd", BtfReturn::Value);
    CHECK(check_exit("r0 = -5\nexit", ProgType::StructOps, AttachType(8), undo).kind == VerdictKind::Accept);
    CHECK(check_exit("r0 = r10\nexit", ProgType::StructOps, AttachType(8), undo).kind == VerdictKind::Accept);
    CHECK(check_exit("exit", ProgType::StructOps, AttachType(8), undo).message == "R0 !read_ok");
    CHECK(check_exit("exit", ProgType::StructOps, AttachType(1), hook("cong_avoid", BtfReturn::Void)).kind ==
          VerdictKind::Accept);
    const Verdict unknown = check_exit("r0 = 0\nexit", ProgType::StructOps, AttachType(0));
    CHECK(unknown.kind == VerdictKind::CannotTell);
    CHECK(unknown.message == "the return value of a struct_ops program whose member's prototype is not in the built-in BTF");
}

TEST_CASE("a struct_ops member's return type comes from the built-in BTF") {
    LoadedProgram p;
    p.type = ProgType::StructOps;
    p.struct_ops_type = "tcp_congestion_ops";
    p.struct_ops_member = "ssthresh";
    p.attach = AttachType(0);  // the member's index
    auto ctx = btf_ctx_for(p);
    REQUIRE(ctx);
    CHECK(ctx->returns == BtfReturn::Value);
    // Its slots are the member's parameters: the struct sock promoted to the tcp_sock it is.
    CHECK(ctx->unknown.empty());
    REQUIRE(ctx->args.size() == 1);
    CHECK(ctx->args[0].kind == BtfSlotKind::ObjectPointer);
    CHECK(ctx->args[0].trusted);
    CHECK(btf_object_name(ctx->args[0].btf_id) == "tcp_sock");
    p.struct_ops_member = "cong_avoid";
    p.attach = AttachType(1);
    ctx = btf_ctx_for(p);
    REQUIRE(ctx);
    CHECK(ctx->returns == BtfReturn::Void);
}

TEST_CASE("types whose return value the kernel does not check take any number, and a pointer as root") {
    CHECK(check_exit("r0 = -7\nexit", ProgType::SchedCls, AttachType(0)).kind == VerdictKind::Accept);
    CHECK(check_exit("r0 = r1\nexit", ProgType::SocketFilter, AttachType(0)).kind == VerdictKind::Accept);
    CHECK(check_exit("r0 = 99\nexit", ProgType::RawTracepoint, AttachType(0)).kind == VerdictKind::Accept);
}
