#include "core/verifier/object_check.hpp"

#include "core/loader/object_state.hpp"
#include "core/verifier/global_funcs.hpp"

namespace bpfplay::verifier {

namespace {

// The values the kernel's verifier reads as constants: a frozen array map of one element that
// programs may only read (bpf_map_is_rdonly with map_direct_value_addr). libbpf freezes .rodata
// and .kconfig before loading programs, so `const volatile` filters are known, and the branches
// they rule out are never walked.
std::vector<std::vector<uint8_t>> rdonly_values(const LoadedObject& object) {
    std::vector<std::vector<uint8_t>> out(object.map_info.size());
    if (!object.maps) return out;
    for (uint32_t id = 0; id < out.size(); ++id) {
        Map* map = object.maps->get(id);
        if (!map || !map->frozen() || !(map->spec().map_flags & map_flag::kRdonlyProg) ||
            map->spec().type != MapType::Array || map->max_entries() != 1)
            continue;
        std::vector<uint8_t> value(map->value_size());
        const uint8_t key[4] = {0, 0, 0, 0};
        if (map->lookup_user(key, value) == 0) out[id] = std::move(value);
    }
    return out;
}

}  // namespace

Verdict check_program(const LoadedObject& object, const LoadedProgram& program, uint64_t budget) {
    CheckInput in;
    in.insns = program.insns;
    in.type = program.type;
    in.attach = program.attach;
    in.btf_ctx = btf_ctx_for(program);
    in.gpl_compatible = loader::gpl_compatible(object.license);
    in.sleepable = program.sleepable;
    in.dev_bound = program.dev_bound_ifindex != 0;
    in.budget = budget;
    if (object.btf)
        in.kfunc_name = [btf = object.btf](int32_t imm) { return std::string(btf->name(uint32_t(imm))); };
    in.object_btf = object.btf;
    in.weak_kfuncs = object.weak_kfuncs;
    for (const LoadedMapInfo& info : object.map_info) in.maps.push_back(&info.spec);
    in.rdonly_values = rdonly_values(object);
    for (const TypedKsym& k : program.typed_ksyms) in.ksym_vars.push_back(KsymVar{k.insn, k.name});
    for (const LinkedFunction& f : program.functions)
        if (f.global && f.first_insn != 0) in.global_functions.push_back(f.first_insn);
    in.global_sigs = global_function_sigs(object, program);
    Verdict v = check(in);
    v.program = program.name;
    if (v.kind != VerdictKind::Accept) {
        if (const SourceLine* line = program.line_for(v.insn); line && line->line != 0) {
            v.source_file = line->file;
            v.source_line = line->line;
            v.source_text = line->text;
        }
    }
    return v;
}

}  // namespace bpfplay::verifier
