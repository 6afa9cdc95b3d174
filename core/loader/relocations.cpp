// Code relocations: what each relocation of a program section means (libbpf's
// bpf_object__collect_prog_relos + bpf_program__record_reloc), and how the map ones are
// written into the linked instructions (bpf_object__relocate_data). Calls and function
// addresses are resolved while linking (subprograms.cpp).
#include <algorithm>
#include <map>
#include <unordered_map>

#include "core/host/kernel_objects.hpp"
#include "core/host/kernel_percpu.hpp"
#include "core/helpers/kfunc_catalog.hpp"
#include "core/loader/object_state.hpp"

namespace bpfplay::loader {

namespace {

std::string type_text(uint32_t type) {
    const char* name = elfc::relocation_type_name(type);
    return std::string(name) + " (" + std::to_string(type) + ")";
}

std::string shndx_text(uint16_t shndx) {
    switch (shndx) {
    case elfc::kShnUndef: return "undefined (SHN_UNDEF)";
    case elfc::kShnAbs: return "absolute (SHN_ABS)";
    case elfc::kShnCommon: return "common (SHN_COMMON)";
    default: return "special index " + hex(shndx);
    }
}

// Where maps live, for finding the map a symbol names.
struct MapIndex {
    std::map<std::pair<uint32_t, uint64_t>, uint32_t> by_definition;  // (.maps/maps section, offset) -> id
    std::unordered_map<uint32_t, uint32_t> by_data_section;            // data section -> id

    explicit MapIndex(const ObjectState& st) {
        for (uint32_t id = 0; id < st.maps.size(); ++id) {
            const MapDef& m = st.maps[id];
            if (!m.real_name.empty()) continue;  // .kconfig: found through its externs
            if (m.origin == MapOrigin::GlobalData)
                by_data_section.emplace(m.section, id);
            else
                by_definition.emplace(std::make_pair(m.section, m.sec_offset), id);
        }
    }
};

class CodeRelocRecorder {
public:
    CodeRelocRecorder(ObjectState& st, const ElfSection& target, const MapIndex& maps)
        : st_(st), target_(target), maps_(maps) {}

