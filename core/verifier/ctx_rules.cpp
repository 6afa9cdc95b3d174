#include "core/verifier/ctx_rules.hpp"

#include <memory>
#include <string_view>

#include "core/context/contexts.hpp"
#include "core/verifier/ctx_socket_rules.hpp"

namespace bpfplay::verifier {

namespace {

bool is_tc(ProgType t) { return t == ProgType::SchedCls || t == ProgType::SchedAct; }
bool is_lwt(ProgType t) {
    return t == ProgType::LwtIn || t == ProgType::LwtOut || t == ProgType::LwtXmit || t == ProgType::LwtSeg6local;
}

const FieldContext* fields_for(ProgType type) {
    static const std::unique_ptr<FieldContext> xdp = make_xdp_md();
    static const std::unique_ptr<FieldContext> skb_filter = make_sk_buff(false);
    static const std::unique_ptr<FieldContext> skb_tc = make_sk_buff(true);
    if (type == ProgType::Xdp) return xdp.get();
    if (type == ProgType::SocketFilter) return skb_filter.get();
    // cgroup_skb sees the same __sk_buff as tc (cg_skb_is_valid_access, narrowed below).
    if (is_tc(type) || type == ProgType::CgroupSkb) return skb_tc.get();
    static const std::unique_ptr<FieldContext> skb_lwt = make_lwt_sk_buff();
    if (is_lwt(type)) return skb_lwt.get();
    return nullptr;
}

// cg_skb_is_valid_access: fields of __sk_buff cgroup_skb may not touch, and those it writes.
bool cg_skb_hidden(std::string_view name) {
    return name == "tc_classid" || name == "data_meta" || name == "wire_len" || name == "tstamp_type";
}
bool cg_skb_writable(std::string_view name) {
    return name == "mark" || name == "priority" || name == "cb" || name == "tstamp";
}

// may_access_direct_pkt_data for stores: the types that may write the packet directly.
constexpr ProgType kPacketWriters[] = {ProgType::SchedCls, ProgType::SchedAct, ProgType::Xdp,  ProgType::LwtXmit,
                                       ProgType::SkSkb,    ProgType::SkMsg,    ProgType::CgroupSockopt};

const ContextField* field_at(const FieldContext& ctx, uint32_t off, uint32_t size) {
    for (const ContextField& f : ctx.fields())
        if (off >= f.off && uint64_t(off) + size <= uint64_t(f.off) + f.size) return &f;
    return nullptr;
}

}  // namespace

namespace {

// The tracing program types' contexts are read-only and checked by offset and size alone
// (kernel/trace/bpf_trace.c); what a read gives is a number.
constexpr uint32_t kCtxPtRegsSize = 168;              // struct pt_regs on x86-64
constexpr uint32_t kPerfMaxTraceSize = 8192;       // PERF_MAX_TRACE_SIZE (2048 before Linux 6.10)
constexpr uint32_t kRawTpArgsSize = 8 * 12;        // sizeof(__u64) * MAX_BPF_FUNC_ARGS
constexpr uint32_t kPerfSamplePeriodOff = kCtxPtRegsSize;  // struct bpf_perf_event_data
constexpr uint32_t kPerfEventDataSize = kCtxPtRegsSize + 16;


// kprobe_prog_is_valid_access: any aligned read inside struct pt_regs.
CtxRead kprobe_ctx_read(uint32_t off, uint32_t size) {
    return off + size <= kCtxPtRegsSize && ctx_aligned(off, size) ? CtxRead::Number : CtxRead::Refused;
}

// tp_prog_is_valid_access: the tracepoint's record past its first 8 bytes (the common_* header:
// off < sizeof(void *) is refused), any aligned read below PERF_MAX_TRACE_SIZE; the record's
// real size is not checked by the verifier.
CtxRead tracepoint_ctx_read(uint32_t off, uint32_t size) {
    return off >= 8 && off < kPerfMaxTraceSize && ctx_aligned(off, size) ? CtxRead::Number : CtxRead::Refused;
}

// raw_tp_prog_is_valid_access (bpf_tracing_ctx_access): u64 args[12], any aligned read.
CtxRead raw_tp_ctx_read(uint32_t off, uint32_t size) {
    return off < kRawTpArgsSize && ctx_aligned(off, size) ? CtxRead::Number : CtxRead::Refused;
}

// raw_tp_writable_prog_is_valid_access: args[0] is the tracepoint's writable buffer
// (PTR_TO_TP_BUFFER, read as a whole u64), the other slots as raw_tp's.
CtxRead raw_tp_writable_ctx_read(uint32_t off, uint32_t size) {
    if (off == 0) return size == 8 ? CtxRead::Unmodelled : CtxRead::Refused;
    return raw_tp_ctx_read(off, size);
}

// pe_prog_is_valid_access on x86-64 (struct bpf_perf_event_data { pt_regs regs; u64
// sample_period; u64 addr; }): sample_period and addr may be read narrowly at any aligned
// offset inside them (bpf_ctx_narrow_access_ok), the registers only as whole longs.
CtxRead perf_event_ctx_read(uint32_t off, uint32_t size) {
    if (off >= kPerfEventDataSize || !ctx_aligned(off, size)) return CtxRead::Refused;
    if (off >= kPerfSamplePeriodOff) return CtxRead::Number;  // an aligned read stays in its u64
    return size == 8 ? CtxRead::Number : CtxRead::Refused;
}

// lirc_mode2_is_valid_access (drivers/media/rc/bpf-lirc.c): one u32 sample, read whole.
CtxRead lirc_mode2_ctx_read(uint32_t off, uint32_t size) {
    return off == 0 && size == 4 ? CtxRead::Number : CtxRead::Refused;
}

}  // namespace

namespace {

// The tracing types (and lirc_mode2) whose context is checked by offset and size alone, read-only.
using CtxReadRule = CtxRead (*)(uint32_t off, uint32_t size);
struct TracingCtxRule {
    ProgType type;
    CtxReadRule read;
};
constexpr TracingCtxRule kTracingCtxRules[] = {
    {ProgType::Kprobe, kprobe_ctx_read},
    {ProgType::Tracepoint, tracepoint_ctx_read},
    {ProgType::RawTracepoint, raw_tp_ctx_read},
    {ProgType::RawTracepointWritable, raw_tp_writable_ctx_read},
    {ProgType::PerfEvent, perf_event_ctx_read},
    {ProgType::LircMode2, lirc_mode2_ctx_read},
};

CtxReadRule tracing_ctx_rule(ProgType type) {
    for (const TracingCtxRule& r : kTracingCtxRules)
        if (r.type == type) return r.read;
    return nullptr;
}

}  // namespace

bool ctx_modelled(ProgType type) {
    return tracing_ctx_rule(type) != nullptr || socket_ctx_modelled(type) || fields_for(type) != nullptr;
}

CtxRead ctx_read_kind(ProgType type, AttachType attach, uint32_t off, uint32_t size) {
    if (const CtxReadRule rule = tracing_ctx_rule(type)) return rule(off, size);
    if (socket_ctx_modelled(type)) return socket_ctx_read(type, attach, off, size);
    const FieldContext* ctx = fields_for(type);
    if (!ctx) return CtxRead::Unmodelled;
    const ContextField* f = field_at(*ctx, off, size);
    if (!f || off % size != 0) return CtxRead::Refused;
    if (type == ProgType::Xdp && size != 4) return CtxRead::Refused;  // __is_valid_xdp_access
    const std::string name = f->name;
    // Fields the kernel refuses to socket filters (sk_filter_is_valid_access) and gives no
    // program here as a plain number.
    if (type == ProgType::SocketFilter &&
        (name == "data" || name == "data_end" || name == "data_meta" || name == "tc_classid" || name == "flow_keys" ||
         name == "tstamp" || name == "hwtstamp" || name == "wire_len"))
        return CtxRead::Refused;
    if (is_tc(type) && name == "flow_keys") return CtxRead::Refused;
    if (type == ProgType::CgroupSkb && cg_skb_hidden(name)) return CtxRead::Refused;
    if (name == "sk") return CtxRead::Unmodelled;  // a socket pointer
    switch (f->kind) {
    case FieldKind::PacketStart:
    case FieldKind::PacketEnd:
    case FieldKind::PacketMeta:
        if (off != f->off || size != 4) return CtxRead::Refused;
        return f->kind == FieldKind::PacketStart ? CtxRead::PacketStart
               : f->kind == FieldKind::PacketEnd ? CtxRead::PacketEnd
                                                 : CtxRead::PacketMeta;
    case FieldKind::Value: break;
    }
    // Narrow reads of a field are allowed from its first byte (bpf_ctx_narrow_access_ok);
    // 8-byte fields only as a whole.
    if (f->size == 8 && (off != f->off || size != 8)) return CtxRead::Refused;
    if (size > f->size) return CtxRead::Refused;
    return CtxRead::Number;
}

bool ctx_write_allowed(ProgType type, AttachType attach, uint32_t off, uint32_t size) {
    if (tracing_ctx_rule(type)) return false;
    if (socket_ctx_modelled(type)) return socket_ctx_write(type, attach, off, size);
    const FieldContext* ctx = fields_for(type);
    if (!ctx || type == ProgType::Xdp) return false;
    const ContextField* f = field_at(*ctx, off, size);
    if (!f) return false;
    if (type == ProgType::CgroupSkb ? !cg_skb_writable(f->name) : !f->writable) return false;
    // bpf_skb_is_valid_access checks cb[] by its end alone: any aligned size inside it.
    if (std::string_view(f->name) == "cb") return off % size == 0 && off + size <= f->off + f->size;
    return f->size == 8 ? (off == f->off && size == 8) : size == 4 && (off - f->off) % 4 == 0;
}

bool packet_writable(ProgType type) {
    for (ProgType t : kPacketWriters)
        if (t == type) return true;
    return false;
}

}  // namespace bpfplay::verifier
