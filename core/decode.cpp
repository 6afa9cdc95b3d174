#include "core/decode.hpp"

#include <algorithm>
#include <cstdint>
#include <string>

#include "core/decode_ops.hpp"
#include "core/helpers/helper_catalog.hpp"
#include "core/helpers/registry.hpp"
#include "core/register_init.hpp"

namespace bpfplay {

namespace {

Error decode_error(uint32_t pc, std::string what, std::string hint = {}) {
    return make_error(ErrorKind::Decode, std::move(what), pc, std::move(hint));
}

// Which register an instruction writes, if any (used for the r10 check).
int written_register(const DecodedInsn& d) {
    switch (op_family(d.op)) {
    case OpFamily::Alu:
    case OpFamily::Load:
    case OpFamily::Lddw: return d.dst;
    case OpFamily::AtomicFetch: return d.src;
    case OpFamily::Jump: case OpFamily::Call: case OpFamily::Exit: case OpFamily::LddwTail:
    case OpFamily::LegacyLoad: case OpFamily::Store: case OpFamily::Atomic:
    case OpFamily::Cmpxchg: return -1;  // r0 or memory, never a named register
    }
    return -1;
}

class Decoder {
public:
    Decoder(std::span<const Insn> insns, const DecodeOptions& options) : in_(insns), opt_(options) {}

    Result<Program> run() {
        const size_t n = in_.size();
        if (n == 0) return decode_error(0, "the program is empty: it needs at least an exit instruction");
        if (n > kMaxInsns)
            return decode_error(kMaxInsns, "the program has " + std::to_string(n) +
                                               " instructions; the kernel's limit is 1000000");
        prog_.raw.assign(in_.begin(), in_.end());
        prog_.probe_mem_loads = probe_mem_prog_type(opt_.prog_type);
        prog_.insns.resize(n);
        prog_.functions.push_back(0);

        for (uint32_t pc = 0; pc < n; ++pc) {
            auto r = decode_one(pc);
            if (!r.ok()) return r.error();
            if (prog_.insns[pc].op == Op::Lddw) ++pc;  // its second slot was filled in by decode_one
        }
        if (has_callx_ && opt_.helpers) bind_callx_helpers();
        std::sort(prog_.functions.begin(), prog_.functions.end());
        prog_.functions.erase(std::unique(prog_.functions.begin(), prog_.functions.end()), prog_.functions.end());

        if (auto r = check_control_flow(); !r.ok()) return r.error();
        auto init = analyze_register_init(prog_, opt_.entry_regs, address_taken_);
        if (!init.ok()) return init.error();
        prog_.needs_init_checks = init.value();
        return std::move(prog_);
    }

private:
    Result<Unit> decode_one(uint32_t pc) {
        const Insn& i = in_[pc];
        DecodedInsn& d = prog_.insns[pc];
        d.dst = i.dst;
        d.src = i.src;
        d.off = i.off;
        d.imm = i.imm;
        if (i.dst > 10) return decode_error(pc, "invalid destination register r" + std::to_string(i.dst) +
                                                    ": BPF has r0 to r10");
        if (i.src > 10 && !(i.opcode == op::kLddw))
            return decode_error(pc, "invalid source register r" + std::to_string(i.src) + ": BPF has r0 to r10");

        auto op = classify(i, opt_.legacy_packet_access);
        if (!op.ok()) {
            Error e = op.error();
            e.where.pc = pc;
            return e;
        }
        d.op = op.value();

        switch (op_family(d.op)) {
        case OpFamily::Jump: {
            int64_t target = int64_t(pc) + 1 + (i.opcode == (op::kJmp32 | op::kJa) ? int64_t(i.imm) : int64_t(i.off));
            if (target < 0 || target >= int64_t(in_.size()))
                return decode_error(pc, "jump target " + std::to_string(target) + " is outside the program (" +
                                            std::to_string(in_.size()) + " insns)");
            d.target = uint32_t(target);
            break;
        }
        case OpFamily::Call: return decode_call(pc, i, d);
        case OpFamily::Lddw: return decode_lddw(pc, i, d);
        case OpFamily::Alu: case OpFamily::Exit: case OpFamily::LddwTail: case OpFamily::LegacyLoad:
        case OpFamily::Load: case OpFamily::Store: case OpFamily::Atomic: case OpFamily::AtomicFetch:
        case OpFamily::Cmpxchg: break;
        }
        if (int w = written_register(d); w == 10)
            return decode_error(pc, "the instruction writes r10, the read-only frame pointer",
                                "Copy it first (r1 = r10) and change the copy.");
        return Unit{};
    }

