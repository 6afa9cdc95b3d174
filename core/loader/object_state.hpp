#pragma once
// Loader internals: what the steps of load_object() (object.cpp) learn about an object and
// hand to the next step. Each step lives in its own file and fills in part of ObjectState.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/btf/btf.hpp"
#include "core/btf/btf_ext.hpp"
#include "core/btf/btf_map_def.hpp"
#include "core/loader/elf_reader.hpp"
#include "core/loader/loader.hpp"

namespace bpfplay::loader {

// Runs a step that returns Result<...> and passes its error up.
#define BPFPLAY_LOADER_TRY(expr)                      \
    do {                                              \
        if (auto r_ = (expr); !r_) return r_.error(); \
    } while (0)

// How the loader uses a section (libbpf's enum sec_type, plus the special sections).
enum class SectionRole : uint8_t {
    Unused,
    Code,        // executable PROGBITS: programs (or .text subprograms)
    Data,        // .data, .data.*
    Rodata,      // .rodata, .rodata.*
    Bss,         // .bss, .bss.* (NOBITS)
    BtfMaps,     // .maps
    StructOps,   // .struct_ops, .struct_ops.link: struct_ops map variables (struct_ops.cpp)
    LegacyMaps,  // maps
    License,
    Version,
    Btf,
    BtfExt,
    Relocations,
    Symbols,
    Strings,
    Debug,       // DWARF and their relocations, .llvm_addrsig, .rel.BTF*: ignored, as libbpf does
};

// One relocation of a code section, resolved to what it means (libbpf's reloc_desc).
enum class CodeRelocKind : uint8_t {
    MapFd,        // lddw of a map: src 1, imm = map id
    MapValue,     // lddw of a global variable: src 2, imm = map id, next imm += sym_off
    Call,         // bpf-to-bpf call into .text: target insn = sym_off / 8 + imm + 1
    SubprogAddr,  // lddw of a .text function's address: src 4, target insn = (sym_off + imm) / 8
    Ksym,         // lddw of a typed __ksym variable: src 0, the 64-bit `address` (+ imm)
    Kconfig,      // lddw of a __kconfig extern: src 2, imm = the .kconfig map, next imm = sym_off
    Kfunc,        // call of an extern function (a kfunc): src 2, imm = its FUNC in the object's BTF (sym_off)
};

struct CodeReloc {
    CodeRelocKind kind = CodeRelocKind::MapFd;
    uint32_t insn = 0;     // index in the function's own instructions
    uint32_t map = 0;      // MapFd / MapValue: index in ObjectState::maps (= the map id)
    uint64_t sym_off = 0;  // the symbol's st_value (Kconfig: the extern's offset in the map)
    uint64_t address = 0;  // Ksym: what the emulated kernel resolved the variable to
    bool typed = false;    // Ksym: a typed variable libbpf hands the kernel as lddw src 3 (a BTF id)
    std::string symbol;    // for messages
};

// One FUNC symbol of an executable section: an entry-point program, or a .text subprogram.
struct Function {
    std::string name;
    uint32_t section = 0;       // ELF section index
    uint32_t sec_insn_off = 0;  // first instruction in the section
    uint32_t insn_count = 0;
    bool subprog = false;       // in .text (and not the object's only function)
    bool global = false;        // a global (non-static, visible) function: the verifier checks it on its own
    std::vector<Insn> insns;    // its own code; CO-RE relocations are applied here
    std::vector<CodeReloc> relocs;  // sorted by insn
};

// A SEC(".struct_ops") variable (libbpf's struct bpf_struct_ops): the struct in the object's
// BTF, its bytes, the program each function pointer member points at, and -- once bound to the
// kernel's type -- the value BPF_MAP_UPDATE_ELEM registers.
struct StructOpsDef {
    uint32_t type_id = 0;   // the struct in the object's BTF
    std::string type_name;  // "tcp_congestion_ops" (a ___flavor suffix included)
    std::vector<uint8_t> data;                    // the variable's bytes
    std::vector<std::optional<uint32_t>> progs;   // per member of type_id: index in entry_points
    std::vector<uint8_t> kern_value;              // struct bpf_struct_ops_<name>
    std::vector<MapInitSlot> slots;               // kernel member index -> program
};

struct MapDef {
    MapSpec spec;
    MapOrigin origin = MapOrigin::BtfDefined;
    uint32_t section = 0;       // ELF section of the definition (or the data)
    uint64_t sec_offset = 0;    // where in it (BTF/legacy maps: the variable's st_value)
    uint64_t sec_size = 0;      // bytes of the definition (BTF: the DATASEC entry size)
    std::span<const uint8_t> initial;  // global data: the section bytes (.bss: empty)
    bool freeze = false;        // .rodata* and .kconfig: frozen after their contents are written
    std::string real_name;      // a map with no section of its own (.kconfig): libbpf's name for it
    // BTF maps with a `values` member.
    BtfMapValues values = BtfMapValues::None;
    uint32_t values_offset = 0;  // of `values` inside the definition
    std::vector<std::optional<MapInitSlot>> init_slots;
    std::optional<StructOpsDef> struct_ops;
};

// An instruction a CO-RE relocation poisoned (core_relo.cpp): it now reads `call 0xbad2310`
// (both halves of an lddw), as libbpf leaves it. decode_programs decodes the original in its
// place, so the static register checks see the code clang wrote, then binds the call to a
// helper that faults: the kernel's verifier only objects to a poisoned instruction it can
// reach, and bpfplay, without a verifier, faults only if it runs.
struct CorePoison {
    uint32_t section = 0;       // the function's ELF section
    uint32_t sec_insn_off = 0;  // the function's first instruction in it
    uint32_t insn = 0;          // index in the function's own instructions
    Insn original[2];           // before poisoning (original[1]: the lddw's second half)
    bool lddw = false;
};

// One `extern ... __kconfig` variable (libbpf's extern_desc of type EXT_KCFG): where it sits
// in the .kconfig map and what kind of value its BTF type takes (find_kcfg_type).
enum class KconfigKind : uint8_t { Bool, Char, Tristate, Int, CharArray };
struct KconfigExtern {
    std::string name;
    uint32_t symbol = 0;  // ELF symbol index
    KconfigKind kind = KconfigKind::Int;
    uint32_t size = 0, align = 1;
    uint32_t offset = 0;  // in the .kconfig map's value
    bool is_signed = false;
    bool weak = false;
    bool is_set = false;  // a value was found (otherwise a weak extern reads 0)
};

struct ObjectState {
    ObjectState(const ElfFile& e, const LoadOptions& o) : elf(e), options(o) {}

