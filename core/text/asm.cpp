#include "core/text/asm.hpp"

#include <string>
#include <unordered_map>

#include "core/helpers/helper_catalog.hpp"
#include "core/text/lexer.hpp"
#include "core/text/match.hpp"
#include "core/text/source_line.hpp"
#include "core/text/syntax.hpp"

namespace bpfplay {

namespace {

using text::Token;
using text::TokKind;

Error parse_error(uint32_t line, std::string what, std::string hint = {}) {
    Error e = make_error(ErrorKind::Parse, std::move(what), std::nullopt, std::move(hint));
    e.where.line = line;
    return e;
}

// Appends instead of "\"" + std::string(s): GCC 12 at -O3 warns (-Wrestrict, a known false
// positive) about the operator+ form, which -Werror turns into a failed Release build.
std::string quote(std::string_view s) {
    std::string q;
    q.reserve(s.size() + 2);
    q += '"';
    q += s;
    q += '"';
    return q;
}

const std::unordered_map<std::string_view, int32_t>& helper_ids() {
    static const auto ids = [] {
        std::unordered_map<std::string_view, int32_t> m;
        for (int32_t id = 1; id < 4096; ++id)
            if (const char* name = kernel_helper_name(id)) m.emplace(name, id);
        return m;
    }();
    return ids;
}

// What this assembler makes of llvm-objdump 14's text for the given bytes, where that text
// loses fields: the fetch bit of a 32-bit atomic add (printed as "lock ... +="), the offset of
// ld_ind, the second slot of ld_pseudo, the call kind ("call N" whatever src is) and callx's
// register (read from imm). A pasted line whose text reads as this keeps its bytes.
void objdump14_view(Insn* insns, size_t n) {
    Insn& a = insns[0];
    if (a.opcode == (op::kStx | op::kAtomic | op::kW) && a.imm == (op::kAdd | op::kFetch)) a.imm = 0;
    if (op::cls(a.opcode) == op::kLd && op::mode(a.opcode) == op::kInd) a.imm = 0;
    if (a.opcode == op::kLddw && a.src != 0 && n == 2) insns[1].imm = 0;
    if (a.opcode == (op::kJmp | op::kK | op::kCall)) a.src = a.imm < 0 ? op::kPseudoCall : 0;
    if (a.opcode == (op::kJmp | op::kX | op::kCall) && a.imm >= 0 && a.imm <= 10) {
        a.dst = uint8_t(a.imm);
        a.imm = 0;
    }
}

struct Pending {
    enum Kind { Off, Imm, Call } kind;
    size_t slot;
    uint32_t line;
    std::string_view label;
    std::string_view text;
};

struct Label {
    size_t slot;
    uint32_t line;
    bool ambiguous; // defined by two symbol headers: unusable, but only an error if used
};

class Assembler {
  public:
    Result<std::vector<Insn>> run(std::string_view input) {
        uint32_t line = 0;
        while (!input.empty() || line == 0) {
            ++line;
            size_t nl = input.find('\n');
            std::string_view raw = input.substr(0, nl);
            input = nl == std::string_view::npos ? std::string_view{} : input.substr(nl + 1);
            if (auto err = one_line(raw, line)) return *err;
            if (input.empty()) break;
        }
        for (const Pending& p : pending_)
            if (auto err = resolve(p)) return *err;
        return std::move(out_);
    }

  private:
    std::vector<Insn> out_;
    std::vector<Pending> pending_;
    std::unordered_map<std::string_view, Label> labels_;

    std::optional<Error> define(std::string_view name, uint32_t line, bool from_header) {
        auto [it, fresh] = labels_.try_emplace(name, Label{out_.size(), line, false});
        if (fresh) return std::nullopt;
        if (from_header) {
            it->second.ambiguous = true;
            return std::nullopt;
        }
        return parse_error(line, "label " + quote(name) + " defined twice (first on line " +
                                     std::to_string(it->second.line) + ")");
    }

    void append(const Insn* insns, size_t n) { out_.insert(out_.end(), insns, insns + n); }

    void append_bytes(const text::SourceLine& sl) {
        for (size_t k = 0; k < sl.byte_count; k += 8)
            out_.push_back(insn_from_bytes(sl.bytes + k));
    }

