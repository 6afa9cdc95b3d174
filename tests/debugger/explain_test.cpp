// Explanations of instructions and helpers (core/debugger/explain.hpp): every opcode the
// decoder accepts and every helper of the catalog has one, and a few read exactly as a
// learner should see them, with the values of a real run.
#include <doctest/doctest.h>

#include <array>
#include <iterator>
#include <string>
#include <vector>

#include "core/debugger/debug_json.hpp"
#include "core/debugger/explain.hpp"
#include "core/decode.hpp"
#include "core/decode_ops.hpp"
#include "core/helpers/helper_catalog.hpp"
#include "core/json/json_writer.hpp"
#include "core/text/asm.hpp"
#include "core/vm.hpp"
#include "debugger/debug_fixture.hpp"

namespace bpfplay::testing {

namespace {

std::vector<Insn> code(std::string_view text) {
    auto insns = assemble(text);
    REQUIRE_MESSAGE(insns.ok(), (insns.ok() ? "" : insns.error().to_string()));
    return *insns;
}

// Registers as given, no pointers: every value reads as a number.
ExplainValues plain_values(std::initializer_list<std::pair<int, uint64_t>> regs) {
    ExplainValues v;
    for (auto [r, x] : regs) v.regs[size_t(r)] = x;
    return v;
}

Debugged stopped_at(const char* label, uint32_t pc) {
    Debugged d = open_case(find_case(label));
    REQUIRE_MESSAGE(d.session, d.error);
    REQUIRE(d.session->add_breakpoint(pc).ok());
    if (pc != 0) d.session->cont();
    REQUIRE(d.session->pc() == pc);
    return d;
}

// r1 = d, r2 = s (lddw), the instruction under test on r1 (and r2), r0 = r1, exit.
std::vector<Insn> alu_probe(Insn op, uint64_t d, uint64_t s) {
    const auto lddw = [](uint8_t reg, uint64_t v) {
        return std::array{Insn{0x18, reg, 0, 0, int32_t(uint32_t(v))}, Insn{0, 0, 0, 0, int32_t(uint32_t(v >> 32))}};
    };
    std::vector<Insn> out;
    for (const Insn& i : lddw(1, d)) out.push_back(i);
    for (const Insn& i : lddw(2, s)) out.push_back(i);
    out.push_back(op);
    out.push_back(Insn{0xbf, 0, 1, 0, 0});  // r0 = r1
    out.push_back(Insn{0x95, 0, 0, 0, 0});  // exit
    return out;
}

}  // namespace

TEST_CASE("explain: every ALU result it announces is the interpreter's (the two compute it separately)") {
    // explain_insn says "becomes N" before the instruction runs, so it computes the result itself
    // (alu_result); here every ALU and byte-swap opcode, both sources, signed div/mod and movsx,
    // on edge values (0, -1, INT_MIN, shift amounts past the width), against the interpreter.
    const uint64_t values[] = {0, 1, 7, 31, 32, 63, uint64_t(-1), uint64_t(-7), 0x7fffffffull, 0x80000000ull,
                               0xffffffffull, 0x100000000ull, 0x8000000000000000ull, 0x7fffffffffffffffull};
    const int32_t imms[] = {0, 1, -1, 16, 31, 32, 63, 64, INT32_MIN};
    ExplainValues v;
    v.points_to = [](uint64_t x) { return "#" + std::to_string(x); };  // every value read back exactly
    DecodeOptions raw;
    raw.entry_regs = (1u << 1) | (1u << 2) | (1u << 10);
    size_t checked = 0;
    for (uint8_t cls : {uint8_t(0x04), uint8_t(0x07)}) {
        for (uint8_t code = 0x00; code <= 0xd0; code += 0x10) {
            for (uint8_t x : {uint8_t(0), uint8_t(0x08)}) {
                for (int16_t off : {0, 1, 8, 16, 32}) {
                    for (uint64_t d : values) {
                        for (size_t k = 0; k < (x ? std::size(values) : std::size(imms)); ++k) {
                            const uint64_t s = x ? values[k] : 0;
                            const Insn op{uint8_t(cls | code | x), 1, uint8_t(x ? 2 : 0), off, x ? 0 : imms[k]};
                            const std::vector<Insn> insns = alu_probe(op, d, s);
                            auto prog = decode(insns, raw);
                            if (!prog.ok()) continue;  // not an instruction (neg with a register, movsx 64 in alu32...)
                            Vm vm(*prog);
                            REQUIRE(vm.run() == RunStatus::Exited);
                            v.regs[1] = d;
                            v.regs[2] = s;
                            const InsnExplanation e = explain_insn(insns, 4, {}, &v);
                            const size_t at = e.values.rfind("becomes #");
                            REQUIRE_MESSAGE(at != std::string::npos, e.sentence());
                            const uint64_t announced = std::stoull(e.values.substr(at + 9));
                            INFO(e.sentence());
                            REQUIRE(announced == vm.result());
                            ++checked;
                        }
                    }
                }
            }
        }
    }
    CHECK(checked > 4000);
}

TEST_CASE("explain: every opcode the decoder accepts has an explanation") {
    // Field values that make each opcode valid somewhere: atomics' operations in imm, byte
    // swap widths, movsx widths and signed division in off, call and lddw pseudo sources.
    const int32_t imms[] = {0, 1, 16, 32, 64, 0x40, 0x41, 0x50, 0x51, 0xa0, 0xa1, 0xe1, 0xf1};
    const int16_t offs[] = {0, 1, 8, 16, 32};
    int valid = 0;
    for (int opcode = 0; opcode < 256; ++opcode)
        for (uint8_t src = 0; src <= 6; ++src)
            for (int16_t off : offs)
                for (int32_t imm : imms) {
                    const Insn a{uint8_t(opcode), uint8_t(opcode == 0x85 ? 0 : 1), src, off, imm};
                    const bool kfunc = opcode == 0x85 && src == 2 && off == 0;
                    if (!classify(a, true) && !kfunc) continue;
                    if (opcode == op::kLddw && off != 0) continue;  // decode() checks lddw's fields itself
                    ++valid;
                    const std::vector<Insn> insns{a, Insn{}, Insn{0x95, 0, 0, 0, 0}};
                    ExplainValues v = plain_values({{1, 7}, {2, 3}, {10, 0x1000}});
                    v.read = [](uint64_t, uint32_t) { return std::optional<uint64_t>(5); };
                    for (const ExplainValues* values : std::array<const ExplainValues*, 2>{nullptr, &v}) {
                        const InsnExplanation e = explain_insn(insns, 0, {}, values);
                        CAPTURE(e.text);
                        CHECK(e.valid);
                        CHECK(!e.cls.empty());
                        CHECK(e.summary.size() > 10);
                        CHECK(!e.text.starts_with("<"));  // the disassembler knows it too
                        // With values, everything but plain jumps, local calls and kfuncs says what they are now.
                        const uint8_t c = op::cls(a.opcode);
                        const bool jump = c == op::kJmp || c == op::kJmp32;
                        // (A helper's values are its arguments: none for some; the helper test covers them.)
                        const bool says_values = !jump || (op::code(a.opcode) != op::kJa && op::code(a.opcode) != op::kCall);
                        const bool legacy = c == op::kLd && a.opcode != op::kLddw;
                        if (values && says_values && a.opcode != op::kLddw && !legacy) CHECK(!e.values.empty());
                    }
                }
    CHECK(valid > 300);
}

TEST_CASE("explain: every helper of the catalog has its documentation and named arguments") {
    for (int32_t id = 1; id <= kHelperCount; ++id) {
        const HelperExplanation h = explain_helper(id);
        CAPTURE(id);
        CHECK(!h.name.empty());
        CHECK(h.summary.size() > 10);
        CHECK(!h.returns.empty());
        CHECK(h.description.find("**") == std::string::npos);
        CHECK(h.args.size() == helper_proto(id)->nargs);
        for (const HelperArgExplanation& a : h.args) {
            CHECK(!a.name.empty());
            CHECK(!a.kind.empty());
            CHECK(!a.meaning.empty());
        }
    }
    CHECK(explain_helper(9999).name.empty());
}

TEST_CASE("explain: ALU32 zero-extends, lock add, a taken JMP32 branch") {
    const auto alu32 = code("w1 += 3\nexit\n");
    const ExplainValues v = plain_values({{1, 0xffffffff00000005ull}});
    InsnExplanation e = explain_insn(alu32, 0, {}, &v);
    CHECK(e.cls == "alu32");
    CHECK(e.sentence() == "w1 += 3: add 3 to w1; r1 was 0xffffffff00000005, becomes 8");
    REQUIRE(e.details.size() == 1);
    CHECK(e.details[0] ==
          "32-bit operation: it uses the low 32 bits of its registers, and the upper 32 bits of r1 become 0 (zero extension)");

    const auto lock = code("lock *(u64 *)(r0 + 0) += r1\nexit\n");
    ExplainValues m = plain_values({{0, 0x2000}, {1, 3}});
    m.read = [](uint64_t address, uint32_t size) { return address == 0x2000 && size == 8 ? std::optional<uint64_t>(40) : std::nullopt; };
    e = explain_insn(lock, 0, {}, &m);
    CHECK(e.cls == "stx");
    CHECK(e.sentence() == "lock *(u64 *)(r0 + 0) += r1: atomically add r1 to the 8 bytes at r0; "
                          "r0 is 8192 (0x2000); it holds 40 (0x28), becomes 43 (0x2b)");

    const auto jmp32 = code("if w2 > 5 goto +1\nr0 = 0\nexit\n");
    const ExplainValues j = plain_values({{2, 0x100000007ull}});
    e = explain_insn(jmp32, 0, {}, &j);
    CHECK(e.cls == "jmp32");
    CHECK(e.sentence() == "if w2 > 5 goto +1: jump to instruction 2 if w2 is greater than 5 (unsigned); otherwise go on "
                          "to instruction 1; w2 is 7: taken, next is instruction 2");
    CHECK(e.details[0] == "32-bit comparison: only the low 32 bits of the registers count");
}

TEST_CASE("explain: a run's pointers, be16 and lddw map_value as the debugger sees them") {
    // xdp_drop_port.c on a TCP packet to port 8080: insn 0 loads data_end, insn 3 is r3 += 14 with r3 = data.
    Debugged d = stopped_at("xdp_drop_port/tcp4_to_blocked_port", 0);
    // Continue to `pc` and explain the instruction there, with the values before it runs.
    const auto run_to = [&](uint32_t pc) {
        REQUIRE(d.session->add_breakpoint(pc).ok());
        d.session->cont();
        auto at = explain_at(*d.session);
        REQUIRE(at);
        return at;
    };
    auto e = explain_at(*d.session);
    REQUIRE(e);
    CHECK(e->insn.sentence() == "r2 = *(u32 *)(r1 + 4): load 4 bytes from memory at r1+4 into r2, zero-extended to 64 "
                                "bits; r1+4 is ctx+4 (data_end); r2 becomes packet end (data_end, packet+54)");
    // A load from the context names the field with its struct and says what it holds.
    CHECK(e->insn.details == std::vector<std::string>{"the context field xdp_md.data_end: one past the packet's last byte (a "
                                                      "4-byte load gives the address): compare before reading"});
    e = run_to(3);
    CHECK(e->current);
    CHECK(e->insn.sentence() == "r3 += 14: add 14 to r3; r3 was packet+0, becomes packet+14");

    // 51-52: the address of the blocked port in .rodata; 54: the port to host order.
    e = run_to(51);
    CHECK(e->insn.cls == "ld");
    CHECK(e->insn.sentence() == "r2 = map_value(0, 0) ll: load the address of byte 0 of map xdp_drop.rodata's value into r2; "
                                "r2 becomes map xdp_drop.rodata+0");
    e = run_to(54);
    CHECK(e->insn.sentence() == "r1 = be16 r1: reverse the order of the low 2 bytes of r1 (host order to big-endian network "
                                "order, as htons/htonl do); r1 was 36895 (0x901f), becomes 8080 (0x1f90)");
    CHECK(e->insn.details == std::vector<std::string>{"the upper 48 bits of r1 become 0"});

    e = explain_at(*d.session, 52);
    REQUIRE(e);
    CHECK(e->insn.sentence() == "(second half of instruction 51): the upper 32 bits (0) of the 64-bit value the lddw at "
                                "instruction 51 loads; this slot never runs on its own");

    // Another instruction than the current one: words only.
    e = explain_at(*d.session, 3);
    REQUIRE(e);
    CHECK(!e->current);
    CHECK(e->insn.sentence() == "r3 += 14: add 14 to r3");
    CHECK(!explain_at(*d.session, 1000));
    CHECK(explain_json(*d.session, 1000).starts_with("{\"ok\":false,"));
}

TEST_CASE("explain: a helper call with its arguments now") {
    // atomics.c: insn 8 is bpf_map_lookup_elem(&shared, &zero).
    Debugged d = stopped_at("atomics/one_run", 8);
    auto e = explain_at(*d.session);
    REQUIRE(e);
    CHECK(e->insn.sentence() == "call 1: call the kernel helper bpf_map_lookup_elem (#1): Perform a lookup in map for an "
                                "entry associated to key; r1 = map shared, r2 = fp-4 (frame 0)");
    REQUIRE(e->helper);
    const HelperExplanation& h = *e->helper;
    CHECK(h.name == "bpf_map_lookup_elem");
    CHECK(h.summary == "Perform a lookup in map for an entry associated to key.");
    CHECK(h.returns == "Map value associated to key, or NULL if no entry was found.");
    REQUIRE(h.args.size() == 2);
    CHECK(h.args[0].name == "map");
    CHECK(h.args[0].type == "struct bpf_map *");
    CHECK(h.args[0].kind == "map");
    CHECK(h.args[0].value == "map shared");
    CHECK(h.args[1].name == "key");
    CHECK(h.args[1].kind == "map_key");
    CHECK(h.args[1].value == "fp-4 (frame 0): 00 00 00 00");
    CHECK(explain_text(*e) ==
          "8: call 1\n"
          "  Call the kernel helper bpf_map_lookup_elem (#1): Perform a lookup in map for an entry associated to key.\n"
          "  Its arguments are r1..r2.\n"
          "  Its result comes back in r0; r1-r5 are not kept across the call, r6-r9 are.\n"
          "  Now: r1 = map shared, r2 = fp-4 (frame 0).\n"
          "  void *bpf_map_lookup_elem(struct bpf_map *map, const void *key)\n"
          "    r1 map (map): the map (an lddw of the map loads its address) = map shared\n"
          "    r2 key (map_key): a pointer to a key: the map's key_size bytes = fp-4 (frame 0): 00 00 00 00\n"
          "  Returns: Map value associated to key, or NULL if no entry was found.\n");
    CHECK(explain_json(*d.session) ==
          R"x({"ok":true,"pc":8,"text":"call 1","class":"jmp","summary":"call the kernel helper bpf_map_lookup_elem (#1): )x"
          R"x(Perform a lookup in map for an entry associated to key","details":["its arguments are r1..r2","its result )x"
          R"x(comes back in r0; r1-r5 are not kept across the call, r6-r9 are"],"values":"r1 = map shared, r2 = fp-4 )x"
          R"x((frame 0)","valid":true,"helper_id":1,"current":true,"helper":{"id":1,"name":"bpf_map_lookup_elem",)x"
          R"x("signature":"void *bpf_map_lookup_elem(struct bpf_map *map, const void *key)","summary":"Perform a lookup )x"
          R"x(in map for an entry associated to key.","description":"Perform a lookup in map for an entry associated to )x"
          R"x(key.","returns":"Map value associated to key, or NULL if no entry was found.","ret_kind":"map_value",)x"
          R"x("gpl_only":false,"args":[{"reg":"r1","name":"map","type":"struct bpf_map *","kind":"map","meaning":"the )x"
          R"x(map (an lddw of the map loads its address)","value":"map shared"},{"reg":"r2","name":"key","type":)x"
          R"x("const void *","kind":"map_key","meaning":"a pointer to a key: the map's key_size bytes","value":"fp-4 )x"
          R"x((frame 0): 00 00 00 00"}]}})x");
}

