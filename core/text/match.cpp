#include "core/text/match.hpp"

#include <bit>
#include <cstdint>
#include <optional>

#include "core/text/syntax.hpp"

namespace bpfplay::text {

namespace {

constexpr int64_t kI32Min = INT32_MIN, kI32Max = INT32_MAX, kU32Max = UINT32_MAX;
constexpr int64_t kI16Min = INT16_MIN, kI16Max = INT16_MAX;

// Matching state for one form against one line.
class FormMatcher {
  public:
    FormMatcher(const Form& f, std::span<const Token> toks, std::string_view line, MatchError& err)
        : f_(f), toks_(toks), line_(line), err_(err) {}

    bool run(Match& m) {
        Insn& a = m.insn[0];
        Insn& b = m.insn[1];
        a = Insn{};
        b = Insn{};
        a.opcode = f_.opcode;
        a.dst = f_.dst;
        a.src = f_.src;
        a.off = f_.off;
        a.imm = f_.imm;
        m.slots = f_.wide ? 2 : 1;
        m.label = {};
        m.label_in_imm = false;
        for (size_t k = 0; k < f_.pattern.size(); ++k) {
            const PatternItem& item = f_.pattern[k];
            if (!item.is_hole) {
                if (i_ >= toks_.size() || toks_[i_].text != item.token.text) return give_up();
                ++i_;
                continue;
            }
            if (!hole(item.hole, k + 1 == f_.pattern.size(), m)) return give_up();
        }
        if (i_ < toks_.size()) {
            if (!problem_)
                problem_ = Problem{
                    i_, "unexpected \"" + std::string(toks_[i_].text) + "\" at the end of " + quoted(), {}};
            return give_up();
        }
        if (problem_) {
            // The whole line has this form's shape, so its complaint beats any other form's.
            problem_->progress = toks_.size() + 1;
            return give_up();
        }
        return true;
    }

  private:
    const Form& f_;
    std::span<const Token> toks_;
    std::string_view line_;
    MatchError& err_;
    size_t i_ = 0;
    uint8_t set_ = 0;             // kField* bits already filled by a hole
    std::string_view written_[5]; // how each filled field was first written, by kField* bit

    std::string quoted() const {  // appended: see quote() in asm.cpp (GCC 12 -Wrestrict)
        std::string q;
        q.reserve(line_.size() + 2);
        q += '"';
        q += line_;
        q += '"';
        return q;
    }

    struct Problem {
        size_t progress;
        std::string what, hint;
    };
    std::optional<Problem> problem_; // the first thing wrong with an otherwise fitting line

    // A value out of range or a bad number: matching goes on, so that a line with exactly this
    // form's shape gets this form's complaint.
    void fail(std::string what, std::string hint = {}) {
        if (!problem_) problem_ = Problem{i_, std::move(what), std::move(hint)};
    }

    bool give_up() {
        if (i_ > err_.closest_progress) {
            err_.closest_progress = i_;
            err_.closest = &f_;
        }
        if (problem_ && (err_.what.empty() || problem_->progress > err_.progress)) {
            err_.progress = problem_->progress;
            err_.what = std::move(problem_->what);
            err_.hint = std::move(problem_->hint);
        }
        return false;
    }

    const Token* peek(size_t ahead = 0) const {
        return i_ + ahead < toks_.size() ? &toks_[i_ + ahead] : nullptr;
    }

    bool is_op(const Token* t, std::string_view s) const {
        return t && t->kind == TokKind::Op && t->text == s;
    }

    // Fills a field a hole carries; a second hole for the same field must agree with the first.
    template <class T> bool put(uint8_t field, T& slot, T value, std::string_view written) {
        if (set_ & field) {
            if (slot != value) {
                fail(std::string(written) + " must be the same register as " +
                     std::string(written_[std::countr_zero(field)]) + " in " + quoted());
            }
            return true;
        }
        set_ |= field;
        slot = value;
        written_[std::countr_zero(field)] = written;
        return true;
    }