    Result<Unit> record(const ElfRelocation& r) {
        const ElfSymbol& sym = st_.elf.symbols()[r.symbol];
        const std::string sym_name = sym.name.empty() ? "#" + std::to_string(sym.index) : sym.name;
        where_ = "relocation at byte " + hex(r.offset) + " against \"" + sym_name + "\"";
        if (r.offset % 8 != 0)
            return fail("the offset is not on an instruction boundary (a multiple of 8)");
        if (r.offset >= target_.size)
            return fail("the offset is past the end of the " + std::to_string(target_.size) + "-byte section");
        const uint64_t insn_idx = r.offset / 8;
        Function* fn = st_.function_at(target_.index, insn_idx);
        if (!fn) {
            // libbpf skips these too (code of an overridden weak function).
            st_.notes.push_back("section \"" + target_.name + "\": " + where_ + " is outside every function; skipped");
            return Unit{};
        }
        const uint32_t local = uint32_t(insn_idx - fn->sec_insn_off);
        const Insn& insn = fn->insns[local];
        const bool is_call = insn.opcode == op::kCallOpcode;
        const bool is_lddw = insn.opcode == op::kLddw;
        where_ += " (insn " + std::to_string(insn_idx) + " of the section, in function \"" + fn->name + "\")";
        if (!is_call && !is_lddw)
            return fail("the instruction there has opcode " + hex(insn.opcode) +
                        "; only lddw (0x18) and call (0x85) instructions can be relocated");
        if (is_lddw && r.type != elfc::kRBpf64_64)
            return fail("an lddw needs an R_BPF_64_64 relocation, but this one has type " + type_text(r.type));
        if (is_call && r.type != elfc::kRBpf64_32)
            return fail("a call needs an R_BPF_64_32 relocation, but this one has type " + type_text(r.type));
        if (sym.is_extern()) {
            if (is_lddw && st_.kconfig_map) {
                if (const KconfigExtern* ext = st_.kconfig_extern(sym.index)) {
                    // bpf_object__relocate_data: insn[1].imm = the extern's offset (clang's
                    // addend is not added, as libbpf does not add it).
                    CodeReloc reloc;
                    reloc.kind = CodeRelocKind::Kconfig;
                    reloc.insn = local;
                    reloc.map = *st_.kconfig_map;
                    reloc.sym_off = ext->offset;
                    reloc.symbol = sym_name;
                    return add(*fn, std::move(reloc));
                }
            }
            if (is_lddw) {
                const Btf* b = st_.shared_btf.get();
                if (b && b->find_by_name(sym_name, BtfKind::Func)) return kfunc_address(*fn, local, sym, sym_name);
                return ksym(*fn, local, sym, sym_name);
            }
            // A kfunc (clang writes `call -1` with src 1): the call becomes BPF_PSEUDO_KFUNC_CALL, as
            // libbpf writes it (src and imm replaced); the program that
            // makes it is refused on its own when decoded (object.cpp), by the kfunc's name.
            const Btf* btf = st_.shared_btf.get();
            const std::optional<uint32_t> func = btf ? btf->find_by_name(sym_name, BtfKind::Func) : std::nullopt;
            if (!func)
                return fail("\"" + sym_name + "\" is an extern function without BTF (libbpf: \"failed to find BTF for extern '" +
                            sym_name + "'\")", "Declare the kfunc with __ksym and compile with -g.");
            if (sym.bind == elfc::kStbWeak) st_.weak_kfuncs.push_back(sym_name);
            CodeReloc reloc;
            reloc.kind = CodeRelocKind::Kfunc;
            reloc.insn = local;
            reloc.sym_off = *func;
            reloc.symbol = sym_name;
            return add(*fn, std::move(reloc));
        }
        if (is_lddw && local + 1 >= fn->insn_count)
            return fail("the lddw is the last instruction of its function, but it needs two slots");

        CodeReloc reloc;
        reloc.insn = local;
        reloc.sym_off = sym.value;
        reloc.symbol = sym_name;
        if (is_call) {
            if (insn.src != op::kPseudoCall)
                return fail("a relocated call must be a bpf-to-bpf call (src 1), but src is " + std::to_string(insn.src));
            if (!sym.in_section() || sym.shndx != st_.text_section)
                return fail(std::string("the called function is in ") +
                                (sym.in_section() ? "section \"" + st_.section(sym.shndx).name + "\"" : "no section") +
                                "; libbpf links bpf-to-bpf calls only to functions in .text",
                            "Make the called function a plain (non-SEC) function: static __noinline int f(...) "
                            "puts it in .text.");
            if (sym.value % 8 != 0) return fail("the called function's offset " + hex(sym.value) + " is not a multiple of 8");
            reloc.kind = CodeRelocKind::Call;
            return add(*fn, std::move(reloc));
        }
        if (!sym.in_section())
            return fail("\"" + sym_name + "\" is " + shndx_text(sym.shndx) +
                        ", not in any section: an uninitialized global that is not in .bss?",
                        "Initialize the variable (= 0) or compile with -fno-common.");
        // An lddw of a .text function's address (callbacks, bpf_loop...).
        const bool text_function = sym.shndx == st_.text_section &&
                                   ((sym.bind == elfc::kStbLocal && sym.type == elfc::kSttSection) ||
                                    (sym.bind == elfc::kStbGlobal && sym.type == elfc::kSttFunc));
        if (text_function) {
            if (sym.value % 8 != 0 || insn.imm % 8 != 0)
                return fail("the function address " + hex(sym.value) + " + " + std::to_string(insn.imm) +
                            " is not on an instruction boundary");
            reloc.kind = CodeRelocKind::SubprogAddr;
            return add(*fn, std::move(reloc));
        }
        const SectionRole role = st_.roles[sym.shndx];
        const std::string& sym_section = st_.section(sym.shndx).name;
        if (role == SectionRole::BtfMaps || role == SectionRole::LegacyMaps) {
            auto it = maps_.by_definition.find({sym.shndx, sym.value});
            if (it == maps_.by_definition.end())
                return fail("no map is defined at offset " + hex(sym.value) + " of section \"" + sym_section + "\"");
            reloc.kind = CodeRelocKind::MapFd;
            reloc.map = it->second;
            return add(*fn, std::move(reloc));
        }
        if (role == SectionRole::Data || role == SectionRole::Rodata || role == SectionRole::Bss) {
            auto it = maps_.by_data_section.find(sym.shndx);
            if (it == maps_.by_data_section.end()) return fail("no global data map holds section \"" + sym_section + "\"");
            reloc.kind = CodeRelocKind::MapValue;
            reloc.map = it->second;
            return add(*fn, std::move(reloc));
        }
        return fail("\"" + sym_name + "\" is in section \"" + sym_section +
                    "\", which holds neither maps nor global variables");
    }

private:
    // `&kfunc` (what bpf_ksym_exists(kfunc) tests): libbpf resolves the extern function in the
    // kernel's BTF and the verifier loads the function's address (a read-only pointer to 0
    // bytes); a weak one the kernel lacks is 0. bpfplay gives each kfunc of the catalog a
    // fixed address in kernel text (kfunc_text_address), so runs stay reproducible.
    Result<Unit> kfunc_address(Function& fn, uint32_t local, const ElfSymbol& sym, const std::string& name) {
        CodeReloc reloc;
        reloc.kind = CodeRelocKind::Ksym;
        reloc.insn = local;
        reloc.symbol = name;
        const KfuncProto* proto = kfunc_proto(name);
        if (!proto && sym.bind != elfc::kStbWeak)
            return fail("\"" + name + "\" is not a kfunc of Linux 6.18 (libbpf: \"extern (func ksym) '" + name +
                            "': not found in kernel or module BTFs\")",
                        "Declare it __weak to get 0 (bpf_ksym_exists() is then false) on kernels without it.");
        const std::string note = "extern '" + name + "' (weak kfunc): not in Linux 6.18, its address is 0";
        if (!proto && std::find(st_.notes.begin(), st_.notes.end(), note) == st_.notes.end()) st_.notes.push_back(note);
        reloc.address = proto ? kfunc_text_address(uint32_t(proto - kfunc_protos().data())) : 0;
        return add(fn, std::move(reloc));
    }

