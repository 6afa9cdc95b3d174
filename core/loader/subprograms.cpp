// Linking: each program gets its own copy of every .text function it calls, directly or
// through other functions, appended after its own code in the order libbpf's reloc_code /
// append_subprog visit them (depth first: a callee is appended, and its own callees, before
// the caller's next call). Every call's imm is then rewritten to reach the appended copy.
#include <algorithm>
#include <unordered_map>

#include "core/loader/object_state.hpp"

namespace bpfplay::loader {

namespace {

class Linker {
public:
    Linker(ObjectState& st, uint64_t& budget) : st_(st), budget_(budget) {}

    Result<LoadedProgram> link(uint32_t entry) {
        program_ = unlinked_program(st_, entry);
        placed_.clear();
        relocs_.clear();
        BPFPLAY_LOADER_TRY(append(entry));

        std::vector<Frame> stack{{entry, 0}};
        while (!stack.empty()) {
            auto descended = walk(stack);
            if (!descended) return descended.error();
            if (!*descended) stack.pop_back();
        }
        BPFPLAY_LOADER_TRY(apply_data_relocations(st_, program_.name, relocs_, program_.insns, program_.typed_ksyms));
        std::stable_sort(program_.line_info.begin(), program_.line_info.end(),
                         [](const SourceLine& a, const SourceLine& b) { return a.insn < b.insn; });
        std::stable_sort(program_.func_info.begin(), program_.func_info.end(),
                         [](const FunctionInfo& a, const FunctionInfo& b) { return a.insn < b.insn; });
        return std::move(program_);
    }

private:
    struct Frame {
        uint32_t fn;    // index in st_.functions
        uint32_t next;  // the next of its instructions to look at
    };

    // Scans the top frame's function from where it stopped. Returns true when it appended a
    // callee and pushed it (the caller resumes later), false when the function is done.
    Result<bool> walk(std::vector<Frame>& stack) {
        const uint32_t fn_index = stack.back().fn;
        const Function& fn = st_.functions[fn_index];
        const uint32_t base = placed_.at(fn_index);
        while (stack.back().next < fn.insn_count) {
            const uint32_t i = stack.back().next++;
            const Insn& insn = program_.insns[base + i];
            const CodeReloc* reloc = reloc_at(fn, i);
            // A kfunc call (src 1 from clang too) is no bpf-to-bpf call: relocations.cpp rewrites it.
            const bool call = insn.opcode == op::kCallOpcode && insn.src == op::kPseudoCall &&
                              !(reloc && reloc->kind == CodeRelocKind::Kfunc);
            const bool func_addr = insn.opcode == op::kLddw && (insn.src == op::kPseudoFunc ||
                                                                (reloc && reloc->kind == CodeRelocKind::SubprogAddr));
            if (insn.opcode == op::kLddw && insn.src != 0 && !func_addr && !reloc)
                return fail(fn, i, "the lddw has pseudo source " + std::to_string(insn.src) +
                                       " but no relocation; map references come from relocations");
            if (!call && !func_addr) continue;
            if (call && (insn.dst != 0 || insn.off != 0))
                return fail(fn, i, "a bpf-to-bpf call must have dst 0 and off 0");
            if (reloc && reloc->kind != (call ? CodeRelocKind::Call : CodeRelocKind::SubprogAddr))
                return fail(fn, i, "the relocation against \"" + reloc->symbol + "\" does not fit the instruction");
            if (func_addr && !reloc)
                return fail(fn, i, "an lddw of a function address (pseudo source 4) needs a relocation");

            auto target = callee(fn, i, insn, reloc);
            if (!target) return target.error();
            bool appended = false;
            if (!placed_.contains(*target)) {
                BPFPLAY_LOADER_TRY(append(*target));
                appended = true;
            }
            Insn& patched = program_.insns[base + i];
            patched.imm = int32_t(int64_t(placed_.at(*target)) - int64_t(base + i) - 1);
            if (func_addr) patched.src = op::kPseudoFunc;
            if (appended) {
                stack.push_back({*target, 0});
                return true;
            }
        }
        return false;
    }

