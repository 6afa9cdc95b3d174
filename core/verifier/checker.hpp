#pragma once
// The static checker: walks every path of a program the way the kernel's verifier does
// (kernel/bpf/verifier.c: do_check) and says whether the kernel, loading it as root, would
// accept it.
//
//   verifier::CheckInput in{.insns = prog.insns, .type = prog.type, .maps = specs};
//   verifier::Verdict v = verifier::check(in);
//   if (v.kind == verifier::VerdictKind::Refuse) print(v.insn, v.message);
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/btf/btf.hpp"
#include "core/insn.hpp"
#include "core/loader/prog_types.hpp"
#include "core/maps/map.hpp"
#include "core/verifier/btf_ctx.hpp"
#include "core/verifier/verdict.hpp"

namespace bpfplay::verifier {

// An lddw of a typed `extern const T name __ksym;` variable (the kernel gets lddw src 3: a BTF id).
struct KsymVar {
    uint32_t insn = 0;
    std::string name;
};

// A global function's argument as the kernel derives it from the BTF FUNC_PROTO
// (btf_prepare_func_args): a number, the context, or memory of the pointee's size that may be NULL.
enum class GlobalArgKind : uint8_t { Scalar, Ctx, Mem };
struct GlobalArg {
    GlobalArgKind kind = GlobalArgKind::Scalar;
    uint32_t mem_size = 0;  // Mem: the pointee's size
};

// A global (non-static) function: verified on its own from its signature; callers only check
// their arguments against it and get an unknown number back.
struct GlobalFunction {
    uint32_t insn = 0;         // its first instruction
    uint32_t subprog = 0;      // its index among the program's functions by address (func#N)
    std::string name;
    std::vector<GlobalArg> args;
    // Non-empty: btf_prepare_func_args refuses the signature, in the kernel's words (a call to it
    // is refused with them).
    std::string refusal;
    // Non-empty: a signature the checker does not derive (argument tags, void pointers...),
    // said in a few words.
    std::string unmodelled;
};

struct CheckInput {
    std::span<const Insn> insns;  // linked, with map references as lddw src 1/2 + map id
    ProgType type = ProgType::Unspec;
    AttachType attach = AttachType(0);
    std::vector<const MapSpec*> maps;       // by map id; nullptr where a map is unknown
    // By map id: the value of a frozen BPF_F_RDONLY_PROG array of one element (libbpf's .rodata
    // and .kconfig), which the kernel reads as constants (bpf_map_direct_read); else empty.
    std::vector<std::vector<uint8_t>> rdonly_values;
    std::vector<uint32_t> global_functions; // first insns of global subprograms
    std::vector<GlobalFunction> global_sigs; // their signatures (global_funcs.hpp)
    uint64_t budget = kMaxInsns;            // BPF_COMPLEXITY_LIMIT_INSNS
    // false: walk every path to its end, no state ends another (endless loops are still
    // found): what pruning must never disagree with, short of running out of budget.
    bool prune = true;
    // The kfunc a kfunc call names (imm: its FUNC in the object's BTF), or "" when unknown.
    std::function<std::string(int32_t imm)> kfunc_name;
    // The object's BTF, whose extern FUNCs libbpf checks against the kernel's kfunc prototypes.
    std::shared_ptr<const Btf> object_btf;
    // Kfuncs the object declares __weak: libbpf loads the object even where the kernel lacks them.
    std::vector<std::string> weak_kfuncs;
    // Tracing and LSM programs: the context's slots from the attach point's prototype.
    std::optional<BtfCtx> btf_ctx;
    // The license is GPL-compatible (kernel objects may be read only then); nullopt: unknown.
    std::optional<bool> gpl_compatible;
    // A sleepable program (fentry.s/, lsm.s/...): pointers it reads out of kernel objects are untrusted.
    bool sleepable = false;
    // Typed __ksym variables by the lddw that loads them. check_pseudo_btf_id finds their
    // addresses in kallsyms, which lists variables only with CONFIG_KALLSYMS_ALL: Linux 6.18 on
    // this project's machines and the emulated kernel's config have it off, so every one fails.
    std::vector<KsymVar> ksym_vars;
    // A device-bound XDP program (BPF_F_XDP_DEV_BOUND_ONLY): only it may call the XDP metadata kfuncs.
    bool dev_bound = false;
};

// Accept / refuse / cannot tell, with the instruction, message and path; the learner's
// sentence and fix are filled (source lines are the caller's: see object_check.hpp).
Verdict check(const CheckInput& input);

}  // namespace bpfplay::verifier
