// CO-RE relocations against the emulated kernel's built-in BTF: the target BTF itself, the
// resolver (resolve_core_relo) kind by kind on tests/loader/fixtures/core_kinds.o's BTF, and
// what the loader does with the results (patched, resized and poisoned instructions).
#include <doctest/doctest.h>

#include "core/btf/btf_core.hpp"
#include "core/btf/builtin_target_btf.hpp"
#include "loader/loader_test_util.hpp"

using namespace bpfplay;
using namespace bpfplay::test;

namespace {

uint32_t id_of(const Btf& btf, std::string_view name, BtfKind kind) {
    auto id = btf.find_by_name(name, kind);
    REQUIRE_MESSAGE(id, std::string(name));
    return *id;
}

CoreReloResult resolve(const Btf& local, uint32_t type_id, std::string_view access, BtfCoreReloKind kind) {
    BtfCoreRelo relo;
    relo.type_id = type_id;
    relo.access = access;
    relo.kind = kind;
    auto r = resolve_core_relo(local, relo, builtin_target_btf());
    REQUIRE_MESSAGE(r, (r ? "" : r.error().what));
    return *r;
}

}  // namespace

TEST_CASE("builtin target BTF: Linux 6.18's task_struct, pt_regs and pid_type, trimmed") {
    auto parsed = parse_btf(builtin_target_btf_bytes());
    REQUIRE_MESSAGE(parsed, (parsed ? "" : parsed.error().what));
    const Btf& k = builtin_target_btf();
    CHECK(k.type_count() > 1000);
    CHECK(builtin_target_btf_bytes().size() < 300 * 1024);
    const uint32_t task = id_of(k, "task_struct", BtfKind::Struct);
    CHECK(k.type_to_string(task) == "struct task_struct");
    CHECK(*k.resolve_size(task) == 3264);  // this 6.18 build's sizeof(struct task_struct)
    // The real kernel's offsets (bits), as `pahole task_struct` prints them for this build.
    const std::pair<const char*, uint32_t> fields[] = {{"__state", 192},     {"flags", 352},        {"prio", 864},
                                                       {"exit_code", 9312},  {"pid", 10112},       {"tgid", 10144},
                                                       {"real_parent", 10240}, {"parent", 10304}, {"comm", 14016}};
    for (const auto& field : fields) {
        // Named copies: clang 14 cannot capture a structured binding (CAPTURE is a lambda).
        const char* const name = field.first;
        const uint32_t bits = field.second;
        CAPTURE(name);
        bool found = false;
        for (const BtfMember& m : k.members(task)) {
            if (k.string_at(m.name_off) != name) continue;
            found = true;
            CHECK(m.bit_offset == bits);
            if (std::string_view(name) == "pid") CHECK(k.type_to_string(m.type) == "pid_t");
            if (std::string_view(name) == "real_parent") CHECK(k.type_to_string(m.type) == "struct task_struct *");
            if (std::string_view(name) == "comm") CHECK(k.type_to_string(m.type) == "char[16]");
        }
        CHECK(found);
    }
    // Reached by value: kept whole. Only pointed at: a FWD of the same name.
    CHECK(*k.resolve_size(id_of(k, "sched_entity", BtfKind::Struct)) == 256);
    CHECK(k.find_by_name("nsproxy", BtfKind::Struct));
    CHECK(k.find_by_name("mount", BtfKind::Fwd));
    CHECK_FALSE(k.find_by_name("mount", BtfKind::Struct));

    const uint32_t regs = id_of(k, "pt_regs", BtfKind::Struct);
    CHECK(*k.resolve_size(regs) == 168);
    auto r = k.members(regs);
    REQUIRE(r.size() == 21);
    CHECK(k.string_at(r[0].name_off) == "r15");
    CHECK(k.string_at(r[14].name_off) == "di");
    CHECK(r[14].bit_offset == 14 * 64);
    CHECK(k.string_at(r[19].name_off) == "sp");
    CHECK(k.type_to_string(r[19].type) == "long unsigned int");
    CHECK(k.type_to_string(r[20].type) == "union { ... }");  // 6.18: ss shares its word with FRED bits

    const uint32_t pid_type = id_of(k, "pid_type", BtfKind::Enum);
    REQUIRE(k.enum_values(pid_type).size() == 5);
    CHECK(k.string_at(k.enum_values(pid_type)[3].name_off) == "PIDTYPE_SID");
    CHECK(k.enum_values(pid_type)[3].value == 3);
}

TEST_CASE("core_essential_name_len: the part before the last ___flavor") {
    CHECK(core_essential_name_len("task_struct") == 11);
    CHECK(core_essential_name_len("task_struct___v2") == 11);
    CHECK(core_essential_name_len("task_struct___a___b") == 15);  // libbpf cuts at the last one
    CHECK(core_essential_name_len("a____b") == 6);                 // 4 underscores: no flavor
    CHECK(core_essential_name_len("x___") == 4);
}

