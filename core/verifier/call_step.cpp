// Calls and exits: helper arguments checked by the kind the helper's proto declares (the
// catalog's HelperProto: the kernel's bpf_func_proto), r1-r5 clobbered, r0 typed by the
// return kind; references acquired and released; bpf-to-bpf calls in a new frame.
#include "core/helpers/helper_catalog.hpp"
#include "core/verifier/btf_walk.hpp"
#include "core/verifier/steps.hpp"

namespace bpfplay::verifier {

namespace {

constexpr int64_t kMaxVarSize = 1ll << 29;  // BPF_MAX_VAR_SIZ
constexpr int32_t kHelperSpinLock = 93;     // BPF_FUNC_spin_lock (94 unlocks)
constexpr int32_t kHelperSnprintf = 165;    // BPF_FUNC_snprintf
constexpr int32_t kHelperKptrXchg = 194;
constexpr int32_t kHelperDynptrFromMem = 197;
constexpr int32_t kHelperDynptrWrite = 202;
constexpr int32_t kHelperDynptrData = 203;

const char* const kMemTypes = "fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_";

bool acquires_reference(int32_t id) {
    return id == 84 || id == 85 || id == 99 || id == 131 ||  // sk_lookup_tcp/udp, skc_lookup_tcp, ringbuf_reserve
           id == kHelperKptrXchg;
}

// is_ptr_cast_function: the result is the argument seen as another type, so it shares the
// argument's reference (released with it).
bool is_ptr_cast(int32_t id) {
    return id == 95 || id == 96 || (id >= 136 && id <= 140) || id == 196;  // sk_fullsock, tcp_sock, skc_to_*
}

// bpf_skc_to_tcp6_sock .. _udp6_sock, _unix_sock, _mptcp_sock. unix_sock is not in the kernel's
// is_ptr_cast_function, so its result shares no reference.
bool is_skc_cast(int32_t id) { return (id >= 136 && id <= 140) || id == 178 || id == 196; }

// The struct each bpf_skc_to_* cast returns (its proto's ret_btf_id).
const char* skc_cast_struct(int32_t id) {
    switch (id) {
    case 136: return "tcp6_sock";
    case 137: return "tcp_sock";
    case 138: return "tcp_timewait_sock";
    case 139: return "tcp_request_sock";
    case 140: return "udp6_sock";
    case 178: return "unix_sock";
    case 196: return "mptcp_sock";
    }
    return "";
}

bool is_memory(const Reg& r) {
    return r.type == RegType::Stack || r.type == RegType::Packet || r.type == RegType::PacketMeta ||
           r.type == RegType::MapValue || r.type == RegType::Mem || r.type == RegType::MapKey;
}

// A helper reads and/or writes `size` bytes at register `regno` (check_helper_mem_access).
bool helper_mem(Env& env, State& st, int regno, uint64_t size, ArgAccess access, bool maybe_null) {
    const Reg& r = st.top().regs[regno];
    if (maybe_null && r.type == RegType::Scalar && r.var.is_const() && r.var.value() == 0) return true;
    // Trusted kernel objects are memory to a helper, untrusted ones are not (mem_types).
    if (r.type == RegType::BtfId) return env.cannot_tell(fmt("a kernel object pointer (btf_id) as helper memory in R%d", regno));
    // A dynptr slice's type carries MEM_RDONLY or its dynptr's kind, which check_reg_type
    // matches exactly against each argument's list of types (not modelled).
    if (r.type == RegType::Mem && (r.rdonly || r.pkt_slice))
        return env.cannot_tell(fmt("a slice of a dynptr (%s) as helper memory in R%d", reg_type_name(r).c_str(), regno));
    if (!is_memory(r) || r.maybe_null)
        return env.refuse(Rule::HelperArg, fmt("R%d type=%s expected=%s", regno, reg_type_name(r.type, r.maybe_null).c_str(), kMemTypes));
    if (size == 0) return true;
    // An argument the helper reads and writes is checked as a write (MEM_WRITE): out of the
    // stack, that is what the refusal says.
    if (access == ArgAccess::ReadWrite && r.type == RegType::Stack && r.var.is_const()) {
        const int64_t at = int64_t(r.off) + int64_t(r.var.value());
        if (at < -int64_t(kStackSize) || at + int64_t(size) > 0)
            return check_mem_access(env, st, regno, 0, uint32_t(size), true, nullptr, nullptr, true);
    }
    if (access != ArgAccess::Write) {
        Reg ignored;
        if (!check_mem_access(env, st, regno, 0, uint32_t(size), false, &ignored, nullptr, true)) return false;
    }
    if (access != ArgAccess::Read) {
        if (!check_mem_access(env, st, regno, 0, uint32_t(size), true, nullptr, nullptr, true)) return false;
    }
    return true;
}

// The constant key on the stack a map lookup was given, when the checker knows it.
bool const_key(const State& st, const Reg& key, uint32_t key_size, uint64_t& value) {
    if (key.type != RegType::Stack || !key.var.is_const() || key_size > 8) return false;
    const Frame& fr = st.frames[key.frame];
    const int64_t at = int64_t(key.off) + int64_t(key.var.value());
    if (at >= 0 || at < -int64_t(kStackSize)) return false;
    const uint32_t bottom = uint32_t(-at - 1);
    if (fr.slot_at(bottom) == Slot::Spill && bottom % 8 == 7) {
        const Reg& s = fr.spilled[bottom / 8];
        if (s.type != RegType::Scalar || !s.var.is_const()) return false;
        value = key_size == 8 ? s.var.value() : s.var.value() & ((1ull << (8 * key_size)) - 1);
        return true;
    }
    for (uint32_t k = 0; k < key_size; ++k)
        if (fr.slot_at(bottom - k) != Slot::Zero) return false;
    value = 0;
    return true;
}

// ARG_PTR_TO_BTF_ID_SOCK_COMMON (check_reg_type with btf_id_sock_common_types): one of the
// socket types, or a kernel object that begins with a struct sock_common.
bool btf_id_sock_common_arg(Env& env, const HelperProto* proto, int regno, const Reg& r, bool maybe_null) {
    // register_is_null: NULL skips the type check where the argument may be NULL.
    if (maybe_null && r.type == RegType::Scalar && r.var.is_const() && r.var.value() == 0) return true;
    if (r.type == RegType::Sock) return true;
    if (r.type == RegType::BtfId && !r.untrusted && !r.rcu) {
        // Plain and trusted kernel objects are in btf_id_sock_common_types; MEM_RCU and
        // untrusted ones (skb->sk is rcu_ptr_or_null_) are not.
        if (r.off != 0 || !r.var.is_const() || r.var.value() != 0)
            return env.cannot_tell(fmt("%s's argument %d at an offset into its object", proto->name, regno));
        // A mismatch is refused with whatever btf_struct_walk logs on its way: not modelled.
        if (!btf_struct_ids_match(r.map, btf_struct_id("sock_common"), false))
            return env.cannot_tell(fmt("%s's argument %d, a struct %s where a socket is expected", proto->name, regno,
                                       btf_object_name(r.map).c_str()));
        return true;
    }
    return env.refuse(Rule::HelperArg, fmt("R%d type=%s expected=sock_common, sock, tcp_sock, xdp_sock, ptr_, trusted_ptr_",
                                           regno, reg_type_name(r).c_str()));
}

// ARG_PTR_TO_CONST_STR (check_reg_const_str): a constant address in a read-only map's value
// (libbpf's frozen .rodata), whose bytes from there hold a NUL.
bool const_str_arg(Env& env, int regno, const Reg& r) {
    if (r.type != RegType::MapValue || r.maybe_null)
        return env.refuse(Rule::HelperArg, fmt("R%d type=%s expected=map_value", regno, reg_type_name(r.type, r.maybe_null).c_str()));
    const MapSpec* m = env.any_map(r.map);
    const std::vector<uint8_t>* bytes = r.map < env.in.rdonly_values.size() && !env.in.rdonly_values[r.map].empty()
                                            ? &env.in.rdonly_values[r.map]
                                            : nullptr;
    if (!bytes) {
        // A read-only map other than libbpf's frozen one-element arrays: whether it is frozen
        // when the program loads is the loader's business.
        if (!m || (m->map_flags & map_flag::kRdonlyProg))
            return env.cannot_tell(fmt("a string argument in R%d in a read-only map the checker has no bytes of", regno));
        return env.refuse(Rule::HelperArg, fmt("R%d does not point to a readonly map'", regno));
    }
    if (!r.var.is_const()) return env.refuse(Rule::HelperArg, fmt("R%d is not a constant address'", regno));
    const int64_t at = int64_t(r.off) + int64_t(r.var.value());
    if (r.off < 0 || at < 0 || at >= int64_t(bytes->size()))
        return env.cannot_tell(fmt("a string argument in R%d outside its map value", regno));
    for (size_t i = size_t(at); i < bytes->size(); ++i)
        if ((*bytes)[i] == 0) return true;
    return env.refuse(Rule::HelperArg, "string is not zero-terminated");
}

// bpf_helper_changes_pkt_data (net/core/filter.c): the helpers that may move or resize the
// packet, after which the verifier forgets every packet pointer (clear_all_pkt_pointers).
constexpr int32_t kPacketChangingHelpers[] = {
    9,   // skb_store_bytes
    10,  // l3_csum_replace
    11,  // l4_csum_replace
    13,  // clone_redirect
    18,  // skb_vlan_push
    19,  // skb_vlan_pop
    31,  // skb_change_proto
    38,  // skb_change_tail
    39,  // skb_pull_data
    43,  // skb_change_head
    44,  // xdp_adjust_head
    50,  // skb_adjust_room
    54,  // xdp_adjust_meta
    63,  // msg_pull_data
    65,  // xdp_adjust_tail
    73,  // lwt_push_encap
    74,  // lwt_seg6_store_bytes
    75,  // lwt_seg6_adjust_srh
    76,  // lwt_seg6_action
    90,  // msg_push_data
    91,  // msg_pop_data
    143, // store_hdr_opt
};

}  // namespace

bool helper_changes_packet(int32_t id) {
    for (int32_t h : kPacketChangingHelpers)
        if (h == id) return true;
    return false;
}

bool check_mem_arg(Env& env, State& st, int regno, uint64_t size, ArgAccess access) {
    return helper_mem(env, st, regno, size, access, false);
}

bool step_helper_call(Env& env, State& st, const Insn& insn) {
    if (insn.src == op::kPseudoKfuncCall) {
        const std::string name = env.in.kfunc_name ? env.in.kfunc_name(insn.imm) : std::string();
        if (!lock_allows_call(env, st, insn, name)) return false;
        return step_kfunc_call(env, st, insn, name);
    }
    if (!lock_allows_call(env, st, insn, {})) return false;
    const int32_t id = insn.imm;
    switch (helper_verdict(id, env.in.type, env.in.attach)) {
    case HelperVerdict::UnknownId: return env.refuse(Rule::HelperUnavailable, fmt("invalid func unknown#%d", id));
    case HelperVerdict::NotForThisType:
        return env.refuse(Rule::HelperUnavailable, fmt("program of this type cannot use helper %s#%d", kernel_helper_name(id), id));
    case HelperVerdict::Allowed: break;
    }
    const HelperProto* proto = helper_proto_for(id, env.in.type);
    if (!proto) return env.refuse(Rule::HelperUnavailable, fmt("invalid func unknown#%d", id));
    Frame& fr = st.top();
    const MapSpec* map = nullptr;
    uint32_t map_id = 0;
    uint64_t alloc_size = 0;
    uint32_t release_ref = 0;
    const uint32_t arg1_ref = fr.regs[1].is_pointer() ? fr.regs[1].ref_obj_id : 0;
    const RegType arg1_type = fr.regs[1].type;
    uint32_t callback = 0;
    std::optional<uint32_t> timer_map;
    DynptrInfo dynptr;
    const KptrField* kptr = nullptr;  // bpf_kptr_xchg's destination field
    for (int i = 0; i < proto->nargs; ++i) {
        const HelperArg& arg = proto->args[i];
        const int regno = i + 1;
        if (arg.kind == ArgKind::None) continue;
        if (!check_readable(env, st, regno)) return false;
        const Reg& r = fr.regs[regno];
        switch (arg.kind) {
        case ArgKind::None:
        case ArgKind::Anything: break;
        case ArgKind::MapPtr:
            if (r.type != RegType::MapPtr || r.maybe_null)
                return env.refuse(Rule::HelperArg, fmt("R%d type=%s expected=map_ptr", regno, reg_type_name(r.type, r.maybe_null).c_str()));
            if (timer_map && !timer_map_matches(env, *timer_map, r)) return false;
            map_id = r.map;
            map = env.any_map(r.map);
            if (!map) return env.cannot_tell("a call with an unknown map");
            break;
        case ArgKind::MapKey:
        case ArgKind::MapValue:
            if (!map) return env.cannot_tell("a map key or value argument without a map before it");
            if (!helper_mem(env, st, regno, arg.kind == ArgKind::MapKey ? map->key_size : map->value_size, ArgAccess::Read,
                            arg.maybe_null))
                return false;
            break;
        case ArgKind::Mem: {
            const int size_reg = regno + 1;
            if (!check_readable(env, st, size_reg)) return false;
            const Reg& sz = fr.regs[size_reg];
            if (sz.type != RegType::Scalar)
                return env.refuse(Rule::HelperArg, fmt("R%d type=%s expected=scalar", size_reg, reg_type_name(sz.type, sz.maybe_null).c_str()));
            if (sz.var.smin < 0)
                return env.refuse(Rule::HelperArg, fmt("R%d min value is negative, either use unsigned or 'var &= const'", size_reg));
            const bool zero_ok = i + 1 < 5 && proto->args[i + 1].kind == ArgKind::SizeOrZero;
            if (sz.var.umin == 0 && !zero_ok)
                return env.refuse(Rule::HelperArg, fmt("R%d invalid zero-sized read: u64=[%llu,%llu]", size_reg,
                                                       (unsigned long long)sz.var.umin, (unsigned long long)sz.var.umax));
            if (sz.var.umax >= uint64_t(kMaxVarSize))
                return env.refuse(Rule::HelperArg, fmt("R%d unbounded memory access, use 'var &= const' or 'if (var < const)'", size_reg));
            if (!helper_mem(env, st, regno, sz.var.umax, arg.access, arg.maybe_null)) return false;
            break;
        }
        case ArgKind::FixedMem:
            if (!helper_mem(env, st, regno, arg.size, arg.access, arg.maybe_null)) return false;
            break;
        case ArgKind::Size:
        case ArgKind::SizeOrZero:
            if (r.type != RegType::Scalar)
                return env.refuse(Rule::HelperArg, fmt("R%d type=%s expected=scalar", regno, reg_type_name(r.type, r.maybe_null).c_str()));
            break;
        case ArgKind::AllocSize:
            if (r.type != RegType::Scalar || !r.var.is_const())
                return env.refuse(Rule::HelperArg, fmt("R%d is not a known constant'", regno));
            alloc_size = r.var.value();
            break;
        case ArgKind::Ctx:
            // Tracing programs' bpf_get_socket_cookie takes a socket object, not the context
            // (bpf_get_socket_ptr_cookie_proto): a per-type prototype the catalog does not hold.
            if (r.type == RegType::BtfId)
                return env.cannot_tell(fmt("%s's argument %d, a kernel object pointer where the catalog's prototype has ctx",
                                           proto->name, regno));
            if (r.type != RegType::Ctx)
                return env.refuse(Rule::HelperArg, fmt("R%d type=%s expected=ctx", regno, reg_type_name(r.type, r.maybe_null).c_str()));
            if (r.off != 0 || !r.var.is_const() || r.var.value() != 0)
                return env.refuse(Rule::HelperArg, fmt("dereference of modified ctx ptr R%d off=%d disallowed", regno, int(r.off)));
            break;
        case ArgKind::KptrXchgDest:
            if (!kptr_xchg_dest(env, r, regno, kptr)) return false;
            break;
        case ArgKind::BtfId: {
            if (id == kHelperKptrXchg && kptr) {
                if (!kptr_xchg_value(env, r, regno, *kptr, release_ref)) return false;
                break;
            }
            // check_reg_type for ARG_PTR_TO_BTF_ID with a fixed type: a kernel object pointer
            // of that struct (btf_struct_ids_match), not NULL unless the argument allows it.
            if (!arg.btf_type) return env.cannot_tell(fmt("%s's argument %d (a kernel object of the helper's choosing)", proto->name, regno));
            if (r.type != RegType::BtfId || r.untrusted || (r.maybe_null && !arg.maybe_null))
                return env.refuse(Rule::HelperArg, fmt("R%d type=%s expected=ptr_, trusted_ptr_, rcu_ptr_", regno, reg_type_name(r).c_str()));
            if (!r.var.is_const() || r.var.value() != 0)
                return env.refuse(Rule::HelperArg, fmt("R%d is ptr_%s invalid variable offset", regno, btf_object_name(r.map).c_str()));
            if (r.off != 0)
                return env.cannot_tell(fmt("%s's argument %d at an offset into its object (btf_struct_ids_match's walk)", proto->name, regno));
            if (!btf_struct_ids_match(r.map, btf_struct_id(arg.btf_type), arg.release))
                return env.refuse(Rule::HelperArg, fmt("R%d is of type %s but %s is expected", regno, btf_object_name(r.map).c_str(), arg.btf_type));
            break;
        }
        case ArgKind::RingbufMem:
            if (r.type != RegType::Mem || r.maybe_null || r.ref_obj_id == 0)
                return env.refuse(Rule::HelperArg, fmt("R%d type=%s expected=ringbuf_mem", regno, reg_type_name(r.type, r.maybe_null).c_str()));
            if (r.off != 0 || !r.var.is_const() || r.var.value() != 0)
                return env.refuse(Rule::HelperArg, fmt("R%d must have zero offset when passed to release func", regno));
            if (arg.release) release_ref = r.ref_obj_id;
            break;
        case ArgKind::Socket:
        case ArgKind::SockCommon:
            // ARG_PTR_TO_BTF_ID_SOCK_COMMON (a variant's btf_type says so; the casts always take
            // it): a kernel socket object too, and NULL where the argument may be NULL.
            if ((arg.btf_type && arg.kind == ArgKind::SockCommon) || (is_skc_cast(id) && r.type != RegType::Sock)) {
                if (!btf_id_sock_common_arg(env, proto, regno, r, arg.maybe_null)) return false;
                break;
            }
            if (r.type != RegType::Sock || r.maybe_null)
                return env.cannot_tell(fmt("%s's argument %d (a socket the checker does not track)", proto->name, regno));
            if (arg.release && r.ref_obj_id == 0)
                return env.refuse(Rule::Reference, fmt("R%d must be referenced when passed to release function", regno));
            if (arg.release) release_ref = r.ref_obj_id;
            break;
        case ArgKind::Func:
            if (r.type != RegType::Func)
                return env.refuse(Rule::HelperArg, fmt("R%d type=%s expected=func", regno, reg_type_name(r.type, r.maybe_null).c_str()));
            if (!calls_sync_callback(insn) && !is_async_callback_call(id)) return env.cannot_tell(fmt("%s's callback", proto->name));
            callback = r.map;
            break;
        case ArgKind::Dynptr:
            if (!dynptr_arg(env, st, regno, id, arg, release_ref, dynptr)) return false;
            break;
        case ArgKind::Timer: {
            uint32_t m = 0;
            if (!timer_arg(env, r, regno, m)) return false;
            timer_map = m;
            break;
        }
        case ArgKind::Stack:
            if (arg.maybe_null && r.type == RegType::Scalar && r.var.is_const() && r.var.value() == 0) break;
            if (r.type != RegType::Stack)
                return env.refuse(Rule::HelperArg, fmt("R%d type=%s expected=fp", regno, reg_type_name(r.type, r.maybe_null).c_str()));
            break;
        case ArgKind::SpinLock:
            if (!process_spin_lock(env, st, regno, id == kHelperSpinLock)) return false;
            break;
        case ArgKind::ConstStr:
            if (!const_str_arg(env, regno, r)) return false;
            break;
        default:
            return env.cannot_tell(fmt("%s's argument %d (%s)", proto->name, regno, arg_kind_name(arg.kind)));
        }
    }
    // bpf_snprintf's format is parsed at load time too (bpf_bprintf_prepare).
    if (id == kHelperSnprintf && !check_snprintf_format(env, st)) return false;
    if (id == kHelperDynptrFromMem && !dynptr_from_mem_data(env, st)) return false;
    if (callback && is_async_callback_call(id)) {
        push_async_callback(env, callback, timer_map.value_or(0));
    } else if (callback && !push_callback(env, st, id, callback)) {
        return false;
    }
    if (release_ref) {
        const auto before = st.refs.size();
        std::erase_if(st.refs, [&](const Reference& ref) { return ref.id == release_ref; });
        if (st.refs.size() == before) return env.refuse(Rule::Reference, fmt("release of an unacquired reference id=%u", release_ref));
        // Every copy of a released pointer is now just a number.
        for_each_reg(st, [&](Reg& x) {
            if (x.is_pointer() && x.ref_obj_id == release_ref) x = Reg::scalar(Scalar::unknown());
        });
    }
    // bpf_dynptr_write into an skb's dynptr may move the packet too (check_helper_call's changes_data).
    if (helper_changes_packet(id) || (id == kHelperDynptrWrite && (dynptr.kind == kDynptrSkb || dynptr.kind == kDynptrSkbMeta)))
        clear_packet_pointers(st);
    Frame& f = st.top();
    const Reg key_arg = f.regs[2];
    for (int r = 1; r <= 5; ++r) f.regs[r] = Reg{};
    Reg r0;
    switch (proto->ret) {
    case RetKind::Integer: r0 = Reg::scalar(Scalar::unknown()); break;
    case RetKind::Void: r0 = Reg{}; break;
    case RetKind::MapValue: {
        if (!map) return env.cannot_tell(fmt("%s's return value without a map argument", proto->name));
        // A map of maps gives its inner map, or NULL: CONST_PTR_TO_MAP of the inner map template
        // (inner_map_meta), map_ptr_or_null until checked.
        if (map->type == MapType::ArrayOfMaps || map->type == MapType::HashOfMaps) {
            const auto inner = env.inner_map_id(map_id);
            if (!inner) return env.cannot_tell("a lookup in a map of maps whose inner map template is not known");
            r0.type = RegType::MapPtr;
            r0.map = *inner;
            r0.maybe_null = true;
            r0.var = Scalar::constant(0);
            r0.id = env.new_id();
            break;
        }
        r0.type = RegType::MapValue;
        r0.map = map_id;
        r0.maybe_null = proto->ret_maybe_null;
        r0.var = Scalar::constant(0);
        // Linux 6.14+: an array lookup with a constant in-range key cannot fail.
        uint64_t key = 0;
        if (r0.maybe_null && id == 1 && (map->type == MapType::Array || map->type == MapType::PercpuArray) &&
            const_key(st, key_arg, map->key_size, key) && key < map->max_entries)
            r0.maybe_null = false;
        // A value that holds a lock gets an id even when it cannot be NULL: bpf_spin_unlock must
        // get the very pointer bpf_spin_lock got (check_helper_call).
        if (r0.maybe_null || map->spin_lock_off >= 0) r0.id = env.new_id();
        break;
    }
    case RetKind::Mem:
        if (id == kHelperDynptrData) {
            // A slice of the dynptr: NULL when out of its bounds; a ring buffer's goes with its record.
            r0.type = RegType::Mem;
            r0.plain_mem = true;
            r0.mem_size = uint32_t(alloc_size);
            r0.maybe_null = true;
            r0.var = Scalar::constant(0);
            r0.id = env.new_id();
            r0.ref_obj_id = dynptr.ref;
            r0.dynptr_id = dynptr.id;
            break;
        }
        if (id != 131) return env.cannot_tell(fmt("%s's returned memory", proto->name));
        r0.type = RegType::Mem;
        r0.mem_size = uint32_t(alloc_size);
        r0.maybe_null = true;
        r0.var = Scalar::constant(0);
        r0.id = env.new_id();
        break;
    case RetKind::BtfId:
        if (id == kHelperKptrXchg && kptr) {
            r0 = kptr_xchg_result(env, *kptr);
            break;
        }
        if (id == 158) {  // bpf_get_current_task_btf: RET_PTR_TO_BTF_ID_TRUSTED, never NULL
            r0.type = RegType::BtfId;
            r0.var = Scalar::constant(0);
            r0.map = btf_struct_id("task_struct");
            r0.trusted = true;
            break;
        }
        if (!is_skc_cast(id)) return env.cannot_tell(fmt("%s's return value (%s)", proto->name, ret_kind_name(proto->ret)));
        // The bpf_skc_to_* casts give PTR_TO_BTF_ID_OR_NULL of their socket struct, untrusted.
        // Cast from a kernel object, the result is one too, read by its struct's layout; cast
        // from a socket of a networking program, the checker keeps it a socket, like
        // sk_fullsock's result (a load through one is not checked yet).
        if (arg1_type == RegType::BtfId) {
            r0.type = RegType::BtfId;
            r0.map = btf_struct_id(skc_cast_struct(id));
            if (r0.map == 0)
                return env.cannot_tell(fmt("%s's return value (a struct %s the built-in BTF has no layout of)", proto->name,
                                           skc_cast_struct(id)));
            r0.maybe_null = true;
            r0.var = Scalar::constant(0);
            r0.id = env.new_id();
            break;
        }
        [[fallthrough]];
    case RetKind::Socket:
    case RetKind::SockCommon:
    case RetKind::TcpSock:
        r0.type = RegType::Sock;
        r0.maybe_null = true;
        r0.var = Scalar::constant(0);
        r0.id = env.new_id();
        break;
    default: return env.cannot_tell(fmt("%s's return value (%s)", proto->name, ret_kind_name(proto->ret)));
    }
    // is_acquire_function: a lookup in a socket map takes a reference on the socket it finds.
    const bool socket_map_lookup = id == 1 && map && (map->type == MapType::Sockmap || map->type == MapType::Sockhash);
    if ((acquires_reference(id) || socket_map_lookup) && r0.is_pointer()) {
        const uint32_t ref = env.new_id();
        r0.id = r0.ref_obj_id = ref;
        st.refs.push_back(Reference{ref, env.pc});
    }
    if (is_ptr_cast(id) && r0.is_pointer()) r0.ref_obj_id = arg1_ref;
    f.regs[0] = r0;
    return true;
}

bool step_local_call(Env& env, State& st, const Insn& insn, uint32_t& next) {
    const uint32_t target = uint32_t(int64_t(env.pc) + insn.imm + 1);
    for (size_t k = 0; k < env.in.global_sigs.size(); ++k)
        if (env.in.global_sigs[k].insn == target) return step_global_call(env, st, k);
    for (uint32_t g : env.in.global_functions)
        if (g == target) return env.cannot_tell("a call to a global function (verified on its own from its BTF signature)");
    if (st.frames.size() >= size_t(kMaxCallFrames))
        return env.refuse(Rule::CallDepth, fmt("the call stack of %d frames is too deep !", int(st.frames.size()) + 1));
    Frame callee;
    for (int r = 1; r <= 5; ++r) callee.regs[r] = st.top().regs[r];
    callee.regs[10].type = RegType::Stack;
    callee.regs[10].var = Scalar::constant(0);
    callee.regs[10].frame = uint8_t(st.frames.size());
    callee.callsite = env.pc;
    callee.subprog = target;
    st.frames.push_back(std::move(callee));
    next = target;
    return true;
}

bool step_exit(Env& env, State& st, uint32_t& next, bool& done) {
    if (st.top().callback_of != 0) {
        if (st.frames.size() == 1) return async_callback_exit(env, st, done);
        done = false;
        return callback_exit(env, st, next);
    }
    if (st.frames.size() == 1 && env.global_walk) return global_function_exit(env, st, done);
    if (st.frames.size() > 1) {
        // prepare_func_exit hands r0 back as it is: a function returning void may leave it
        // unwritten, and only a caller that reads it is refused.
        const Reg r0 = st.top().regs[0];
        if (r0.type == RegType::Stack && r0.frame == st.frames.size() - 1)
            return env.refuse(Rule::Other, "cannot return stack pointer to the caller");
        const uint32_t callsite = st.top().callsite;
        st.frames.pop_back();
        Frame& caller = st.top();
        for (int r = 1; r <= 5; ++r) caller.regs[r] = Reg{};
        caller.regs[0] = r0;
        next = callsite + 1;
        done = false;
        return true;
    }
    // check_resource_leak: the lock first, then the references.
    if (!lock_allows_leaving(env, st, "BPF_EXIT instruction in main prog")) return false;
    if (!st.refs.empty())
        return env.refuse(Rule::Reference, fmt("Unreleased reference id=%u alloc_insn=%u", st.refs[0].id, st.refs[0].insn));
    if (!check_return_code(env, st)) return false;
    done = true;
    return true;
}

}  // namespace bpfplay::verifier
