// What each ELF section is for, as libbpf's bpf_object__elf_collect() decides it, plus the
// two tiny sections read right away: "license" and "version".
#include <cstring>

#include "core/loader/object_state.hpp"

namespace bpfplay::loader {

namespace {

bool is_dwarf(std::string_view name) { return name.starts_with(".debug_"); }

bool named_or_prefixed(std::string_view name, std::string_view base) {
    return name == base || (name.size() > base.size() && name.starts_with(base) && name[base.size()] == '.');
}

// libbpf's ignore_elf_section.
bool ignored(const ElfSection& s) {
    if (s.type == elfc::kShtStrtab || s.type == elfc::kShtLlvmAddrsig) return true;
    if (s.type == elfc::kShtProgbits && s.size == 0 && s.name == ".text") return true;
    if (is_dwarf(s.name)) return true;
    if (s.name.starts_with(".rel")) {
        std::string_view target = std::string_view(s.name).substr(4);
        if (is_dwarf(target) || target == ".BTF" || target == ".BTF.ext") return true;
    }
    return false;
}

}  // namespace

Result<Unit> classify_sections(ObjectState& st) {
    const auto& sections = st.elf.sections();
    st.roles.assign(sections.size(), SectionRole::Unused);
    for (const ElfSection& s : sections) {
        if (s.index == 0) continue;
        SectionRole& role = st.roles[s.index];
        if (s.type == elfc::kShtSymtab) {
            role = SectionRole::Symbols;
            continue;
        }
        if (ignored(s)) {
            if (s.type == elfc::kShtStrtab)
                role = SectionRole::Strings;
            else if (s.type == elfc::kShtLlvmAddrsig || s.name.find(".debug_") != std::string::npos ||
                     s.name.starts_with(".rel.BTF"))
                role = SectionRole::Debug;  // else: an empty .text, Unused
            continue;
        }
        if (s.name == "license") {
            if (s.type != elfc::kShtProgbits) return load_error(s.name, "the license must be a string in the file (PROGBITS)");
            // libbpf keeps at most 63 characters, up to the first NUL.
            const size_t n = s.data.size() < 63 ? s.data.size() : 63;
            const auto* chars = reinterpret_cast<const char*>(s.data.data());
            st.license.assign(chars, n ? strnlen(chars, n) : 0);
            role = SectionRole::License;
        } else if (s.name == "version") {
            if (s.type != elfc::kShtProgbits || s.data.size() != 4)
                return load_error(s.name, "the kernel version must be one 4-byte number, but the section has " +
                                              std::to_string(s.size) + " bytes");
            uint32_t v;
            std::memcpy(&v, s.data.data(), 4);
            st.kern_version = v;
            role = SectionRole::Version;
        } else if (s.name == "maps") {
            if (s.type != elfc::kShtProgbits)
                return load_error(s.name, "legacy map definitions must be data in the file (PROGBITS)");
            st.legacy_maps_section = s.index;
            role = SectionRole::LegacyMaps;
        } else if (s.name == ".maps") {
            if (s.type != elfc::kShtProgbits && s.type != elfc::kShtNobits)
                return load_error(s.name, "unexpected section type " + std::to_string(s.type) + " for map definitions");
            st.btf_maps_section = s.index;
            role = SectionRole::BtfMaps;
        } else if (s.name == ".struct_ops" || s.name == ".struct_ops.link") {
            if (s.type != elfc::kShtProgbits)
                return load_error(s.name, "struct_ops variables must be data in the file (PROGBITS)");
            st.struct_ops_sections.push_back(s.index);
            role = SectionRole::StructOps;
        } else if (s.name == ".BTF" || s.name == ".BTF.ext") {
            if (s.type != elfc::kShtProgbits)
                return load_error(s.name, "BTF must be PROGBITS data, but the section type is " + std::to_string(s.type));
            if (s.name == ".BTF") {
                st.btf_section = s.index;
                role = SectionRole::Btf;
            } else {
                st.btf_ext_section = s.index;
                role = SectionRole::BtfExt;
            }
        } else if (s.type == elfc::kShtProgbits && s.size > 0) {
            if (s.executable()) {
                if (s.name == ".text") st.text_section = s.index;
                role = SectionRole::Code;
            } else if (named_or_prefixed(s.name, ".data")) {
                role = SectionRole::Data;
            } else if (named_or_prefixed(s.name, ".rodata")) {
                role = SectionRole::Rodata;
            } else {
                st.notes.push_back("section \"" + s.name + "\" is data libbpf does not use; ignored");
            }
        } else if (s.type == elfc::kShtNobits && named_or_prefixed(s.name, ".bss")) {
            if (s.size > 0) role = SectionRole::Bss;
        } else if (s.type == elfc::kShtRel) {
            if (s.entsize != 16)
                return load_error(s.name, "sh_entsize is " + std::to_string(s.entsize) + ", not 16 (one Elf64_Rel)");
            if (s.info == 0 || s.info >= sections.size())
                return load_error(s.name, "sh_info (the section these relocations apply to) is " + std::to_string(s.info) +
                                              ", but the file has " + std::to_string(sections.size()) + " sections");
            role = SectionRole::Relocations;
        } else if (s.type == elfc::kShtRela) {
            if (s.info < sections.size() && sections[s.info].executable())
                return load_error(s.name, "code relocations with addends (SHT_RELA) are not used by BPF objects");
            st.notes.push_back("section \"" + s.name + "\" (SHT_RELA) ignored");
        } else if (s.executable() && s.size > 0) {
            st.notes.push_back("executable section \"" + s.name + "\" is not PROGBITS; ignored");
        }
    }
    return Unit{};
}

}  // namespace bpfplay::loader