TEST_CASE("resolve_core_relo: every kind against the built-in kernel BTF and the object's own") {
    auto obj = load(fixture_bytes("core_kinds"), "core_kinds.o");
    REQUIRE_MESSAGE(obj, (obj ? "" : obj.error().to_string()));
    const Btf& local = *obj->btf;
    const Btf& kernel = builtin_target_btf();
    const uint32_t task = id_of(local, "task_struct___local", BtfKind::Struct);
    const uint32_t regs = id_of(local, "pt_regs___mine", BtfKind::Struct);
    const uint32_t own = id_of(local, "own_thing", BtfKind::Struct);
    const uint32_t pids = id_of(local, "pid_type___local", BtfKind::Enum);
    using K = BtfCoreReloKind;

    // task_struct___local: 0 pid, 1 flags, 2 in_iowait:1, 3 sched_reset_on_fork:1, 4 comm,
    // 5 parent, 6 not_in_kernel.
    auto pid = resolve(local, task, "0:0", K::FieldByteOffset);
    CHECK(pid.against_kernel);
    CHECK(pid.orig_val == 0);
    CHECK(pid.new_val == 1264);
    CHECK(pid.validate);
    CHECK(pid.orig_sz == 4);
    CHECK(pid.new_sz == 4);
    CHECK_FALSE(pid.fail_memsz_adjust);
    CHECK(pid.target_type_id == id_of(kernel, "task_struct", BtfKind::Struct));
    CHECK(pid.local_spec == "[" + std::to_string(task) + "] struct task_struct___local.pid (0:0 @ offset 0)");
    CHECK(pid.target_spec.find("struct task_struct.pid (0:") != std::string::npos);
    CHECK(pid.target_spec.find(" @ offset 1264)") != std::string::npos);

    auto flags = resolve(local, task, "0:1", K::FieldByteOffset);
    CHECK(flags.orig_val == 8);
    CHECK(flags.new_val == 44);
    CHECK(flags.orig_sz == 8);  // unsigned long long here, unsigned int in the kernel:
    CHECK(flags.new_sz == 4);   // both unsigned, so a load may be narrowed
    CHECK_FALSE(flags.fail_memsz_adjust);

    CHECK(resolve(local, task, "0:4", K::FieldByteSize).new_val == 16);
    CHECK(resolve(local, task, "0:4:3", K::FieldByteOffset).new_val == 1755);  // comm[3]
    CHECK(resolve(local, task, "0:5", K::FieldExists).new_val == 1);
    CHECK(resolve(local, task, "0:0", K::FieldSigned).new_val == 1);
    CHECK(resolve(local, task, "0:1", K::FieldSigned).new_val == 0);

    auto lshift = resolve(local, task, "0:2", K::FieldLshiftU64);
    CHECK(lshift.orig_val == 63);
    CHECK(lshift.new_val == 55);  // bit 9544: bit 8 of the u32 at 1192
    CHECK_FALSE(lshift.validate);  // bitfield offsets are clang's choice: not held against it
    auto rshift = resolve(local, task, "0:2", K::FieldRshiftU64);
    CHECK(rshift.new_val == 63);
    CHECK(rshift.validate);
    CHECK(resolve(local, task, "0:2", K::FieldByteOffset).new_val == 1192);
    CHECK(resolve(local, task, "0:3", K::FieldLshiftU64).new_val == 63);  // bit 9504: bit 0 of the u32 at 1188

    auto missing = resolve(local, task, "0:6", K::FieldExists);
    CHECK(missing.orig_val == 1);
    CHECK(missing.new_val == 0);
    CHECK_FALSE(missing.poison);
    auto poisoned = resolve(local, task, "0:6", K::FieldByteOffset);
    CHECK(poisoned.poison);
    CHECK(poisoned.poison_reason.find("no field of the emulated kernel's BTF matches") != std::string::npos);
    CHECK(poisoned.poison_reason.find("task_struct___local.not_in_kernel") != std::string::npos);

    auto local_id = resolve(local, task, "0", K::TypeIdLocal);
    CHECK(local_id.new_val == task);
    CHECK_FALSE(local_id.validate);
    auto target_id = resolve(local, task, "0", K::TypeIdTarget);
    CHECK(target_id.new_val == id_of(kernel, "task_struct", BtfKind::Struct));
    CHECK_FALSE(target_id.validate);
    CHECK(resolve(local, task, "0", K::TypeExists).new_val == 1);
    CHECK(resolve(local, task, "0", K::TypeSize).new_val == 3264);

    // TYPE_MATCHES (simplified bpf_core_types_match): pt_regs___mine's di and si are unsigned
    // longs in the kernel too; task_struct___local has a u64 flags and a field the kernel lacks.
    CHECK(resolve(local, regs, "0", K::TypeMatches).new_val == 1);
    CHECK(resolve(local, task, "0", K::TypeMatches).new_val == 0);
    CHECK(resolve(local, regs, "0:1", K::FieldByteOffset).new_val == 13 * 8);

    // Not a kernel type: resolved against the object's own BTF, i.e. what clang compiled in.
    auto own_size = resolve(local, own, "0", K::TypeSize);
    CHECK_FALSE(own_size.against_kernel);
    CHECK(own_size.orig_val == 16);
    CHECK(own_size.new_val == 16);
    CHECK(resolve(local, own, "0", K::TypeMatches).new_val == 1);
    CHECK(resolve(local, own, "0:1:3", K::FieldByteOffset).new_val == 7);

    // pid_type___local: 0 PIDTYPE_SID___local = 10, 1 PIDTYPE_GONE = 7.
    auto sid = resolve(local, pids, "0", K::EnumvalValue);
    CHECK(sid.against_kernel);
    CHECK(sid.orig_val == 10);
    CHECK(sid.new_val == 3);
    CHECK(resolve(local, pids, "0", K::EnumvalExists).new_val == 1);
    CHECK(resolve(local, pids, "1", K::EnumvalExists).new_val == 0);
    auto gone = resolve(local, pids, "1", K::EnumvalValue);
    CHECK(gone.poison);
    CHECK(gone.poison_reason.find("no enumerator of the emulated kernel's BTF matches") != std::string::npos);

    // Malformed relocations are load errors, not poison.
    BtfCoreRelo bad;
    bad.type_id = task;
    bad.access = "0:9";
    bad.kind = K::FieldByteOffset;
    auto e = resolve_core_relo(local, bad, kernel);
    REQUIRE_FALSE(e);
    CHECK(e.error().what.find("selects member 9 of struct task_struct___local, which has 7") != std::string::npos);
    bad.access = "0:0";
    bad.kind = K::TypeSize;
    CHECK_FALSE(resolve_core_relo(local, bad, kernel));  // type-based: the access must be "0"
}

