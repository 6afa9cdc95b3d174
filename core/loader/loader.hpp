#pragma once
// The ELF loader: what libbpf's bpf_object__open() + bpf_object__load() do, minus the kernel.
//
//   auto obj = load_object(bytes, LoadOptions{.object_name = "xdp_drop_port.o", .helpers = &registry});
//   if (!obj) { print(obj.error()); return; }
//   const LoadedProgram* p = obj->find_program("xdp_drop_port");
//   obj->maps->map_into(memory);           // then run p->program in a Vm
//
// It reads a clang-compiled BPF object (clang -O2 -g -target bpf -c prog.c), finds its
// programs (one per global function in an executable section, typed from the section name as
// libbpf does), creates its maps (BTF-defined in .maps, legacy `maps`, and one array map per
// global data section: .data*, .rodata*, .bss*), applies the relocations (map references,
// global variables, bpf-to-bpf calls: used .text functions are appended to each program, as
// libbpf's append_subprog does), applies CO-RE relocations (against the emulated kernel's
// BTF for the types it has, the object's own BTF for the rest: core/btf/btf_core.hpp), and
// decodes each program. Input is treated as hostile: every malformed object gives an Error
// (ErrorKind::Load, where.section set) instead of a crash.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/btf/btf.hpp"
#include "core/btf/btf_ext.hpp"
#include "core/error.hpp"
#include "core/insn.hpp"
#include "core/loader/prog_types.hpp"
#include "core/maps/map.hpp"
#include "core/maps/map_set.hpp"
#include "core/program.hpp"

