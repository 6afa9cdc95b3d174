// Externs: typed __ksym per-CPU kernel variables the emulated kernel has (kernel_percpu.hpp)
// resolve to their handle, typeless ones to the emulated kallsyms' address, __kconfig ones to
// the .kconfig map; others are refused as libbpf refuses them.
#include <doctest/doctest.h>

#include "core/host/host.hpp"
#include "core/host/kernel_objects.hpp"
#include "core/host/kernel_percpu.hpp"
#include "loader/elf_mutator.hpp"
#include "loader/loader_test_util.hpp"

using namespace bpfplay;
using namespace bpfplay::test;

TEST_CASE("a typed __ksym per-CPU variable becomes an lddw of its handle") {
    auto obj = load_example("xdp_cpu_number");
    REQUIRE_MESSAGE(obj, (obj ? "" : obj.error().to_string()));
    const PercpuVar* v = find_percpu_var("cpu_number");
    REQUIRE(v != nullptr);
    const uint64_t handle = percpu_handle(*v);
    CHECK(handle == 0x700000000ull);
    int lddws = 0;
    const std::vector<Insn>& insns = obj->programs[0].insns;
    for (size_t i = 0; i + 1 < insns.size(); ++i)
        if (insns[i].opcode == 0x18 && insns[i].src == 0 &&
            (uint64_t(uint32_t(insns[i].imm)) | uint64_t(uint32_t(insns[i + 1].imm)) << 32) == handle)
            ++lddws;
    CHECK(lddws >= 2); // this_cpu_ptr's and per_cpu_ptr's
}

TEST_CASE("a __ksym the emulated kernel does not have is refused with libbpf's words") {
    auto obj = load(fixture_bytes("ksym_unknown"), "ksym_unknown.o");
    REQUIRE_FALSE(obj);
    CHECK(obj.error().what.find(
              "the emulated kernel has no variable \"no_such_percpu_var\" (libbpf: \"extern (var "
              "ksym) 'no_such_percpu_var': not found in kernel BTF\")") != std::string::npos);
    CHECK(obj.error().hint == "bpfplay's kernel has these per-CPU variables: cpu_number.");
}

TEST_CASE("a __ksym declared with another type than the kernel's is refused") {
    auto obj = load(fixture_bytes("ksym_badtype"), "ksym_badtype.o");
    REQUIRE_FALSE(obj);
    CHECK(obj.error().what.find(
              "\"cpu_number\" is declared as const long, but the kernel's is int (libbpf: \"extern "
              "(var ksym) 'cpu_number': incompatible types\")") != std::string::npos);
    CHECK(obj.error().hint == "Declare it as: extern const int cpu_number __ksym;");
}

// --- typeless __ksym and __kconfig externs (examples/kconfig_ksym.c) ---------------------------

namespace {

Result<LoadedObject> load_kconfig(const std::vector<uint8_t>& bytes, const std::map<std::string, std::string>& kconfig) {
    LoadOptions options;
    options.object_name = "kconfig_ksym.o";
    options.helpers = &all_helpers();
    options.kconfig = &kconfig;
    return load_object(bytes, options);
}

// The kconfig with some entries changed (an empty value: the entry removed).
std::map<std::string, std::string> kconfig_with(std::map<std::string, std::string> changes) {
    std::map<std::string, std::string> k = default_kconfig();
    for (auto& [name, value] : changes) {
        if (value.empty()) k.erase(name);
        else k[name] = value;
    }
    return k;
}

std::vector<uint8_t> kconfig_map_bytes(const LoadedObject& obj) {
    for (uint32_t id = 0; id < obj.maps->size(); ++id)
        if (obj.map_info[id].elf_section == ".kconfig") return obj.maps->get(id)->entries().at(0).values.at(0);
    FAIL("no .kconfig map");
    return {};
}

std::string load_failure(const std::map<std::string, std::string>& kconfig) {
    auto obj = load_kconfig(example_bytes("kconfig_ksym"), kconfig);
    REQUIRE_FALSE(obj);
    CHECK(obj.error().where.section == ".kconfig");
    const std::string prefix = "section \".kconfig\": ";
    CHECK(obj.error().what.starts_with(prefix));
    return obj.error().what.substr(prefix.size());
}

}  // namespace