    Result<Unit> decode_call(uint32_t pc, const Insn& i, DecodedInsn& d) {
        if (d.op == Op::Callx) {
            // LLVM before 18 put the register number in imm; the kernel's encoding uses dst.
            if (i.dst == 0 && i.imm > 0 && i.imm <= 10) d.dst = uint8_t(i.imm);
            d.imm = 0;
            has_callx_ = true;
            return Unit{};
        }
        if (d.op == Op::CallLocal) {
            int64_t target = int64_t(pc) + 1 + i.imm;
            if (target < 0 || target >= int64_t(in_.size()))
                return decode_error(pc, "call target " + std::to_string(target) + " is outside the program (" +
                                            std::to_string(in_.size()) + " insns)");
            d.target = uint32_t(target);
            prog_.functions.push_back(uint32_t(target));
            return Unit{};
        }
        if (i.src == op::kPseudoKfuncCall) return bind_kfunc(pc, i, d);
        if (auto checked = check_helper_call(pc, i.imm); !checked.ok()) return checked.error();
        const HelperSpec* spec = opt_.helpers->find(i.imm);
        auto it = std::find_if(prog_.helpers.begin(), prog_.helpers.end(),
                               [&](const HelperBinding& h) { return h.id == spec->id; });
        if (it == prog_.helpers.end()) {
            prog_.helpers.push_back({spec->id, spec->name, spec->fn, spec->nargs});
            it = prog_.helpers.end() - 1;
        }
        d.target = uint32_t(it - prog_.helpers.begin());
        return Unit{};
    }

    Result<Unit> bind_kfunc(uint32_t pc, const Insn& i, DecodedInsn& d) {
        if (!opt_.resolve_kfunc)
            return make_error(ErrorKind::Helper,
                              "kfunc call (call by BTF id " + std::to_string(i.imm) + ") without an object to name it",
                              pc, "A kfunc is called by its id in the kernel's BTF; only an ELF object's extern "
                                  "declaration (__ksym) tells bpfplay which kfunc that is.");
        auto binding = opt_.resolve_kfunc(pc, i.imm);
        if (!binding) return binding.error();
        const HelperBinding& b = binding.value();
        auto it = std::find_if(prog_.helpers.begin(), prog_.helpers.end(),
                               [&](const HelperBinding& h) { return h.id == b.id; });
        if (it == prog_.helpers.end()) {
            prog_.helpers.push_back(b);
            it = prog_.helpers.end() - 1;
        }
        d.target = uint32_t(it - prog_.helpers.begin());
        d.imm = b.id;
        return Unit{};
    }

    // What the kernel's verifier says of the call (when the program's kind is known), then whether
    // bpfplay can run it.
    Result<Unit> check_helper_call(uint32_t pc, int32_t id) const {
        const HelperProto* proto = helper_proto(id);
        auto unknown = [&] {
            return make_error(ErrorKind::Verify, "invalid func unknown#" + std::to_string(id), pc,
                              "No kernel helper has id " + std::to_string(id) + ": they are numbered 1 to " +
                                  std::to_string(kHelperCount) + ". Check the call's imm.");
        };
        const std::string name = proto ? std::string(proto->name) + "#" + std::to_string(id) : "";
        if (opt_.check_helper_rules) {
            if (!proto) return unknown();
            if (helper_verdict(id, opt_.prog_type, opt_.attach) == HelperVerdict::NotForThisType)
                return make_error(ErrorKind::Verify,
                                  std::string("program of type ") + prog_type_name(opt_.prog_type) +
                                      " cannot use helper " + name,
                                  pc, "The kernel's verifier refuses the call. " + where_available(id));
            if (proto->gpl_only && !opt_.gpl_compatible)
                return make_error(ErrorKind::Verify,
                                  "cannot call GPL-restricted function " + name + " from non-GPL compatible program",
                                  pc, "Declare a GPL-compatible license: char LICENSE[] SEC(\"license\") = \"GPL\";");
            if (const char* refused = helper_call_rule_error(id, opt_.prog_type, opt_.sleepable, opt_.attach_target))
                return make_error(ErrorKind::Verify, refused, pc, sleep_rule_hint(id));
        }
        // Registries other than the kernel's (the conformance plugin's) may bind any id.
        const HelperSpec* spec = opt_.helpers ? opt_.helpers->find(id) : nullptr;
        if (spec && spec->fn) return Unit{};
        if (!proto) return unknown();
        return make_error(ErrorKind::Helper, name + " is not available here.", pc, "bpfplay does not implement it yet.");
    }