    const ElfFile& elf;
    const LoadOptions& options;
    std::string object_name;

    std::vector<SectionRole> roles;  // per ELF section
    uint32_t text_section = 0;       // .text, 0 when absent or empty
    uint32_t btf_maps_section = 0;   // .maps
    uint32_t legacy_maps_section = 0;
    std::vector<uint32_t> struct_ops_sections;  // .struct_ops, .struct_ops.link
    uint32_t btf_section = 0, btf_ext_section = 0;
    std::string license;
    std::optional<uint32_t> kern_version;

    std::unique_ptr<Btf> btf;  // mutable until the DATASEC layout is fixed, then shared
    std::shared_ptr<const Btf> shared_btf;
    std::shared_ptr<const BtfExt> btf_ext;

    std::vector<Function> functions;   // sorted by (section, sec_insn_off)
    std::vector<uint32_t> entry_points;  // indexes into `functions`: the programs, in order
    std::vector<MapDef> maps;            // index = map id

    std::vector<CorePoison> core_poisons;
    // Kfunc externs declared __weak: a call to one the kernel lacks is poisoned (libbpf's
    // poison_kfunc_call), not refused at load.
    std::vector<std::string> weak_kfuncs;

    // __kconfig externs in libbpf's order (alignment down, size up, name), their values, and
    // the map that holds them (kconfig_externs.cpp).
    std::vector<KconfigExtern> kconfig_externs;
    std::vector<uint8_t> kconfig_data;
    std::optional<uint32_t> kconfig_map;

    std::vector<std::string> notes;

