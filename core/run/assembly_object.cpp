// ObjectSession::open_assembly: a program pasted as llvm-objdump text becomes a one-program
// object (no maps, no BTF), so the browser and the debugger treat it like a compiled .o.
#include "core/decode.hpp"
#include "core/loader/assembly_context.hpp"
#include "core/maps/map_set.hpp"
#include "core/run/sockmap_helpers.hpp"
#include "core/run/kernel_helpers.hpp"
#include "core/run/object_session.hpp"
#include "core/text/asm.hpp"

namespace bpfplay {

Result<std::unique_ptr<ObjectSession>> ObjectSession::open_assembly(std::string_view text, std::string_view section,
                                                                    Host host) {
    std::unique_ptr<ObjectSession> s(new ObjectSession());
    auto insns = assemble(text);
    if (!insns.ok()) return insns.error();
    if (insns.value().empty()) return make_error(ErrorKind::Parse, "the assembly text has no instructions");

    LoadedProgram p;
    p.name = "asm";
    p.section = section.empty() ? "raw" : std::string(section);
    const SectionProgramKind kind = classify_section(section);
    p.type_known = kind.known;
    p.attach = kind.attach;
    p.sleepable = kind.sleepable;
    p.type = kind.type;
    p.context = assembly_context(kind);
    p.attach_target = std::string(kind.attach_target);
    p.insns = std::move(insns).value();
    p.own_insn_count = uint32_t(p.insns.size());
    p.functions.push_back({p.name, 0, p.own_insn_count});

    s->object_.name = "asm";
    s->object_.maps = std::make_unique<MapSet>();
    DecodeOptions options;
    options.helpers = &kernel_helper_registry();
    options.check_helper_rules = kind.known;
    options.prog_type = p.type;
    options.attach = p.attach;
    options.sleepable = p.sleepable;
    options.attach_target = p.attach_target;
    options.resolve_lddw = s->object_.maps->lddw_resolver();
    options.legacy_packet_access =
        p.type == ProgType::SocketFilter || p.type == ProgType::SchedCls || p.type == ProgType::SchedAct;
    // Only a program of no known type gets r2 = the input's length (as the loader's programs,
    // a known type starts with r1 and r10 alone).
    if (!kind.known) options.entry_regs |= 1u << 2;
    auto decoded = decode(p.insns, options);
    if (!decoded.ok()) return decoded.error();
    p.program = std::move(decoded).value();
    s->object_.programs.push_back(std::move(p));

    s->host_ = std::move(host);
    Host* host_ptr = &s->host_;  // cgroup_array values are ids of the host's cgroups
    s->object_.maps->set_cgroup_validator([host_ptr](uint32_t id) { return host_ptr->cgroup(id) != nullptr; });
    attach_socket_resolver(*s->object_.maps, host_ptr);  // sockmap values are socket cookies
    s->index_programs();
    s->open_process();
    return s;
}

}  // namespace bpfplay