    static std::string sleep_rule_hint(int32_t id) {
        const std::string name = helper_proto(id)->name;
        if (id == 161 || id == 193)
            return name + " is for sleepable LSM programs on a sleepable hook: SEC(\"lsm.s/file_open\"), "
                          "SEC(\"lsm.s/bprm_committed_creds\") ...";
        return name + " may wait for a page of user memory: load the program from a sleepable section "
                      "(fentry.s/, lsm.s/, uprobe.s/, iter.s/, syscall), or use bpf_probe_read_user, which never sleeps.";
    }

    static std::string where_available(int32_t id) {
        const std::vector<ProgType> types = prog_types_allowing(id);
        if (types.empty()) return "No program type may call it on this kernel.";
        std::string out = std::string(helper_proto(id)->name) + " is available to ";
        for (size_t k = 0; k < types.size(); ++k)
            out += std::string(k == 0 ? "" : k + 1 == types.size() ? " and " : ", ") + prog_type_name(types[k]);
        return out + " programs.";
    }

    // A callx's register is known only at run time: it may hold any helper's id (uBPF's callx,
    // which the bpf_conformance suite tests), so every helper the registry implements is bound.
    // They go after the ones CallHelper insns use, whose indices stay as they are.
    void bind_callx_helpers() {
        for (const HelperSpec& spec : opt_.helpers->all()) {
            if (!spec.fn) continue;
            const bool bound = std::any_of(prog_.helpers.begin(), prog_.helpers.end(),
                                           [&](const HelperBinding& h) { return h.id == spec.id; });
            if (!bound) prog_.helpers.push_back({spec.id, spec.name, spec.fn, spec.nargs});
        }
        prog_.callx_helpers = true;
    }

    Result<Unit> decode_lddw(uint32_t pc, const Insn& i, DecodedInsn& d) {
        if (pc + 1 >= in_.size())
            return decode_error(pc, "lddw takes two instruction slots, but the program ends after the first",
                                "Is the program truncated?");
        const Insn& tail = in_[pc + 1];
        if (tail.opcode != 0 || tail.dst != 0 || tail.src != 0 || tail.off != 0)
            return decode_error(pc + 1, "the second slot of the lddw at insn " + std::to_string(pc) +
                                            " must be zero except its imm field");
        if (i.off != 0) return decode_error(pc, "lddw uses reserved field off");
        DecodedInsn& t = prog_.insns[pc + 1];
        t.op = Op::LddwTail;
        t.imm = tail.imm;
        const uint64_t value = uint64_t(uint32_t(i.imm)) | (uint64_t(uint32_t(tail.imm)) << 32);
        if (i.src > op::kLddwSourceMax)
            return decode_error(pc, "lddw with unknown pseudo source " + std::to_string(i.src));
        switch (op::LddwSource(i.src)) {
        case op::LddwSource::Imm: d.imm = int64_t(value); break;
        case op::LddwSource::Func: {
            int64_t target = int64_t(pc) + 1 + i.imm;
            if (target < 0 || target >= int64_t(in_.size()) || tail.imm != 0)
                return decode_error(pc, "lddw of a function address: target " + std::to_string(target) +
                                            " is outside the program");
            prog_.functions.push_back(uint32_t(target));
            address_taken_.push_back(uint32_t(target));
            d.imm = int64_t(kCodeBase + uint64_t(target) * 8);
            break;
        }
        case op::LddwSource::MapFd:
        case op::LddwSource::MapValue:
        case op::LddwSource::MapIdx:
        case op::LddwSource::MapIdxValue: {
            if (!opt_.resolve_lddw)
                return decode_error(pc, "lddw refers to a map (pseudo source " + std::to_string(i.src) +
                                            "), but no maps were loaded with this program",
                                    "Load the program from its ELF object so its maps exist.");
            auto v = opt_.resolve_lddw(pc, i.src, i.imm, tail.imm);
            if (!v.ok()) {
                Error e = v.error();
                if (!e.where.pc) e.where.pc = pc;
                return e;
            }
            d.imm = int64_t(v.value());
            break;
        }
        case op::LddwSource::BtfId:
            return decode_error(pc, "lddw of a kernel variable by BTF id (pseudo source 3) is not supported");
        }
        d.src = 0;
        return Unit{};
    }

