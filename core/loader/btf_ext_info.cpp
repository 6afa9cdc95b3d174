// func_info and line_info of a linked program (libbpf's adjust_prog_btf_ext_info): the
// records of each function, taken from .BTF.ext for its section and shifted from the
// function's place in its section to its place in the linked program.
#include "core/loader/object_state.hpp"

namespace bpfplay::loader {

namespace {

template <class Record, class Add>
void take_range(const std::vector<Record>& records, uint32_t first, uint32_t end, Add add) {
    for (const Record& r : records) {
        if (r.insn_idx < first) continue;
        if (r.insn_idx >= end) break;  // records are in instruction order, as libbpf assumes too
        add(r);
    }
}

}  // namespace

void add_debug_info(const ObjectState& st, const Function& fn, uint32_t base, LoadedProgram& out) {
    if (!st.btf_ext) return;
    const BtfExtSection* ext = st.btf_ext->section(st.section(fn.section).name);
    if (!ext) return;
    const uint32_t first = fn.sec_insn_off;
    const uint32_t end = fn.sec_insn_off + fn.insn_count;
    take_range(ext->funcs, first, end, [&](const BtfFuncInfo& f) {
        out.func_info.push_back({f.insn_idx - first + base, std::string(f.name), f.type_id});
    });
    take_range(ext->lines, first, end, [&](const BtfLineInfo& l) {
        out.line_info.push_back({l.insn_idx - first + base, std::string(l.file), l.line, l.column, std::string(l.text)});
    });
}

}  // namespace bpfplay::loader