TEST_CASE("loading core_kinds: patched, resized and poisoned instructions") {
    auto obj = load(fixture_bytes("core_kinds"), "core_kinds.o");
    REQUIRE_MESSAGE(obj, (obj ? "" : obj.error().to_string()));
    const LoadedProgram* p = obj->find_program("core_kinds");
    REQUIRE(p);
    const std::vector<Insn>& in = p->insns;
    REQUIRE(in.size() == 95);
    CHECK(in[2].imm == 1264);   // r9 = offsetof(pid): 0 -> 1264
    CHECK(in[16].imm == 55);  // lshift_u64
    CHECK(in[24].imm == int32_t(id_of(*obj->btf, "task_struct___local", BtfKind::Struct)));  // lddw local id
    CHECK(in[27].imm == int32_t(id_of(builtin_target_btf(), "task_struct", BtfKind::Struct)));
    CHECK(in[41].imm == 3);   // lddw enum value PIDTYPE_SID
    CHECK(in[53].opcode == (op::kLdx | op::kMem | op::kW));  // t->pid
    CHECK(in[53].off == 1264);
    CHECK(in[57].opcode == (op::kLdx | op::kMem | op::kW));  // t->flags: ldxdw narrowed to ldxw
    CHECK(in[57].off == 44);
    CHECK(in[76].imm == 0);   // bpf_core_field_exists(t->not_in_kernel)
    // Poisoned: the offset of not_in_kernel, and both halves of the lddw of PIDTYPE_GONE.
    for (uint32_t at : {78u, 88u, 89u}) {
        CAPTURE(at);
        CHECK(in[at].opcode == (op::kJmp | op::kCall));
        CHECK(in[at].imm == kCorePoisonHelperId);
        CHECK(in[at].imm == 0xbad2310);
    }
    int notes = 0;
    for (const std::string& n : obj->notes)
        if (n.find("failed to resolve CO-RE relocation") != std::string::npos) ++notes;
    CHECK(notes == 3);  // 78 and 88 in core_kinds, 1 in core_poisoned
    bool named = false;
    for (const std::string& n : obj->notes)
        named |= n.find("CO-RE relocation at insn 78 (function \"core_kinds\", byte_off of [") != std::string::npos &&
                 n.find("access \"0:6\")") != std::string::npos && n.find("call 0xbad2310") != std::string::npos;
    CHECK(named);
    // The decoded program binds the poisoned call to the helper that faults.
    REQUIRE(p->program.insns.size() == 95);
    CHECK(p->program.insns[78].op == Op::CallHelper);
    CHECK(p->program.helpers[p->program.insns[78].target].id == kCorePoisonHelperId);
}