// examples/kfunc_iter_num.c: a kfunc call is named by the object's BTF in the explainer and in
// the page's listing ("call kfunc(N) ; bpf_iter_num_new").
TEST_CASE("explain and the listing name a kfunc call, its declaration and flags") {
    Debugged d = open_case(find_case("kfunc_iter_num/sum_32_bytes"));
    REQUIRE_MESSAGE(d.session, d.error);
    const LoadedProgram& p = d.session->program();
    JsonWriter w;
    program_listing_to_json(w, p);
    const std::string listing = w.take();
    CHECK(listing.find(" ; bpf_iter_num_new\"") != std::string::npos);
    CHECK(listing.find(" ; bpf_iter_num_next\"") != std::string::npos);
    size_t call = 0;
    while (call < p.insns.size() && p.insns[call].src != 2) ++call;
    REQUIRE(call < p.insns.size());
    const InsnExplanation e = explain_insn(p.insns, call, explain_names(*d.session));
    CHECK(e.summary == "call the kernel function (kfunc) bpf_iter_num_new: int bpf_iter_num_new(struct "
                       "bpf_iter_num *it, int start, int end)");
    REQUIRE(e.details.size() == 2);
    CHECK(e.details[1] ==
          "its flags: KF_ITER_NEW; it is part of an open-coded iterator (new, next until NULL, destroy)");
}

}  // namespace bpfplay::testing