    // `extern const T name __ksym;` (typed): libbpf's bpf_object__resolve_ksym_var_btf_id --
    // the variable must exist in the kernel (here: kernel_percpu.hpp's per-CPU variables) with
    // a compatible type (here: the same size). `extern const void name __ksym;` (typeless):
    // its address in kallsyms (kallsyms_cb; here the emulated kernel's symbol table). A weak
    // one the kernel lacks gets address 0, a strong one fails the load.
    Result<Unit> ksym(Function& fn, uint32_t local, const ElfSymbol& sym, const std::string& name) {
        const Btf* btf = st_.shared_btf.get();
        std::optional<uint32_t> var = btf ? btf->find_by_name(name, BtfKind::Var) : std::nullopt;
        if (!var || btf->type(*var)->linkage != kBtfLinkageExtern)
            return fail("\"" + name + "\" is an extern without a BTF variable (libbpf: \"failed to find BTF for extern '" +
                            name + "'\")",
                        "Declare it with its type: extern const int cpu_number __ksym; or extern const void "
                        "init_task __ksym; for a kernel symbol's address (compile with -g).");
        const bool weak = sym.bind == elfc::kStbWeak;
        const uint32_t type = btf->type(*var)->ref;
        CodeReloc reloc;
        reloc.kind = CodeRelocKind::Ksym;
        reloc.insn = local;
        reloc.symbol = name;
        auto missing = [&](std::string what, std::string hint) -> Result<Unit> {
            if (!weak) return fail(std::move(what), std::move(hint));
            st_.notes.push_back("extern '" + name + "' (weak): not resolved, defaulting to zero");
            reloc.address = 0;
            return add(fn, std::move(reloc));
        };
        if (btf->skip_modifiers(type) == 0) {
            const std::optional<uint64_t> address = kernel_symbol_address(name);
            if (!address)
                return missing("the emulated kernel's kallsyms has no symbol \"" + name + "\" (libbpf: \"extern '" +
                                   name + "' (strong): not resolved\")",
                               "Its symbol table has init_task; declare the extern __weak to read address 0 when "
                               "the kernel lacks the symbol.");
            reloc.address = *address;
            return add(fn, std::move(reloc));
        }
        const PercpuVar* known = find_percpu_var(name);
        if (!known) {
            std::string names;
            for (const PercpuVar& v : kPercpuVars) names += (names.empty() ? "" : ", ") + std::string(v.name);
            return missing("the emulated kernel has no variable \"" + name + "\" (libbpf: \"extern (var ksym) '" + name +
                               "': not found in kernel BTF\")",
                           "bpfplay's kernel has these per-CPU variables: " + names + ".");
        }
        auto size = btf->resolve_size(type);
        if (!size || *size != known->size)
            return fail("\"" + name + "\" is declared as " + btf->type_to_string(type) + ", but the kernel's is " +
                            std::string(known->c_type) + " (libbpf: \"extern (var ksym) '" + name +
                            "': incompatible types\")",
                        "Declare it as: extern const " + std::string(known->c_type) + " " + name + " __ksym;");
        reloc.address = percpu_handle(*known);
        reloc.typed = true;
        return add(fn, std::move(reloc));
    }

    Result<Unit> add(Function& fn, CodeReloc reloc) {
        fn.relocs.push_back(std::move(reloc));
        return Unit{};
    }
    Error fail(std::string what, std::string hint = {}) const {
        return load_error(target_.name, where_ + ": " + what, std::move(hint));
    }