TEST_CASE("__kconfig externs: one read-only, frozen .kconfig map laid out as libbpf lays it out") {
    auto obj = load_example("kconfig_ksym");
    REQUIRE_MESSAGE(obj, (obj ? "" : obj.error().to_string()));
    REQUIRE(obj->maps->size() == 2);
    const LoadedMapInfo& info = obj->map_info[1];
    CHECK(info.elf_section == ".kconfig");
    CHECK(info.spec.name == "kconfig.kconfig");  // libbpf's internal_map_name
    CHECK(info.spec.value_size == 34);
    CHECK(info.spec.map_flags == (map_flag::kRdonlyProg | map_flag::kMmapable));  // 0x480, as libbpf sets
    CHECK(obj->maps->get(1)->frozen());
    // Alignment 4 first, by name: BPF_PRELOAD_UMD (m = TRI_MODULE), HZ, NO_SUCH_OPTION (weak,
    // absent: 0), LINUX_KERNEL_VERSION (6.18.0); then the 1-byte ones: BPF_SYSCALL,
    // LINUX_HAS_BPF_COOKIE; then the 16-byte string. libbpf 1.1.2 gives the same bytes for
    // this object (with 6.18.2's version at 12).
    const std::vector<uint8_t> expected = {2, 0, 0, 0, 250, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x12, 0x06, 0x00, 1, 1,
                                           '(', 'n', 'o', 'n', 'e', ')', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    CHECK(kconfig_map_bytes(*obj) == expected);
    // The DATASEC now says where each extern is.
    const auto sec = obj->btf->datasec(".kconfig");
    REQUIRE(sec);
    CHECK(sec->size == 34);
    bool noted = false;
    for (const std::string& n : obj->notes) noted |= n == "extern 'CONFIG_NO_SUCH_OPTION' (weak): not resolved, defaulting to zero";
    CHECK(noted);
    // Each load of an extern reads the map: lddw src 2 (map value), imm = map 1, offset in the next imm.
    int kconfig_lddws = 0;
    const std::vector<Insn>& insns = obj->programs[0].insns;
    for (size_t i = 0; i + 1 < insns.size(); ++i)
        if (insns[i].opcode == 0x18 && insns[i].src == 2 && insns[i].imm == 1) {
            ++kconfig_lddws;
            CHECK(insns[i + 1].imm >= 0);
            CHECK(insns[i + 1].imm < 34);
        }
    CHECK(kconfig_lddws == 9);  // 7 externs; LINUX_KERNEL_VERSION and CONFIG_HZ loaded twice
}

TEST_CASE("__kconfig values come from the kconfig given (the host's), of the kind each type takes") {
    auto obj = load_kconfig(example_bytes("kconfig_ksym"),
                            kconfig_with({{"CONFIG_HZ", "0x3e8"}, {"CONFIG_BPF_PRELOAD_UMD", "y"},
                                          {"CONFIG_BPF_SYSCALL", "n"}, {"LINUX_HAS_BPF_COOKIE", "n"},
                                          {"LINUX_KERNEL_VERSION", "330496"},  // 5.11.0
                                          {"CONFIG_NO_SUCH_OPTION", "7"},
                                          {"CONFIG_DEFAULT_HOSTNAME", "\"a-very-long-host-name\""}}));
    REQUIRE_MESSAGE(obj, (obj ? "" : obj.error().to_string()));
    const std::vector<uint8_t> expected = {1, 0, 0, 0, 0xe8, 3, 0, 0, 7, 0, 0, 0, 0x00, 0x0b, 0x05, 0x00, 0, 0,
                                           'a', '-', 'v', 'e', 'r', 'y', '-', 'l', 'o', 'n', 'g', '-', 'h', 'o', 's', 0};
    CHECK(kconfig_map_bytes(*obj) == expected);
    bool truncated = false;
    for (const std::string& n : obj->notes)
        truncated |= n == "extern (kcfg) 'CONFIG_DEFAULT_HOSTNAME': long string '\"a-very-long-host-name\"' of (21 bytes) "
                          "truncated to 15 bytes";
    CHECK(truncated);
}

TEST_CASE("__kconfig errors: libbpf's words, naming the extern and the host's entry") {
    CHECK(load_failure(kconfig_with({{"CONFIG_HZ", ""}})) == "-ESRCH: extern 'CONFIG_HZ' (strong): not resolved");
    CHECK(load_failure(kconfig_with({{"CONFIG_HZ", "\"fast\""}})) ==
          "extern (kcfg) 'CONFIG_HZ': value '\"fast\"' implies char array type (the host's kconfig has "
          "CONFIG_HZ=\"fast\")");
    CHECK(load_failure(kconfig_with({{"CONFIG_HZ", "fast"}})) ==
          "extern (kcfg) 'CONFIG_HZ': value 'fast' isn't a valid integer (the host's kconfig has CONFIG_HZ=fast)");
    CHECK(load_failure(kconfig_with({{"CONFIG_HZ", "4294967296"}})) ==
          "-ERANGE: extern (kcfg) 'CONFIG_HZ': value '4294967296' doesn't fit in 4 bytes (the host's kconfig has "
          "CONFIG_HZ=4294967296)");
    CHECK(load_failure(kconfig_with({{"CONFIG_BPF_SYSCALL", "m"}})) ==
          "extern (kcfg) 'CONFIG_BPF_SYSCALL': value 'm' implies tristate or char type (the host's kconfig has "
          "CONFIG_BPF_SYSCALL=m)");
    CHECK(load_failure(kconfig_with({{"CONFIG_BPF_SYSCALL", "1"}})) ==
          "extern (kcfg) 'CONFIG_BPF_SYSCALL': value '1' implies integer type (the host's kconfig has "
          "CONFIG_BPF_SYSCALL=1)");
    CHECK(load_failure(kconfig_with({{"CONFIG_DEFAULT_HOSTNAME", "y"}})) ==
          "extern (kcfg) 'CONFIG_DEFAULT_HOSTNAME': value 'y' implies bool, tristate, or char type (the host's "
          "kconfig has CONFIG_DEFAULT_HOSTNAME=y)");
    CHECK(load_failure(kconfig_with({{"CONFIG_DEFAULT_HOSTNAME", "\"unterminated"}})) ==
          "extern (kcfg) 'CONFIG_DEFAULT_HOSTNAME': invalid string config '\"unterminated' (the host's kconfig has "
          "CONFIG_DEFAULT_HOSTNAME=\"unterminated)");
    CHECK(load_failure(kconfig_with({{"LINUX_KERNEL_VERSION", ""}})) ==
          "extern (kcfg) 'LINUX_KERNEL_VERSION': failed to get kernel version");
    // A strong extern the kconfig lacks: the weak one made global.
    ElfMutator m(example_bytes("kconfig_ksym"));
    m.edit_symbol("CONFIG_NO_SUCH_OPTION", [](Elf64_Sym& s) { s.st_info = ELF64_ST_INFO(STB_GLOBAL, STT_NOTYPE); });
    auto strong = load_kconfig(m.b, default_kconfig());
    REQUIRE_FALSE(strong);
    CHECK(strong.error().what == "section \".kconfig\": -ESRCH: extern 'CONFIG_NO_SUCH_OPTION' (strong): not resolved");
    CHECK(strong.error().hint.find("declare the extern __weak") != std::string::npos);
}

TEST_CASE("typeless __ksym: the emulated kallsyms' address; a weak missing one is 0, a strong one fails") {
    auto obj = load_example("kconfig_ksym");
    REQUIRE(obj);
    auto lddw_of = [&](uint64_t value) {
        int n = 0;
        const std::vector<Insn>& insns = obj->programs[0].insns;
        for (size_t i = 0; i + 1 < insns.size(); ++i)
            n += insns[i].opcode == 0x18 && insns[i].src == 0 &&
                 (uint64_t(uint32_t(insns[i].imm)) | uint64_t(uint32_t(insns[i + 1].imm)) << 32) == value;
        return n;
    };
    REQUIRE(kernel_symbol_address("init_task"));
    CHECK(*kernel_symbol_address("init_task") == task_address(2));
    CHECK(lddw_of(task_address(2)) == 1);
    CHECK(lddw_of(0) == 1);  // no_such_kernel_symbol (weak)
    ElfMutator m(example_bytes("kconfig_ksym"));
    m.edit_symbol("no_such_kernel_symbol", [](Elf64_Sym& s) { s.st_info = ELF64_ST_INFO(STB_GLOBAL, STT_NOTYPE); });
    auto strong = load(m.b, "kconfig_ksym.o");
    REQUIRE_FALSE(strong);
    CHECK(strong.error().what.find("the emulated kernel's kallsyms has no symbol \"no_such_kernel_symbol\" (libbpf: "
                                   "\"extern 'no_such_kernel_symbol' (strong): not resolved\")") != std::string::npos);
}

TEST_CASE("a kfunc call refuses its program alone, naming the kfunc; the call is BPF_PSEUDO_KFUNC_CALL") {
    auto obj = load(fixture_bytes("kfunc_call"), "kfunc_call.o");
    REQUIRE_MESSAGE(obj, (obj ? "" : obj.error().to_string()));
    REQUIRE(obj->programs.size() == 2);
    const LoadedProgram* uses = obj->find_program("uses_kfunc");
    const LoadedProgram* plain = obj->find_program("plain");
    REQUIRE(uses);
    REQUIRE(plain);
    CHECK_FALSE(plain->load_error);
    REQUIRE(uses->load_error);
    // Loaded without a kfunc registry: no kfunc is available (object sessions load with
    // kernel_kfunc_registry(); tests/run/kfunc_test.cpp).
    CHECK(uses->load_error->what == "kfunc bpf_task_acquire is not available here.");
    CHECK(uses->load_error->kind == ErrorKind::Helper);
    REQUIRE(uses->load_error->where.pc);
    const Insn& call = uses->insns.at(*uses->load_error->where.pc);
    CHECK(call.opcode == 0x85);
    CHECK(call.src == 2);  // BPF_PSEUDO_KFUNC_CALL
    REQUIRE(obj->btf);
    CHECK(obj->btf->name(uint32_t(call.imm)) == "bpf_task_acquire");
    CHECK(obj->btf->kind(uint32_t(call.imm)) == BtfKind::Func);
}
