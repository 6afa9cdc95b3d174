#include "core/text/syntax.hpp"

#include <array>
#include <cstdlib>
#include <utility>

namespace bpfplay::text {

namespace {

struct HoleName {
    std::string_view name;
    Hole hole;
    uint8_t fields;
};

constexpr std::array<HoleName, 21> kHoles = {{
    {"rd", Hole::DstR, kFieldDst},
    {"wd", Hole::DstW, kFieldDst},
    {"Rd", Hole::DstAnyR, kFieldDst},
    {"Wd", Hole::DstAnyW, kFieldDst},
    {"rs", Hole::SrcR, kFieldSrc},
    {"ws", Hole::SrcW, kFieldSrc},
    {"Rs", Hole::SrcAnyR, kFieldSrc},
    {"Ws", Hole::SrcAnyW, kFieldSrc},
    {"ri", Hole::ImmReg, kFieldImm},
    {"imm", Hole::Imm, kFieldImm},
    {"imm32", Hole::Imm32, kFieldImm},
    {"uimm", Hole::ImmNonNeg, kFieldImm},
    {"nimm", Hole::ImmNeg, kFieldImm},
    {"simm", Hole::ImmSigned, kFieldImm},
    {"imm2", Hole::Imm2, kFieldImm2},
    {"imm64", Hole::Imm64, kFieldImm | kFieldImm2},
    {"off", Hole::JumpOff, kFieldOff},
    {"joff", Hole::JumpImm, kFieldImm},
    {"moff", Hole::MemOff, kFieldOff},
    {"ioff", Hole::IndOff, kFieldImm},
    {"ll", Hole::Ll, 0},
}};

using Use = Form::Use;

struct Builder {
    std::vector<Form> out;

