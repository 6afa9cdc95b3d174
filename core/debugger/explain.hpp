#pragma once
// Instructions and helper calls in words, for a learner: what an instruction does, and, given
// the registers and memory before it runs, what it does with the values now ("r3 += 14: add
// 14 to r3; r3 was packet+0, becomes packet+14"). explain_insn.cpp knows the instruction set
// (RFC 9669), explain_helper.cpp the helper catalog and the debug session's values.
#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/insn.hpp"

namespace bpfplay {

class DebugSession;
class JsonWriter;

// What the explanation may say about names, with or without a running program.
struct ExplainNames {
    std::function<std::string(uint32_t map_id)> map_name;  // "" when unknown
    std::function<std::string(uint32_t pc)> function_name; // "" when unknown
    std::function<std::string(int32_t imm)> kfunc_name;    // a kfunc call's kfunc; "" when unknown
};

// The machine just before the instruction runs. Without it an explanation has words only.
struct ExplainValues {
    std::array<uint64_t, 11> regs{};
    uint32_t depth = 0;  // call depth: 0 is the program's own frame (exit ends the program)
    // Where a value points ("packet+14", "fp-8 (frame 0)", "map counts [key 0x06]+0");
    // "" for a plain number. The debugger's own register description (DebugSession).
    std::function<std::string(uint64_t)> points_to;
    // `size` (1..8) little-endian bytes of memory at an address; nullopt when not readable.
    std::function<std::optional<uint64_t>(uint64_t address, uint32_t size)> read;
    // The context field at an address, named with its struct and described: "xdp_md.data: the
    // packet's first byte ..."; "" when the address is not inside a context field.
    std::function<std::string(uint64_t address)> context_field;
    // A map handle's key and value sizes (helper arguments: how many bytes a key is).
    std::function<std::optional<std::pair<uint32_t, uint32_t>>(uint64_t handle)> map_sizes;
    // The program type's name for a return value ("XDP_PASS"), or "".
    std::function<std::string(uint64_t r0)> return_name;
};

struct InsnExplanation {
    uint32_t pc = 0;
    std::string text;     // the instruction as the disassembler prints it: "r3 += 14"
    std::string cls;      // RFC 9669's class: "alu64", "alu32", "jmp", "jmp32", "ld", "ldx", "st", "stx"
    std::string summary;  // what it does, in words: "add 14 to r3"
    std::vector<std::string> details;  // more facts ("the upper 32 bits of w3 become 0")
    std::string values;   // with the values now: "r3 was packet+0, becomes packet+14" ("" without values)
    int32_t helper_id = 0;  // a helper call: the helper's id (explain_helper tells the rest)
    bool valid = true;      // false: no valid instruction (summary says why)

    // "r3 += 14: add 14 to r3; r3 was packet+0, becomes packet+14"
    std::string sentence() const;
};

// Instruction `index` of `insns` (an lddw reads the slot after it too). `values`: the machine
// before it runs (only meaningful for the instruction at the current pc).
InsnExplanation explain_insn(std::span<const Insn> insns, size_t index, const ExplainNames& names = {},
                             const ExplainValues* values = nullptr);

// How a value reads for a learner: "packet+14", "6", "34525 (0x86dd)", "0xffff8880...".
std::string value_words(uint64_t v, const ExplainValues* values);

struct HelperArgExplanation {
    std::string reg;      // "r1"
    std::string name;     // from the kernel's signature: "map", "key", "flags"
    std::string type;     // the C type from the signature: "struct bpf_map *"
    std::string kind;     // the verifier's argument kind (arg_kind_name): "map", "map_key", "mem"
    std::string meaning;  // the kind in words: "the map to look in (an lddw of the map loads it)"
    std::string value;    // its value now ("map counts", "fp-4 (frame 0): 06 00 00 00"); "" without values
};

struct HelperExplanation {
    int32_t id = 0;
    std::string name;         // "bpf_map_lookup_elem"
    std::string signature;    // "void *bpf_map_lookup_elem(struct bpf_map *map, const void *key)"
    std::string summary;      // the first sentence of its documentation, plain text
    std::string description;  // the whole documentation, plain text (the kernel's RST marks removed)
    std::string returns;      // what r0 holds afterwards, plain text (error codes included)
    std::string ret_kind;     // ret_kind_name: "integer", "map_value", ...
    bool gpl_only = false;
    std::vector<HelperArgExplanation> args;
};

// Helper `id` of the catalog, its arguments' values taken from `values` (r1..r5) when given.
// An id no kernel helper has gives name "" (the caller says "unknown helper").
HelperExplanation explain_helper(int32_t id, const ExplainValues* values = nullptr);

// The kernel's RST documentation as plain text ("**BPF_ANY**" -> "BPF_ANY").
std::string plain_doc(std::string_view rst);

// ---- a debug session's instruction, with its values ----
// Names and values of the session's machine now.
ExplainNames explain_names(const DebugSession& session);
ExplainValues explain_values(const DebugSession& session);
// Instruction `pc` of the current program (the current pc when nullopt): with the values now
// when it is the current instruction, in words only otherwise. A helper call comes with
// the helper's explanation.
struct StopExplanation {
    InsnExplanation insn;
    std::optional<HelperExplanation> helper;
    bool current = false;  // the instruction at the current pc: the values are its own
};
std::optional<StopExplanation> explain_at(const DebugSession& session, std::optional<uint32_t> pc = std::nullopt);

void to_json(JsonWriter& w, const StopExplanation& e);
// {"ok":true,"pc","text","class","summary","details":[..],"values","valid","helper_id","current":bool,
//  "helper":null|{"id","name","signature","summary","description","returns","ret_kind","gpl_only",
//            "args":[{"reg","name","type","kind","meaning","value"}]}}
// or {"ok":false,"error":..} when pc is past the program's end.
std::string explain_json(const DebugSession& session, std::optional<uint32_t> pc = std::nullopt);
// The explanation as lines of text (`bpfvm debug`'s explain).
std::string explain_text(const StopExplanation& e);

}  // namespace bpfplay