    ObjectState& st_;
    const ElfSection& target_;
    const MapIndex& maps_;
    std::string where_;
};

// Relocations in data sections (a global pointer initialized to &other_global, DWARF-like
// tables...) are not applied by libbpf: the kernel gets the bytes as they are.
Result<Unit> skip_data_relocations(ObjectState& st, const ElfSection& target, const std::vector<ElfRelocation>& rels) {
    for (const ElfRelocation& r : rels) {
        if (r.type == elfc::kRBpf64Abs64 || r.type == elfc::kRBpf64Abs32) continue;
        const ElfSymbol& sym = st.elf.symbols()[r.symbol];
        return load_error(target.name, "relocation at byte " + hex(r.offset) + " against \"" + sym.name + "\" has type " +
                                           type_text(r.type) + "; data may only hold R_BPF_64_ABS64 / ABS32 relocations");
    }
    if (!rels.empty())
        st.notes.push_back("section \"" + target.name + "\": " + std::to_string(rels.size()) +
                           " address relocation(s) in data not applied (libbpf does not apply them either)");
    return Unit{};
}

}  // namespace

Result<Unit> collect_code_relocations(ObjectState& st) {
    const MapIndex maps(st);
    for (const ElfSection& rel_sec : st.elf.sections()) {
        if (rel_sec.index == 0 || st.roles[rel_sec.index] != SectionRole::Relocations) continue;
        const ElfSection& target = st.section(rel_sec.info);
        if (target.index == st.btf_maps_section) continue;  // `values` initializers: map_values.cpp
        if (st.roles[target.index] == SectionRole::StructOps) continue;  // function pointers: struct_ops.cpp
        auto rels = st.elf.relocations(rel_sec);
        if (!rels) return rels.error();
        if (st.roles[target.index] != SectionRole::Code) {
            BPFPLAY_LOADER_TRY(skip_data_relocations(st, target, *rels));
            continue;
        }
        CodeRelocRecorder recorder(st, target, maps);
        for (const ElfRelocation& r : *rels) BPFPLAY_LOADER_TRY(recorder.record(r));
    }
    for (Function& fn : st.functions) {
        std::stable_sort(fn.relocs.begin(), fn.relocs.end(),
                         [](const CodeReloc& a, const CodeReloc& b) { return a.insn < b.insn; });
        for (size_t i = 1; i < fn.relocs.size(); ++i)
            if (fn.relocs[i].insn == fn.relocs[i - 1].insn)
                return load_error(st.section(fn.section).name,
                                  "two relocations (against \"" + fn.relocs[i - 1].symbol + "\" and \"" +
                                      fn.relocs[i].symbol + "\") apply to the same instruction, insn " +
                                      std::to_string(fn.sec_insn_off + fn.relocs[i].insn) + " of the section");
    }
    return Unit{};
}

Result<Unit> apply_data_relocations(const ObjectState& st, const std::string& program_name,
                                    const std::vector<CodeReloc>& relocs, std::vector<Insn>& insns,
                                    std::vector<TypedKsym>& typed_ksyms) {
    for (const CodeReloc& r : relocs) {
        Insn& insn = insns[r.insn];
        switch (r.kind) {
        case CodeRelocKind::MapFd:
            insn.src = op::kPseudoMapFd;
            insn.imm = int32_t(r.map);
            break;
        case CodeRelocKind::MapValue: {
            // The variable's offset in the section plus the offset clang put in imm (a member
            // or an element of the variable).
            const int64_t offset = r.sym_off > uint64_t(INT32_MAX) ? INT64_MAX : int64_t(insn.imm) + int64_t(r.sym_off);
            if (offset < INT32_MIN || offset > INT32_MAX) {
                Error e = load_error(st.map_section(st.maps[r.map]),
                                     "program \"" + program_name + "\": the lddw of \"" + r.symbol +
                                         "\" at insn " + std::to_string(r.insn) + " points " + std::to_string(insn.imm) + " + " +
                                         std::to_string(r.sym_off) +
                                         " bytes into the section, which does not fit the instruction");
                e.where.pc = r.insn;
                return e;
            }
            insns[r.insn + 1].imm = int32_t(offset);
            insn.src = op::kPseudoMapValue;
            insn.imm = int32_t(r.map);
            break;
        }
        case CodeRelocKind::Kfunc:
            insn.src = op::kPseudoKfuncCall;
            insn.imm = int32_t(r.sym_off);
            break;
        case CodeRelocKind::Kconfig:
            insn.src = op::kPseudoMapValue;
            insn.imm = int32_t(r.map);
            insns[r.insn + 1].imm = int32_t(r.sym_off);
            break;
        case CodeRelocKind::Ksym: {
            const uint64_t address = r.address + uint64_t(int64_t(insn.imm));
            insn.src = 0;
            insn.imm = int32_t(uint32_t(address));
            insns[r.insn + 1].imm = int32_t(uint32_t(address >> 32));
            if (r.typed) typed_ksyms.push_back(TypedKsym{r.insn, r.symbol});
            break;
        }
        case CodeRelocKind::Call:
        case CodeRelocKind::SubprogAddr: break;  // resolved while linking
        }
    }
    return Unit{};
}

}  // namespace bpfplay::loader
