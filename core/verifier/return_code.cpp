// What the program may return at its last exit: the kernel's check_return_code (Linux 6.18,
// kernel/bpf/verifier.c). Each program type's rule is a row of kReturnRules; the types whose
// range depends on the expected attach type or on the attach point's prototype name the
// finer table their row defers to.
#include <cstddef>
#include <optional>
#include <string_view>

#include "core/verifier/steps.hpp"

namespace bpfplay::verifier {

namespace {

// The range R0 must lie in, as check_return_code's struct bpf_retval_range.
struct RetRange {
    int32_t min = 0, max = 1;
    bool low32 = false;  // LSM hooks: only the low 32 bits are compared (the hook returns int)
};

enum class ReturnRule : uint8_t {
    Any,             // R0 must be written; any value (check_return_code's `default: return 0`)
    Range,           // [min, max] of the row
    CgroupSkb,       // egress 0..3 (bit 1: congestion notification), ingress 0..1
    CgroupSockAddr,  // by attach type: kSockAddrRanges
    Kprobe,          // kprobe/uprobe sessions 0..1, others any
    Tracing,         // by attach type: kTracingRanges
    Lsm,             // by hook: its return type, and whether it answers yes or no
    StructOps,       // a void member's R0 is not read; any value otherwise
    Ext,             // freplace: the rules of the program it replaces, which the checker does not know
};

struct ReturnRow {
    ProgType type;
    ReturnRule rule;
    int32_t min = 0, max = 0;
};

// Every program type, in the kernel's order (the static_assert below keeps it whole).
constexpr ReturnRow kReturnRules[] = {
    {ProgType::Unspec, ReturnRule::Any},
    {ProgType::SocketFilter, ReturnRule::Any},
    {ProgType::Kprobe, ReturnRule::Kprobe},
    {ProgType::SchedCls, ReturnRule::Any},
    {ProgType::SchedAct, ReturnRule::Any},
    {ProgType::Tracepoint, ReturnRule::Any},
    {ProgType::Xdp, ReturnRule::Any},
    {ProgType::PerfEvent, ReturnRule::Any},
    {ProgType::CgroupSkb, ReturnRule::CgroupSkb},
    {ProgType::CgroupSock, ReturnRule::Range, 0, 1},
    {ProgType::LwtIn, ReturnRule::Any},
    {ProgType::LwtOut, ReturnRule::Any},
    {ProgType::LwtXmit, ReturnRule::Any},
    {ProgType::SockOps, ReturnRule::Range, 0, 1},
    {ProgType::SkSkb, ReturnRule::Any},
    {ProgType::CgroupDevice, ReturnRule::Range, 0, 1},
    {ProgType::SkMsg, ReturnRule::Any},
    // Checked (0 only) when the program has an attach_btf_id, which libbpf never gives a raw_tp
    // program: only a freplace of one resolves to this type with one (see Ext).
    {ProgType::RawTracepoint, ReturnRule::Any},
    {ProgType::CgroupSockAddr, ReturnRule::CgroupSockAddr},
    {ProgType::LwtSeg6local, ReturnRule::Any},
    {ProgType::LircMode2, ReturnRule::Any},
    {ProgType::SkReuseport, ReturnRule::Any},
    {ProgType::FlowDissector, ReturnRule::Any},
    {ProgType::CgroupSysctl, ReturnRule::Range, 0, 1},
    {ProgType::RawTracepointWritable, ReturnRule::Any},
    {ProgType::CgroupSockopt, ReturnRule::Range, 0, 1},
    {ProgType::Tracing, ReturnRule::Tracing},
    {ProgType::StructOps, ReturnRule::StructOps},
    {ProgType::Ext, ReturnRule::Ext},
    {ProgType::Lsm, ReturnRule::Lsm},
    {ProgType::SkLookup, ReturnRule::Range, 0, 1},  // SK_DROP..SK_PASS
    {ProgType::Syscall, ReturnRule::Any},
    {ProgType::Netfilter, ReturnRule::Range, 0, 1},  // NF_DROP..NF_ACCEPT
};

constexpr bool rows_in_kernel_order() {
    for (size_t i = 0; i < std::size(kReturnRules); ++i)
        if (uint32_t(kReturnRules[i].type) != i) return false;
    return true;
}
static_assert(std::size(kReturnRules) == kProgTypeCount && rows_in_kernel_order(),
              "one row per program type, in enum bpf_prog_type's order");

// cgroup/sock_addr hooks whose range is not 0..1: the ones reporting an address back (recvmsg,
// getpeername, getsockname) cannot refuse; bind's bit 1 skips the port capability check.
struct AttachRange {
    AttachType attach;
    int32_t min, max;
};
constexpr AttachRange kSockAddrRanges[] = {
    {AttachType::CgroupUdp4Recvmsg, 1, 1},      {AttachType::CgroupUdp6Recvmsg, 1, 1},
    {AttachType::CgroupUnixRecvmsg, 1, 1},      {AttachType::CgroupInet4Getpeername, 1, 1},
    {AttachType::CgroupInet6Getpeername, 1, 1}, {AttachType::CgroupUnixGetpeername, 1, 1},
    {AttachType::CgroupInet4Getsockname, 1, 1}, {AttachType::CgroupInet6Getsockname, 1, 1},
    {AttachType::CgroupUnixGetsockname, 1, 1},  {AttachType::CgroupInet4Bind, 0, 3},
    {AttachType::CgroupInet6Bind, 0, 3},
};

// BPF_PROG_TYPE_TRACING by expected attach type; the kernel loads no other tracing program.
struct TracingRange {
    AttachType attach;
    bool any;  // fmod_ret replaces the function's result, tp_btf's is ignored
    int32_t min, max;
};
constexpr TracingRange kTracingRanges[] = {
    {AttachType::TraceFentry, false, 0, 0}, {AttachType::TraceFexit, false, 0, 0},
    {AttachType::TraceRawTp, true, 0, 0},   {AttachType::ModifyReturn, true, 0, 0},
    {AttachType::TraceIter, false, 0, 1},
};

// LSM hooks answering yes or no (bpf_lsm.c's bool_lsm_hooks); every other int hook returns 0
// or a negative errno.
constexpr std::string_view kBoolLsmHooks[] = {
    "bpf_lsm_xfrm_state_pol_flow_match",
    "bpf_lsm_audit_rule_known",
    "bpf_lsm_inode_xattr_skipcap",
};
constexpr int32_t kMaxErrno = 4095;

// What the kernel does with R0 at the program's exit.
struct ExitRule {
    enum class Kind : uint8_t { Skip, AnyValue, InRange, CannotTell } kind = Kind::AnyValue;
    RetRange range;
    std::string why;  // CannotTell
};

ExitRule return_range(int32_t min, int32_t max, bool low32 = false) {
    return ExitRule{ExitRule::Kind::InRange, RetRange{min, max, low32}, ""};
}
ExitRule return_any() { return ExitRule{ExitRule::Kind::AnyValue, {}, ""}; }
ExitRule return_unknown(std::string why) { return ExitRule{ExitRule::Kind::CannotTell, {}, std::move(why)}; }

ExitRule lsm_rule(const CheckInput& in) {
    if (!in.btf_ctx || in.btf_ctx->returns == BtfReturn::Unknown)
        return return_unknown("the return value of an LSM program whose hook's prototype is not in the built-in BTF");
    const bool void_hook = in.btf_ctx->returns == BtfReturn::Void;
    if (in.attach == AttachType::LsmCgroup) return void_hook ? return_range(1, 1) : return_range(0, 1);
    // A void hook's result is ignored: the kernel returns before even reading R0.
    if (void_hook) return ExitRule{ExitRule::Kind::Skip, {}, ""};
    for (std::string_view hook : kBoolLsmHooks)
        if (in.btf_ctx->func == hook) return return_range(0, 1, true);
    return return_range(-kMaxErrno, 0, true);
}

ExitRule exit_rule(const CheckInput& in) {
    const ReturnRow& row = kReturnRules[uint32_t(in.type) < std::size(kReturnRules) ? uint32_t(in.type) : 0];
    switch (row.rule) {
    case ReturnRule::Any: return return_any();
    case ReturnRule::Range: return return_range(row.min, row.max);
    case ReturnRule::CgroupSkb: return in.attach == AttachType::CgroupInetEgress ? return_range(0, 3) : return_range(0, 1);
    case ReturnRule::CgroupSockAddr:
        for (const AttachRange& r : kSockAddrRanges)
            if (r.attach == in.attach) return return_range(r.min, r.max);
        return return_range(0, 1);
    case ReturnRule::Kprobe:
        return in.attach == AttachType::TraceKprobeSession || in.attach == AttachType::TraceUprobeSession ? return_range(0, 1)
                                                                                                        : return_any();
    case ReturnRule::Tracing:
        for (const TracingRange& r : kTracingRanges)
            if (r.attach == in.attach) return r.any ? return_any() : return_range(r.min, r.max);
        return return_unknown(fmt("the return value of a tracing program attached as %s", attach_type_name(in.attach)));
    case ReturnRule::Lsm: return lsm_rule(in);
    case ReturnRule::StructOps:
        if (!in.btf_ctx || in.btf_ctx->returns == BtfReturn::Unknown)
            return return_unknown("the return value of a struct_ops program whose member's prototype is not in the built-in BTF");
        // Linux 6.18 bounds no struct_ops return value; a void member's R0 is never read.
        if (in.btf_ctx->returns == BtfReturn::Void) return ExitRule{ExitRule::Kind::Skip, {}, ""};
        return return_any();
    case ReturnRule::Ext: return return_unknown("a freplace program's return value (the rules of the program it replaces)");
    }
    return return_unknown("the program's return value");
}

// The low 32 bits as a signed range, when the 64-bit bounds pin them down; nullopt: any s32.
std::optional<std::pair<int32_t, int32_t>> low32_signed(const Scalar& s) {
    if (s.smin >= INT32_MIN && s.smax <= INT32_MAX) return std::pair{int32_t(s.smin), int32_t(s.smax)};
    if ((s.umin >> 32) == (s.umax >> 32)) {
        const auto lo = int32_t(uint32_t(s.umin)), hi = int32_t(uint32_t(s.umax));
        if (lo <= hi) return std::pair{lo, hi};  // not across the low half's sign bit
    }
    return std::nullopt;
}

std::string invalid_scalar(const Scalar& s, const RetRange& r) {
    std::string m = "At program exit the register R0 has";
    if (s.smin > INT64_MIN) m += fmt(" smin=%lld", (long long)s.smin);
    if (s.smax < INT64_MAX) m += fmt(" smax=%lld", (long long)s.smax);
    if (s.smin == INT64_MIN && s.smax == INT64_MAX) m += " unknown scalar value";
    return m + fmt(" should have been in [%d, %d]", int(r.min), int(r.max));
}

}  // namespace

bool check_return_code(Env& env, const State& st) {
    const ExitRule rule = exit_rule(env.in);
    if (rule.kind == ExitRule::Kind::Skip) return true;
    if (rule.kind == ExitRule::Kind::CannotTell) return env.cannot_tell(rule.why);
    // Root may return a pointer (is_pointer_value is false with allow_ptr_leaks).
    if (!check_readable(env, st, 0)) return false;
    if (rule.kind == ExitRule::Kind::AnyValue) return true;
    const Reg& r0 = st.top().regs[0];
    if (r0.type != RegType::Scalar) {
        // reg_type_str spells sockets and kernel objects by their exact flavour, which the
        // checker's types do not keep.
        if (r0.type == RegType::Sock || r0.type == RegType::BtfId)
            return env.cannot_tell(fmt("a %s pointer returned where a number is expected", reg_type_name(r0.type, r0.maybe_null).c_str()));
        return env.refuse(Rule::ReturnValue, fmt("At program exit the register R0 is not a known value (%s)",
                                                 reg_type_name(r0.type, r0.maybe_null).c_str()));
    }
    const RetRange& r = rule.range;
    const Scalar& v = r0.var;
    if (!r.low32) {
        if (v.smin >= r.min && v.smax <= r.max) return true;
        return env.refuse(Rule::ReturnValue, invalid_scalar(v, r));
    }
    const auto s32 = low32_signed(v);
    if (s32 && s32->first >= r.min && s32->second <= r.max) return true;
    // The kernel keeps the 32-bit bounds apart and may know them better than the 64-bit ones
    // let the checker derive: surely out of range is a known number, or bounds all outside.
    const bool outside = v.is_const() || (s32 && (s32->second < r.min || s32->first > r.max));
    if (!outside) return env.cannot_tell("the low 32 bits of an LSM program's return value");
    return env.refuse(Rule::ReturnValue, invalid_scalar(v, r));
}

}  // namespace bpfplay::verifier
