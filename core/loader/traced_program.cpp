#include "core/loader/traced_program.hpp"

#include <string>

#include "core/btf/btf.hpp"
#include "core/btf/btf_ext.hpp"
#include "core/btf/builtin_target_btf.hpp"
#include "core/loader/loader.hpp"

namespace bpfplay {

bool traces_bpf_program(const LoadedProgram& p) {
    if (p.type != ProgType::Tracing) return false;
    // fmod_ret only attaches where errors may be injected (check_attach_modify_return): never
    // to a BPF program.
    if (p.attach != AttachType::TraceFentry && p.attach != AttachType::TraceFexit) return false;
    return !builtin_target_btf().find_by_name(p.attach_target, BtfKind::Func);
}

namespace {

// bpf_ctx_convert (include/linux/bpf_types.h): the program types whose kernel context is laid
// out as a kernel object here, with that struct. A struct's first row is the type a program
// reading it is guessed to trace (an sk_buff: tc).
struct TracedContext {
    ProgType type;
    std::string_view kernel_struct;
};
constexpr TracedContext kTracedContexts[] = {
    {ProgType::Xdp, "xdp_buff"},         {ProgType::SchedCls, "sk_buff"},  {ProgType::SchedAct, "sk_buff"},
    {ProgType::SocketFilter, "sk_buff"}, {ProgType::CgroupSkb, "sk_buff"},
};

ProgType type_of_ctx_struct(std::string_view name) {
    for (const TracedContext& c : kTracedContexts)
        if (c.kernel_struct == name) return c.type;
    return ProgType::Unspec;
}

}  // namespace

ProgType guess_traced_type(const Btf* object_btf) {
    if (!object_btf) return ProgType::Unspec;
    for (const TracedContext& c : kTracedContexts)
        if (object_btf->find_by_name(c.kernel_struct, BtfKind::Struct)) return type_of_ctx_struct(c.kernel_struct);
    return ProgType::Unspec;
}

std::string_view traced_ctx_struct(ProgType type) {
    for (const TracedContext& c : kTracedContexts)
        if (c.type == type) return c.kernel_struct;
    return "";  // other contexts are not laid out as kernel objects here
}

namespace {

// The traced type the program's own CO-RE accesses show, Unspec when none is telling.
ProgType type_from_accesses(const LoadedProgram& p, const Btf& btf, const BtfExt& ext) {
    const BtfExtSection* sec = ext.section(p.section);
    if (!sec) return ProgType::Unspec;
    const uint32_t begin = p.section_insn_offset, end = begin + p.own_insn_count;
    const BtfCoreRelo* first = nullptr;
    for (const BtfCoreRelo& r : sec->core_relos) {
        if (r.insn_idx < begin || r.insn_idx >= end) continue;
        if (type_of_ctx_struct(btf.name(btf.skip_modifiers(r.type_id))) == ProgType::Unspec) continue;
        if (!first || r.insn_idx < first->insn_idx) first = &r;
    }
    return first ? type_of_ctx_struct(btf.name(btf.skip_modifiers(first->type_id))) : ProgType::Unspec;
}

}  // namespace

void guess_traced_programs(LoadedObject& object, const Btf* object_btf, const BtfExt* ext) {
    for (LoadedProgram& p : object.programs) {
        if (!traces_bpf_program(p)) continue;
        p.traced_type = object_btf && ext ? type_from_accesses(p, *object_btf, *ext) : ProgType::Unspec;
        if (p.traced_type == ProgType::Unspec) p.traced_type = guess_traced_type(object_btf);
        const LoadedProgram* only = nullptr;
        uint32_t count = 0;
        for (const LoadedProgram& q : object.programs)
            if (q.type == p.traced_type && !q.load_error) only = &q, ++count;
        if (count == 1) p.traced_program = only->name;
    }
}

Result<Unit> set_traced_program(LoadedObject& object, std::string_view program, std::string_view target) {
    LoadedProgram* p = nullptr;
    for (LoadedProgram& q : object.programs)
        if (q.name == program) p = &q;
    if (!p) return make_error(ErrorKind::Load, "no program \"" + std::string(program) + "\" in the object");
    if (!traces_bpf_program(*p))
        return make_error(ErrorKind::Load,
                          "program \"" + p->name + "\" (section \"" + p->section +
                              "\") traces no BPF program: only an fentry or fexit program whose attach "
                              "point is no kernel function does");
    for (const LoadedProgram& q : object.programs) {
        if (q.name != target || &q == p) continue;
        if (traced_ctx_struct(q.type).empty())
            return make_error(ErrorKind::Load, "program \"" + q.name + "\" is a " + prog_type_name(q.type) +
                                                   " program; tracing one is modelled only for xdp, sched_cls, "
                                                   "sched_act, socket_filter and cgroup_skb programs");
        p->traced_type = q.type;
        p->traced_program = q.name;
        return Unit{};
    }
    const std::optional<ProgType> type = target == "tc" ? ProgType::SchedCls : prog_type_from_name(target);
    if (!type || traced_ctx_struct(*type).empty()) {
        std::string names;
        for (const LoadedProgram& q : object.programs)
            if (!traced_ctx_struct(q.type).empty()) names += ", " + q.name;
        return make_error(ErrorKind::Load,
                          "\"" + std::string(target) + "\" names no program of the object nor a type whose programs "
                          "can be traced; choose one of xdp, tc (sched_cls), sched_act, socket_filter, cgroup_skb" +
                              names);
    }
    p->traced_type = *type;
    p->traced_program.clear();
    return Unit{};
}

}  // namespace bpfplay
