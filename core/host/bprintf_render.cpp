// bstr_printf: formats a checked format string with the arguments bpf_bprintf_prepare stored.
// Parsing follows the kernel's format_decode, restricted to what prepare() lets through; if
// anything else shows up the output stops there, as the kernel stops at an invalid conversion.
#include "core/host/bounded_out.hpp"
#include "core/host/bprintf.hpp"
#include "core/host/kernel_ctype.hpp"
#include "core/host/vsprintf_fields.hpp"

namespace bpfplay::bprintf {
namespace {

using vsprintf::Spec;

class Renderer {
public:
    Renderer(std::string_view fmt, const std::vector<PreparedArg>& args, size_t buf_size)
        : fmt_(fmt), args_(args), out_(buf_size ? buf_size - 1 : 0) {}

    Rendered run() {
        while (i_ < fmt_.size()) {
            if (at(i_) != '%') {
                size_t end = fmt_.find('%', i_);
                if (end == std::string_view::npos) end = fmt_.size();
                out_.put(fmt_.substr(i_, end - i_));
                i_ = end;
                continue;
            }
            if (!conversion()) break;
        }
        return Rendered{out_.length(), out_.take_text()};
    }

private:
    unsigned char at(size_t k) const { return k < fmt_.size() ? static_cast<unsigned char>(fmt_[k]) : 0; }

    const PreparedArg& next_arg() {
        static const PreparedArg kNone;  // unreachable after prepare(); keeps a stray spec harmless
        return arg_index_ < args_.size() ? args_[arg_index_++] : kNone;
    }

    // One '%' sequence starting at i_. False: an invalid conversion, output ends.
    bool conversion() {
        Spec spec;
        ++i_;
        for (;; ++i_) {
            const unsigned char c = at(i_);
            if (c == '-') spec.flags |= vsprintf::kLeft;
            else if (c == '+') spec.flags |= vsprintf::kPlus;
            else if (c == ' ') spec.flags |= vsprintf::kSpace;
            else if (c == '#') spec.flags |= vsprintf::kSpecial;
            else if (c == '0') spec.flags |= vsprintf::kZeroPad;
            else break;
        }
        if (kctype::is_digit(at(i_))) {
            uint32_t width = 0;  // skip_atoi: int arithmetic that wraps
            do width = width * 10 + uint32_t(at(i_++) - '0');
            while (kctype::is_digit(at(i_)));
            spec.field_width = vsprintf::field_width_from(width);
        }
        int longs = 0;  // the 'l' and "ll" qualifiers; nothing else passes prepare()
        while (longs < 2 && at(i_) == 'l') {
            ++longs;
            ++i_;
        }

        const unsigned char type = at(i_++);
        switch (type) {
        case '%':
            out_.put('%');
            return true;
        case 'c': {
            const uint64_t pad = spec.field_width > 1 ? uint64_t(spec.field_width - 1) : 0;
            if (!(spec.flags & vsprintf::kLeft)) out_.put_n(' ', pad);
            out_.put(char(next_arg().value & 0xff));
            if (spec.flags & vsprintf::kLeft) out_.put_n(' ', pad);
            return true;
        }
        case 's':
            vsprintf::put_string(out_, next_arg().text, spec);
            return true;
        case 'p':
            pointer(spec);
            return true;
        case 'x':
            spec.flags |= vsprintf::kSmall;
            spec.base = 16;
            break;
        case 'X':
            spec.base = 16;
            break;
        case 'd':
        case 'i':
            spec.flags |= vsprintf::kSign;
            break;
        case 'u':
            break;
        default:
            return false;
        }
        uint64_t num = next_arg().value;
        if (longs == 0) {
            // int or unsigned int: 32 bits, sign-extended for %d and %i.
            num = (spec.flags & vsprintf::kSign) ? uint64_t(int64_t(int32_t(uint32_t(num)))) : (num & 0xffffffffu);
        }
        vsprintf::put_number(out_, num, spec);
        return true;
    }

    // i_ is just past the 'p'. Forms that read memory were formatted by prepare(); the rest
    // format the pointer value here. Either way every letter and digit after the 'p' belongs
    // to the conversion.
    void pointer(const Spec& spec) {
        const unsigned char kind = at(i_);
        const PreparedArg& arg = next_arg();
        if (kind == 's' || kind == 'S') {
            vsprintf::put_string(out_, vsprintf::hex_with_prefix(arg.value), spec);
        } else if (kind == 'x' || kind == 'K' || !kctype::is_alnum(kind)) {
            vsprintf::put_pointer_hex(out_, arg.value, spec);
        } else {
            out_.put(arg.text);  // copied as is: no width
        }
        while (kctype::is_alnum(at(i_))) ++i_;
    }

    std::string_view fmt_;
    const std::vector<PreparedArg>& args_;
    BoundedOut out_;
    size_t i_ = 0;
    size_t arg_index_ = 0;
};

}  // namespace

Rendered render(std::string_view fmt, const std::vector<PreparedArg>& args, size_t buf_size) {
    return Renderer(fmt, args, buf_size).run();
}

}  // namespace bpfplay::bprintf