    std::optional<Error> one_line(std::string_view raw, uint32_t line) {
        text::SourceLine sl = text::split_line(raw);
        if (!sl.symbol.empty())
            if (auto err = define(sl.symbol, line, true)) return err;
        for (std::string_view name : sl.labels)
            if (auto err = define(name, line, false)) return err;
        if (sl.text.empty()) {
            append_bytes(sl);
            return std::nullopt;
        }
        // "<unknown>" from llvm-objdump, or this disassembler's "<invalid ...>": the bytes are
        // the only description of the instruction.
        if (sl.text.front() == '<') {
            if (sl.byte_count) {
                append_bytes(sl);
                return std::nullopt;
            }
            return parse_error(line, "unknown instruction " + quote(sl.text),
                               "The disassembler could not name it; keep its hex byte column "
                               "so that the bytes themselves can be used.");
        }

        std::vector<Token> toks;
        std::string_view bad;
        if (!text::lex(sl.text, toks, &bad))
            return parse_error(line, "unknown instruction " + quote(sl.text) + ": unexpected " + quote(bad));

        if (is_call_by_name(toks)) return call_by_name(toks, sl.text, line);

        text::Match m;
        text::MatchError me;
        if (!text::match_insn(toks, sl.text, m, me)) {
            if (!me.what.empty()) return parse_error(line, me.what, me.hint);
            if (me.closest && me.closest_progress >= 2)
                return parse_error(line, "unknown instruction " + quote(sl.text),
                                   "The closest form is \"" + text::describe(*me.closest) + "\".");
            return parse_error(line, "unknown instruction " + quote(sl.text),
                               "Expected llvm-objdump -d syntax, e.g. \"r1 += 2\", "
                               "\"if r1 > 5 goto +3\", \"*(u32 *)(r10 - 4) = r1\".");
        }
        if (sl.byte_count == m.slots * 8 && m.label.empty()) {
            Insn from_bytes[2];
            for (size_t k = 0; k < m.slots && k < 2; ++k)
                from_bytes[k] = insn_from_bytes(sl.bytes + 8 * k);
            Insn seen[2] = {from_bytes[0], from_bytes[1]};
            objdump14_view(seen, m.slots);
            bool same_view = true;
            for (size_t k = 0; k < m.slots; ++k)
                same_view = same_view && seen[k] == m.insn[k];
            if (same_view) {
                append(from_bytes, m.slots);
                return std::nullopt;
            }
        }
        if (!m.label.empty())
            pending_.push_back(
                {m.label_in_imm ? Pending::Imm : Pending::Off, out_.size(), line, m.label, sl.text});
        append(m.insn, m.slots);
        return std::nullopt;
    }

    // "call NAME" (a helper or a label) and the kernel's "call NAME#ID".
    static bool is_call_by_name(const std::vector<Token>& t) {
        if (t.size() < 2 || t[0].text != "call" || t[1].kind != TokKind::Ident) return false;
        return t.size() == 2 || (t.size() == 4 && t[2].text == "#" && t[3].kind == TokKind::Number);
    }

    std::optional<Error> call_by_name(const std::vector<Token>& t, std::string_view text, uint32_t line) {
        Insn call;
        call.opcode = op::kJmp | op::kCall;
        if (t.size() == 2) {
            pending_.push_back({Pending::Call, out_.size(), line, t[1].text, text});
            out_.push_back(call);
            return std::nullopt;
        }
        uint64_t id = 0;
        if (text::parse_magnitude(t[3].text, id) != text::NumStatus::Ok || id > INT32_MAX)
            return parse_error(line, "bad helper id " + quote(t[3].text) + " in " + quote(text) +
                                         ": expected 0..2147483647");
        const auto& ids = helper_ids();
        auto it = ids.find(t[1].text);
        if (it != ids.end() && uint64_t(it->second) != id)
            return parse_error(line, "helper " + std::string(t[1].text) + " is #" +
                                         std::to_string(it->second) + ", not #" + std::to_string(id) +
                                         " in " + quote(text));
        call.imm = int32_t(id);
        out_.push_back(call);
        return std::nullopt;
    }

    std::optional<Error> resolve(const Pending& p) {
        auto it = labels_.find(p.label);
        Insn& insn = out_[p.slot];
        if (p.kind == Pending::Call && it == labels_.end()) {
            const auto& ids = helper_ids();
            auto h = ids.find(p.label);
            if (h == ids.end())
                return parse_error(
                    p.line, "unknown helper or label " + quote(p.label) + " in " + quote(p.text),
                    "Expected a helper name such as bpf_map_lookup_elem, a helper id or a label.");
            insn.imm = h->second;
            return std::nullopt;
        }
        if (it == labels_.end())
            return parse_error(p.line, "undefined label " + quote(p.label) + " in " + quote(p.text));
        if (it->second.ambiguous)
            return parse_error(p.line, "label " + quote(p.label) + " in " + quote(p.text) +
                                           " is defined more than once");
        const int64_t delta = int64_t(it->second.slot) - int64_t(p.slot) - 1;
        if (p.kind == Pending::Off) {
            if (delta < INT16_MIN || delta > INT16_MAX)
                return parse_error(p.line,
                                   "jump to " + quote(p.label) + " in " + quote(p.text) + " is " +
                                       std::to_string(delta) + " slots away: expected -32768..32767",
                                   "Only gotol takes a 32-bit offset.");
            insn.off = int16_t(delta);
        } else {
            if (delta < INT32_MIN || delta > INT32_MAX)
                return parse_error(p.line,
                                   "jump to " + quote(p.label) + " in " + quote(p.text) + " is out of range");
            insn.imm = int32_t(delta);
            if (p.kind == Pending::Call) insn.src = op::kPseudoCall;
        }
        return std::nullopt;
    }
};

} // namespace

Result<std::vector<Insn>> assemble(std::string_view text) {
    return Assembler().run(text);
}

} // namespace bpfplay