    std::optional<uint8_t> reg(bool accept_r, bool accept_w) {
        const Token* t = peek();
        if (!t || t->kind != TokKind::Ident || t->text.size() < 2) return std::nullopt;
        char p = t->text[0];
        if (!((p == 'r' && accept_r) || (p == 'w' && accept_w))) return std::nullopt;
        std::string_view digits = t->text.substr(1);
        for (char c : digits)
            if (c < '0' || c > '9') return std::nullopt;
        uint64_t n = 0;
        if (parse_magnitude(digits, n) != NumStatus::Ok || n > 10) {
            fail("register " + std::string(t->text) + " out of range in " + quoted() + ": expected r0..r10");
            n = 0;
        }
        ++i_;
        return uint8_t(n);
    }

    struct Num {
        bool neg;
        uint64_t mag;
        std::string written;
    };

    // [+|-] number. With need_sign the sign is required.
    std::optional<Num> number(bool need_sign = false) {
        size_t start = i_;
        Num n{false, 0, {}};
        const Token* t = peek();
        if (is_op(t, "+") || is_op(t, "-")) {
            n.neg = t->text == "-";
            n.written = std::string(t->text);
            ++i_;
            t = peek();
        } else if (need_sign) {
            return std::nullopt;
        }
        if (!t || t->kind != TokKind::Number) {
            i_ = start;
            return std::nullopt;
        }
        n.written += t->text;
        NumStatus st = parse_magnitude(t->text, n.mag);
        if (st == NumStatus::Bad) {
            fail("bad number \"" + std::string(t->text) + "\" in " + quoted() +
                 ": expected decimal digits or 0x and hex digits");
            n.mag = 0;
        }
        if (st == NumStatus::TooBig) {
            fail("number " + n.written + " out of range in " + quoted() + ": expected at most 64 bits");
            n.mag = 0;
        }
        ++i_;
        return n;
    }

    // A parsed number within [lo, hi], or an error naming `what` and the range.
    std::optional<int64_t> ranged(const Num& n, int64_t lo, int64_t hi, const char* what,
                                  std::string hint = {}) {
        bool ok = n.neg ? n.mag <= uint64_t(-lo) : n.mag <= uint64_t(hi);
        if (!ok) {
            fail(std::string(what) + " " + n.written + " out of range in " + quoted() + ": expected " +
                     std::to_string(lo) + ".." + std::to_string(hi),
                 std::move(hint));
            return 0;
        }
        return n.neg ? -int64_t(n.mag) : int64_t(n.mag);
    }

    // A jump target: +N / -N / N, or a label. `<...>` after the last hole is llvm-objdump's
    // symbolic target ("<LBB0_2>") and is skipped.
    bool jump(bool last, bool in_imm, Match& m) {
        const Token* t = peek();
        if (t && t->kind == TokKind::Ident) {
            m.label = t->text;
            m.label_in_imm = in_imm;
            ++i_;
        } else {
            auto n = number();
            if (!n) return false;
            int64_t lo = in_imm ? kI32Min : kI16Min, hi = in_imm ? kI32Max : kI16Max;
            auto v = ranged(*n, lo, hi, "jump offset", in_imm ? "" : "Only gotol takes a 32-bit offset.");
            if (!v) return false;
            if (in_imm) {
                if (!put(kFieldImm, m.insn[0].imm, int32_t(*v), n->written)) return false;
            } else if (!put(kFieldOff, m.insn[0].off, int16_t(*v), n->written)) {
                return false;
            }
        }
        if (last && is_op(peek(), "<") && is_op(&toks_.back(), ">")) i_ = toks_.size();
        return true;
    }

    bool imm_hole(Hole h, Match& m) {
        auto n = number(false);
        if (!n) return false;
        Insn& a = m.insn[0];
        switch (h) {
        case Hole::Imm2: {
            auto v = ranged(*n, kI32Min, kI32Max, "immediate");
            return v && put(kFieldImm2, m.insn[1].imm, int32_t(*v), n->written);
        }
        case Hole::Imm32: {
            // A 32-bit operation sees the same bits either way, so 0xffffffff is as good as -1.
            auto v = ranged(*n, kI32Min, kU32Max, "immediate");
            return v && put(kFieldImm, a.imm, int32_t(uint32_t(int64_t(*v))), n->written);
        }
        case Hole::ImmNonNeg:
            if (n->neg && n->mag != 0) return false;
            break;
        case Hole::ImmNeg:
            if (!n->neg || n->mag == 0) return false;
            break;
        case Hole::DstR: case Hole::DstW: case Hole::DstAnyR: case Hole::DstAnyW: case Hole::SrcR:
        case Hole::SrcW: case Hole::SrcAnyR: case Hole::SrcAnyW: case Hole::ImmReg: case Hole::Imm:
        case Hole::ImmSigned: case Hole::Imm64: case Hole::JumpOff: case Hole::JumpImm: case Hole::MemOff:
        case Hole::IndOff:
        case Hole::Ll: break;
        }
        std::string hint;
        if (f_.opcode == (op::kAlu64 | op::kK | op::kMov))
            hint = "A 64-bit constant needs lddw: \"" + std::string(line_) + " ll\".";
        auto v = ranged(*n, kI32Min, kI32Max, "immediate", hint);
        return v && put(kFieldImm, a.imm, int32_t(*v), n->written);
    }

