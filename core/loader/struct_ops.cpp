// struct_ops maps: a variable in SEC(".struct_ops") or SEC(".struct_ops.link") is a struct of
// operations (struct tcp_congestion_ops) whose function pointers are programs of
// SEC("struct_ops/...") sections. libbpf turns each into a BPF_MAP_TYPE_STRUCT_OPS map
// (init_struct_ops_maps), finds which program each pointer names from the section's
// relocations (bpf_object__collect_st_ops_relos), and binds the struct to the kernel's
// (bpf_map__init_kern_struct_ops): the map's value becomes the kernel's struct
// bpf_struct_ops_<name>, each program learns the struct and the member it implements (the
// kernel's attach_btf_id and expected_attach_type). The kernel then checks each program at
// load (check_struct_ops_btf_id) and the value when user space registers it
// (bpf_struct_ops_map_update_elem, bpf_tcp_ca_init_member, tcp_validate_congestion_control).
// Messages are libbpf's and the kernel's own, with the map's name.
#include <algorithm>
#include <cstring>
#include <set>

#include "core/btf/btf_core.hpp"
#include "core/btf/builtin_target_btf.hpp"
#include "core/hex.hpp"
#include "core/loader/object_state.hpp"
#include "core/memory.hpp"
#include "core/maps/struct_ops_map.hpp"

