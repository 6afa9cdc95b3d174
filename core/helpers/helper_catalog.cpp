#include "core/helpers/helper_catalog.hpp"

namespace bpfplay {

const HelperRule* helper_rule_for(ProgType type, AttachType attach) {
    const HelperRule* fallback = nullptr;
    for (const HelperRule& r : helper_rules()) {
        if (r.type != type) continue;
        if (r.attach == attach) return &r;
        if (r.type_default) fallback = &r;
    }
    return fallback;
}

const HelperProto* helper_proto(int64_t id) {
    const auto protos = helper_protos();
    return id > 0 && id < int64_t(protos.size()) ? &protos[size_t(id)] : nullptr;
}

const char* kernel_helper_name(int64_t id) {
    const HelperProto* proto = helper_proto(id);
    return proto ? proto->name : nullptr;
}

HelperVerdict helper_verdict(int64_t id, ProgType type, AttachType attach) {
    if (!helper_proto(id)) return HelperVerdict::UnknownId;
    const HelperRule* rule = helper_rule_for(type, attach);
    if (!rule) return HelperVerdict::Allowed;
    return rule->allows(id) ? HelperVerdict::Allowed : HelperVerdict::NotForThisType;
}

std::vector<ProgType> prog_types_allowing(int32_t id) {
    std::vector<ProgType> out;
    for (const HelperRule& r : helper_rules())
        if (r.type_default && r.allows(id)) out.push_back(r.type);
    return out;
}

const char* arg_kind_name(ArgKind kind) {
    switch (kind) {
    case ArgKind::None: return "none";
    case ArgKind::Anything: return "scalar";
    case ArgKind::MapPtr: return "map";
    case ArgKind::MapKey: return "map_key";
    case ArgKind::MapValue: return "map_value";
    case ArgKind::Ctx: return "ctx";
    case ArgKind::Mem: return "mem";
    case ArgKind::FixedMem: return "fixed_mem";
    case ArgKind::Size: return "size";
    case ArgKind::SizeOrZero: return "size_or_zero";
    case ArgKind::AllocSize: return "alloc_size";
    case ArgKind::SpinLock: return "spin_lock";
    case ArgKind::Timer: return "timer";
    case ArgKind::Func: return "func";
    case ArgKind::Stack: return "stack";
    case ArgKind::ConstStr: return "const_str";
    case ArgKind::SockCommon: return "sock_common";
    case ArgKind::Socket: return "socket";
    case ArgKind::BtfId: return "btf_id";
    case ArgKind::PercpuBtfId: return "percpu_btf_id";
    case ArgKind::RingbufMem: return "ringbuf_mem";
    case ArgKind::Dynptr: return "dynptr";
    case ArgKind::KptrXchgDest: return "kptr_xchg_dest";
    case ArgKind::Arena: return "arena";
    }
    return "none";
}

const char* ret_kind_name(RetKind kind) {
    switch (kind) {
    case RetKind::Integer: return "integer";
    case RetKind::Void: return "void";
    case RetKind::MapValue: return "map_value";
    case RetKind::Socket: return "socket";
    case RetKind::TcpSock: return "tcp_sock";
    case RetKind::SockCommon: return "sock_common";
    case RetKind::Mem: return "mem";
    case RetKind::MemOrBtfId: return "mem_or_btf_id";
    case RetKind::BtfId: return "btf_id";
    }
    return "integer";
}

std::string describe_arg(const HelperArg& arg) {
    std::string out = arg_kind_name(arg.kind);
    if (arg.kind == ArgKind::BtfId && arg.btf_type) out += std::string("(") + arg.btf_type + ")";
    if (arg.kind == ArgKind::FixedMem && arg.size) out += "[" + std::to_string(arg.size) + "]";
    const bool memory = arg.kind == ArgKind::Mem || arg.kind == ArgKind::FixedMem ||
                        arg.kind == ArgKind::MapValue || arg.kind == ArgKind::Stack;
    if (memory && arg.access == ArgAccess::Write) out += " (written)";
    if (memory && arg.access == ArgAccess::ReadWrite) out += " (read/written)";
    if (arg.maybe_null) out += " or NULL";
    if (arg.release) out += ", released";
    return out;
}

} // namespace bpfplay
