// load_object(): the steps of libbpf's bpf_object__open() and bpf_object__load(), in libbpf's
// order, each in its own file (see object_state.hpp), then decoding every program.
#include <algorithm>

#include "core/decode.hpp"
#include "core/helpers/kfunc_catalog.hpp"
#include "core/helpers/registry.hpp"
#include "core/vm.hpp"
#include "core/loader/traced_program.hpp"
#include "core/loader/object_state.hpp"

namespace bpfplay {

namespace {

using loader::SectionRole;

const char* role_name(SectionRole role) {
    switch (role) {
    case SectionRole::Unused: return "ignored";
    case SectionRole::Code: return "code";
    case SectionRole::Data: return "global data (.data map)";
    case SectionRole::Rodata: return "global data (.rodata map, read-only)";
    case SectionRole::Bss: return "global data (.bss map)";
    case SectionRole::BtfMaps: return "map definitions (BTF)";
    case SectionRole::StructOps: return "struct_ops maps";
    case SectionRole::LegacyMaps: return "map definitions (legacy)";
    case SectionRole::License: return "license";
    case SectionRole::Version: return "kernel version";
    case SectionRole::Btf: return "BTF";
    case SectionRole::BtfExt: return "BTF.ext (func/line info, CO-RE)";
    case SectionRole::Relocations: return "relocations";
    case SectionRole::Symbols: return "symbols";
    case SectionRole::Strings: return "strings";
    case SectionRole::Debug: return "debug info (ignored)";
    }
    return "ignored";
}

void summarize_sections(const loader::ObjectState& st, LoadedObject& out) {
    for (const ElfSection& s : st.elf.sections()) {
        if (s.index == 0) continue;
        SectionSummary sum;
        sum.index = s.index;
        sum.name = s.name;
        sum.type = s.type;
        sum.flags = s.flags;
        sum.size = s.size;
        // Roles are known once classify_sections has run (describe_object may stop before).
        if (s.index >= st.roles.size()) {
            sum.role = "not read (the object failed to load first)";
            out.sections.push_back(std::move(sum));
            continue;
        }
        sum.role = role_name(st.roles[s.index]);
        if (st.roles[s.index] == SectionRole::Code) {
            bool programs = false;
            for (uint32_t e : st.entry_points) programs |= st.functions[e].section == s.index;
            sum.role = programs ? "code (programs)" : "code (subprograms)";
        }
        out.sections.push_back(std::move(sum));
    }
}

}  // namespace

namespace loader {

namespace {

uint64_t core_poison(Vm& vm, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) {
    vm.helper_fail(make_error(ErrorKind::Runtime,
                              "failed to resolve CO-RE relocation: this instruction was poisoned at load (call "
                              "0xbad2310, as libbpf does) because the target BTF lacks what it accesses",
                              vm.current_pc(),
                              "The object's load notes name the relocation. The kernel's verifier refuses a program "
                              "that can reach such an instruction; guard the access with bpf_core_field_exists()."));
    return 0;
}

// Where the poisoned instructions (ObjectState::core_poisons) ended up in a linked program.
std::vector<std::pair<uint32_t, const CorePoison*>> poisons_in(const ObjectState& st, const LoadedProgram& p) {
    std::vector<std::pair<uint32_t, const CorePoison*>> out;
    if (st.core_poisons.empty()) return out;
    for (const LinkedFunction& lf : p.functions)
        for (const Function& fn : st.functions) {
            if (fn.name != lf.name || fn.insn_count != lf.insn_count) continue;
            for (const CorePoison& c : st.core_poisons)
                if (c.section == fn.section && c.sec_insn_off == fn.sec_insn_off) out.emplace_back(lf.first_insn + c.insn, &c);
            break;
        }
    return out;
}

// Decodes with the original instructions in the poisoned slots, then makes each poisoned
// slot the call it is: bound to core_poison, which stops the run if it gets there.
Result<Program> decode_with_poisons(const std::vector<Insn>& insns, const DecodeOptions& options,
                                    const std::vector<std::pair<uint32_t, const CorePoison*>>& poisons) {
    std::vector<Insn> originals = insns;
    for (const auto& [at, c] : poisons) {
        originals[at] = c->original[0];
        if (c->lddw) originals[at + 1] = c->original[1];
    }
    auto decoded = decode(originals, options);
    if (!decoded) return decoded;
    Program& prog = decoded.value();
    uint32_t binding = uint32_t(prog.helpers.size());
    prog.helpers.push_back({kCorePoisonHelperId, "bpf_core_poisoned_insn", core_poison, 0});
    for (const auto& [at, c] : poisons) {
        prog.raw[at] = insns[at];
        if (c->lddw) prog.raw[at + 1] = insns[at + 1];
        DecodedInsn call;
        call.op = Op::CallHelper;
        call.target = binding;
        call.imm = kCorePoisonHelperId;
        prog.insns[at] = call;
    }
    return decoded;
}

}  // namespace

// The kernel's license_is_gpl_compatible (include/linux/license.h).
bool gpl_compatible(const std::string& license) {
    for (const char* ok : {"GPL", "GPL v2", "GPL and additional rights", "Dual BSD/GPL", "Dual MIT/GPL", "Dual MPL/GPL"})
        if (license == ok) return true;
    return false;
}

// A call to a __weak kfunc the kernel lacks: libbpf turns it into a call of helper 2002000000 + the
// extern's index (poison_kfunc_call), which the verifier refuses only if the program can reach it.
// Its binding id: no helper's and no kfunc's (is_kfunc_binding is false), one for all such calls.
constexpr int32_t kAbsentWeakKfuncId = kKfuncBindingBase - 1;

uint64_t absent_weak_kfunc(Vm& vm, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) {
    vm.helper_fail(make_error(ErrorKind::Verify,
                              "this call's kfunc is a __weak extern that Linux 6.18 does not have: libbpf made the "
                              "call invalid (\"invalid func unknown#2002000000...\"), which the kernel's verifier "
                              "refuses in a program that can reach it",
                              vm.current_pc(), "Guard the call: if (bpf_ksym_exists(kfunc)) kfunc(...);"));
    return 0;
}

// Binds a kfunc call (imm: the kfunc's FUNC in the object's BTF, relocations.cpp) by the kfunc's
// name, with the kernel's verdicts: a name the kernel lacks, a kfunc the program's type may not
// call, a sleepable kfunc outside a sleepable program, then whether bpfplay implements it.
KfuncResolver kfunc_resolver(const ObjectState& st, const LoadedProgram& p) {
    return [&st, &p](uint32_t pc, int32_t imm) -> Result<HelperBinding> {
        const std::string name = st.shared_btf ? std::string(st.shared_btf->name(uint32_t(imm))) : std::string();
        const KfuncProto* proto = kfunc_proto(name);
        // bpf_dev_bound_kfunc_check, before the per-type kfunc sets are looked at.
        const bool metadata = is_xdp_metadata_kfunc(name);
        if (metadata && !p.dev_bound_ifindex)
            return make_error(ErrorKind::Verify, "metadata kfuncs require device-bound program", pc,
                              "The kernel's verifier lets only a device-bound XDP program call " + name +
                                  " (loaded with bpf_program__set_ifindex and BPF_F_XDP_DEV_BOUND_ONLY): "
                                  "bind it to a device with the host's \"dev_bound\": {\"" + p.name +
                                  "\": <ifindex>}.");
        if (metadata && p.type != ProgType::Xdp)
            return make_error(ErrorKind::Load, "only an XDP program can be device-bound", pc,
                              "The kernel refuses BPF_F_XDP_DEV_BOUND_ONLY for other program types (-EINVAL).");
        switch (metadata ? KfuncVerdict::Allowed : kfunc_verdict(name, p.type, p.attach)) {
        case KfuncVerdict::Unknown:
            if (std::find(st.weak_kfuncs.begin(), st.weak_kfuncs.end(), name) != st.weak_kfuncs.end())
                return HelperBinding{kAbsentWeakKfuncId, "bpf_absent_weak_kfunc", absent_weak_kfunc, 0};
            return make_error(ErrorKind::Load, "calls kfunc '" + name + "', which Linux 6.18 does not have", pc,
                              "No function of that name is a kfunc (tagged bpf_kfunc) in the kernel's BTF: libbpf "
                              "refuses the object (\"extern (func ksym) '" + name +
                                  "': not found in kernel or module BTFs\"). Check the name and the kernel version.");
        case KfuncVerdict::NotForThisType:
            return make_error(ErrorKind::Verify, "calling kernel function " + name + " is not allowed", pc,
                              std::string("The kernel's verifier refuses it: no kfunc set registered for ") +
                                  prog_type_name(p.type) + " programs holds " + name + ".");
        case KfuncVerdict::Allowed: break;
        }
        if ((proto->flags & KF_SLEEPABLE) && !p.sleepable)
            return make_error(ErrorKind::Verify, "program must be sleepable to call sleepable kfunc " + name, pc,
                              "Load the program from a sleepable section (\"fentry.s/\", \"lsm.s/\", "
                              "\"uprobe.s/\", \"iter.s/\", \"syscall\").");
        const KfuncImpl* impl = st.options.kfuncs ? st.options.kfuncs->find(name) : nullptr;
        if (!impl)
            return make_error(ErrorKind::Helper, "kfunc " + name + " is not available here.", pc,
                              "bpfplay does not implement it yet; the object's other programs load and run.");
        const int32_t id = kKfuncBindingBase + int32_t(proto - kfunc_protos().data());
        return HelperBinding{id, proto->name, impl->fn, proto->nargs};
    };
}

// Each program decodes on its own: one that the kernel would refuse, or that calls a helper
// bpfplay lacks, keeps its error (LoadedProgram::load_error) and the rest of the object loads.
Result<Unit> decode_programs(ObjectState& st, LoadedObject& out) {
    if (!st.options.decode_programs) return Unit{};
    DecodeOptions options;
    options.helpers = st.options.helpers;
    options.resolve_lddw = out.maps->lddw_resolver();
    options.gpl_compatible = gpl_compatible(st.license);
    for (LoadedProgram& p : out.programs) {
        options.legacy_packet_access =
            p.type == ProgType::SocketFilter || p.type == ProgType::SchedCls || p.type == ProgType::SchedAct;
        options.check_helper_rules = p.type_known;
        options.prog_type = p.type;
        options.attach = p.attach;
    options.sleepable = p.sleepable;
    options.attach_target = p.attach_target;
        options.sleepable = p.sleepable;
        options.attach_target = p.attach_target;
        options.resolve_kfunc = kfunc_resolver(st, p);
        // The kernel reads no return value from a struct_ops member returning void
        // (check_return_code): its r0 counts as set.
        options.entry_regs = uint16_t(DecodeOptions{}.entry_regs | (struct_ops_returns_void(p) ? 1u : 0u));
        const auto poisons = poisons_in(st, p);
        auto decoded = poisons.empty() ? decode(p.insns, options) : decode_with_poisons(p.insns, options, poisons);
        if (decoded) {
            p.program = std::move(decoded).value();
            for (const LinkedFunction& f : p.functions)
                if (f.global && f.first_insn != 0) p.program.global_functions.push_back(f.first_insn);
            continue;
        }
        Error e = decoded.error();
        e.where.section = p.section;
        if (e.where.pc)
            if (const SourceLine* line = p.line_for(*e.where.pc); line && line->line)
                e.where.source = line->file + ":" + std::to_string(line->line);
        p.load_error = std::move(e);
    }
    return Unit{};
}

}  // namespace loader

namespace {

// load_object's steps, in order, until one fails; `out` gets what the steps that ran read.
// Returns the failure, if any.
std::optional<Error> run_load_steps(std::span<const uint8_t> elf_bytes, const LoadOptions& options,
                                    LoadedObject& out) {
    using namespace loader;
    auto elf = ElfFile::open(elf_bytes);
    if (!elf) return elf.error();
    ObjectState st(*elf, options);
    st.object_name = object_name_from(options.object_name);
    out.name = st.object_name;

    std::optional<Error> failed;
    auto ok = [&failed](Result<Unit> step) {
        if (!step) failed = step.error();
        return step.ok();
    };
    using ReadStep = Result<Unit> (*)(ObjectState&);
    constexpr ReadStep kReadSteps[] = {classify_sections,       setup_btf,
                                       collect_functions,       collect_legacy_maps,
                                       collect_btf_maps,        collect_global_data_maps,
                                       create_kconfig_map,      collect_struct_ops_maps,
                                       size_maps,
                                       collect_code_relocations, collect_map_value_relocations,
                                       collect_struct_ops_relocations,
                                       apply_core_relocations};
    for (ReadStep step : kReadSteps)
        if (!ok(step(st))) break;
    const bool linked = !failed;  // link_programs runs (and lists every program, linked or not)
    if (linked) ok(link_programs(st, out));
    if (!failed) ok(bind_struct_ops(st, out));
    const bool maps_created = !failed;
    if (maps_created) ok(create_maps(st, out));
    if (!failed) ok(decode_programs(st, out));

    if (failed) {
        // What a description of the object needs from the steps that did not run.
        if (!linked)
            for (uint32_t entry : st.entry_points) out.programs.push_back(unlinked_program(st, entry));
        if (!maps_created) describe_maps(st, out);
        else check_uncreated_maps(out);
    }
    guess_traced_programs(out, st.shared_btf.get(), st.btf_ext.get());
    out.btf = st.shared_btf;
    out.btf_ext = st.btf_ext;
    out.license = st.license;
    out.kern_version = st.kern_version;
    summarize_sections(st, out);
    out.notes = std::move(st.notes);
    out.weak_kfuncs = st.weak_kfuncs;
    return failed;
}

}  // namespace

Result<LoadedObject> load_object(std::span<const uint8_t> elf_bytes, const LoadOptions& options) {
    LoadedObject out;
    if (auto failed = run_load_steps(elf_bytes, options, out)) return *failed;
    return out;
}

ObjectDescription describe_object(std::span<const uint8_t> elf_bytes, const LoadOptions& options) {
    ObjectDescription d;
    d.error = run_load_steps(elf_bytes, options, d.object);
    return d;
}

EntryChoice choose_entry_program(const LoadedObject& object) {
    EntryChoice choice;
    std::vector<bool> tail_target(object.programs.size(), false);
    for (uint32_t id = 0; object.maps && id < object.maps->size() && id < object.map_info.size(); ++id)
        if (object.maps->get(id)->type() == MapType::ProgArray)
            for (const MapInitSlot& slot : object.map_info[id].init_slots)
                if (slot.target_id < tail_target.size()) tail_target[slot.target_id] = true;
    const LoadedProgram* first_runnable = nullptr;
    for (size_t i = 0; i < object.programs.size(); ++i) {
        const LoadedProgram& p = object.programs[i];
        if (p.load_error) {
            choice.refused.push_back(&p);
            continue;
        }
        if (!first_runnable) first_runnable = &p;
        if (!choice.program && !tail_target[i]) choice.program = &p;
    }
    if (!choice.program) choice.program = first_runnable;
    choice.passed_tail_call_targets = choice.program && choice.program != first_runnable;
    return choice;
}

const LoadedProgram* LoadedObject::find_program(std::string_view program_name) const {
    for (const LoadedProgram& p : programs)
        if (p.name == program_name) return &p;
    return nullptr;
}

const SourceLine* LoadedProgram::line_for(uint32_t pc) const {
    // line_info is sorted by insn: the last record at or before pc.
    auto it = std::upper_bound(line_info.begin(), line_info.end(), pc,
                               [](uint32_t v, const SourceLine& l) { return v < l.insn; });
    return it == line_info.begin() ? nullptr : &*(it - 1);
}

const char* map_origin_name(MapOrigin origin) {
    switch (origin) {
    case MapOrigin::BtfDefined: return ".maps";
    case MapOrigin::Legacy: return "maps";
    case MapOrigin::GlobalData: return "global data";
    case MapOrigin::StructOps: return ".struct_ops";
    }
    return "";
}

}  // namespace bpfplay
