// Open-coded iterators (the kernel's process_iter_arg and process_iter_next_call): an
// iterator lives in stack slots bpf_iter_<kind>_new marks (STACK_ITER) and takes a reference;
// each _next forks the path: one side with the iterator drained and NULL returned, the other,
// walked later, with it still active and a pointer returned; _destroy releases the reference.
// A loop over _next ends where an active state comes back to a state already seen there (the
// walker's check at these calls), its changing numbers widened so that it can.
#include <string_view>

#include "core/helpers/kfunc_catalog.hpp"
#include "core/verifier/steps.hpp"

namespace bpfplay::verifier {

namespace {

// The iterators modelled: their kfuncs' prefix, the name the kernel's messages give them
// (iter_type_str), their size in 8-byte slots, and what _next points at.
struct IterKind {
    const char* prefix;   // "bpf_iter_num_"
    const char* name;     // "num"
    uint32_t slots;       // sizeof(struct bpf_iter_num) / 8
    uint32_t next_size;   // _next returns a pointer to this many bytes (int *: 4)
};
constexpr IterKind kIterKinds[] = {
    {"bpf_iter_num_", "num", 1, 4},
    {"bpf_iter_bits_", "bits", 2, 4},
};

const IterKind* iter_kind_of(std::string_view kfunc, uint8_t& index) {
    for (uint8_t k = 0; k < std::size(kIterKinds); ++k)
        if (kfunc.substr(0, std::string_view(kIterKinds[k].prefix).size()) == kIterKinds[k].prefix) {
            index = uint8_t(k + 1);
            return &kIterKinds[k];
        }
    return nullptr;
}

uint32_t iter_depth_of(int64_t fp_off) { return uint32_t(-fp_off - 1); }

// widen_imprecise_scalars: numbers that changed since the iteration before are forgotten, so
// that the loop's states converge. (The kernel keeps those it has marked precise, which the
// checker does not track: it widens every changed one.)
void widen_changed_scalars(State& queued, const State& prev) {
    if (queued.frames.size() != prev.frames.size()) return;
    for (size_t f = 0; f < queued.frames.size(); ++f) {
        Frame& q = queued.frames[f];
        const Frame& p = prev.frames[f];
        for (size_t r = 0; r < q.regs.size(); ++r)
            if (q.regs[r].type == RegType::Scalar && p.regs[r].type == RegType::Scalar && !(q.regs[r].var == p.regs[r].var))
                q.regs[r] = Reg::scalar(Scalar::unknown());
        for (size_t s = 0; s < q.spilled.size() && s < p.spilled.size(); ++s) {
            if (q.slot_at(uint32_t(s * 8)) != Slot::Spill || p.slot_at(uint32_t(s * 8)) != Slot::Spill) continue;
            if (q.spilled[s].type == RegType::Scalar && p.spilled[s].type == RegType::Scalar && !(q.spilled[s].var == p.spilled[s].var))
                q.spilled[s] = Reg::scalar(Scalar::unknown());
        }
    }
}

}  // namespace

bool is_iter_next_kfunc(const std::string& name) {
    const KfuncProto* proto = kfunc_proto(name);
    return proto && (proto->flags & KF_ITER_NEXT);
}

bool iter_active_at_r1(const State& st) {
    const Reg& r1 = st.top().regs[1];
    if (r1.type != RegType::Stack || !r1.var.is_const() || r1.frame >= st.frames.size()) return false;
    const int64_t off = int64_t(r1.off) + int64_t(r1.var.value());
    if (off >= 0 || off < -int64_t(kStackSize)) return false;
    const Frame& fr = st.frames[r1.frame];
    const uint32_t d = iter_depth_of(off);
    return fr.slot_at(d) == Slot::Iter && !fr.iters[d / 8].drained;
}

bool step_iter_kfunc(Env& env, State& st, const std::string& name) {
    const KfuncProto* proto = kfunc_proto(name);
    uint8_t kind_index = 0;
    const IterKind* kind = iter_kind_of(name, kind_index);
    if (!proto || !kind) return env.cannot_tell(name + " (an iterator kfunc of a kind not modelled)");
    const uint32_t flags = proto->flags;
    const Reg r1 = st.top().regs[1];
    if (r1.type == RegType::NotInit) return env.cannot_tell("an unwritten R1 passed to an iterator kfunc");
    // process_iter_arg, then iter_get_spi (stack_slot_obj_get_spi).
    if (r1.type != RegType::Stack) return env.refuse(Rule::HelperArg, "arg#0 expected pointer to an iterator on stack");
    if (!r1.var.is_const()) return env.refuse(Rule::HelperArg, "iter has to be at a constant offset");
    const int64_t off = int64_t(r1.off) + int64_t(r1.var.value());
    if (off % 8 != 0 || off >= 0) return env.refuse(Rule::HelperArg, fmt("cannot pass in iter at an offset=%lld", (long long)off));
    const uint32_t spi = iter_depth_of(off) / 8;
    if (spi + 1 < kind->slots) return env.refuse(Rule::HelperArg, fmt("cannot pass in iter at an offset=%lld", (long long)off));
    if (off < -int64_t(kStackSize)) return env.cannot_tell("an iterator past the stack");
    Frame* fr = &st.frames[r1.frame];
    const uint32_t top = spi - (kind->slots - 1);  // the slot nearest fp
    auto slot_bytes_are = [&](uint32_t s, Slot want) {
        for (uint32_t b = 0; b < 8; ++b)
            if (fr->slot_at(s * 8 + b) != want) return false;
        return true;
    };

    if (flags & KF_ITER_NEW) {
        for (uint32_t i = 0; i < kind->slots; ++i)
            for (uint32_t b = 0; b < 8; ++b)
                if (fr->slot_at((spi - i) * 8 + b) == Slot::Iter)
                    return env.refuse(Rule::HelperArg, fmt("expected uninitialized iter_%s as arg #0", kind->name));
        // bpf_iter_num_new(it, int start, int end); bpf_iter_bits_new(it, const u64 *unsafe_ptr__ign, u32 nr_words).
        for (int regno : {2, 3}) {
            if (regno == 2 && std::string_view(kind->name) == "bits") continue;
            const Reg& r = st.top().regs[regno];
            if (r.type == RegType::NotInit) return env.cannot_tell(fmt("an unwritten R%d passed to a kfunc", regno));
            if (r.type != RegType::Scalar) return env.refuse(Rule::HelperArg, fmt("R%d is not a scalar", regno));
        }
        for (uint32_t i = 0; i < kind->slots; ++i)
            if (!check_mem_access(env, st, 1, int32_t(8 * i), 8, true, nullptr)) return false;
        fr = &st.frames[r1.frame];
        const uint32_t ref = env.new_id();
        for (uint32_t i = 0; i < kind->slots; ++i) {
            const uint32_t s = spi - i;
            for (uint32_t b = 0; b < 8; ++b) fr->slot[s * 8 + b] = Slot::Iter;
            fr->spilled[s] = Reg{};
            fr->iters[s] = IterSlot{kind_index, uint8_t(i), false, i == 0 ? ref : 0, 0};
        }
        st.refs.push_back(Reference{ref, env.pc});
        Frame& f = st.top();
        for (int r = 1; r <= 5; ++r) f.regs[r] = Reg{};
        f.regs[0] = Reg::scalar(Scalar::unknown());
        return true;
    }

    // is_iter_reg_valid_init: the same kind of iterator, whole, starting here.
    for (uint32_t i = 0; i < kind->slots; ++i) {
        const uint32_t s = spi - i;
        const IterSlot it = s < fr->iters.size() ? fr->iters[s] : IterSlot{};
        if (!slot_bytes_are(s, Slot::Iter) || it.kind != kind_index || it.index != i || (i == 0) != (it.ref != 0))
            return env.refuse(Rule::HelperArg, fmt("expected an initialized iter_%s as arg #0", kind->name));
    }
    if (env.stack_use) env.stack_use->stack_read(r1.frame, top * 8, spi * 8 + 7);
    const uint32_t ref = fr->iters[spi].ref;
    Frame& f = st.top();
    for (int r = 1; r <= 5; ++r) f.regs[r] = Reg{};

    if (flags & KF_ITER_DESTROY) {
        std::erase_if(st.refs, [&](const Reference& x) { return x.id == ref; });
        for (uint32_t i = 0; i < kind->slots; ++i) {
            const uint32_t s = spi - i;
            for (uint32_t b = 0; b < 8; ++b) fr->slot[s * 8 + b] = Slot::Invalid;
            fr->iters[s] = IterSlot{};
        }
        f.regs[0] = Reg{};
        return true;
    }
    if (!(flags & KF_ITER_NEXT)) return env.cannot_tell(name + " (an iterator kfunc other than new, next and destroy)");

    // process_iter_next_call: an active iterator forks; a drained one stays drained.
    if (!fr->iters[spi].drained) {
        State queued = st;
        Frame& qf = queued.frames[r1.frame];
        for (uint32_t i = 0; i < kind->slots; ++i) qf.iters[spi - i].depth++;
        Reg mem;
        mem.type = RegType::Mem;
        mem.var = Scalar::constant(0);
        mem.mem_size = kind->next_size;
        if (env.loop_prev) widen_changed_scalars(queued, *env.loop_prev);
        queued.top().regs[0] = mem;
        env.branches_out.push_back(Branch{env.pc + 1, std::move(queued)});
    }
    for (uint32_t i = 0; i < kind->slots; ++i) fr->iters[spi - i].drained = true;
    f.regs[0] = Reg::scalar(Scalar::constant(0));
    return true;
}

}  // namespace bpfplay::verifier