    // The function each insn belongs to: the last function entry at or before it.
    uint32_t function_of(uint32_t pc) const {
        auto it = std::upper_bound(prog_.functions.begin(), prog_.functions.end(), pc);
        return *(it - 1);
    }
    uint32_t function_end(uint32_t entry) const {
        auto it = std::upper_bound(prog_.functions.begin(), prog_.functions.end(), entry);
        return it == prog_.functions.end() ? uint32_t(prog_.insns.size()) : *it;
    }

    Result<Unit> check_control_flow() {
        const auto& insns = prog_.insns;
        for (uint32_t pc = 0; pc < insns.size(); ++pc) {
            const DecodedInsn& d = insns[pc];
            const bool is_jump = op_family(d.op) == OpFamily::Jump;
            if ((is_jump || d.op == Op::CallLocal) && insns[d.target].op == Op::LddwTail)
                return decode_error(pc, std::string(is_jump ? "jump" : "call") + " into the middle of the lddw at insn " +
                                            std::to_string(d.target - 1));
            if (is_jump && function_of(d.target) != function_of(pc))
                return decode_error(pc, "jump from insn " + std::to_string(pc) + " to insn " +
                                            std::to_string(d.target) + " leaves its function (insns " +
                                            std::to_string(function_of(pc)) + " to " +
                                            std::to_string(function_end(function_of(pc)) - 1) + ")");
        }
        for (uint32_t entry : prog_.functions) {
            if (insns[entry].op == Op::LddwTail)
                return decode_error(entry, "a function starts in the middle of an lddw");
            uint32_t last = function_end(entry) - 1;
            Op op = insns[last].op;
            if (op == Op::LddwTail) op = Op::Lddw;
            if (op != Op::Exit && op != Op::Ja) {
                if (entry == 0 && prog_.functions.size() == 1)
                    return decode_error(last, "the program does not end with exit: execution would run past its end",
                                        "Add an exit instruction.");
                return decode_error(last, "the function starting at insn " + std::to_string(entry) +
                                              " does not end with exit or goto: execution would fall through");
            }
        }
        return Unit{};
    }

    std::span<const Insn> in_;
    const DecodeOptions& opt_;
    Program prog_;
    std::vector<uint32_t> address_taken_;  // functions whose address an lddw takes (callx targets)
    bool has_callx_ = false;
};

}  // namespace

Result<std::vector<Insn>> insns_from_bytes(std::span<const uint8_t> bytes) {
    if (bytes.size() % 8 != 0)
        return make_error(ErrorKind::Decode, "the program is " + std::to_string(bytes.size()) +
                                                 " bytes long, not a multiple of the 8-byte instruction size");
    std::vector<Insn> out(bytes.size() / 8);
    for (size_t k = 0; k < out.size(); ++k) out[k] = insn_from_bytes(bytes.data() + 8 * k);
    return out;
}

Result<Program> decode(std::span<const Insn> insns, const DecodeOptions& options) {
    return Decoder(insns, options).run();
}

bool Program::is_function_entry(uint32_t pc) const {
    return std::binary_search(functions.begin(), functions.end(), pc);
}

const HelperBinding* Program::callx_helper(uint64_t value) const {
    if (!callx_helpers || value > uint64_t(INT32_MAX)) return nullptr;
    for (const HelperBinding& h : helpers)
        if (uint64_t(int64_t(h.id)) == value) return &h;
    return nullptr;
}

}  // namespace bpfplay
