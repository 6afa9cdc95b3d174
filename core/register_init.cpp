#include "core/register_init.hpp"

#include <algorithm>
#include <string>

#include "core/decode_ops.hpp"

namespace bpfplay {

namespace {

struct State {
    uint16_t must = 0xffff;  // written on every path seen so far (top until reached)
    uint16_t may = 0;        // written on some path
    bool reached = false;
};

std::string reg_list(uint16_t mask) {
    std::string out;
    for (int r = 0; r <= 10; ++r)
        if (mask & (1u << r)) out += (out.empty() ? "r" : ", r") + std::to_string(r);
    return out;
}

}  // namespace

Result<bool> analyze_register_init(Program& prog, uint16_t entry_regs, const std::vector<uint32_t>& callx_targets) {
    const uint32_t n = uint32_t(prog.insns.size());
    std::vector<State> st(n);
    std::vector<uint32_t> work;
    auto flow = [&](uint32_t to, uint16_t must, uint16_t may) {
        State& s = st[to];
        uint16_t nm = s.reached ? uint16_t(s.must & must) : must;
        uint16_t ny = uint16_t(s.may | may);
        if (!s.reached || nm != s.must || ny != s.may) {
            s.must = nm;
            s.may = ny;
            s.reached = true;
            work.push_back(to);
        }
    };
    flow(0, uint16_t(entry_regs | kFramePointer), uint16_t(entry_regs | kFramePointer));

    prog.reg_use.assign(n, 0);
    for (uint32_t pc = 0; pc < n; ++pc) {
        RegUse u = reg_use(prog.insns[pc], prog);
        prog.reg_use[pc] = uint32_t(u.reads) | (uint32_t(u.writes) << 16);
    }

    // A callee starts with the caller's r1-r5 (its arguments) and r10; r0 and r6-r9 are unwritten.
    constexpr uint16_t kCalleeEntry = kArgRegs | kFramePointer;
    while (!work.empty()) {
        uint32_t pc = work.back();
        work.pop_back();
        const DecodedInsn& d = prog.insns[pc];
        const uint16_t writes = uint16_t(prog.reg_use[pc] >> 16);
        const uint16_t must = uint16_t(st[pc].must | writes), may = uint16_t(st[pc].may | writes);
        switch (op_family(d.op)) {
        case OpFamily::Exit: break;
        case OpFamily::Jump:
            flow(d.target, must, may);
            if (d.op != Op::Ja && pc + 1 < n) flow(pc + 1, must, may);
            break;
        case OpFamily::Lddw: flow(pc + 2, must, may); break;
        case OpFamily::Call:
            if (d.op == Op::CallLocal) {
                flow(d.target, st[pc].must & kCalleeEntry, st[pc].may & kCalleeEntry);
            } else if (d.op == Op::Callx) {
                for (uint32_t t : callx_targets) flow(t, st[pc].must & kCalleeEntry, st[pc].may & kCalleeEntry);
            }
            flow(pc + 1, uint16_t(must & ~kArgRegs), uint16_t(may & ~kArgRegs));
            break;
        // ld abs/ind clobber r1-r5 like a helper call.
        case OpFamily::LegacyLoad: flow(pc + 1, uint16_t(must & ~kArgRegs), uint16_t(may & ~kArgRegs)); break;
        case OpFamily::Alu: case OpFamily::LddwTail: case OpFamily::Load: case OpFamily::Store:
        case OpFamily::Atomic: case OpFamily::AtomicFetch: case OpFamily::Cmpxchg:
            if (pc + 1 < n) flow(pc + 1, must, may);
            break;
        }
    }

    bool needs_checks = false;
    for (uint32_t pc = 0; pc < n; ++pc) {
        if (!st[pc].reached) continue;
        const uint16_t reads = uint16_t(prog.reg_use[pc] & 0xffff);
        const uint16_t never = uint16_t(reads & ~st[pc].may);
        if (never) {
            int r = __builtin_ctz(never);
            std::string what = "r" + std::to_string(r) + " is read before any instruction writes it";
            if (prog.insns[pc].op == Op::Exit && r == 0) what = "the program exits without setting r0, its return value";
            else if (prog.insns[pc].op == Op::CallHelper)
                what = "helper " + std::string(prog.helpers[prog.insns[pc].target].name) + " takes " +
                       reg_list(reads) + " as arguments, but r" + std::to_string(r) + " was never set";
            return make_error(ErrorKind::Verify, what + " (the kernel's verifier says \"R" + std::to_string(r) +
                                                     " !read_ok\")",
                              pc, "Give it a value first, e.g. r" + std::to_string(r) + " = 0.");
        }
        if (reads & ~st[pc].must) needs_checks = true;
        // A callx that may reach a helper reads r1-r5 as that helper's arguments, known only
        // then: the checked interpreter checks them when some path leaves one unwritten.
        if (prog.callx_helpers && prog.insns[pc].op == Op::Callx && (kArgRegs & ~st[pc].must))
            needs_checks = true;
    }
    return needs_checks;
}

}  // namespace bpfplay
