// The translator: block structure, refusals, every conformance program's module validated by
// wasm-validate, and (with node) run natively against the interpreter: r0, memory, the budget
// used and where the interpreter takes over.
#include <doctest/doctest.h>

#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "conformance/data_file.hpp"
#include "core/decode.hpp"
#include "core/fastrun/translate.hpp"
#include "core/helpers/plugin_helpers.hpp"
#include "core/helpers/registry.hpp"
#include "core/text/asm.hpp"
#include "core/vm.hpp"
#include "fastrun/wasm_tools.hpp"

namespace bpfplay {
namespace {

Program decode_text(const std::string& text, const HelperRegistry& helpers) {
    auto insns = assemble(text);
    REQUIRE_MESSAGE(insns.ok(), insns.error().to_string());
    DecodeOptions options;
    options.helpers = &helpers;
    options.entry_regs = (1u << 1) | (1u << 2) | (1u << 10);
    auto prog = decode(*insns, options);
    REQUIRE_MESSAGE(prog.ok(), prog.error().to_string());
    return std::move(*prog);
}

HelperRegistry plugin_registry() {
    HelperRegistry h;
    add_plugin_helpers(h);
    return h;
}

TEST_CASE("fastrun translate: blocks start at 0, at jump targets and after jumps and hand-overs") {
    const HelperRegistry helpers = plugin_registry();
    const Program p = decode_text("r0 = 0\nr1 = 10\nr0 += r1\nr1 -= 1\nif r1 != 0 goto -3\nexit\n", helpers);
    auto m = translate_to_wasm(p);
    REQUIRE(m.ok());
    CHECK(m->block_starts == std::vector<uint32_t>{0, 2, 5});
    CHECK(m->block_of_pc == std::vector<int32_t>{0, -1, 1, -1, -1, 2});
    CHECK(m->entry_charge == std::vector<uint32_t>{0, 0, 0});
    CHECK(m->translated == 6);
    CHECK(m->taken_over == 0);  // the exit is the module's: it hands over only in frame 0
    if (fastrun_test::have_tool("wasm-validate")) CHECK(fastrun_test::wasm_validate("loop.wasm", m->bytes) == "");

    // lddw fills two slots and is one instruction.
    const Program q = decode_text("r2 = 0x100000000 ll\nr0 = r2\nexit\n", helpers);
    auto mq = translate_to_wasm(q);
    REQUIRE(mq.ok());
    CHECK(mq->block_starts == std::vector<uint32_t>{0});
    CHECK(mq->block_of_pc == std::vector<int32_t>{0, -1, -1, -1});
    CHECK(mq->translated == 3);

    // A local call ends its block; its target and its return point start blocks; a helper
    // call is the interpreter's and ends its block too.
    const Program r = decode_text("call f\nr0 += 1\ncall no_op#2\nexit\nf:\nr0 = 7\nexit\n", helpers);
    auto mr = translate_to_wasm(r);
    REQUIRE(mr.ok());
    CHECK(mr->block_starts == std::vector<uint32_t>{0, 1, 3, 4});
    CHECK(mr->translated == 5);

    // After a load or store, a resume point: entered there, the runner charges the rest of
    // the checked block (here the add and the exit).
    const Program a = decode_text("r0 = *(u32 *)(r1 + 0)\nr0 += 1\n*(u8 *)(r10 - 1) = 3\nexit\n", helpers);
    auto ma = translate_to_wasm(a);
    REQUIRE(ma.ok());
    CHECK(ma->block_starts == std::vector<uint32_t>{0, 1, 3});
    CHECK(ma->entry_charge == std::vector<uint32_t>{0, 3, 1});
    CHECK(mr->taken_over == 1);
}

TEST_CASE("fastrun translate: the ops the interpreter always takes over") {
    CHECK(fastrun_takes_over(Op::CallHelper));
    CHECK(fastrun_takes_over(Op::Callx));
    CHECK(!fastrun_takes_over(Op::CallLocal));
    CHECK(!fastrun_takes_over(Op::Exit));
    CHECK(!fastrun_takes_over(Op::AtomicFetchAdd64));
    CHECK(!fastrun_takes_over(Op::Cmpxchg32));
    CHECK(fastrun_takes_over(Op::LdIndW));
    CHECK(!fastrun_takes_over(Op::Ldxdw));
    CHECK(!fastrun_takes_over(Op::Stxb));
    CHECK(!fastrun_takes_over(Op::Sdiv64Reg));
    CHECK(!fastrun_takes_over(Op::Bswap64));
    CHECK(!fastrun_takes_over(Op::Jset32Reg));
}

TEST_CASE("fastrun translate: a program that needs the checked interpreter is refused") {
    const HelperRegistry helpers = plugin_registry();
    // r3 is written on one path only, then read.
    const Program p = decode_text("if r1 == 0 goto +1\nr3 = 1\nr0 = r3\nexit\n", helpers);
    REQUIRE(p.needs_init_checks);
    auto m = translate_to_wasm(p);
    REQUIRE(!m.ok());
    CHECK(m.error().kind == ErrorKind::Runtime);
    CHECK(m.error().what ==
          "the fast run cannot run this program: some instruction may read a register that is unwritten on some "
          "path, which only the interpreter's checked variant detects");
}

TEST_CASE("fastrun translate: a program with more blocks than a dispatch table may have is refused") {
    const HelperRegistry helpers = plugin_registry();
    // Each conditional jump is a block of its own (the instruction after a jump starts one).
    std::string text;
    for (uint32_t i = 0; i + 1 < kFastRunMaxBlocks; ++i) text += "if r1 == 7 goto +0\n";
    text += "r0 = 0\nexit\n";
    auto ok = translate_to_wasm(decode_text(text, helpers));
    REQUIRE(ok.ok());
    CHECK(ok->block_starts.size() == kFastRunMaxBlocks);
    text.insert(0, "if r1 == 7 goto +0\n");
    auto refused = translate_to_wasm(decode_text(text, helpers));
    REQUIRE(!refused.ok());
    CHECK(refused.error().what ==
          "the fast run cannot run this program: it has more than 65520 blocks, the most a WebAssembly engine's "
          "dispatch table may have");
}

// ---- the conformance programs, natively under node ----

std::string hex_of(std::span<const uint8_t> b) { return conformance::to_hex(b); }

struct NativeCase {
    std::string name;
    Program prog;
    FastModule module;
    std::vector<uint8_t> input;
};

// A node script that runs each module once from block 0 with the interpreter's starting
// state (registers, budget, every plain region copied into linear memory) and prints, per
// case, the instruction where the interpreter would take over, r0, the budget left and the
// regions' bytes afterwards.
std::string node_script(const std::vector<NativeCase>& cases, uint64_t budget) {
    std::ostringstream js;
    js << "const cases = [\n";
    for (const NativeCase& c : cases) {
        Vm vm(c.prog);
        std::vector<uint8_t> input = c.input;
        vm.set_raw_input(input);
        js << "{name:'" << c.name << "',wasm:'" << hex_of(c.module.bytes) << "',regs:[";
        for (uint64_t r : vm.regs()) js << r << "n,";
        js << "],regions:[";
        for (uint32_t w = 0; w < window::kCount; ++w) {
            const Region& r = vm.memory().region(w);
            if (!r.host || r.chunks) continue;
            js << "{w:" << w << ",read:" << ((r.perm & kRead) ? r.size : 0)
               << ",write:" << ((r.perm & kWrite) ? r.size : 0) << ",bytes:'"
               << hex_of(std::span<const uint8_t>(r.host, r.size)) << "'},";
        }
        js << "]},\n";
    }
    js << "];\nconst budget = " << budget << "n;\n";
    js << "const L = {left: " << fastrun_layout::kLeft << ", callsOk: " << fastrun_layout::kCallsOk
       << ", table: " << fastrun_layout::kTable << ", entry: " << fastrun_layout::kEntryBytes << "};\n";
    js << R"JS(
const mem = new WebAssembly.Memory({initial: 4});
const hex = s => Uint8Array.from(s.match(/../g) || [], h => parseInt(h, 16));
const tohex = b => Array.from(b, x => x.toString(16).padStart(2, '0')).join('');
for (const c of cases) {
  const u8 = new Uint8Array(mem.buffer);
  u8.fill(0);
  const dv = new DataView(mem.buffer);
  c.regs.forEach((r, i) => dv.setBigUint64(8 * i, r, true));
  dv.setBigUint64(L.left, budget, true);
  dv.setUint32(L.callsOk, 1, true);
  let at = 4096;
  for (const r of c.regions) {
    r.at = at;
    u8.set(hex(r.bytes), at);
    const e = L.table + L.entry * r.w;
    dv.setUint32(e, at, true); dv.setUint32(e + 4, r.read, true); dv.setUint32(e + 8, r.write, true);
    at += r.bytes.length / 2 + 16;
  }
  const inst = new WebAssembly.Instance(new WebAssembly.Module(hex(c.wasm)), {env: {memory: mem}});
  const pc = inst.exports.run(0, 0) >>> 0;
  const out = c.regions.map(r => r.w + ':' + tohex(u8.subarray(r.at, r.at + r.bytes.length / 2))).join(',');
  console.log([c.name, pc, dv.getBigUint64(0, true), dv.getBigUint64(L.left, true), out].join(' '));
}
)JS";
    return js.str();
}

TEST_CASE("fastrun translate: every conformance program, validated and run natively against the interpreter") {
    const HelperRegistry helpers = plugin_registry();
    std::vector<NativeCase> cases;
    size_t refused = 0, unassembled = 0;
    for (const auto& path : conformance::list_data_files(conformance::default_data_dir())) {
        auto f = conformance::load_data_file(path);
        REQUIRE(f.ok());
        auto insns = assemble(f->asm_text);
        if (!insns) {
            ++unassembled;
            continue;
        }
        DecodeOptions options;
        options.helpers = &helpers;
        options.entry_regs = (1u << 1) | (1u << 2) | (1u << 10);
        auto prog = decode(*insns, options);
        if (!prog) continue;  // refused at decode: nothing runs
        auto m = translate_to_wasm(*prog);
        if (!m) {
            ++refused;
            CHECK_MESSAGE(prog->needs_init_checks, f->name << ": " << m.error().to_string());
            continue;
        }
        cases.push_back({f->name, std::move(*prog), std::move(*m), f->memory});
    }
    CHECK(unassembled == 0);
    CHECK(cases.size() >= 400);
    MESSAGE(cases.size() << " conformance programs translated, " << refused << " refused");

    if (fastrun_test::have_tool("wasm-validate")) {
        for (const NativeCase& c : cases)
            CHECK_MESSAGE(fastrun_test::wasm_validate("conformance.wasm", c.module.bytes) == "", c.name);
    } else {
        MESSAGE("wasm-validate not found (tools/install-deps.sh installs wabt): modules not validated");
    }

    if (!fastrun_test::have_tool("node")) {
        MESSAGE("node not found: the modules were not run");
        return;
    }
    constexpr uint64_t kBudget = 100000;
    std::map<std::string, std::string> lines;
    {
        std::istringstream out(fastrun_test::run_node("conformance", node_script(cases, kBudget)));
        std::string line;
        while (std::getline(out, line)) lines[line.substr(0, line.find(' '))] = line;
    }
    size_t to_exit = 0, to_fault = 0, to_other = 0;
    for (NativeCase& c : cases) {
        INFO(c.name);
        REQUIRE_MESSAGE(lines.count(c.name), "node printed nothing for it");
        std::istringstream in(lines[c.name]);
        std::string name, regions;
        uint64_t pc = 0, r0 = 0, left = 0;
        in >> name >> pc >> r0 >> left >> regions;
        REQUIRE(pc < c.prog.insns.size());
        const Op op = c.prog.insns[pc].op;
        const bool hand_over_point = c.module.block_of_pc[pc] >= 0 || fastrun_takes_over(op) || op == Op::Exit ||
                                     op == Op::CallLocal || (op >= Op::Ldxb && op <= Op::Cmpxchg64);
        CHECK(hand_over_point);

        // The interpreter alone, for the reference.
        Vm vm(c.prog);
        std::vector<uint8_t> input = c.input;
        vm.set_raw_input(input);
        vm.set_budget(kBudget);
        const RunStatus st = vm.run();
        if (c.prog.insns[pc].op == Op::Exit) {
            // Handed over at the exit of frame 0: the interpreter's run ends on that exit with
            // the same r0, memory and count.
            ++to_exit;
            CHECK(st == RunStatus::Exited);
            CHECK(vm.pc() == pc);
            CHECK(r0 == vm.result());
            CHECK(kBudget - left + 1 == vm.executed());
            std::string expected;
            for (uint32_t w = 0; w < window::kCount; ++w) {
                const Region& r = vm.memory().region(w);
                if (!r.host || r.chunks) continue;
                expected += (expected.empty() ? "" : ",") + std::to_string(w) + ":" +
                            hex_of(std::span<const uint8_t>(r.host, r.size));
            }
            CHECK(regions == expected);
        } else if (st == RunStatus::Faulted && vm.pc() == pc) {
            ++to_fault;  // handed over at the faulting access: the interpreter reports it
        } else {
            ++to_other;  // a helper call, LD_ABS, a local call's limit: the wasm build's runner goes on
        }
    }
    MESSAGE(to_exit << " ran natively to their exit, " << to_fault << " to their fault, " << to_other
                    << " to another hand-over");
    CHECK(to_exit >= 300);
}

}  // namespace
}  // namespace bpfplay