    // The function a call (or function-address lddw) at instruction i of fn goes to.
    Result<uint32_t> callee(const Function& fn, uint32_t i, const Insn& insn, const CodeReloc* reloc) {
        int64_t target = 0;
        uint32_t section = st_.text_section;
        // Symbol offsets come from the file: keep the arithmetic far from overflow.
        if (reloc && reloc->sym_off > (uint64_t(1) << 40))
            return fail(fn, i, "the target \"" + reloc->symbol + "\" is at offset " + hex(reloc->sym_off) +
                                   ", far past any code section");
        if (reloc && reloc->kind == CodeRelocKind::Call) {
            target = int64_t(reloc->sym_off / 8) + insn.imm + 1;  // static functions: section symbol + imm
        } else if (reloc) {
            target = (int64_t(reloc->sym_off) + insn.imm) / 8;
        } else {
            // A call clang resolved itself: to a function of the same section.
            if (fn.section != st_.text_section)
                return fail(fn, i, "the call goes to another function of section \"" + st_.section(fn.section).name +
                                       "\"; libbpf only links calls to functions in .text",
                            "Called functions must not be programs: declare them without SEC(), e.g. "
                            "static __noinline int helper(...).");
            target = int64_t(fn.sec_insn_off) + i + insn.imm + 1;
            section = fn.section;
        }
        if (section == 0)
            return fail(fn, i, "the call needs a .text section with functions, and the object has none");
        Function* callee = target < 0 ? nullptr : st_.function_at(section, uint64_t(target));
        if (!callee)
            return fail(fn, i, "the call goes to instruction " + std::to_string(target) +
                                   " of .text, where no function is");
        if (int64_t(callee->sec_insn_off) != target)
            return fail(fn, i, "the call goes to instruction " + std::to_string(target) + " of .text, inside function \"" +
                                   callee->name + "\" (which starts at " + std::to_string(callee->sec_insn_off) + ")");
        return uint32_t(callee - st_.functions.data());
    }

    Result<Unit> append(uint32_t index) {
        const Function& fn = st_.functions[index];
        const uint64_t new_size = program_.insns.size() + uint64_t(fn.insn_count);
        if (new_size > kMaxInsns)
            return load_error(program_.section, "program \"" + program_.name + "\" would have " +
                                                    std::to_string(new_size) + " instructions with its subprograms; "
                                                    "the kernel accepts at most " + std::to_string(kMaxInsns));
        if (fn.insn_count > budget_)
            return load_error(program_.section, "the object's programs add up to more than " +
                                                    std::to_string(st_.options.max_linked_insns) +
                                                    " instructions with their subprograms (LoadOptions::max_linked_insns)");
        budget_ -= fn.insn_count;
        const uint32_t base = uint32_t(program_.insns.size());
        placed_.emplace(index, base);
        program_.insns.insert(program_.insns.end(), fn.insns.begin(), fn.insns.end());
        program_.functions.push_back({fn.name, base, fn.insn_count, fn.global && fn.subprog});
        for (CodeReloc r : fn.relocs) {
            r.insn += base;
            relocs_.push_back(std::move(r));
        }
        add_debug_info(st_, fn, base, program_);
        return Unit{};
    }

    static const CodeReloc* reloc_at(const Function& fn, uint32_t insn) {
        auto it = std::lower_bound(fn.relocs.begin(), fn.relocs.end(), insn,
                                   [](const CodeReloc& r, uint32_t i) { return r.insn < i; });
        return it != fn.relocs.end() && it->insn == insn ? &*it : nullptr;
    }

    Error fail(const Function& fn, uint32_t i, std::string what, std::string hint = {}) const {
        Error e = load_error(st_.section(fn.section).name,
                             "program \"" + program_.name + "\": insn " + std::to_string(fn.sec_insn_off + i) +
                                 " (in function \"" + fn.name + "\"): " + what,
                             std::move(hint));
        if (auto it = placed_.find(uint32_t(&fn - st_.functions.data())); it != placed_.end()) e.where.pc = it->second + i;
        return e;
    }