    const ElfSection& section(uint32_t index) const { return elf.section(index); }
    // The section a map came from, as messages and listings name it (".maps", ".kconfig").
    const std::string& map_section(const MapDef& m) const { return m.real_name.empty() ? section(m.section).name : m.real_name; }
    const KconfigExtern* kconfig_extern(uint32_t symbol) const {
        for (const KconfigExtern& e : kconfig_externs)
            if (e.symbol == symbol) return &e;
        return nullptr;
    }
    // The function of `section` containing instruction `insn`, or nullptr.
    Function* function_at(uint32_t section, uint64_t insn);
    // Index in entry_points of the program called `name`, or nullopt.
    std::optional<uint32_t> entry_point_named(std::string_view name) const;
};

// The steps, in the order object.cpp runs them.
Result<Unit> classify_sections(ObjectState& st);       // object_sections.cpp
Result<Unit> setup_btf(ObjectState& st);               // btf_setup.cpp
Result<Unit> collect_functions(ObjectState& st);       // programs_from_elf.cpp
Result<Unit> collect_legacy_maps(ObjectState& st);     // maps_from_elf.cpp
Result<Unit> collect_btf_maps(ObjectState& st);        // maps_from_elf.cpp
Result<Unit> collect_global_data_maps(ObjectState& st);  // global_data.cpp
// libbpf's bpf_object__collect_externs for .kconfig: the externs, their order and offsets, and
// the DATASEC laid out to match; run by setup_btf while the BTF may still change.
Result<Unit> collect_kconfig_externs(ObjectState& st, Btf& btf);  // kconfig_externs.cpp
// The .kconfig map (bpf_object__init_kconfig_map) with the values bpf_object__resolve_externs
// finds in LoadOptions::kconfig; a strong extern without a value fails the load.
Result<Unit> create_kconfig_map(ObjectState& st);  // kconfig_externs.cpp
// What user space does to map definitions between open and load: the sizes it sets
// (LoadOptions::map_sizes), a size for maps left at max_entries 0, and cilium/ebpf's fix-ups of
// ring buffers and perf event arrays declared with key/value types (map_sizing.cpp).
Result<Unit> size_maps(ObjectState& st);
// libbpf's init_struct_ops_maps: a STRUCT_OPS map per variable of the struct_ops sections.
Result<Unit> collect_struct_ops_maps(ObjectState& st);  // struct_ops.cpp
// bpf_object__collect_st_ops_relos: which program each function pointer member points at.
Result<Unit> collect_struct_ops_relocations(ObjectState& st);  // struct_ops.cpp
// bpf_map__init_kern_struct_ops against the kernel BTF, then what the kernel checks of the
// struct_ops programs at load (check_struct_ops_btf_id) and of the maps at registration
// (bpf_struct_ops_map_update_elem, the struct's own init_member / validate).
Result<Unit> bind_struct_ops(ObjectState& st, LoadedObject& out);  // struct_ops.cpp
// A struct_ops program whose member returns void (the kernel then reads no r0 at its exit).
bool struct_ops_returns_void(const LoadedProgram& p);              // struct_ops.cpp
Result<Unit> collect_code_relocations(ObjectState& st);  // relocations.cpp
Result<Unit> collect_map_value_relocations(ObjectState& st);  // map_values.cpp
Result<Unit> apply_core_relocations(ObjectState& st);    // core_relo.cpp
Result<Unit> link_programs(ObjectState& st, LoadedObject& out);  // subprograms.cpp
Result<Unit> create_maps(ObjectState& st, LoadedObject& out);    // map_creation.cpp
// For describe_object: every map definition read so far into out.map_info (create_maps does it
// first thing), and, after create_maps failed, which of the maps it never reached BPF_MAP_CREATE
// would refuse too.
void describe_maps(const ObjectState& st, LoadedObject& out);      // map_creation.cpp
void check_uncreated_maps(LoadedObject& out);                      // map_creation.cpp
// A program's name, section and type as libbpf reads them from its section, without its code
// (for describe_object when linking did not get to it).
LoadedProgram unlinked_program(const ObjectState& st, uint32_t entry);  // subprograms.cpp
Result<Unit> decode_programs(ObjectState& st, LoadedObject& out);  // object.cpp

// Helpers shared by the steps.
// The kernel's license_is_gpl_compatible (object.cpp).
bool gpl_compatible(const std::string& license);
// The spin lock and kptr fields the kernel finds in a map's value BTF (map_fields.cpp).
void find_value_fields(const Btf& btf, MapSpec& spec);
// libbpf's internal_map_name(): "<object name prefix><section name>", at most 15 characters.
std::string internal_map_name(std::string_view object_name, std::string_view section_name);
// The object name libbpf derives from a path: base name, cut at the first '.', 15 characters.
std::string object_name_from(std::string_view path);
// Fills the line/func info of a linked function (btf_ext_info.cpp).
void add_debug_info(const ObjectState& st, const Function& fn, uint32_t base, LoadedProgram& out);
// Applies the map relocations of a linked program to its instructions (relocations.cpp), and
// lists the lddws of typed __ksym variables.
Result<Unit> apply_data_relocations(const ObjectState& st, const std::string& program_name,
                                    const std::vector<CodeReloc>& relocs, std::vector<Insn>& insns,
                                    std::vector<TypedKsym>& typed_ksyms);

}  // namespace bpfplay::loader
