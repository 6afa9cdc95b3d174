#include "core/verifier/object_check.hpp"

namespace bpfplay::verifier {

Verdict check_program(const LoadedObject& object, const LoadedProgram& program, uint64_t budget) {
    CheckInput in;
    in.insns = program.insns;
    in.type = program.type;
    in.attach = program.attach;
    in.budget = budget;
    if (object.btf)
        in.kfunc_name = [btf = object.btf](int32_t imm) { return std::string(btf->name(uint32_t(imm))); };
    for (const LoadedMapInfo& info : object.map_info) in.maps.push_back(&info.spec);
    for (const LinkedFunction& f : program.functions)
        if (f.global && f.first_insn != 0) in.global_functions.push_back(f.first_insn);
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
