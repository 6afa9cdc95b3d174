// The list and tree kfuncs (bpf_list_push_front/back_impl, bpf_list_pop_front/back,
// bpf_list_front/back; bpf_rbtree_add_impl, _remove, _first, _root, _left, _right):
// the kernel's KF_ARG_PTR_TO_LIST_HEAD and KF_ARG_PTR_TO_LIST_NODE arguments
// (process_kf_arg_ptr_to_list_head, __process_kf_arg_ptr_to_graph_node,
// check_reg_allocation_locked) and what the calls do to references (ref_convert_owning_non_owning,
// mark_reg_graph_node, ref_set_non_owning). Modelled: a list head in a map value or a global
// data section, beside the bpf_spin_lock the path holds; a head inside an allocated object
// (struct bag { lock; head; }) is "cannot tell".
#include <optional>
#include <string_view>

#include "core/btf/btf.hpp"
#include "core/verifier/steps.hpp"

namespace bpfplay::verifier {

namespace {

// A list or a tree: the kernel's names for its root and node structs.
struct GraphKind {
    const char* root;  // "bpf_list_head", "bpf_rb_root"
    const char* node;  // "bpf_list_node", "bpf_rb_node"
};
constexpr GraphKind kListGraph{"bpf_list_head", "bpf_list_node"};
constexpr GraphKind kTreeGraph{"bpf_rb_root", "bpf_rb_node"};

// A bpf_list_head and what its "contains:TYPE:FIELD" decl tag says it holds.
struct ListHeadField {
    uint32_t value_type = 0;  // the contained struct (the program's BTF)
    uint32_t node_off = 0;    // its bpf_list_node's offset
};

// The "contains:" decl tag on member `component` of `type` (-1: on the type itself, a VAR).
std::optional<std::string_view> list_contains_tag(const Btf& btf, uint32_t type, int32_t component) {
    for (uint32_t id = 1; id < btf.type_count(); ++id) {
        const BtfType* t = btf.type(id);
        if (!t || t->kind != BtfKind::DeclTag || t->ref != type || t->component_idx != component) continue;
        const std::string_view tag = btf.name(id);
        if (tag.starts_with("contains:")) return tag.substr(9);
    }
    return std::nullopt;
}

bool is_list_struct(const Btf& btf, uint32_t type, std::string_view name) {
    const uint32_t t = btf.skip_modifiers(type);
    return btf.kind(t) == BtfKind::Struct && btf.name(t) == name;
}

// The offset of the bpf_list_node member `field` of struct `type`, when it has one.
std::optional<uint32_t> list_node_offset(const Btf& btf, uint32_t type, std::string_view field, const GraphKind& g) {
    for (const BtfMember& m : btf.members(type))
        if (btf.string_at(m.name_off) == field && is_list_struct(btf, m.type, g.node) && m.bit_offset % 8 == 0)
            return m.bit_offset / 8;
    return std::nullopt;
}

// btf_record_find(rec, off, BPF_LIST_HEAD) in map `m`'s value. nullopt with `why` empty: no
// list head there; `why` set: one the checker cannot read.
std::optional<ListHeadField> map_list_head(const Btf& btf, const MapSpec& m, uint32_t off, const GraphKind& g, std::string& why) {
    auto unreadable = [&](const char* what) {
        why = what;
        return std::optional<ListHeadField>();
    };
    const uint32_t value = btf.skip_modifiers(m.btf_value_type_id);
    std::string_view tag;
    bool found = false;
    if (btf.kind(value) == BtfKind::Struct) {
        const auto members = btf.members(value);
        for (size_t i = 0; i < members.size() && !found; ++i) {
            if (members[i].bit_offset != off * 8 || !is_list_struct(btf, members[i].type, g.root)) continue;
            const auto t = list_contains_tag(btf, value, int32_t(i));
            if (!t) return unreadable("a graph root without a contains: tag");
            tag = *t;
            found = true;
        }
    } else if (btf.kind(value) == BtfKind::Datasec) {
        for (const BtfVarSecinfo& v : btf.datasec_entries(value)) {
            const BtfType* var = btf.type(v.type);
            if (!var || var->kind != BtfKind::Var || v.offset != off || !is_list_struct(btf, var->ref, g.root)) continue;
            const auto t = list_contains_tag(btf, v.type, -1);
            if (!t) return unreadable("a graph root without a contains: tag");
            tag = *t;
            found = true;
            break;
        }
    } else {
        return unreadable("a map value the checker cannot read the fields of");
    }
    if (!found) return std::nullopt;
    const size_t colon = tag.find(':');
    if (colon == std::string_view::npos) return unreadable("a malformed contains: tag");
    const auto type = btf.find_by_name(tag.substr(0, colon), BtfKind::Struct);
    if (!type) return unreadable("a contains: tag naming a struct the program lacks");
    const auto node = list_node_offset(btf, *type, tag.substr(colon + 1), g);
    if (!node) return unreadable("a contains: tag naming a field that is no graph node");
    return ListHeadField{*type, *node};
}

bool alloc_list_head_arg(Env& env, const State& st, const GraphKind& g, ListHeadField& out);

// KF_ARG_PTR_TO_LIST_HEAD in R1, with the bpf_spin_lock beside it held.
bool list_head_arg(Env& env, const State& st, const GraphKind& g, ListHeadField& out) {
    const Reg& r = st.top().regs[1];
    if (r.type == RegType::NotInit) return env.cannot_tell("an unwritten R1 passed to a kfunc");
    if (r.type == RegType::BtfId && r.local_type && !r.maybe_null && !r.non_owning) return alloc_list_head_arg(env, st, g, out);
    if (r.type != RegType::MapValue || r.maybe_null)
        return env.refuse(Rule::HelperArg, "arg#0 expected pointer to map value or allocated object");
    if (!r.var.is_const())
        return env.refuse(Rule::HelperArg, fmt("R1 doesn't have constant offset. %s has to be at the constant offset", g.root));
    const MapSpec* m = env.any_map(r.map);
    const Btf* btf = env.in.object_btf.get();
    if (btf && graph_tags_refused(*btf)) return env.cannot_tell("a list in an object whose BTF Linux refuses (a contains: tag)");
    if (!m || !btf || !m->kernel_btf) return env.cannot_tell("a graph root in a map the checker does not know the fields of");
    const int64_t off = int64_t(r.var.value()) + r.off;
    std::string why;
    const std::optional<ListHeadField> head = off >= 0 ? map_list_head(*btf, *m, uint32_t(off), g, why) : std::nullopt;
    if (!why.empty()) return env.cannot_tell(why);
    if (!head) return env.refuse(Rule::HelperArg, fmt("%s not found at offset=%u", g.root, unsigned(off)));
    // btf_parse_fields: a value with a list head has its bpf_spin_lock (else no map is made).
    if (m->spin_lock_off < 0) return env.cannot_tell("a graph root without a bpf_spin_lock beside it");
    // check_reg_allocation_locked: the lock held is the one in this very value.
    if (!st.lock)
        return env.refuse(Rule::Lock, fmt("bpf_spin_lock at off=%d must be held for %s", int(m->spin_lock_off), g.root));
    if (st.lock->map != r.map || st.lock->id != r.id)
        return env.refuse(Rule::Lock, "held lock and object are not in the same allocation");
    out = *head;
    return true;
}

// A list head inside an allocated object (struct bag { lock; head; }), whose own lock is held.
bool alloc_list_head_arg(Env& env, const State& st, const GraphKind& g, ListHeadField& out) {
    const Reg& r = st.top().regs[1];
    if (!r.ref_obj_id) return env.refuse(Rule::Reference, "allocated object must be referenced");
    if (!r.var.is_const())
        return env.refuse(Rule::HelperArg, fmt("R1 doesn't have constant offset. %s has to be at the constant offset", g.root));
    const Btf& btf = *env.in.object_btf;
    const int64_t off = int64_t(r.var.value()) + r.off;
    std::optional<std::string_view> tag;
    bool found = false;
    const auto members = btf.members(r.local_type);
    for (size_t i = 0; i < members.size() && !found; ++i) {
        if (int64_t(members[i].bit_offset) != off * 8 || !is_list_struct(btf, members[i].type, g.root)) continue;
        tag = list_contains_tag(btf, r.local_type, int32_t(i));
        found = true;
    }
    if (!found) return env.refuse(Rule::HelperArg, fmt("%s not found at offset=%u", g.root, unsigned(off)));
    // The object exists, so bpf_obj_new had the BTF (graph_tags_refused): the tag resolves.
    const size_t colon = tag ? tag->find(':') : std::string_view::npos;
    if (colon == std::string_view::npos) return env.cannot_tell("a graph root without a contains: tag");
    const auto type = btf.find_by_name(tag->substr(0, colon), BtfKind::Struct);
    const auto node = type ? list_node_offset(btf, *type, tag->substr(colon + 1), g) : std::nullopt;
    if (!node) return env.cannot_tell("a contains: tag the checker cannot resolve");
    const int32_t lock_off = alloc_spin_lock_off(btf, r.local_type);
    if (!st.lock)
        return env.refuse(Rule::Lock, fmt("bpf_spin_lock at off=%d must be held for %s", int(lock_off), g.root));
    if (st.lock->map != kLockInAllocation || st.lock->id != r.id)
        return env.refuse(Rule::Lock, "held lock and object are not in the same allocation");
    out = ListHeadField{*type, *node};
    return true;
}

// KF_ARG_PTR_TO_LIST_NODE in R2: an owning reference to the head's type, at its node.
// `owning`: an insertion's node (push, rbtree_add); else left/right/remove's, which may also be
// non-owning.
bool list_node_arg(Env& env, const State& st, const ListHeadField& head, const GraphKind& g, bool owning, std::string_view name) {
    const Reg& r = st.top().regs[2];
    if (r.type == RegType::NotInit) return env.cannot_tell("an unwritten R2 passed to a kfunc");
    if (owning) {
        if (r.type != RegType::BtfId || !r.local_type || r.maybe_null || r.non_owning)
            return env.refuse(Rule::HelperArg, "arg#1 expected pointer to allocated object");
        if (!r.ref_obj_id) return env.refuse(Rule::Reference, "allocated object must be referenced");
    } else {
        if (r.type != RegType::BtfId || !r.local_type || r.maybe_null)
            return env.cannot_tell(fmt("a %s pointer as %s's node", reg_type_name(r).c_str(), std::string(name).c_str()));
        if (!r.non_owning && !r.ref_obj_id)
            return env.refuse(Rule::HelperArg, fmt("%s can only take non-owning or refcounted bpf_rb_node pointer", std::string(name).c_str()));
    }
    if (!r.var.is_const())
        return env.refuse(Rule::HelperArg, fmt("R2 doesn't have constant offset. %s has to be at the constant offset", g.node));
    const Btf& btf = *env.in.object_btf;
    const int64_t node_off = int64_t(r.var.value()) + r.off;
    bool is_node = false;
    for (const BtfMember& m : btf.members(r.local_type))
        if (int64_t(m.bit_offset) == node_off * 8 && is_list_struct(btf, m.type, g.node)) is_node = true;
    if (!is_node) return env.refuse(Rule::HelperArg, fmt("%s not found at offset=%u", g.node, unsigned(node_off)));
    if (r.local_type != head.value_type || node_off != int64_t(head.node_off))
        return env.refuse(Rule::HelperArg,
                          fmt("operation on %s expects arg#1 %s at offset=%u in struct %s, but arg is at "
                              "offset=%u in struct %s",
                              g.root, g.node, head.node_off, std::string(btf.name(head.value_type)).c_str(), unsigned(node_off),
                              std::string(btf.name(r.local_type)).c_str()));
    return true;
}

void list_call_done(State& st, const Reg& r0) {
    Frame& f = st.top();
    for (int r = 1; r <= 5; ++r) f.regs[r] = Reg{};
    f.regs[0] = r0;
}

}  // namespace

bool graph_tags_refused(const Btf& btf) {
    // btf_parse_struct_metas at BPF_BTF_LOAD: every struct's bpf_list_head / bpf_rb_root needs a
    // bpf_spin_lock beside it and a contains: tag naming a struct of the BTF and its node field,
    // or the BTF is refused (and libbpf loads the object without it).
    for (uint32_t id = 1; id < btf.type_count(); ++id) {
        if (btf.kind(id) != BtfKind::Struct) continue;
        const auto members = btf.members(id);
        bool locked = false;
        for (const BtfMember& m : members) locked |= is_list_struct(btf, m.type, "bpf_spin_lock");
        for (size_t i = 0; i < members.size(); ++i) {
            const bool list = is_list_struct(btf, members[i].type, "bpf_list_head");
            const bool tree = is_list_struct(btf, members[i].type, "bpf_rb_root");
            if (!list && !tree) continue;
            if (!locked) return true;  // btf_parse_fields: a list head or tree root needs a bpf_spin_lock
            const auto tag = list_contains_tag(btf, id, int32_t(i));
            if (!tag) return true;
            const size_t colon = tag->find(':');
            if (colon == std::string_view::npos) return true;
            const auto type = btf.find_by_name(tag->substr(0, colon), BtfKind::Struct);
            if (!type) return true;
            bool node = false;
            for (const BtfMember& m : btf.members(*type))
                if (btf.string_at(m.name_off) == tag->substr(colon + 1))
                    node = is_list_struct(btf, m.type, list ? "bpf_list_node" : "bpf_rb_node");
            if (!node) return true;
        }
    }
    return false;
}

bool is_modelled_list_kfunc(std::string_view name) {
    for (std::string_view n : {"bpf_list_push_front_impl", "bpf_list_push_back_impl", "bpf_list_pop_front", "bpf_list_pop_back",
                               "bpf_list_front", "bpf_list_back", "bpf_rbtree_add_impl", "bpf_rbtree_remove", "bpf_rbtree_first",
                               "bpf_rbtree_root", "bpf_rbtree_left", "bpf_rbtree_right"})
        if (name == n) return true;
    return false;
}

bool step_list_kfunc(Env& env, State& st, std::string_view name) {
    const bool tree = name.starts_with("bpf_rbtree_");
    const GraphKind& g = tree ? kTreeGraph : kListGraph;
    if (tree)
        for (const Frame& f : st.frames)
            if (f.callback_of == kRbtreeAddCallback) return env.cannot_tell(std::string(name) + " in bpf_rbtree_add's less callback");
    ListHeadField head;
    if (!list_head_arg(env, st, g, head)) return false;
    const bool insert = name.starts_with("bpf_list_push_") || name == "bpf_rbtree_add_impl";
    if (insert) {
        if (!list_node_arg(env, st, head, g, true, name)) return false;
        if (tree && st.top().regs[3].type != RegType::Func)
            return env.refuse(Rule::HelperArg, "arg2 expected pointer to func");
        const int off_regno = tree ? 5 : 4;  // off__k (meta__ign before it is not looked at)
        const Reg& off = st.top().regs[off_regno];
        if (off.type != RegType::Scalar) return env.refuse(Rule::HelperArg, fmt("R%d is not a scalar", off_regno));
        if (!off.var.is_const()) return env.refuse(Rule::HelperArg, fmt("R%d must be a known constant", off_regno));
        // rbtree_add calls less (set_rbtree_add_callback_state): a branch enters it with the
        // state before the call, which the call's exit comes back to.
        if (tree && !push_callback(env, st, kRbtreeAddCallback, st.top().regs[3].map)) return false;
        // ref_convert_owning_non_owning, then the reference is gone (release_reference_nomark).
        const uint32_t ref = st.top().regs[2].ref_obj_id;
        for_each_reg(st, [&](Reg& x) {
            if (x.is_pointer() && x.ref_obj_id == ref) {
                x.ref_obj_id = 0;
                x.non_owning = true;
            }
        });
        std::erase_if(st.refs, [&](const Reference& r) { return r.id == ref; });
        list_call_done(st, Reg::scalar(Scalar::unknown()));
        return true;
    }
    const bool takes_node = name == "bpf_rbtree_remove" || name == "bpf_rbtree_left" || name == "bpf_rbtree_right";
    if (takes_node && !list_node_arg(env, st, head, g, false, name)) return false;
    // mark_reg_graph_node: the contained struct's node, or NULL. pop and remove: acquired
    // (KF_ACQUIRE | KF_RET_NULL: the NULL check's id, then the reference's); the others
    // non-owning.
    Reg r0;
    r0.type = RegType::BtfId;
    r0.var = Scalar::constant(0);
    r0.local_type = head.value_type;
    r0.off = int32_t(head.node_off);
    r0.maybe_null = true;
    r0.id = env.new_id();
    if (name.starts_with("bpf_list_pop_") || name == "bpf_rbtree_remove") {
        const uint32_t ref = env.new_id();
        r0.id = r0.ref_obj_id = ref;
        st.refs.push_back(Reference{ref, env.pc});
    } else {
        r0.non_owning = true;
    }
    list_call_done(st, r0);
    return true;
}

void invalidate_non_owning_refs(State& st) {
    for_each_reg(st, [](Reg& x) {
        if (x.is_pointer() && x.non_owning) x = Reg::scalar(Scalar::unknown());
    });
}

}  // namespace bpfplay::verifier