    bool hole(Hole h, bool last, Match& m) {
        Insn& a = m.insn[0];
        switch (h) {
        case Hole::DstR:
        case Hole::DstW:
        case Hole::DstAnyR:
        case Hole::DstAnyW:
        case Hole::SrcR:
        case Hole::SrcW:
        case Hole::SrcAnyR:
        case Hole::SrcAnyW: {
            const bool dst = h == Hole::DstR || h == Hole::DstW || h == Hole::DstAnyR || h == Hole::DstAnyW;
            const bool any =
                h == Hole::DstAnyR || h == Hole::DstAnyW || h == Hole::SrcAnyR || h == Hole::SrcAnyW;
            const bool r = any || h == Hole::DstR || h == Hole::SrcR;
            const bool w = any || h == Hole::DstW || h == Hole::SrcW;
            std::string_view written = peek() ? peek()->text : std::string_view{};
            auto n = reg(r, w);
            if (!n) return false;
            return dst ? put(kFieldDst, a.dst, *n, written) : put(kFieldSrc, a.src, *n, written);
        }
        case Hole::ImmReg: return false; // printed only
        case Hole::Imm:
        case Hole::Imm32:
        case Hole::ImmNonNeg:
        case Hole::ImmNeg:
        case Hole::ImmSigned:
        case Hole::Imm2: return imm_hole(h, m);
        case Hole::Imm64: {
            auto n = number();
            if (!n) return false;
            if (n->neg && n->mag > (uint64_t(1) << 63)) {
                fail("number " + n->written + " out of range in " + quoted() +
                     ": expected -9223372036854775808..18446744073709551615");
            }
            uint64_t v = n->neg ? 0 - n->mag : n->mag;
            a.imm = int32_t(uint32_t(v));
            m.insn[1].imm = int32_t(uint32_t(v >> 32));
            return true;
        }
        case Hole::JumpOff: return jump(last, false, m);
        case Hole::JumpImm: return jump(last, true, m);
        case Hole::MemOff: {
            if (peek() && peek()->text == ")") return put(kFieldOff, a.off, int16_t(0), "0"); // "(r1)"
            const Token* sign = peek();
            if (!is_op(sign, "+") && !is_op(sign, "-")) return false;
            const bool neg = sign->text == "-";
            ++i_;
            auto n = number();
            if (!n) return false;
            if (neg) n->neg = !n->neg, n->written = "-" + n->written;
            auto v = ranged(*n, kI16Min, kI16Max, "offset");
            return v && put(kFieldOff, a.off, int16_t(*v), n->written);
        }
        case Hole::IndOff: {
            if (!is_op(peek(), "+") && !is_op(peek(), "-")) return put(kFieldImm, a.imm, 0, "0");
            auto n = number(true);
            if (!n) return false;
            auto v = ranged(*n, kI32Min, kI32Max, "offset");
            return v && put(kFieldImm, a.imm, int32_t(*v), n->written);
        }
        case Hole::Ll:
            if (peek() && peek()->kind == TokKind::Ident && peek()->text == "ll") ++i_;
            return true;
        }
        return false;
    }
};

} // namespace

bool match_insn(std::span<const Token> tokens, std::string_view line, Match& m, MatchError& err) {
    if (tokens.empty()) return false;
    for (const Form& f : forms()) {
        if (f.use == Form::Use::DisasmOnly) continue;
        // Every form starts with a literal or a register; skip the ones whose first literal differs.
        const PatternItem& first = f.pattern.front();
        if (!first.is_hole && first.token.text != tokens[0].text) continue;
        FormMatcher fm(f, tokens, line, err);
        if (fm.run(m)) return true;
    }
    return false;
}

} // namespace bpfplay::text
