// bpf_snprintf's format, checked when the program loads (check_bpf_snprintf_call): the
// kernel runs its own printf parser, bpf_bprintf_prepare (kernel/bpf/helpers.c), over the
// constant format with the number of u64 arguments data_len gives, and refuses the program
// when the parser would fail at run time.
#include <cctype>

#include "core/verifier/steps.hpp"

namespace bpfplay::verifier {

namespace {

bool fmt_space(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }
bool fmt_punct(char c) { return std::ispunct(static_cast<unsigned char>(c)) != 0; }
bool fmt_print(char c) { return std::isprint(static_cast<unsigned char>(c)) != 0; }

// bpf_bprintf_prepare without arguments to copy: true when `fmt` (NUL-terminated) is a
// format it accepts with `num_args` arguments.
bool bprintf_format_ok(const char* fmt, uint64_t num_args) {
    uint64_t num_spec = 0;
    for (size_t i = 0; fmt[i] != 0; ++i) {
        // Control characters are refused; bytes past ASCII (UTF-8 text) pass, as Linux 6.18 lets them.
        const unsigned char c = static_cast<unsigned char>(fmt[i]);
        if (c < 0x80 && !fmt_print(fmt[i]) && !fmt_space(fmt[i])) return false;
        if (fmt[i] != '%') continue;
        if (fmt[i + 1] == '%') {
            ++i;
            continue;
        }
        if (num_spec >= num_args) return false;
        ++i;
        // The optional "[0 +-][num]" width.
        while (fmt[i] == '0' || fmt[i] == '+' || fmt[i] == '-' || fmt[i] == ' ') ++i;
        if (fmt[i] >= '1' && fmt[i] <= '9') {
            ++i;
            while (fmt[i] >= '0' && fmt[i] <= '9') ++i;
        }
        if (fmt[i] == 'p') {
            const char n = fmt[i + 1];
            if ((n == 'k' || n == 'u') && fmt[i + 2] == 's') {
                i += 2;
                // As %s: the next character ends the specifier.
                if (fmt[i + 1] != 0 && !fmt_space(fmt[i + 1]) && !fmt_punct(fmt[i + 1])) return false;
                ++num_spec;
                continue;
            }
            if (n == 0 || fmt_space(n) || fmt_punct(n) || n == 'K' || n == 'x' || n == 's' || n == 'S' || n == 'B') {
                ++i;  // a kernel pointer, or a symbol (%pB)
                ++num_spec;
                continue;
            }
            // Of the addresses, only %pI4, %pi4, %pI6 and %pi6.
            if ((n != 'i' && n != 'I') || (fmt[i + 2] != '4' && fmt[i + 2] != '6')) return false;
            i += 2;
            ++num_spec;
            continue;
        }
        if (fmt[i] == 's') {
            if (fmt[i + 1] != 0 && !fmt_space(fmt[i + 1]) && !fmt_punct(fmt[i + 1])) return false;
            ++num_spec;
            continue;
        }
        if (fmt[i] == 'c') {
            ++num_spec;
            continue;
        }
        if (fmt[i] == 'l') ++i;
        if (fmt[i] == 'l') ++i;
        if (fmt[i] != 'i' && fmt[i] != 'd' && fmt[i] != 'u' && fmt[i] != 'x' && fmt[i] != 'X') return false;
        ++num_spec;
    }
    return true;
}

}  // namespace

bool check_snprintf_format(Env& env, const State& st) {
    const Frame& fr = st.top();
    const Reg& fmt_reg = fr.regs[3];
    const Reg& len_reg = fr.regs[5];
    // data_len's known bits: a length that is not a multiple of 8 fails without a word.
    const uint64_t data_len = len_reg.var.var.value;
    if (data_len % 8) return env.refuse(Rule::HelperArg, "");
    // The format argument was checked as a constant string in a frozen read-only map.
    const std::vector<uint8_t>& bytes = env.in.rdonly_values[fmt_reg.map];
    const size_t at = size_t(int64_t(fmt_reg.off) + int64_t(fmt_reg.var.value()));
    const std::string fmt(reinterpret_cast<const char*>(bytes.data()) + at);
    if (!bprintf_format_ok(fmt.c_str(), data_len / 8)) return env.refuse(Rule::HelperArg, "Invalid format string");
    return true;
}

}  // namespace bpfplay::verifier