namespace bpfplay {

class HelperRegistry;
class KfuncRegistry;

// The helper id libbpf writes into an instruction whose CO-RE relocation could not be resolved
// (bpf_core_poison_insn). The loader binds it to a helper that stops the run with "failed to
// resolve CO-RE relocation", so a poisoned instruction faults only if it runs.
constexpr int32_t kCorePoisonHelperId = 0xbad2310;

// Where the emulated kernel's text puts kfunc `index` (of kfunc_protos()): the value
// `&kfunc` loads (bpf_ksym_exists). Not readable memory, as in the kernel (a pointer to 0 bytes).
constexpr uint64_t kfunc_text_address(uint32_t index) { return 0xffffffff81000000ull + uint64_t(index) * 16; }

struct LoadOptions {
    // The file name or path. libbpf names global data maps after it ("global_vars.o" ->
    // "global_v.data"): the base name up to its first '.', at most 15 characters.
    std::string object_name;
    // Helpers programs may call; decode() checks every call against it. Null: a program that
    // calls any helper fails to load.
    const HelperRegistry* helpers = nullptr;
    // Kfuncs programs may call, by name. Null: a program that calls a kfunc fails to load (by the
    // kfunc's name; the object's other programs load).
    const KfuncRegistry* kfuncs = nullptr;
    // False: stop after relocation and leave LoadedProgram::program empty (e.g. to show an
    // object whose helpers are not available).
    bool decode_programs = true;
    uint32_t ncpus = kDefaultCpus;  // values per key of per-CPU maps
    // max_entries by map name, as user space sets them with bpf_map__set_max_entries() between
    // open and load (xdp-tools, katran): replaces the object's value for the maps named.
    std::map<std::string, uint32_t> map_sizes;
    // What a map whose object says max_entries 0 and that map_sizes does not name gets (with a
    // load note): the kernel refuses 0, so such objects expect user space to size the map.
    // Ring buffers get kDefaultRingbufBytes instead, perf event arrays one entry per CPU.
    uint32_t default_max_entries = kDefaultMaxEntries;
    // Program types by program name, as a loader sets them with bpf_program__set_type() before
    // load: tc and xdp-loader load a section of any name as their own type (SEC("ingress"),
    // SEC("from-netdev")). Replaces what the section name says, with a load note.
    std::map<std::string, ProgType> prog_types;
    // Device-bound XDP programs by name: the ifindex a loader binds each to before load
    // (bpf_program__set_ifindex with BPF_F_XDP_DEV_BOUND_ONLY), which lets them call the
    // bpf_xdp_metadata_rx_* kfuncs (LoadedProgram::dev_bound_ifindex).
    std::map<std::string, uint32_t> dev_bound;
    // The kernel config `extern ... __kconfig` variables read (config.gz syntax: "y", "m", "n",
    // numbers, quoted strings; plus LINUX_KERNEL_VERSION and the LINUX_HAS_* answers). Null:
    // the emulated 6.18 kernel's default_kconfig() (core/host/host.hpp).
    const std::map<std::string, std::string>* kconfig = nullptr;
    static constexpr uint32_t kDefaultMaxEntries = 1024;
    static constexpr uint32_t kDefaultRingbufBytes = 64 * 1024;
    // Safety limits for hostile objects: host memory all maps may use together (an estimate
    // made before creating them), and instructions of all programs after subprogram appending.
    uint64_t max_map_memory = 256ull << 20;
    uint64_t max_linked_insns = 4'000'000;
};

// One line_info record, mapped to an instruction of the linked program.
struct SourceLine {
    uint32_t insn = 0;     // index in LoadedProgram::insns
    std::string file;      // as clang recorded it, e.g. "examples/global_vars.c"
    uint32_t line = 0;     // 1-based; 0: clang had no line for this instruction
    uint32_t column = 0;   // 1-based; 0 when unknown
    std::string text;      // the source line itself
};

// One func_info record: where a function starts in the linked program.
struct FunctionInfo {
    uint32_t insn = 0;
    std::string name;
    uint32_t btf_type_id = 0;  // the BTF FUNC
};

// A function whose code is part of a linked program: the program itself first, then each
// .text function it calls (directly or not), in the order libbpf appends them.
struct LinkedFunction {
    std::string name;
    uint32_t first_insn = 0;
    uint32_t insn_count = 0;
    bool global = false;  // a global subprogram (BTF_FUNC_GLOBAL), verified on its own by the kernel
};

// An lddw of a typed `extern const T name __ksym;`: libbpf gives the kernel its BTF id (lddw
// src 3), the kernel then looks the variable's address up in kallsyms (check_pseudo_btf_id).
// bpfplay links the emulated variable's address in (src 0): this keeps what the kernel sees.
struct TypedKsym {
    uint32_t insn = 0;
    std::string name;
};

struct LoadedProgram {
    std::string name;     // the function's symbol name
    std::string section;  // the ELF section name, e.g. "xdp", "kprobe/do_sys_openat2"
    ProgType type = ProgType::Unspec;
    ContextKind context = ContextKind::None;
    AttachType attach = AttachType(0);  // the expected attach type libbpf would load it with
    bool sleepable = false;            // a ".s" section (fentry.s/, lsm.s/, uprobe.s ...)
    uint32_t dev_bound_ifindex = 0;    // a device-bound XDP program's device (LoadOptions::dev_bound); 0: none
    bool type_known = false;     // false: the section name matched no libbpf section definition
    bool autoload = true;        // false for SEC("?..."): libbpf would not load it by default
    std::string attach_target;   // after the '/' of the section name ("do_sys_openat2"), if any
    // An fentry / fexit program whose attach target is no kernel function traces a
    // BPF program (libbpf's bpf_program__set_attach_target(prog, prog_fd, name), xdpdump's
    // "fentry/func"): the type of that program, whose kernel context is the slot's argument
    // (core/run/traced_program.hpp). Unspec: not such a program, or no type could be told.
    ProgType traced_type = ProgType::Unspec;
    std::string traced_program;  // the traced program of the same object, by name ("" : by type only)
    // A struct_ops program: the kernel struct and member it implements, from the struct_ops map
    // whose function pointer points at it (libbpf's attach_btf_id; `attach` is the member's index).
    std::string struct_ops_type;    // "tcp_congestion_ops"
    std::string struct_ops_member;  // "ssthresh"
    uint32_t section_insn_offset = 0;  // where the program's own code starts in its section
    uint32_t own_insn_count = 0;       // its own instructions, before subprograms were appended
    std::vector<Insn> insns;           // linked and relocated, as the kernel would receive them
    Program program;                   // insns decoded (empty when decode_programs is false)
    // Why the program cannot run (the kernel's verifier would refuse it, or it calls a helper
    // bpfplay lacks); its siblings in the object load and run regardless.
    std::optional<Error> load_error;
    std::vector<LinkedFunction> functions;
    std::vector<TypedKsym> typed_ksyms;  // by insn
    std::vector<FunctionInfo> func_info;  // sorted by insn
    std::vector<SourceLine> line_info;    // sorted by insn

