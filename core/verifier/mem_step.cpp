// Loads, stores and atomics: each pointer type's bounds (the kernel's check_mem_access and
// the check_*_access functions it calls), and what the stack holds afterwards.
#include "core/btf/builtin_target_btf.hpp"
#include "core/verifier/btf_ctx.hpp"
#include "core/verifier/btf_trust.hpp"
#include "core/verifier/btf_walk.hpp"
#include "core/verifier/ctx_rules.hpp"
#include "core/verifier/steps.hpp"
#include "core/verifier/struct_ops_rules.hpp"

namespace bpfplay::verifier {

Scalar loaded_number(uint32_t size) { return size >= 8 ? Scalar::unknown() : Scalar::range(0, (1ull << (8 * size)) - 1); }

// The kernel's tnum_strn: a known value alone, else (value; mask).
// A variable part as the kernel's messages show it: a constant as the kernel recorded it
// ("misaligned stack access off 0+0+-6"), a range by tnum_strn, which prints with the kernel's
// vsnprintf, whose %#llx writes 0 as "0x0" where glibc's writes "0" ("var_off=(0x0; 0xf8)").
std::string tnum_text(const Tnum& t) {
    if (t.is_const()) return fmt("%#llx", (unsigned long long)t.value);
    return fmt("(0x%llx; 0x%llx)", (unsigned long long)t.value, (unsigned long long)t.mask);
}

namespace {

constexpr uint32_t kMapRdonlyProg = 1u << 7;  // BPF_F_RDONLY_PROG

uint32_t depth_of(int64_t fp_off) { return uint32_t(-fp_off - 1); }

// Whole 8-byte slots [lo, hi) of stack bytes at fp+lo .. fp+hi-1 lose any spilled register.
void scrub_spills(Frame& fr, int64_t lo, int64_t hi) {
    for (int64_t a = lo; a < hi; ++a) {
        const uint32_t d = depth_of(a);
        if (fr.slot_at(d) == Slot::Spill) {
            const uint32_t base = d / 8 * 8;
            for (uint32_t k = 0; k < 8; ++k) fr.slot[base + k] = Slot::Misc;
            fr.spilled[d / 8] = Reg{};
        }
    }
}

// Stack bytes fp+lo .. fp+hi-1 hold (part of) an open-coded iterator.
bool touches_iter(const Frame& fr, int64_t lo, int64_t hi) {
    for (int64_t a = lo; a < hi; ++a)
        if (a < 0 && a >= -int64_t(kStackSize) && fr.slot_at(depth_of(a)) == Slot::Iter) return true;
    return false;
}

bool stack_access(Env& env, State& st, const Reg& ptr, int regno, int32_t off, uint32_t size, bool write, Reg* out,
                  const Reg* stored, bool from_helper) {
    Frame& fr = st.frames[ptr.frame];
    // A store at a constant offset into a struct bpf_dynptr's bytes destroys it (its slot, one
    // store being within one 8-byte slot, or refuses to: a referenced one).
    if (write && !from_helper && ptr.var.is_const()) {
        const int64_t at = int64_t(ptr.off) + off + int64_t(ptr.var.value());
        const bool aligned = size <= 1 || at % int64_t(size) == 0;  // else refused below, before any store
        if (aligned && at + int64_t(size) <= 0 && at >= -int64_t(kStackSize) && !destroy_dynptr_slot(env, st, ptr.frame, depth_of(at) / 8)) return false;
    }
    // Otherwise a struct bpf_dynptr's bytes are the helpers' alone: a load or another store over
    // them is refused or destroys the dynptr, in words the checker does not model yet.
    if (ptr.var.is_const() || (ptr.var.smin > -kMaxVarOff && ptr.var.smax < kMaxVarOff)) {
        const int64_t lo = int64_t(ptr.off) + off + (ptr.var.is_const() ? int64_t(ptr.var.value()) : ptr.var.smin);
        const int64_t hi = int64_t(ptr.off) + off + (ptr.var.is_const() ? int64_t(ptr.var.value()) : ptr.var.smax) + size;
        for (int64_t a = std::max<int64_t>(lo, -int64_t(kStackSize)); a < hi && a < 0; ++a)
            if (fr.slot_at(uint32_t(-a - 1)) == Slot::Dynptr) return env.cannot_tell("a load or store over a dynptr's stack slots");
    }
    {
        const int64_t lo = int64_t(ptr.off) + off + ptr.var.smin, hi = int64_t(ptr.off) + off + ptr.var.smax + size;
        if (ptr.var.smin > -kMaxVarOff && ptr.var.smax < kMaxVarOff && touches_iter(fr, lo, hi)) {
            if (!write || from_helper || !ptr.var.is_const())
                return env.cannot_tell("a load or helper access of an open-coded iterator's stack slots");
            // A store over an iterator is allowed; it is no iterator any more (the kernel's
            // next use of it says "expected an initialized iter_...", its reference still held).
            for (int64_t a = lo; a < hi; ++a)
                if (a < 0 && a >= -int64_t(kStackSize)) fr.iters[depth_of(a) / 8] = IterSlot{};
        }
    }
    // A helper's argument is checked as the access it makes (BPF_WRITE for MEM_WRITE arguments),
    // and refused in the same words as a load or store.
    const char* extra = write ? " write to" : " read from";
    if (!ptr.var.is_const()) {
        if (ptr.var.smin <= -kMaxVarOff || ptr.var.smax >= kMaxVarOff)
            return env.refuse(Rule::StackBounds, fmt("invalid unbounded variable-offset%s stack R%d", extra, regno));
        const int64_t lo = int64_t(ptr.off) + off + ptr.var.smin, hi = int64_t(ptr.off) + off + ptr.var.smax + size;
        if (lo < -int64_t(kStackSize) || hi > 0)
            return env.refuse(Rule::StackBounds, fmt("invalid variable-offset%s stack R%d var_off=%s off=%d size=%u", extra, regno,
                                                     tnum_text(ptr.var.var).c_str(), int(ptr.off + off), size));
        fr.grow(depth_of(lo) + 1);
        if (!write && env.stack_use) env.stack_use->stack_read(ptr.frame, depth_of(hi - 1), depth_of(lo));
        if (write) {
            scrub_spills(fr, lo, hi);
            for (int64_t a = lo; a < hi; ++a) fr.slot[depth_of(a)] = Slot::Misc;
        } else if (out) {
            *out = Reg::scalar(loaded_number(size));
        }
        return true;
    }
    const int64_t total = int64_t(ptr.off) + off + int64_t(ptr.var.value());
    if (!from_helper && size > 1 && total % int64_t(size) != 0)
        return env.refuse(Rule::StackBounds, fmt("misaligned stack access off %s+%d+%d size %u", tnum_text(ptr.var.var).c_str(),
                                                 int(ptr.off), int(off), size));
    if (total < -int64_t(kStackSize) || total + size > 0)
        return env.refuse(Rule::StackBounds, fmt("invalid%s stack R%d off=%lld size=%u", extra, regno, (long long)total, size));
    fr.grow(depth_of(total) + 1);
    const uint32_t top = depth_of(total + size - 1), bottom = depth_of(total);  // top < bottom
    if (write) {
        const bool whole_slot = size == 8 && bottom % 8 == 7;
        if (whole_slot && !from_helper && env.stack_use) env.stack_use->stack_overwritten(ptr.frame, bottom / 8);
        if (stored && whole_slot) {
            for (uint32_t d = top; d <= bottom; ++d) fr.slot[d] = Slot::Spill;
            fr.spilled[bottom / 8] = *stored;
            return true;
        }
        if (stored && stored->is_pointer()) return env.cannot_tell("a partial spill of a pointer to the stack");
        scrub_spills(fr, total, total + size);
        const bool zero = stored && stored->type == RegType::Scalar && stored->var.is_const() && stored->var.value() == 0;
        for (uint32_t d = top; d <= bottom; ++d) fr.slot[d] = zero ? Slot::Zero : Slot::Misc;
        return true;
    }
    if (env.stack_use) env.stack_use->stack_read(ptr.frame, top, bottom);
    if (!out) return true;
    if (fr.slot_at(bottom) == Slot::Spill) {
        const Reg& spilled = fr.spilled[bottom / 8];
        if (size == 8 && bottom % 8 == 7) {
            *out = spilled;
            return true;
        }
        // A helper may read a spilled pointer's bytes: check_stack_range_initialized allows it
        // to a privileged loader (allow_ptr_leaks), e.g. struct btf_ptr { void *ptr; ... }.
        if (spilled.is_pointer() && !from_helper)
            return env.refuse(Rule::StackBounds, "invalid size of register fill");
        *out = Reg::scalar(loaded_number(size));
        return true;
    }
    bool all_zero = true;
    for (uint32_t d = top; d <= bottom; ++d) {
        const Slot s = fr.slot_at(d);
        if (s == Slot::Spill && fr.spilled[d / 8].is_pointer() && !from_helper)
            return env.refuse(Rule::StackBounds, "invalid size of register fill");
        all_zero = all_zero && s == Slot::Zero;
    }
    // As root an uninitialised stack byte reads as an unknown number (allow_uninit_stack).
    *out = Reg::scalar(all_zero ? Scalar::constant(0) : loaded_number(size));
    return true;
}

// Bounds of [reg.off + off + var, + size) inside an object of `object_size` bytes, with the
// kernel's messages (check_mem_region_access).
bool region_access(Env& env, const Reg& ptr, int regno, int32_t off, uint32_t size, uint32_t object_size, Rule rule,
                   const char* what_fmt) {
    if (ptr.var.smin < 0)
        return env.refuse(rule, fmt("R%d min value is negative, either use unsigned index or do a if (index >=0) check.", regno));
    if (ptr.var.umax >= uint64_t(kMaxVarOff))
        return env.refuse(rule, fmt("R%d unbounded memory access, make sure to bounds check any such access", regno));
    const int64_t lo = int64_t(ptr.off) + off + ptr.var.smin, hi = int64_t(ptr.off) + off + int64_t(ptr.var.umax);
    if (lo < 0 || lo + size > object_size) return env.refuse(rule, fmt(what_fmt, object_size, int(lo), size));
    if (hi + size > object_size) return env.refuse(rule, fmt(what_fmt, object_size, int(hi), size));
    return true;
}

// A read from a map value: a constant where the map is read-only and frozen and the offset
// known (check_mem_access's bpf_map_direct_read), else any number of the width.
Scalar rdonly_number(const Env& env, const Reg& ptr, int32_t off, uint32_t size) {
    if (!ptr.var.is_const() || ptr.map >= env.in.rdonly_values.size()) return loaded_number(size);
    const std::vector<uint8_t>& bytes = env.in.rdonly_values[ptr.map];
    const int64_t at = int64_t(ptr.off) + off + int64_t(ptr.var.value());
    if (bytes.empty() || at < 0 || uint64_t(at) + size > bytes.size() || size > 8) return loaded_number(size);
    uint64_t v = 0;
    for (uint32_t i = 0; i < size; ++i) v |= uint64_t(bytes[size_t(at) + i]) << (8 * i);  // little endian
    return Scalar::constant(v);
}

bool overlaps(int64_t lo, int64_t hi, int32_t field_off, uint32_t field_size) {
    return field_off >= 0 && lo < int64_t(field_off) + field_size && hi > field_off;
}

// The pointer a load out of a kernel object gives, with the trust check_ptr_to_btf_access
// gives it: an untrusted object's pointers are untrusted; a trusted (or RCU) object's are
// trusted where the kernel lists the field so, RCU where it lists them RCU-safe and the program
// runs in an RCU section (non-sleepable, or holding a lock), plain otherwise in one, and
// untrusted outside; a plain object's are plain (the deprecated compat case).
Reg walked_pointer(Env& env, const State& st, const Reg& ptr, const BtfLoad& load) {
    Reg r;
    r.type = RegType::BtfId;
    r.var = Scalar::constant(0);
    r.map = load.btf_id;
    auto may_be_null = [&] {
        r.maybe_null = true;
        r.id = env.new_id();
    };
    if (ptr.untrusted) {
        r.untrusted = true;
        return r;
    }
    if (!ptr.trusted && !ptr.rcu && ptr.ref_obj_id == 0) return r;
    const bool in_rcu = !env.in.sleepable || st.lock.has_value();
    const FieldTrust trust = btf_field_trust(btf_object_name(ptr.map), load.field, btf_object_name(load.btf_id));
    switch (trust) {
    case FieldTrust::Trusted: r.trusted = true; return r;
    case FieldTrust::TrustedOrNull:
        r.trusted = true;
        may_be_null();
        return r;
    case FieldTrust::Rcu:
    case FieldTrust::RcuOrNull:
    case FieldTrust::None: break;
    }
    if (!in_rcu || ptr.maybe_null) {
        r.untrusted = true;
        return r;
    }
    r.rcu = trust == FieldTrust::Rcu || trust == FieldTrust::RcuOrNull;
    if (trust == FieldTrust::RcuOrNull) may_be_null();
    return r;
}

// A load through a kernel object pointer (check_ptr_to_btf_id_access, then btf_struct_walk).
bool btf_object_access(Env& env, const State& st, const Reg& ptr, int regno, int32_t off, uint32_t size, bool write, Reg* out, bool from_helper) {
    if (from_helper) return env.cannot_tell(fmt("a kernel object pointer (btf_id) as helper memory in R%d", regno));
    if (ptr.map == 0) return env.cannot_tell("a read through a kernel object pointer of a type the built-in BTF lacks");
    const std::string tname = btf_object_name(ptr.map);
    if (!env.in.gpl_compatible) return env.cannot_tell("a read of a kernel object by a program of unknown license");
    if (!*env.in.gpl_compatible)
        return env.refuse(Rule::Other, fmt("Cannot access kernel 'struct %s' from non-GPL compatible program", tname.c_str()));
    const int64_t total = int64_t(ptr.off) + off;
    if (total < 0)
        return env.refuse(Rule::Other, fmt("R%d is ptr_%s invalid negative access: off=%lld", regno, tname.c_str(), (long long)total));
    if (!ptr.var.is_const() || ptr.var.value() != 0)
        return env.refuse(Rule::Other, fmt("R%d is ptr_%s invalid variable offset: off=%lld, var_off=%s", regno, tname.c_str(),
                                           (long long)total, tnum_text(ptr.var.var).c_str()));
    if (write && env.in.type == ProgType::StructOps && env.in.btf_ctx && !env.in.btf_ctx->struct_ops.empty()) {
        // The struct_ops type's btf_struct_access decides which fields its programs write.
        const StructOpsWrite w = struct_ops_write(env.in.btf_ctx->struct_ops, ptr.map, total, size);
        switch (w.kind) {
        case StructOpsWrite::Kind::Allowed: return true;
        case StructOpsWrite::Kind::Refused: return env.refuse(Rule::Other, w.message);
        case StructOpsWrite::Kind::CannotTell: return env.cannot_tell(w.message);
        }
    }
    if (write) return env.refuse(Rule::Other, "only read is supported");
    const BtfLoad load = btf_object_read(ptr.map, total, size);
    switch (load.kind) {
    case BtfLoad::Kind::Refused: return env.refuse(Rule::Other, load.message);
    case BtfLoad::Kind::CannotTell: return env.cannot_tell(load.message);
    case BtfLoad::Kind::Number: break;
    case BtfLoad::Kind::Object:
        if (out) *out = walked_pointer(env, st, ptr, load);
        return true;
    }
    if (out) *out = Reg::scalar(loaded_number(size));
    return true;
}

// A tracing or LSM program's context slot (btf_ctx_access).
bool btf_ctx_step(Env& env, int32_t off, uint32_t size, bool write, Reg* out) {
    const BtfCtx* ctx = env.in.btf_ctx ? &*env.in.btf_ctx : nullptr;
    const BtfCtxAccess a = btf_ctx_access(env.in.type, ctx, off, size, write);
    switch (a.kind) {
    case BtfCtxAccess::Kind::Refused: return env.refuse(Rule::Context, a.message);
    case BtfCtxAccess::Kind::CannotTell: return env.cannot_tell(a.message);
    case BtfCtxAccess::Kind::Number:
        if (out) *out = Reg::scalar(loaded_number(size));
        return true;
    case BtfCtxAccess::Kind::Object: {
        Reg r;
        r.type = RegType::BtfId;
        r.var = Scalar::constant(0);
        r.maybe_null = a.maybe_null;
        r.map = a.btf_id;
        // btf_ctx_access marks them PTR_TRUSTED as prog_args_trusted says (btf_ctx.cpp).
        r.trusted = a.trusted;
        if (r.maybe_null) r.id = env.new_id();
        if (out) *out = r;
        return true;
    }
    }
    return env.cannot_tell("a context slot");
}

}  // namespace

bool check_readable(Env& env, const State& st, int regno) {
    if (st.top().regs[regno].type == RegType::NotInit) return env.refuse(Rule::UninitRegister, fmt("R%d !read_ok", regno));
    return true;
}

bool check_mem_access(Env& env, State& st, int regno, int32_t off, uint32_t size, bool write, Reg* out, const Reg* stored,
                      bool from_helper) {
    const Reg ptr = st.top().regs[regno];
    if (ptr.type == RegType::NotInit) return env.refuse(Rule::UninitRegister, fmt("R%d !read_ok", regno));
    if (ptr.type == RegType::Scalar)
        return env.refuse(Rule::NotAPointer, fmt("R%d invalid mem access '%s'", regno, reg_type_name(ptr.type, false).c_str()));
    if (ptr.maybe_null)
        return env.refuse(Rule::NullPointer, fmt("R%d invalid mem access '%s'", regno, reg_type_name(ptr).c_str()));
    switch (ptr.type) {
    case RegType::Ctx: {
        if (from_helper) return env.refuse(Rule::HelperArg, fmt("R%d type=ctx expected=fp", regno));
        if (!ptr.var.is_const() || ptr.var.value() != 0)
            return env.refuse(Rule::Context, fmt("variable ctx access var_off=%s disallowed", tnum_text(ptr.var.var).c_str()));
        if (ptr.off != 0)
            return env.refuse(Rule::Context, fmt("dereference of modified ctx ptr R%d off=%d disallowed", regno, int(ptr.off)));
        if (env.in.type == ProgType::Tracing || env.in.type == ProgType::Lsm || env.in.type == ProgType::StructOps)
            return btf_ctx_step(env, off, size, write, out);
        if (!ctx_modelled(env.in.type)) return env.cannot_tell("context access for this program type");
        const std::string bad = fmt("invalid bpf_context access off=%d size=%u", int(off), size);
        if (off < 0) return env.refuse(Rule::Context, bad);
        if (write) {
            if (stored && stored->is_pointer() ) return env.refuse(Rule::Context, bad);
            if (!ctx_write_allowed(env.in.type, env.in.attach, uint32_t(off), size)) return env.refuse(Rule::Context, bad);
            return true;
        }
        const CtxRead kind = ctx_read_kind(env.in.type, env.in.attach, uint32_t(off), size);
        if (kind == CtxRead::Unmodelled) return env.cannot_tell(fmt("the context field at offset %d", int(off)));
        if (kind == CtxRead::Refused) return env.refuse(Rule::Context, bad);
        Reg r;
        if (kind == CtxRead::Number) r = Reg::scalar(loaded_number(size));
        else if (kind == CtxRead::TrustedObject) {
            const char* name = ctx_object_struct(env.in.type, uint32_t(off));
            const auto id = name ? builtin_target_btf().find_by_name(name, BtfKind::Struct) : std::nullopt;
            if (!id) return env.cannot_tell(fmt("the context field at offset %d (its struct is not in the built-in BTF)", int(off)));
            r.type = RegType::BtfId;
            r.var = Scalar::constant(0);
            r.map = *id;
            r.trusted = true;
        } else if (kind == CtxRead::Sock || kind == CtxRead::SockOrNull) {
            r.type = RegType::Sock;
            r.var = Scalar::constant(0);
            if (kind == CtxRead::SockOrNull) {
                r.maybe_null = true;
                r.id = env.new_id();
            }
        } else {
            r.type = kind == CtxRead::PacketStart ? RegType::Packet : kind == CtxRead::PacketEnd ? RegType::PacketEnd : RegType::PacketMeta;
            r.var = Scalar::constant(0);
        }
        if (out) *out = r;
        return true;
    }
    case RegType::Packet:
    case RegType::PacketMeta: {
        if (write && !from_helper && !packet_writable(env.in.type)) return env.refuse(Rule::Other, "cannot write into packet");
        if (ptr.var.smin < 0)
            return env.refuse(Rule::PacketBounds,
                              fmt("R%d min value is negative, either use unsigned index or do a if (index >=0) check.", regno));
        const int64_t total = int64_t(ptr.off) + off;
        if (total < 0 || total + int64_t(size) > int64_t(ptr.range))
            return env.refuse(Rule::PacketBounds, fmt("invalid access to packet, off=%lld size=%u, R%d(id=%u,off=%d,r=%d)", (long long)total,
                                                      size, regno, ptr.id, int(total), int(ptr.range)));
        if (out && !write) *out = Reg::scalar(loaded_number(size));
        return true;
    }
    case RegType::Stack: return stack_access(env, st, ptr, regno, off, size, write, out, stored, from_helper);
    case RegType::MapValue: {
        const MapSpec* m = env.any_map(ptr.map);
        if (!m) return env.cannot_tell("a map value of an unknown map");
        if (!region_access(env, ptr, regno, off, size, m->value_size, Rule::MapValueBounds,
                           "invalid access to map value, value_size=%u off=%d size=%u"))
            return false;
        const int64_t lo = int64_t(ptr.off) + off + ptr.var.smin, hi = int64_t(ptr.off) + off + int64_t(ptr.var.umax) + size;
        if (!from_helper && overlaps(lo, hi, m->spin_lock_off, 4))
            return env.refuse(Rule::MapValueBounds, "bpf_spin_lock cannot be accessed directly by load/store");
        if (!from_helper && overlaps(lo, hi, m->timer_off, 16))
            return env.refuse(Rule::MapValueBounds, "bpf_timer cannot be accessed directly by load/store");
        if (write && (m->map_flags & kMapRdonlyProg))
            return env.refuse(Rule::MapValueBounds,
                              fmt("write into map forbidden, value_size=%u off=%lld size=%u", m->value_size, (long long)(lo), size));
        if (out && !write) *out = Reg::scalar(rdonly_number(env, ptr, off, size));
        return true;
    }
    case RegType::Mem:
        if (write && ptr.rdonly) return env.refuse(Rule::MemBounds, fmt("R%d cannot write into %s", regno, reg_type_name(ptr).c_str()));
        if (!region_access(env, ptr, regno, off, size, ptr.mem_size, Rule::MemBounds,
                           "invalid access to memory, mem_size=%u off=%d size=%u"))
            return false;
        if (out && !write) *out = Reg::scalar(loaded_number(size));
        return true;
    case RegType::BtfId:
        if (ptr.local_type) return alloc_object_access(env, ptr, regno, off, size, write, out, stored, from_helper);
        return btf_object_access(env, st, ptr, regno, off, size, write, out, from_helper);
    case RegType::MapKey: {
        const MapSpec* m = env.any_map(ptr.map);
        if (!m) return env.cannot_tell("a map key of an unknown map");
        if (write) return env.refuse(Rule::MapValueBounds, fmt("write to change key R%d not allowed", regno));
        if (!region_access(env, ptr, regno, off, size, m->key_size, Rule::MapValueBounds,
                           "invalid access to map key, key_size=%u off=%d size=%u"))
            return false;
        if (out) *out = Reg::scalar(loaded_number(size));
        return true;
    }
    case RegType::MapPtr:
    case RegType::ConstDynptr:
    case RegType::Sock: return env.cannot_tell(fmt("a load through a %s pointer", reg_type_name(ptr.type, false).c_str()));
    case RegType::Func:
    case RegType::NotInit:
    case RegType::Scalar:
    case RegType::PacketEnd: break;
    }
    return env.refuse(Rule::NotAPointer, fmt("R%d invalid mem access '%s'", regno, reg_type_name(ptr.type, false).c_str()));
}

bool step_load(Env& env, State& st, const Insn& insn) {
    if (!check_readable(env, st, insn.src)) return false;
    if (insn.dst == 10) return env.refuse(Rule::FramePointer, "frame pointer is read only");
    const uint32_t size = op::size_bytes(insn.opcode);
    Reg value;
    const bool from_map_value = st.top().regs[insn.src].type == RegType::MapValue;
    if (op::mode(insn.opcode) == op::kMemsx && st.top().regs[insn.src].type == RegType::BtfId)
        return env.cannot_tell("a sign-extending load through a kernel object pointer");
    if (!check_mem_access(env, st, insn.src, insn.off, size, false, &value)) return false;
    if (op::mode(insn.opcode) == op::kMemsx && from_map_value && value.var.is_const() && size < 8) {
        // A known byte, half or word (read-only map data), sign-extended.
        const unsigned shift = 64 - 8 * size;
        value = Reg::scalar(Scalar::constant(uint64_t(int64_t(value.var.value() << shift) >> shift)));
    } else if (op::mode(insn.opcode) == op::kMemsx && value.type == RegType::Scalar) {
        const int64_t half = int64_t(1) << (8 * size - 1);
        Scalar s;
        s.smin = -half;
        s.smax = half - 1;
        s.sync();
        value = Reg::scalar(s);
    }
    st.top().regs[insn.dst] = value;
    return true;
}

bool step_store(Env& env, State& st, const Insn& insn) {
    if (!check_readable(env, st, insn.dst)) return false;
    Reg stored;
    if (op::cls(insn.opcode) == op::kStx) {
        if (!check_readable(env, st, insn.src)) return false;
        stored = st.top().regs[insn.src];
    } else {
        stored = Reg::scalar(Scalar::constant(uint64_t(int64_t(insn.imm))));
    }
    const uint32_t size = op::size_bytes(insn.opcode);
    if (size < 8 && stored.type == RegType::Scalar) stored.var = scalar_alu(AluOp::And, stored.var, Scalar::constant((1ull << (8 * size)) - 1), false);
    return check_mem_access(env, st, insn.dst, insn.off, size, true, nullptr, &stored);
}

bool step_atomic(Env& env, State& st, const Insn& insn) {
    if (!check_readable(env, st, insn.src) || !check_readable(env, st, insn.dst)) return false;
    const uint32_t size = op::size_bytes(insn.opcode);
    const Reg& ptr = st.top().regs[insn.dst];
    if (ptr.type == RegType::Ctx || ptr.type == RegType::Packet || ptr.type == RegType::PacketMeta)
        return env.refuse(Rule::Other, fmt("BPF_ATOMIC stores into R%d %s is not allowed", int(insn.dst), reg_type_name(ptr.type, false).c_str()));
    if (st.top().regs[insn.src].is_pointer())
        return env.refuse(Rule::PointerArith, fmt("R%d leaks addr into mem", int(insn.src)));
    if (insn.imm == op::kCmpxchg && !check_readable(env, st, 0)) return false;
    Reg loaded;
    if (!check_mem_access(env, st, insn.dst, insn.off, size, false, &loaded)) return false;
    const Reg unknown = Reg::scalar(Scalar::unknown());
    if (!check_mem_access(env, st, insn.dst, insn.off, size, true, nullptr, &unknown)) return false;
    if (insn.imm == op::kCmpxchg) st.top().regs[0] = Reg::scalar(loaded_number(size));
    else if (insn.imm & op::kFetch) st.top().regs[insn.src] = Reg::scalar(loaded_number(size));
    return true;
}

bool step_legacy_packet_load(Env& env, State& st, const Insn& insn) {
    if (env.in.type != ProgType::SocketFilter && env.in.type != ProgType::SchedCls && env.in.type != ProgType::SchedAct)
        return env.refuse(Rule::Other, "BPF_LD_[ABS|IND] instructions not allowed for this program type");
    if (!check_readable(env, st, 6)) return false;
    // check_resource_leak: no lock held; no reference held, in the main function.
    if (!lock_allows_leaving(env, st, "BPF_LD_[ABS|IND]")) return false;
    if (st.frames.size() == 1 && !st.refs.empty())
        return env.refuse(Rule::Reference, fmt("Unreleased reference id=%u alloc_insn=%u", st.refs[0].id, st.refs[0].insn));
    if (st.top().regs[6].type != RegType::Ctx)
        return env.refuse(Rule::Other, "at the time of BPF_LD_ABS|IND R6 != pointer to skb");
    if (op::mode(insn.opcode) == op::kInd && !check_readable(env, st, insn.src)) return false;
    Frame& fr = st.top();
    for (int r = 1; r <= 5; ++r) fr.regs[r] = Reg{};
    fr.regs[0] = Reg::scalar(loaded_number(op::size_bytes(insn.opcode)));
    return true;
}

}  // namespace bpfplay::verifier
