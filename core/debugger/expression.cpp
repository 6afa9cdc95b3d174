#include "core/debugger/expression.hpp"

#include <cctype>
#include <string>

namespace bpfplay {

namespace {

// A value and whether it is to be compared signed (s(...)).
struct Val {
    uint64_t v = 0;
    bool is_signed = false;
};

class Parser {
public:
    Parser(std::string_view t, const std::array<uint64_t, 11>& regs) : t_(t), regs_(regs) {}

    Result<uint64_t> parse() {
        Val v = logical_or();
        skip();
        if (error_.empty() && pos_ < t_.size()) fail("unexpected \"" + std::string(t_.substr(pos_)) + "\"");
        if (!error_.empty())
            return make_error(ErrorKind::Parse, "in \"" + std::string(t_) + "\": " + error_, std::nullopt,
                              "Write conditions like r1 == 0x800 or r2 > 10 && r3 != 0.");
        return v.v;
    }

private:
    void skip() {
        while (pos_ < t_.size() && std::isspace(static_cast<unsigned char>(t_[pos_]))) ++pos_;
    }
    bool eat(std::string_view s) {
        skip();
        if (t_.substr(pos_, s.size()) != s) return false;
        pos_ += s.size();
        return true;
    }
    void fail(std::string why) {
        if (error_.empty()) error_ = std::move(why);
    }

    Val logical_or() {
        Val a = logical_and();
        while (eat("||")) {
            Val b = logical_and();
            a = {uint64_t(a.v || b.v), false};
        }
        return a;
    }
    Val logical_and() {
        Val a = comparison();
        while (eat("&&")) {
            Val b = comparison();
            a = {uint64_t(a.v && b.v), false};
        }
        return a;
    }
    Val comparison() {
        Val a = bit_or();
        for (;;) {
            const char* ops[] = {"==", "!=", "<=", ">=", "<", ">"};
            int which = -1;
            skip();
            for (int i = 0; i < 6; ++i) {
                const std::string_view op = ops[i];
                // "<" must not take the first half of "<<".
                if (t_.substr(pos_, op.size()) == op && !(op.size() == 1 && t_.substr(pos_, 2) == std::string(2, op[0]))) {
                    which = i;
                    pos_ += op.size();
                    break;
                }
            }
            if (which < 0) return a;
            Val b = bit_or();
            const bool s = a.is_signed || b.is_signed;
            auto lt = [&](uint64_t x, uint64_t y) { return s ? int64_t(x) < int64_t(y) : x < y; };
            bool r = false;
            switch (which) {
            case 0: r = a.v == b.v; break;
            case 1: r = a.v != b.v; break;
            case 2: r = !lt(b.v, a.v); break;
            case 3: r = !lt(a.v, b.v); break;
            case 4: r = lt(a.v, b.v); break;
            case 5: r = lt(b.v, a.v); break;
            }
            a = {uint64_t(r), false};
        }
    }
    Val bit_or() {
        Val a = bit_xor();
        for (;;) {
            skip();
            if (t_.substr(pos_, 2) == "||" || !eat("|")) return a;
            a.v |= bit_xor().v;
        }
    }
    Val bit_xor() {
        Val a = bit_and();
        while (eat("^")) a.v ^= bit_and().v;
        return a;
    }
    Val bit_and() {
        Val a = shift();
        for (;;) {
            skip();
            if (t_.substr(pos_, 2) == "&&" || !eat("&")) return a;
            a.v &= shift().v;
        }
    }
    Val shift() {
        Val a = additive();
        for (;;) {
            if (eat("<<")) a.v <<= (additive().v & 63);
            else if (eat(">>")) a.v >>= (additive().v & 63);
            else return a;
        }
    }
    Val additive() {
        Val a = multiplicative();
        for (;;) {
            if (eat("+")) a.v += multiplicative().v;
            else if (eat("-")) a.v -= multiplicative().v;
            else return a;
        }
    }
    Val multiplicative() {
        Val a = unary();
        while (eat("*")) a.v *= unary().v;
        return a;
    }
    Val unary() {
        if (eat("-")) return {0 - unary().v, true};
        if (eat("!")) return {uint64_t(!unary().v), false};
        if (eat("~")) return {~unary().v, false};
        return primary();
    }
    Val primary() {
        skip();
        if (eat("(")) {
            Val v = logical_or();
            if (!eat(")")) fail("a ')' is missing");
            return v;
        }
        if (eat("s(")) {
            Val v = logical_or();
            if (!eat(")")) fail("a ')' is missing");
            return {v.v, true};
        }
        if (pos_ < t_.size() && (t_[pos_] == 'r' || t_[pos_] == 'R') && pos_ + 1 < t_.size() &&
            std::isdigit(static_cast<unsigned char>(t_[pos_ + 1]))) {
            size_t end = pos_ + 1;
            unsigned n = 0;
            while (end < t_.size() && std::isdigit(static_cast<unsigned char>(t_[end]))) n = n * 10 + unsigned(t_[end++] - '0');
            if (n > 10) {
                fail("there is no register r" + std::to_string(n) + " (r0..r10)");
                return {};
            }
            pos_ = end;
            return {regs_[n], false};
        }
        if (t_.substr(pos_, 2) == "fp") {
            pos_ += 2;
            return {regs_[10], false};
        }
        if (pos_ < t_.size() && std::isdigit(static_cast<unsigned char>(t_[pos_]))) {
            const bool hex = t_.substr(pos_, 2) == "0x" || t_.substr(pos_, 2) == "0X";
            size_t i = pos_ + (hex ? 2 : 0);
            uint64_t v = 0;
            const size_t digits_from = i;
            for (; i < t_.size(); ++i) {
                const char c = char(std::tolower(static_cast<unsigned char>(t_[i])));
                int d = -1;
                if (c >= '0' && c <= '9') d = c - '0';
                else if (hex && c >= 'a' && c <= 'f') d = c - 'a' + 10;
                if (d < 0) break;
                v = v * (hex ? 16 : 10) + uint64_t(d);
            }
            if (i == digits_from) fail("a number is expected after 0x");
            pos_ = i;
            return {v, false};
        }
        fail(pos_ < t_.size() ? "unexpected \"" + std::string(t_.substr(pos_)) + "\"" : "the expression ends early");
        pos_ = t_.size();
        return {};
    }

    std::string_view t_;
    const std::array<uint64_t, 11>& regs_;
    size_t pos_ = 0;
    std::string error_;
};

}  // namespace

Result<uint64_t> evaluate_expression(std::string_view text, const std::array<uint64_t, 11>& regs) {
    return Parser(text, regs).parse();
}

}  // namespace bpfplay