    // The line_info record covering insn `pc` (the last one at or before it), or nullptr.
    const SourceLine* line_for(uint32_t pc) const;
};

// Where a map came from in the object.
enum class MapOrigin : uint8_t {
    BtfDefined,  // a variable in SEC(".maps")
    Legacy,      // a struct bpf_map_def in SEC("maps")
    GlobalData,  // libbpf's internal map for a .data*, .rodata* or .bss* section
    StructOps,   // a variable in SEC(".struct_ops") / SEC(".struct_ops.link")
};
const char* map_origin_name(MapOrigin origin);  // ".maps", "maps", "global data"

// One slot of a `values` initializer (map of maps or prog array).
struct MapInitSlot {
    uint32_t slot = 0;
    std::string target;      // the map or program the slot points at
    uint32_t target_id = 0;  // its map id, or its index in LoadedObject::programs
};

// What the loader knows about a map beyond the Map it created (index = map id in
// LoadedObject::maps). Every map definition the loader read has one, created or not.
struct LoadedMapInfo {
    MapOrigin origin = MapOrigin::BtfDefined;
    std::string elf_section;      // ".maps", "maps", ".rodata", ".data.custom"...
    uint64_t section_offset = 0;  // where its definition or data starts in that section
    std::vector<MapInitSlot> init_slots;
    MapSpec spec;                 // as the object defines it
    // Why the map could not be created (BPF_MAP_CREATE would refuse it); the object then does
    // not load (describe_object still shows it).
    std::optional<Error> error;
};

struct SectionSummary {
    uint32_t index = 0;
    std::string name;
    uint32_t type = 0;   // SHT_*
    uint64_t flags = 0;  // SHF_*
    uint64_t size = 0;
    std::string role;    // what the loader did with it: "programs", "map data", "BTF", "ignored"...
};

struct LoadedObject {
    std::string name;  // the object name libbpf would use (see LoadOptions::object_name)
    std::vector<LoadedProgram> programs;  // entry points, in libbpf's order (section, offset)
    std::unique_ptr<MapSet> maps;         // every map, ids in libbpf's creation order
    std::vector<LoadedMapInfo> map_info;  // per map id
    std::shared_ptr<const Btf> btf;       // null when the object has no .BTF
    std::shared_ptr<const BtfExt> btf_ext;
    std::string license;  // the "license" section ("" when absent)
    std::optional<uint32_t> kern_version;  // the "version" section, when present
    std::vector<SectionSummary> sections;
    std::vector<std::string> notes;  // things a learner may want to know that are not errors
    std::vector<std::string> weak_kfuncs;  // kfuncs declared __weak (libbpf lets the kernel lack them)

    const LoadedProgram* find_program(std::string_view name) const;
    // A bpftool/readelf-like summary: programs (each runnable or why not), maps, sections,
    // license (for `bpfvm info`). `load_failure`: describe_object's error, said first.
    std::string info(const std::optional<Error>& load_failure = std::nullopt) const;
};

// A program's status in one line: "runnable", "cannot run: insn 2 (prog.c:36): <what>. <hint>"
// (its load_error without the section, which listings show beside the program), or "cannot
// run: the object does not load" when !object_loads.
std::string program_status_text(const LoadedProgram& program, bool object_loads);

Result<LoadedObject> load_object(std::span<const uint8_t> elf_bytes, const LoadOptions& options);

// What can be told of an object that may not load as a whole (libbpf's bpf_object__load fails
// for it: a map the kernel refuses, a relocation it cannot apply): load_object's steps run in
// order until one fails, and `object` keeps what the steps before it read -- sections,
// license, BTF, programs (with their own load_error where one failed; only named, from their
// section, when linking did not get to them), and every map definition read (map_info, with
// the error of each map BPF_MAP_CREATE would refuse). `error` is load_object's error.
struct ObjectDescription {
    LoadedObject object;
    std::optional<Error> error;
};
ObjectDescription describe_object(std::span<const uint8_t> elf_bytes, const LoadOptions& options);

// Which program `bpfvm run` (without --program) and the page start with: the first one that
// can run and no prog_array holds (a tail-call target is not where a packet enters), else the
// first one that can run.
struct EntryChoice {
    const LoadedProgram* program = nullptr;   // nullptr: no program can run
    bool passed_tail_call_targets = false;    // runnable programs a prog_array holds came first
    std::vector<const LoadedProgram*> refused;  // the programs that cannot run (load_error set)
};
EntryChoice choose_entry_program(const LoadedObject& object);

}  // namespace bpfplay