    Form& add(uint8_t opcode, std::string text) {
        Form f;
        f.opcode = opcode;
        f.text = std::move(text);
        out.push_back(std::move(f));
        return out.back();
    }
};

// Fixed-field setters, chained after Builder::add.
Form& with_src(Form& f, uint8_t v) {
    f.src = v;
    return f;
}
Form& with_off(Form& f, int16_t v) {
    f.off = v;
    return f;
}
Form& with_imm(Form& f, int32_t v) {
    f.imm = v;
    return f;
}
Form& with_use(Form& f, Use u) {
    f.use = u;
    return f;
}

struct OpText {
    uint8_t code;
    const char* text;
};

void add_alu(Builder& b) {
    using namespace op;
    static constexpr OpText kBinary[] = {
        {kAdd, "+="},  {kSub, "-="},  {kMul, "*="}, {kDiv, "/="}, {kOr, "|="},     {kAnd, "&="},
        {kLsh, "<<="}, {kRsh, ">>="}, {kMod, "%="}, {kXor, "^="}, {kArsh, "s>>="},
    };
    for (bool wide : {true, false}) {
        const uint8_t cls = wide ? kAlu64 : kAlu;
        const std::string d = wide ? "{rd}" : "{wd}", s = wide ? "{rs}" : "{ws}";
        const std::string imm = wide ? "{imm}" : "{imm32}";
        for (auto [code, text] : kBinary) {
            b.add(cls | kK | code, d + " " + text + " " + imm);
            b.add(cls | kX | code, d + " " + text + " " + s);
        }
        // ISA v4 signed division: the same opcodes with off = 1.
        for (auto [code, text] : {OpText{kDiv, "s/="}, OpText{kMod, "s%="}}) {
            with_off(b.add(cls | kK | code, d + " " + text + " " + imm), 1);
            with_off(b.add(cls | kX | code, d + " " + text + " " + s), 1);
        }
        b.add(cls | kK | kMov, d + " = " + imm);
        b.add(cls | kX | kMov, d + " = " + s);
        // ISA v4 sign-extending moves: off is the source width.
        for (int bits : {8, 16, 32}) {
            if (!wide && bits == 32) continue;
            with_off(b.add(cls | kX | kMov, d + " = (s" + std::to_string(bits) + ")" + s), int16_t(bits));
        }
        b.add(cls | kK | kNeg, d + " = -" + d);
    }
    // Byte swaps print r even in the 32-bit class, as llvm-objdump does.
    for (int bits : {16, 32, 64}) {
        const std::string n = std::to_string(bits);
        with_imm(b.add(kAlu | kToLe | kEnd, "{rd} = le" + n + " {rd}"), bits);
        with_imm(b.add(kAlu | kToBe | kEnd, "{rd} = be" + n + " {rd}"), bits);
        with_imm(b.add(kAlu64 | kToLe | kEnd, "{rd} = bswap" + n + " {rd}"), bits);
    }
}

void add_jumps(Builder& b) {
    using namespace op;
    static constexpr OpText kConditions[] = {
        {kJeq, "=="},   {kJgt, ">"}, {kJge, ">="}, {kJset, "&"},  {kJne, "!="},   {kJsgt, "s>"},
        {kJsge, "s>="}, {kJlt, "<"}, {kJle, "<="}, {kJslt, "s<"}, {kJsle, "s<="},
    };
    for (bool wide : {true, false}) {
        const uint8_t cls = wide ? kJmp : kJmp32;
        const std::string d = wide ? "{rd}" : "{wd}", s = wide ? "{rs}" : "{ws}";
        const std::string imm = wide ? "{imm}" : "{imm32}";
        for (auto [code, text] : kConditions) {
            b.add(cls | kK | code, "if " + d + " " + text + " " + imm + " goto {off}");
            b.add(cls | kX | code, "if " + d + " " + text + " " + s + " goto {off}");
        }
    }
    b.add(kJmp | kJa, "goto {off}");
    b.add(kJmp32 | kJa, "gotol {joff}");

    // Calls. llvm-objdump prints only imm ("call 1", "call -1"), so a helper call (src 0) and a
    // local call (src 1) look alike. Helper ids are never negative and clang leaves -1 in every
    // local call of an object file, so "call N" means a helper when N >= 0 and a local call
    // when N < 0. Calls that rule cannot express get spellings of their own.
    const uint8_t call = kJmp | kK | kCall;
    with_src(b.add(call, "call {uimm}"), 0);
    with_src(b.add(call, "call {nimm}"), kPseudoCall);
    with_src(b.add(call, "call pc{simm}"), kPseudoCall); // kernel verifier log spelling
    with_src(b.add(call, "call helper({imm})"), 0);
    with_src(b.add(call, "call kfunc({imm})"), kPseudoKfuncCall);
    // callx: newer LLVM keeps the register in dst; older LLVM kept it in imm with dst 0.
    b.add(kJmp | kX | kCall, "callx {rd}");
    with_use(b.add(kJmp | kX | kCall, "callx {ri}"), Use::DisasmOnly);
    b.add(kJmp | kExit, "exit");
}

const char* size_name(uint8_t size, bool sign) {
    using namespace op;
    if (size == kB) return sign ? "s8" : "u8";
    if (size == kH) return sign ? "s16" : "u16";
    if (size == kW) return sign ? "s32" : "u32";
    return "u64";
}

void add_loads_stores(Builder& b) {
    using namespace op;
    for (uint8_t size : {kW, kH, kB, kDW}) {
        const std::string ty = size_name(size, false);
        const bool dw = size == kDW;
        b.add(kLdx | kMem | size, std::string(dw ? "{rd}" : "{Rd}") + " = *(" + ty + " *)({rs} {moff})");
        if (!dw)
            b.add(kLdx | kMemsx | size,
                  std::string("{rd} = *(") + size_name(size, true) + " *)({rs} {moff})");
        b.add(kSt | kMem | size, "*(" + ty + " *)({rd} {moff}) = " + (dw ? "{imm}" : "{imm32}"));
        b.add(kStx | kMem | size, "*(" + ty + " *)({rd} {moff}) = " + (dw ? "{rs}" : "{Rs}"));
    }
    // Legacy packet loads; llvm-objdump writes the implied r0 and cannot show an ind offset.
    for (uint8_t size : {kW, kH, kB}) {
        const std::string ty = size_name(size, false);
        b.add(kLd | kAbs | size, "r0 = *(" + ty + " *)skb[{imm}]");
        b.add(kLd | kInd | size, "r0 = *(" + ty + " *)skb[{rs}{ioff}]");
    }
}

void add_atomics(Builder& b) {
    using namespace op;
    static constexpr OpText kAtomicOps[] = {{kAdd, "add"}, {kOr, "or"}, {kAnd, "and"}, {kXor, "xor"}};
    static constexpr OpText kLockOps[] = {{kAdd, "+="}, {kOr, "|="}, {kAnd, "&="}, {kXor, "^="}};
    const uint8_t a64 = kStx | kAtomic | kDW, a32 = kStx | kAtomic | kW;
    for (auto [code, text] : kLockOps) {
        with_imm(b.add(a64, std::string("lock *(u64 *)({rd} {moff}) ") + text + " {rs}"), code);
        // objdump prints the 32-bit add with rN; the others exist only in LLVM's alu32 form.
        with_imm(b.add(a32, std::string("lock *(u32 *)({rd} {moff}) ") + text +
                                (code == kAdd ? " {Rs}" : " {Ws}")),
                 code);
    }
    for (auto [code, name] : kAtomicOps) {
        const std::string fn = std::string("atomic_fetch_") + name;
        with_imm(b.add(a64, "{rs} = " + fn + "((u64 *)({rd} {moff}), {rs})"), code | kFetch);
        with_imm(b.add(a32, "{Ws} = " + fn + "((u32 *)({rd} {moff}), {Ws})"), code | kFetch);
    }
    with_imm(b.add(a64, "{rs} = xchg_64({rd} {moff}, {rs})"), kXchg);
    with_imm(b.add(a32, "{Ws} = xchg32_32({rd} {moff}, {Ws})"), kXchg);
    with_imm(b.add(a64, "r0 = cmpxchg_64({rd} {moff}, r0, {rs})"), kCmpxchg);
    with_imm(b.add(a32, "w0 = cmpxchg32_32({rd} {moff}, w0, {Ws})"), kCmpxchg);
}

void add_lddw(Builder& b) {
    using namespace op;
    auto wide = [&](uint8_t src, std::string text, Use use = Use::Both) {
        Form& f = b.add(kLddw, std::move(text));
        f.src = src;
        f.wide = true;
        f.use = use;
    };
    wide(0, "{rd} = {imm64} ll");
    // Pseudo sources: llvm-objdump shows these only as relocations or "ld_pseudo", so the
    // spelling follows the kernel's names for them.
    wide(kPseudoMapFd, "{rd} = map_fd({imm}) {ll}");
    wide(kPseudoMapValue, "{rd} = map_value({imm}, {imm2}) {ll}");
    wide(kPseudoBtfId, "{rd} = btf_id({imm}, {imm2}) {ll}");
    wide(kPseudoFunc, "{rd} = func({simm}) {ll}");
    wide(kPseudoMapIdx, "{rd} = map_idx({imm}) {ll}");
    wide(kPseudoMapIdxValue, "{rd} = map_idx_value({imm}, {imm2}) {ll}");
    // What llvm-objdump 14 prints for them (it drops the second slot).
    for (uint8_t src = kPseudoMapFd; src <= kPseudoMapIdxValue; ++src)
        wide(src, "ld_pseudo {rd}, " + std::to_string(src) + ", {imm}", Use::AsmOnly);
}

void lex_patterns(std::vector<Form>& forms) {
    for (Form& f : forms) {
        std::string_view t = f.text;
        size_t i = 0;
        while (i < t.size()) {
            size_t open = t.find('{', i);
            std::string_view lit = t.substr(i, open == std::string_view::npos ? t.npos : open - i);
            std::vector<Token> toks;
            std::string_view bad;
            if (!lex(lit, toks, &bad)) std::abort(); // a broken template is a build-time bug
            for (const Token& tok : toks)
                f.pattern.push_back({false, Hole::Ll, tok});
            if (open == std::string_view::npos) break;
            size_t close = t.find('}', open);
            Hole h;
            if (close == std::string_view::npos || !hole_from_name(t.substr(open + 1, close - open - 1), h))
                std::abort();
            f.pattern.push_back({true, h, {}});
            f.fields |= hole_fields(h);
            i = close + 1;
        }
    }
}

std::vector<Form> build() {
    Builder b;
    add_alu(b);
    add_jumps(b);
    add_loads_stores(b);
    add_atomics(b);
    add_lddw(b);
    lex_patterns(b.out); // after the last push_back: patterns point into each form's text
    return std::move(b.out);
}

struct Index {
    std::vector<const Form*> all;
    std::array<std::pair<size_t, size_t>, 256> range{}; // [begin, end) into `all`
};

const Index& index() {
    static const Index idx = [] {
        Index x;
        for (int opc = 0; opc < 256; ++opc) {
            x.range[opc].first = x.all.size();
            for (const Form& f : forms())
                if (f.opcode == opc) x.all.push_back(&f);
            x.range[opc].second = x.all.size();
        }
        return x;
    }();
    return idx;
}

} // namespace

uint8_t hole_fields(Hole h) {
    for (const auto& n : kHoles)
        if (n.hole == h) return n.fields;
    return 0;
}

bool hole_from_name(std::string_view name, Hole& out) {
    for (const auto& n : kHoles) {
        if (n.name == name) {
            out = n.hole;
            return true;
        }
    }
    return false;
}

std::string describe(const Form& f) {
    std::string out;
    std::string_view t = f.text;
    for (size_t i = 0; i < t.size(); ++i) {
        if (t[i] != '{') {
            out += t[i];
            continue;
        }
        size_t close = t.find('}', i);
        std::string_view name = t.substr(i + 1, close - i - 1);
        i = close;
        if (name == "ioff") continue;
        if (name.size() == 2 && (name[1] == 'd' || name[1] == 's'))
            out += (name[0] == 'w' || name[0] == 'W') ? "wN" : "rN";
        else if (name == "off" || name == "joff" || name == "simm")
            out += "+N";
        else if (name == "moff")
            out += "+ N";
        else if (name == "ll")
            out += "ll";
        else
            out += "N";
    }
    return out;
}

const std::vector<Form>& forms() {
    static const std::vector<Form> all = build();
    return all;
}

std::span<const Form* const> forms_for_opcode(uint8_t opcode) {
    const Index& x = index();
    auto [begin, end] = x.range[opcode];
    return std::span<const Form* const>(x.all.data() + begin, end - begin);
}

} // namespace bpfplay::text