    ObjectState& st_;
    uint64_t& budget_;
    LoadedProgram program_;
    std::unordered_map<uint32_t, uint32_t> placed_;  // function -> its first insn in program_
    std::vector<CodeReloc> relocs_;                  // every appended function's, at linked positions
};

}  // namespace

LoadedProgram unlinked_program(const ObjectState& st, uint32_t entry) {
    const Function& main = st.functions[entry];
    LoadedProgram p;
    p.name = main.name;
    p.section = st.section(main.section).name;
    const SectionProgramKind kind = classify_section(p.section);
    p.type = kind.type;
    p.context = kind.context;
    p.type_known = kind.known;
    p.attach = kind.attach;
    if (auto set = st.options.prog_types.find(p.name); set != st.options.prog_types.end()) {
        // bpf_program__set_type(): the type only; the expected attach type stays the section's.
        p.type = set->second;
        p.context = context_kind_of(set->second);
        p.type_known = true;
    }
    p.sleepable = kind.sleepable;
    if (auto bound = st.options.dev_bound.find(p.name); bound != st.options.dev_bound.end())
        p.dev_bound_ifindex = bound->second;
    p.autoload = kind.autoload;
    p.attach_target = std::string(kind.attach_target);
    p.section_insn_offset = main.sec_insn_off;
    p.own_insn_count = main.insn_count;
    return p;
}

// libbpf fails the whole object when one program does not link; every program is linked here
// anyway, so a description of the object (describe_object) shows each one's own error.
Result<Unit> link_programs(ObjectState& st, LoadedObject& out) {
    uint64_t budget = st.options.max_linked_insns;
    Linker linker(st, budget);
    std::optional<Error> first_error;
    for (uint32_t entry : st.entry_points) {
        const Function& main = st.functions[entry];
        auto program = linker.link(entry);
        if (program) {
            if (auto set = st.options.prog_types.find(main.name); set != st.options.prog_types.end())
                st.notes.push_back("program \"" + main.name + "\": type " + prog_type_name(set->second) +
                                   " set by the user (section \"" + program->section + "\" says " +
                                   prog_type_name(classify_section(program->section).type) + ")");
            else if (!program->type_known)
                st.notes.push_back("program \"" + main.name + "\": section \"" + program->section +
                                   "\" matches no libbpf section definition, so its type is unspec");
            else if (program->type == ProgType::Ext)
                // A type whose context cannot come from the object alone: say so rather than run
                // on bytes as if they were understood.
                st.notes.push_back("program \"" + main.name + "\": SEC(\"" + program->section + "\") replaces " +
                                   (program->attach_target.empty() ? std::string("a function")
                                                                   : "the function " + program->attach_target) +
                                   " of another loaded BPF program; its arguments are that function's, which this "
                                   "object does not describe, so a run gives r1 the context bytes as they are (--ctx)");
            else if (const SectionProgramKind kind = classify_section(program->section); kind.legacy)
                st.notes.push_back("program \"" + main.name + "\": section \"" + program->section +
                                   "\" is a libbpf 0.x name, loaded as " + prog_type_name(kind.type) +
                                   " as libbpf 0.x did (libbpf 1.0 and later need SEC(\"" +
                                   std::string(kind.matched) + "\") exactly)");
            out.programs.push_back(std::move(program).value());
            continue;
        }
        LoadedProgram unlinked = unlinked_program(st, entry);
        unlinked.load_error = program.error();
        out.programs.push_back(std::move(unlinked));
        if (!first_error) first_error = program.error();
    }
    for (const auto& [name, type] : st.options.prog_types) {
        bool found = false;
        for (uint32_t entry : st.entry_points) found = found || st.functions[entry].name == name;
        if (!found)
            st.notes.push_back("a type (" + std::string(prog_type_name(type)) + ") was given for program \"" +
                               name + "\", but the object has no such program");
    }
    if (first_error) return *first_error;
    return Unit{};
}

}  // namespace bpfplay::loader
