#pragma once
// Bytes -> Program. Every check that does not depend on run-time values happens here, so the
// interpreter can trust its input: opcodes, registers, reserved fields, jump targets, lddw
// pairs, the final exit, and registers read before any path wrote them.
#include <cstdint>
#include <functional>
#include <string>
#include <span>
#include <vector>

#include "core/error.hpp"
#include "core/insn.hpp"
#include "core/loader/prog_types.hpp"
#include "core/program.hpp"

namespace bpfplay {

class HelperRegistry;

// Resolves an lddw with a map pseudo-source (src 1, 2, 5, 6) to the 64-bit value the program
// sees. Supplied by the ELF loader; without one such an lddw is a decode error.
using LddwResolver = std::function<Result<uint64_t>(uint32_t pc, uint8_t src, int32_t imm, int32_t next_imm)>;

// Resolves a kfunc call (src 2; imm: the kfunc's id in the object's BTF, as the loader wrote it)
// to what it binds to, or an error that names the kfunc. Supplied by the ELF loader; without one
// a kfunc call is a decode error.
using KfuncResolver = std::function<Result<HelperBinding>(uint32_t pc, int32_t imm)>;

struct DecodeOptions {
    const HelperRegistry* helpers = nullptr;  // null: any helper call is an error
    // The kernel's rules for which helpers a program may call (core/helpers/helper_catalog.hpp):
    // with check_helper_rules, a call its type may not make is refused as the verifier refuses
    // it, and so is a GPL-only helper in a program whose license is not GPL-compatible. Without
    // it (raw programs, the conformance plugin) any helper the registry has may be called.
    bool check_helper_rules = false;
    ProgType prog_type = ProgType::Unspec;
    AttachType attach = AttachType(0);
    bool gpl_compatible = true;
    // With check_helper_rules: whether the program is sleepable (a ".s" section) and what it
    // attaches to (the LSM hook, "file_open"), for the rules helper_call_rule_error states.
    bool sleepable = false;
    std::string attach_target;
    uint16_t entry_regs = (1u << 1) | (1u << 10);  // bit i: ri holds a value at entry
    LddwResolver resolve_lddw;
    KfuncResolver resolve_kfunc;
    // Socket filters and TC programs may use the classic packet loads (ld abs/ind), which
    // read the packet big-endian and end the program with r0 = 0 when out of range.
    bool legacy_packet_access = false;
};

// Raw bytes (length a multiple of 8) to wire instructions.
Result<std::vector<Insn>> insns_from_bytes(std::span<const uint8_t> bytes);

Result<Program> decode(std::span<const Insn> insns, const DecodeOptions& options = {});

}  // namespace bpfplay
