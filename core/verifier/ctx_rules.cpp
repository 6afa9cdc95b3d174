#include "core/verifier/ctx_rules.hpp"

#include <memory>

#include "core/context/contexts.hpp"

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
    if (is_tc(type)) return skb_tc.get();
    static const std::unique_ptr<FieldContext> skb_lwt = make_lwt_sk_buff();
    if (is_lwt(type)) return skb_lwt.get();
    return nullptr;
}

const ContextField* field_at(const FieldContext& ctx, uint32_t off, uint32_t size) {
    for (const ContextField& f : ctx.fields())
        if (off >= f.off && uint64_t(off) + size <= uint64_t(f.off) + f.size) return &f;
    return nullptr;
}

}  // namespace

// struct pt_regs on x86-64: kprobes read its 21 registers, aligned, and write none.
constexpr uint32_t kPtRegsSize = 168;

bool ctx_modelled(ProgType type) { return fields_for(type) != nullptr || type == ProgType::Kprobe; }

CtxRead ctx_read_kind(ProgType type, uint32_t off, uint32_t size) {
    if (type == ProgType::Kprobe)
        return off + size <= kPtRegsSize && off % size == 0 ? CtxRead::Number : CtxRead::Refused;
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

bool ctx_write_allowed(ProgType type, uint32_t off, uint32_t size) {
    const FieldContext* ctx = fields_for(type);
    if (!ctx || type == ProgType::Xdp) return false;
    const ContextField* f = field_at(*ctx, off, size);
    if (!f || !f->writable) return false;
    return f->size == 8 ? (off == f->off && size == 8) : size == 4 && (off - f->off) % 4 == 0;
}

}  // namespace bpfplay::verifier
