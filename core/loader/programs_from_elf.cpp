// Programs and subprograms: every FUNC symbol of an executable section, as libbpf's
// bpf_object__add_programs() finds them. Functions outside .text are entry points (programs);
// functions in .text are subprograms, appended later to the programs that call them -- unless
// the object has a single function, which libbpf then loads as a program of its own.
#include <algorithm>

#include "core/loader/object_state.hpp"

namespace bpfplay::loader {

namespace {

Result<Function> read_function(const ObjectState& st, const ElfSection& sec, const ElfSymbol& sym) {
    if (sym.name.empty())
        return load_error(sec.name, "function symbol " + std::to_string(sym.index) + " at offset " + hex(sym.value) +
                                        " has no name");
    if (sym.size == 0 || sym.size % 8 != 0 || sym.value % 8 != 0)
        return load_error(sec.name, "function \"" + sym.name + "\" is corrupted: offset " + std::to_string(sym.value) +
                                        ", size " + std::to_string(sym.size) +
                                        " (both must be multiples of 8, the size of an instruction, and size > 0)");
    if (sym.value > sec.size || sym.size > sec.size - sym.value)
        return load_error(sec.name, "function \"" + sym.name + "\" (offset " + std::to_string(sym.value) + ", " +
                                        std::to_string(sym.size) + " bytes) runs past the end of the " +
                                        std::to_string(sec.size) + "-byte section");
    if (sec.index != st.text_section && sym.bind == elfc::kStbLocal)
        return load_error(sec.name, "program \"" + sym.name + "\" is static; libbpf only loads global functions as programs",
                          "Remove `static`, or move the function out of the SEC() (into .text) to call it instead.");
    if (sym.size / 8 > kMaxInsns)
        return load_error(sec.name, "function \"" + sym.name + "\" has " + std::to_string(sym.size / 8) +
                                        " instructions; the kernel accepts at most " + std::to_string(kMaxInsns));
    Function fn;
    fn.name = sym.name;
    fn.global = sym.bind == elfc::kStbGlobal && sym.visibility != elfc::kStvHidden;
    fn.section = sec.index;
    fn.sec_insn_off = uint32_t(sym.value / 8);
    fn.insn_count = uint32_t(sym.size / 8);
    fn.insns.reserve(fn.insn_count);
    for (uint64_t off = sym.value; off < sym.value + sym.size; off += 8) fn.insns.push_back(insn_from_bytes(&sec.data[off]));
    return fn;
}

}  // namespace

Result<Unit> collect_functions(ObjectState& st) {
    const auto& sections = st.elf.sections();
    std::vector<std::vector<const ElfSymbol*>> by_section(sections.size());
    for (const ElfSymbol& sym : st.elf.symbols())
        if (sym.type == elfc::kSttFunc && sym.in_section() && st.roles[sym.shndx] == SectionRole::Code)
            by_section[sym.shndx].push_back(&sym);

    for (const ElfSection& sec : sections) {
        if (sec.index == 0 || st.roles[sec.index] != SectionRole::Code) continue;
        if (sec.size % 8 != 0)
            return load_error(sec.name, "code sections hold 8-byte instructions, but this one is " +
                                            std::to_string(sec.size) + " bytes (not a multiple of 8)");
        auto& syms = by_section[sec.index];
        if (syms.empty()) {
            st.notes.push_back("section \"" + sec.name + "\" has code but no function symbol; ignored");
            continue;
        }
        std::sort(syms.begin(), syms.end(), [](const ElfSymbol* a, const ElfSymbol* b) { return a->value < b->value; });
        for (size_t i = 0; i < syms.size(); ++i) {
            auto fn = read_function(st, sec, *syms[i]);
            if (!fn) return fn.error();
            if (i > 0 && syms[i]->value < syms[i - 1]->value + syms[i - 1]->size)
                return load_error(sec.name, "functions \"" + syms[i - 1]->name + "\" and \"" + syms[i]->name +
                                                "\" overlap (both cover offset " + hex(syms[i]->value) + ")");
            st.functions.push_back(std::move(fn).value());
        }
    }
    // libbpf's prog_is_subprog: .text functions are subprograms, unless there is nothing else.
    const bool lone_function = st.functions.size() == 1;
    for (uint32_t i = 0; i < st.functions.size(); ++i) {
        Function& fn = st.functions[i];
        fn.subprog = fn.section == st.text_section && !lone_function;
        if (!fn.subprog) st.entry_points.push_back(i);
    }
    return Unit{};
}

Function* ObjectState::function_at(uint32_t section, uint64_t insn) {
    // functions are sorted by (section, sec_insn_off): find the last one starting at or before insn.
    auto it = std::upper_bound(functions.begin(), functions.end(), std::pair<uint32_t, uint64_t>(section, insn),
                               [](const std::pair<uint32_t, uint64_t>& key, const Function& f) {
                                   return key.first < f.section ||
                                          (key.first == f.section && key.second < f.sec_insn_off);
                               });
    if (it == functions.begin()) return nullptr;
    Function& f = *(it - 1);
    if (f.section != section || insn >= uint64_t(f.sec_insn_off) + f.insn_count) return nullptr;
    return &f;
}

std::optional<uint32_t> ObjectState::entry_point_named(std::string_view name) const {
    for (uint32_t i = 0; i < entry_points.size(); ++i)
        if (functions[entry_points[i]].name == name) return i;
    return std::nullopt;
}

}  // namespace bpfplay::loader
