// LoadedObject::info(): what `bpftool prog`, `bpftool map` and `readelf -S` would tell about
// the object, in one text (for `bpfvm info`).
#include <algorithm>
#include <cstdio>
#include <string>
#include <string_view>

#include "core/hex.hpp"
#include "core/loader/loader.hpp"

namespace bpfplay {

namespace {

std::string flag_names(uint32_t flags) {
    static const char* const kNames[] = {"no_prealloc", "no_common_lru", "numa_node", "rdonly",  "wronly",
                                         "stack_build_id", "zero_seed", "rdonly_prog", "wronly_prog", "clone",
                                         "mmapable", "preserve_elems", "inner_map"};
    std::string out;
    for (uint32_t bit = 0; bit < 32; ++bit) {
        if (!(flags & (1u << bit))) continue;
        if (!out.empty()) out += ",";
        out += bit < std::size(kNames) ? kNames[bit] : "bit" + std::to_string(bit);
    }
    return out;
}

const char* section_type_name(uint32_t type) {
    switch (type) {
    case 0: return "NULL";
    case 1: return "PROGBITS";
    case 2: return "SYMTAB";
    case 3: return "STRTAB";
    case 4: return "RELA";
    case 8: return "NOBITS";
    case 9: return "REL";
    case 0x6fff4c03: return "LLVM_ADDRSIG";
    default: return "OTHER";
    }
}

std::string section_flags(uint64_t flags) {
    std::string out;
    if (flags & 0x1) out += 'W';
    if (flags & 0x2) out += 'A';
    if (flags & 0x4) out += 'X';
    return out.empty() ? "-" : out;
}

}  // namespace

std::string program_status_text(const LoadedProgram& p, bool object_loads) {
    if (p.load_error) {
        Error e = *p.load_error;
        e.where.section.clear();  // the program's section is said where the program is listed
        return "cannot run: " + e.to_string();
    }
    return object_loads ? "runnable" : "cannot run: the object does not load";
}

std::string LoadedObject::info(const std::optional<Error>& load_failure) const {
    std::string out = "object \"" + name + "\"\n";
    if (load_failure) out += "does not load: " + load_failure->to_string() + "\n";
    out += "license: " + (license.empty() ? std::string("(none)") : "\"" + license + "\"") + "\n";
    if (kern_version) out += "kernel version: " + hex(*kern_version) + "\n";
    out += "BTF: " + std::string(btf ? std::to_string(btf->type_count() - 1) + " types" : "none") +
           (btf_ext ? ", with func/line info" : "") + "\n";

    out += "\nprograms (" + std::to_string(programs.size()) + "):\n";
    for (size_t i = 0; i < programs.size(); ++i) {
        const LoadedProgram& p = programs[i];
        out += "  " + std::to_string(i) + ": " + p.name + "  section \"" + p.section + "\"  type " +
               prog_type_name(p.type) + (p.type_known ? "" : " (section not recognized)") + "  ";
        out += p.insns.empty() && p.load_error ? std::to_string(p.own_insn_count) + " insns (not linked)"
                                               : std::to_string(p.insns.size()) + " insns";
        if (p.functions.size() > 1) out += " (" + std::to_string(p.own_insn_count) + " its own)";
        if (!p.autoload) out += "  not autoloaded";
        // A refused program's reason gets its own line: it is a sentence or two.
        const std::string status = program_status_text(p, !load_failure);
        if (p.load_error)
            out += "  cannot run:\n       " + status.substr(std::string_view("cannot run: ").size()) + "\n";
        else
            out += "  " + status + "\n";
        for (size_t f = 1; f < p.functions.size(); ++f)
            out += "       + " + p.functions[f].name + " at insn " + std::to_string(p.functions[f].first_insn) + " (" +
                   std::to_string(p.functions[f].insn_count) + " insns)\n";
    }

    const uint32_t created = maps ? maps->size() : 0;
    const size_t map_count = std::max<size_t>(created, map_info.size());
    out += "\nmaps (" + std::to_string(map_count) + "):\n";
    for (uint32_t id = 0; id < map_count; ++id) {
        const Map* m = id < created ? maps->get(id) : nullptr;
        const LoadedMapInfo* info = id < map_info.size() ? &map_info[id] : nullptr;
        const MapSpec& spec = m ? m->spec() : info->spec;
        out += "  " + std::to_string(id) + ": " + spec.name + "  " + map_type_name(spec.type) + "  key " +
               std::to_string(spec.key_size) + "B  value " + std::to_string(spec.value_size) + "B  max_entries " +
               std::to_string(spec.max_entries);
        if (spec.map_flags) out += "  flags " + hex(spec.map_flags) + " (" + flag_names(spec.map_flags) + ")";
        if (info) out += "  from " + info->elf_section;
        if (m && m->frozen()) out += "  frozen";
        if (info && info->error) {
            Error e = *info->error;
            e.where.section.clear();
            e.where.map.clear();
            out += "  cannot be created:\n       " + e.to_string() + "\n";
        } else {
            out += m ? "\n" : "  not created (the object failed to load first)\n";
        }
        if (info)
            for (const MapInitSlot& s : info->init_slots)
                out += "       [" + std::to_string(s.slot) + "] = " + s.target + "\n";
    }

    out += "\nsections (" + std::to_string(sections.size()) + "):\n";
    for (const SectionSummary& s : sections) {
        char line[160];
        std::snprintf(line, sizeof line, "  [%2u] %-24s %-12s %-3s size %-8s ", s.index, s.name.c_str(),
                      section_type_name(s.type), section_flags(s.flags).c_str(), hex(s.size).c_str());
        out += line + s.role + "\n";
    }
    if (!notes.empty()) {
        out += "\nnotes:\n";
        for (const std::string& n : notes) out += "  - " + n + "\n";
    }
    return out;
}

}  // namespace bpfplay