namespace bpfplay::loader {

namespace {

constexpr const char* kValuePrefix = "bpf_struct_ops_";
// The congestion controls Linux 6.18 has registered on the reference machine
// (/proc/sys/net/ipv4/tcp_available_congestion_control): a struct_ops of the same name is
// refused (-EEXIST) when it registers.
constexpr const char* kBuiltinCongestionControls[] = {"reno", "cubic", "bbr"};
// TCP_CONG_MASK of Linux 6.18 (include/net/tcp.h: NON_RESTRICTED, NEEDS_ECN, NEEDS_ACCECN,
// ECT_1_NEGOTIATION, NO_FALLBACK_RFC3168): on the reference kernel flags 0x10 registers, 0x20 is -EINVAL.
constexpr uint32_t kTcpCongMask = 0x1f;

Error struct_ops_error(const ObjectState& st, const MapDef& def, std::string what, std::string hint = {}) {
    Error e = load_error(st.map_section(def), std::move(what), std::move(hint));
    e.where.map = def.spec.name;
    return e;
}

// The function prototype a member points at (libbpf's resolve_func_ptr), or 0.
uint32_t func_ptr_proto(const Btf& btf, uint32_t type) {
    const uint32_t t = btf.skip_modifiers(type);
    if (btf.kind(t) != BtfKind::Ptr) return 0;
    const uint32_t target = btf.skip_modifiers(btf.type(t)->ref);
    return btf.kind(target) == BtfKind::FuncProto ? target : 0;
}

bool zero_bytes(std::span<const uint8_t> bytes) {
    return std::all_of(bytes.begin(), bytes.end(), [](uint8_t b) { return b == 0; });
}

// The map whose variable covers byte `offset` of struct_ops section `section`.
MapDef* map_at(ObjectState& st, uint32_t section, uint64_t offset) {
    for (MapDef& def : st.maps)
        if (def.struct_ops && def.section == section && offset >= def.sec_offset &&
            offset < def.sec_offset + def.sec_size)
            return &def;
    return nullptr;
}

// The kernel's types for a struct_ops struct (find_struct_ops_kern_types).
struct KernTypes {
    uint32_t type_id = 0, vtype_id = 0;
    uint32_t data_off = 0;  // of the struct inside the value type
};

Result<KernTypes> kern_types(const ObjectState& st, const MapDef& def) {
    const Btf& kbtf = builtin_target_btf();
    const std::string& raw = def.struct_ops->type_name;
    const std::string tname = raw.substr(0, core_essential_name_len(raw));
    const std::string stname = kValuePrefix + tname;
    KernTypes k;
    const auto vtype = kbtf.find_by_name(stname, BtfKind::Struct);
    const auto type = kbtf.find_by_name(tname, BtfKind::Struct);
    if (!vtype || !type)
        return struct_ops_error(st, def, "struct_ops init_kern: struct " + (vtype ? tname : stname) +
                                      " is not found in kernel BTF",
                         "Linux 6.18 has no struct_ops type \"" + tname +
                             "\" (libbpf refuses the object: -ENOTSUP). The kernel's struct_ops types bpfplay "
                             "knows: tcp_congestion_ops.");
    k.type_id = *type;
    k.vtype_id = *vtype;
    bool found = false;
    for (const BtfMember& m : kbtf.members(*vtype))
        if (m.type == *type) {
            k.data_off = m.bit_offset / 8;
            found = true;
            break;
        }
    if (!found)
        return struct_ops_error(st, def, "struct_ops init_kern: struct " + tname + " data is not found in struct " + stname);
    return k;
}

// bpf_map__init_kern_struct_ops: the value, and each program's struct and member.
Result<Unit> init_kern(ObjectState& st, MapDef& def, LoadedObject& out, std::vector<bool>& bound) {
    const Btf& btf = *st.shared_btf;
    const Btf& kbtf = builtin_target_btf();
    auto kt = kern_types(st, def);
    if (!kt) return kt.error();
    StructOpsDef& so = *def.struct_ops;
    const std::string& name = def.spec.name;
    const std::string prefix = "struct_ops init_kern " + name + ": ";
    def.spec.value_size = kbtf.type(kt->vtype_id)->size;
    def.spec.btf_vmlinux_value_type_id = kt->vtype_id;
    def.spec.btf_key_type_id = def.spec.btf_value_type_id = 0;  // the kernel takes none with a vmlinux type
    so.kern_value.assign(def.spec.value_size, 0);
    const std::string kname(kbtf.name(kt->type_id));
    const auto kmembers = kbtf.members(kt->type_id);
    const auto members = btf.members(so.type_id);
    for (uint32_t i = 0; i < members.size(); ++i) {
        const BtfMember& m = members[i];
        const std::string mname(btf.string_at(m.name_off));
        const auto msize = btf.resolve_size(m.type);
        if (!msize) return struct_ops_error(st, def, prefix + "failed to resolve the size of member " + mname);
        const std::span<const uint8_t> mdata(so.data.data() + m.bit_offset / 8, *msize);
        uint32_t kidx = 0;
        while (kidx < kmembers.size() && kbtf.string_at(kmembers[kidx].name_off) != mname) ++kidx;
        if (kidx == kmembers.size()) {
            if (!zero_bytes(mdata) || so.progs[i])
                return struct_ops_error(st, def, prefix + "Cannot find member " + mname + " in kernel BTF",
                                 "struct " + kname + " of Linux 6.18 has no member \"" + mname + "\" (-ENOTSUP).");
            so.progs[i].reset();  // an all-zero member the kernel lacks is skipped
            continue;
        }
        const BtfMember& km = kmembers[kidx];
        if (m.bitfield_size || km.bitfield_size) return struct_ops_error(st, def, prefix + "bitfield " + mname + " is not supported");
        const uint32_t mt = btf.skip_modifiers(m.type), kmt = kbtf.skip_modifiers(km.type);
        if (btf.kind(mt) != kbtf.kind(kmt))
            return struct_ops_error(st, def, prefix + "Unmatched member type " + mname + " " +
                                          std::to_string(int(btf.kind(mt))) + " != " +
                                          std::to_string(int(kbtf.kind(kmt))) + "(kernel)");
        const uint32_t kmoff = kt->data_off + km.bit_offset / 8;
        if (btf.kind(mt) == BtfKind::Ptr) {
            if (!so.progs[i]) continue;
            const uint32_t prog = *so.progs[i];
            if (!func_ptr_proto(kbtf, km.type))
                return struct_ops_error(st, def, prefix + "kernel member " + mname + " is not a func ptr");
            LoadedProgram& p = out.programs[prog];
            if (!bound[prog]) {
                bound[prog] = true;
                p.struct_ops_type = kname;
                p.struct_ops_member = mname;
                p.attach = AttachType(kidx);
            } else if (p.struct_ops_type != kname || p.attach != AttachType(kidx)) {
                return struct_ops_error(st, def, "struct_ops init_kern " + name + " func ptr " + mname + ": invalid reuse of prog " +
                                              p.name + " in sec " + p.section + ": it implements " + p.struct_ops_type +
                                              "." + p.struct_ops_member + " already",
                                 "A struct_ops program implements one member of one struct: write one program per "
                                 "member (-EINVAL).");
            }
            // Where the kernel takes the program's fd, bpfplay keeps its index in the object.
            const uint64_t index = prog;
            std::memcpy(so.kern_value.data() + kmoff, &index, 8);
            so.slots.push_back({kidx, p.name, prog});
            continue;
        }
        const auto ksize = kbtf.resolve_size(km.type);
        if (!ksize || *ksize != *msize)
            return struct_ops_error(st, def, prefix + "Error in size of member " + mname + ": " + std::to_string(*msize) +
                                          " != " + (ksize ? std::to_string(*ksize) : std::string("?")) + "(kernel)");
        std::memcpy(so.kern_value.data() + kmoff, mdata.data(), mdata.size());
    }
    return Unit{};
}

// What registering the value checks (bpf_struct_ops_map_update_elem with tcp_congestion_ops'
// init_member and validate), with the errno BPF_MAP_UPDATE_ELEM returns.
Result<Unit> check_register(const ObjectState& st, const MapDef& def, std::set<std::string>& names) {
    const Btf& kbtf = builtin_target_btf();
    const StructOpsDef& so = *def.struct_ops;
    const uint32_t vtype = def.spec.btf_vmlinux_value_type_id;
    uint32_t type_id = 0, data_off = 0;
    for (const BtfMember& m : kbtf.members(vtype))
        if (kbtf.kind(m.type) == BtfKind::Struct && kbtf.name(m.type) != "bpf_struct_ops_common_value") {
            type_id = m.type;
            data_off = m.bit_offset / 8;
        }
    const std::string kname(kbtf.name(type_id));
    const bool tcp_ca = kname == "tcp_congestion_ops";
    auto refuse = [&](const std::string& errno_text, std::string why) -> Result<Unit> {
        return struct_ops_error(st, def,
                         "struct_ops map \"" + def.spec.name + "\": the kernel refuses to register it (" + errno_text +
                             "): " + why,
                         "libbpf loads the object, but attaching the map (bpf_map__attach_struct_ops, bpftool "
                         "struct_ops register) fails with this error.");
    };
    std::set<std::string> implemented;
    for (const BtfMember& km : kbtf.members(type_id)) {
        const std::string mname(kbtf.string_at(km.name_off));
        const auto size = kbtf.resolve_size(km.type);
        const uint8_t* bytes = so.kern_value.data() + data_off + km.bit_offset / 8;
        if (func_ptr_proto(kbtf, km.type)) {
            for (const MapInitSlot& s : so.slots)
                if (kbtf.string_at(kbtf.members(type_id)[s.slot].name_off) == mname) implemented.insert(mname);
            continue;
        }
        if (tcp_ca && mname == "flags") {
            const uint32_t flags = load_le<uint32_t>(bytes);
            if (flags & ~kTcpCongMask)
                return refuse("-EINVAL", "flags " + hex(flags) + " has bits outside TCP_CONG_MASK (" + hex(kTcpCongMask) + ")");
            continue;
        }
        if (tcp_ca && mname == "name") {
            const size_t len = strnlen(reinterpret_cast<const char*>(bytes), size ? *size : 0);
            if (len == 0 || (size && len == *size))
                return refuse("-EINVAL", "name must be 1 to 15 characters and NUL-terminated");
            const std::string ca(reinterpret_cast<const char*>(bytes), len);
            for (const char* builtin : kBuiltinCongestionControls)
                if (ca == builtin)
                    return refuse("-EEXIST", "a congestion control named \"" + ca + "\" is already registered");
            if (!names.insert(ca).second)
                return refuse("-EEXIST", "another struct_ops map of this object registers \"" + ca + "\" first");
            continue;
        }
        if (size && !zero_bytes({bytes, *size}))
            return refuse("-EINVAL", "member " + mname + " of struct " + kname +
                                         " is not a function pointer, and only zero is accepted there");
    }
    // tcp_validate_congestion_control.
    if (tcp_ca && (!implemented.count("ssthresh") || !implemented.count("undo_cwnd") ||
                   !(implemented.count("cong_avoid") || implemented.count("cong_control"))))
        return refuse("-EINVAL", "it does not implement required ops: a tcp_congestion_ops needs ssthresh, "
                                 "undo_cwnd, and cong_avoid or cong_control");
    return Unit{};
}

}  // namespace

Result<Unit> collect_struct_ops_maps(ObjectState& st) {
    for (uint32_t index : st.struct_ops_sections) {
        const ElfSection& sec = st.section(index);
        const auto datasec = st.shared_btf ? st.shared_btf->datasec(sec.name) : std::nullopt;
        if (!datasec) return load_error(sec.name, "struct_ops init: DATASEC " + sec.name + " not found");
        const Btf& btf = *st.shared_btf;
        for (const BtfDatasecVar& var : datasec->vars) {
            const uint32_t type_id = btf.skip_modifiers(var.type_id);
            const std::string tname(btf.name(type_id));
            if (tname.empty()) return load_error(sec.name, "struct_ops init: anonymous type is not supported");
            if (btf.kind(type_id) != BtfKind::Struct) return load_error(sec.name, "struct_ops init: " + tname + " is not a struct");
            const uint32_t size = btf.type(type_id)->size;
            MapDef def;
            def.spec.type = MapType::StructOps;
            def.spec.name = std::string(var.name);
            def.spec.key_size = 4;
            def.spec.value_size = size;
            def.spec.max_entries = 1;
            def.spec.map_flags = sec.name == ".struct_ops.link" ? kBpfFLink : 0;
            def.spec.ncpus = st.options.ncpus;
            def.origin = MapOrigin::StructOps;
            def.section = index;
            def.sec_offset = var.offset;
            def.sec_size = size;
            if (uint64_t(var.offset) + size > sec.data.size()) {
                Error e = load_error(sec.name, "struct_ops init: var " + def.spec.name +
                                                   " is beyond the end of DATASEC " + sec.name);
                e.where.map = def.spec.name;
                return e;
            }
            StructOpsDef so;
            so.type_id = type_id;
            so.type_name = tname;
            so.data.assign(sec.data.begin() + var.offset, sec.data.begin() + var.offset + size);
            so.progs.resize(btf.members(type_id).size());
            def.struct_ops = std::move(so);
            st.maps.push_back(std::move(def));
        }
    }
    return Unit{};
}

Result<Unit> collect_struct_ops_relocations(ObjectState& st) {
    for (const ElfSection& rel_sec : st.elf.sections()) {
        if (rel_sec.index == 0 || st.roles[rel_sec.index] != SectionRole::Relocations) continue;
        if (st.roles[rel_sec.info] != SectionRole::StructOps) continue;
        const ElfSection& sec = st.section(rel_sec.info);
        auto rels = st.elf.relocations(rel_sec);
        if (!rels) return rels.error();
        for (const ElfRelocation& r : *rels) {
            const ElfSymbol& sym = st.elf.symbols()[r.symbol];
            MapDef* def = map_at(st, sec.index, r.offset);
            if (!def) return load_error(sec.name, "struct_ops reloc: cannot find map at rel->r_offset " + std::to_string(r.offset));
            const std::string& name = def->spec.name;
            const uint64_t moff = r.offset - def->sec_offset;
            if (!sym.in_section())
                return struct_ops_error(st, *def, "struct_ops reloc " + name + ": rel->r_offset " + std::to_string(r.offset) +
                                               " shdr_idx " + std::to_string(sym.shndx) + " unsupported non-static function");
            if (sym.value % 8)
                return struct_ops_error(st, *def, "struct_ops reloc " + name + ": invalid target program offset " + std::to_string(sym.value));
            const Btf& btf = *st.shared_btf;
            const auto members = btf.members(def->struct_ops->type_id);
            uint32_t idx = 0;
            while (idx < members.size() && members[idx].bit_offset != moff * 8) ++idx;
            if (idx == members.size())
                return struct_ops_error(st, *def, "struct_ops reloc " + name + ": cannot find member at moff " + std::to_string(moff));
            const std::string mname(btf.string_at(members[idx].name_off));
            if (!func_ptr_proto(btf, members[idx].type))
                return struct_ops_error(st, *def, "struct_ops reloc " + name + ": cannot relocate non func ptr " + mname);
            std::optional<uint32_t> prog;
            for (uint32_t i = 0; i < st.entry_points.size(); ++i) {
                const Function& fn = st.functions[st.entry_points[i]];
                if (fn.section == sym.shndx && uint64_t(fn.sec_insn_off) * 8 == sym.value) prog = i;
            }
            if (!prog)
                return struct_ops_error(st, *def, "struct_ops reloc " + name + ": cannot find prog at shdr_idx " +
                                               std::to_string(sym.shndx) + " to relocate func ptr " + mname);
            const Function& fn = st.functions[st.entry_points[*prog]];
            if (classify_section(st.section(fn.section).name).type != ProgType::StructOps)
                return struct_ops_error(st, *def, "struct_ops reloc " + name + ": prog " + fn.name + " is not struct_ops BPF program",
                                 "Put the program in a SEC(\"struct_ops/<name>\") section (-EINVAL).");
            def->struct_ops->progs[idx] = *prog;
        }
    }
    return Unit{};
}

bool struct_ops_returns_void(const LoadedProgram& p) {
    if (p.type != ProgType::StructOps || p.struct_ops_type.empty()) return false;
    const Btf& kbtf = builtin_target_btf();
    const auto type = kbtf.find_by_name(p.struct_ops_type, BtfKind::Struct);
    if (!type || uint32_t(p.attach) >= kbtf.members(*type).size()) return false;
    const uint32_t proto = func_ptr_proto(kbtf, kbtf.members(*type)[uint32_t(p.attach)].type);
    return proto && kbtf.type(proto)->ref == 0;
}

Result<Unit> bind_struct_ops(ObjectState& st, LoadedObject& out) {
    std::vector<bool> bound(out.programs.size(), false);
    for (MapDef& def : st.maps)
        if (def.struct_ops) BPFPLAY_LOADER_TRY(init_kern(st, def, out, bound));

    // The kernel's prog load checks (check_struct_ops_btf_id); libbpf refuses a struct_ops
    // program no map points at before the kernel sees it.
    for (uint32_t i = 0; i < out.programs.size(); ++i) {
        LoadedProgram& p = out.programs[i];
        if (p.type != ProgType::StructOps || p.load_error) continue;
        if (!bound[i]) {
            p.load_error = load_error(p.section, "prog '" + p.name + "': SEC(\"struct_ops\") program isn't referenced "
                                                                     "anywhere, did you forget to use it?",
                                      "Point a function pointer of a SEC(\".struct_ops\") variable at it; libbpf "
                                      "refuses the object otherwise (-EINVAL).");
            continue;
        }
        if (!gpl_compatible(st.license)) {
            p.load_error = make_error(ErrorKind::Verify, "struct ops programs must have a GPL compatible license",
                                      std::nullopt, "Declare char LICENSE[] SEC(\"license\") = \"GPL\";");
            p.load_error->where.section = p.section;
            continue;
        }
        // bpf_tcp_ca_check_member: tcp_congestion_ops.get_info has no BPF implementation.
        if (p.struct_ops_type == "tcp_congestion_ops" && p.struct_ops_member == "get_info") {
            p.load_error = make_error(ErrorKind::Verify,
                                      "attach to unsupported member get_info of struct tcp_congestion_ops",
                                      std::nullopt, "The kernel refuses a BPF get_info (-ENOTSUPP): leave it NULL.");
            p.load_error->where.section = p.section;
        }
    }

    std::set<std::string> names;
    for (MapDef& def : st.maps) {
        if (!def.struct_ops) continue;
        BPFPLAY_LOADER_TRY(check_register(st, def, names));
        def.initial = def.struct_ops->kern_value;  // create_maps writes it: the registration
    }
    return Unit{};
}

}  // namespace bpfplay::loader
