// bpf_bprintf_prepare: the format check and the copy of arguments into the binary buffer.
// The structure follows the kernel function so the two can be compared line by line.
#include <array>

#include "core/host/bprintf.hpp"
#include "core/host/helper_support.hpp"
#include "core/host/ip_format.hpp"
#include "core/host/kernel_ctype.hpp"
#include "core/host/vsprintf_fields.hpp"
#include "core/memory.hpp"

namespace bpfplay::bprintf {
namespace {

// The 512-byte binary buffer, as an offset. The kernel can step past the end (a truncated
// %pI6 or %pB advances by its full length); its later checks compare a negative room as a
// huge unsigned value, so they pass: room() keeps the sign so each check can do the same.
class BinBuffer {
public:
    int64_t room() const { return int64_t(kBprintfBinArgsSize) - used_; }
    void align4() { used_ = (used_ + 3) & ~int64_t(3); }
    void advance(int64_t n) { used_ += n; }

private:
    int64_t used_ = 0;
};

// strncpy_from_kernel_nofault(dst, ptr, count) as bpf_trace_copy_string uses it: copies up
// to `count` bytes including the NUL (count - 1 characters and a NUL when the string is
// longer) and returns how many bytes it stored; on an unreadable byte the kernel stores an
// empty string and bpf_bprintf_prepare counts 1 byte. A count <= 0 copies nothing.
int64_t copy_string(const Memory& mem, uint64_t ptr, int64_t count, std::string& out) {
    out.clear();
    if (count <= 0) return 0;
    for (int64_t k = 0; k < count; ++k) {
        const uint8_t* p = mem.helper_ptr(ptr + uint64_t(k), 1, /*write=*/false);
        if (!p) {
            out.clear();
            return 1;
        }
        if (*p == 0 || k == count - 1) return k + 1;  // the last slot always becomes the NUL
        out.push_back(char(*p));
    }
    return count;  // not reached
}

// snprintf into the room left: what the buffer keeps of a preformatted text, and the offset
// the kernel then advances by (the full length and its NUL, whatever was cut).
void store_preformatted(BinBuffer& bin, std::string text, PreparedArg& arg) {
    const int64_t room = bin.room();
    const int64_t full_length = int64_t(text.size());
    if (room >= 0 && full_length >= room) text.resize(size_t(room > 0 ? room - 1 : 0));
    bin.advance(full_length + 1);
    arg.is_text = true;
    arg.text = std::move(text);
}

}  // namespace

Prepared prepare(std::string_view fmt, std::span<const uint64_t> raw_args, const Memory& mem) {
    Prepared out;
    const size_t num_args = raw_args.size();
    // Reading past the end yields the NUL terminator, as the kernel's fmt[i + 1] does.
    auto at = [&](size_t k) -> unsigned char { return k < fmt.size() ? static_cast<unsigned char>(fmt[k]) : 0; };
    auto fail = [&](int64_t errno_value) {
        out.err = -errno_value;
        out.args.clear();
        return out;
    };
    BinBuffer bin;
    size_t num_spec = 0;

    for (size_t i = 0; i < fmt.size(); i++) {
        unsigned char c = at(i);
        // Bytes >= 0x80 pass so UTF-8 text can be printed; ASCII control bytes cannot.
        if (kctype::is_ascii(c) && !kctype::is_print(c) && !kctype::is_space(c)) return fail(kEINVAL);
        if (c != '%') continue;
        if (at(i + 1) == '%') {
            i++;
            continue;
        }
        if (num_spec >= num_args) return fail(kEINVAL);
        i++;
        if (!kctype::is_ascii(at(i))) return fail(kEINVAL);

        // Optional flags and width: [0 +-]* then [1-9][0-9]*.
        while (at(i) == '0' || at(i) == '+' || at(i) == '-' || at(i) == ' ') i++;
        if (at(i) >= '1' && at(i) <= '9') {
            i++;
            while (at(i) >= '0' && at(i) <= '9') i++;
        }

        PreparedArg arg;
        const uint64_t raw = raw_args[num_spec];
        int64_t sizeof_cur_arg = 0;  // > 0: stored as a number of that many bytes
        bool is_string = false;      // %s, %pks, %pus

        if (at(i) == 'p') {
            sizeof_cur_arg = 8;
            const unsigned char next = at(i + 1);
            if (next == 0 || kctype::is_space(next) || kctype::is_punct(next)) {
                // plain %p
            } else if ((next == 'k' || next == 'u') && at(i + 2) == 's') {
                i += 2;
                is_string = true;
            } else if (next == 'K' || next == 'x' || next == 's' || next == 'S') {
                i++;
            } else if (next == 'B') {
                // The kernel snprintf()s "%pB" right away, with no room check.
                store_preformatted(bin, vsprintf::hex_with_prefix(raw), arg);
                i++;
                out.args.push_back(std::move(arg));
                num_spec++;
                continue;
            } else {
                // Only "%pI4", "%pi4", "%pI6" and "%pi6" are left.
                if ((next != 'i' && next != 'I') || (at(i + 2) != '4' && at(i + 2) != '6')) return fail(kEINVAL);
                i += 2;
                const bool v4 = at(i) == '4';
                const int64_t ip_size = v4 ? 4 : 16;
                if (bin.room() >= 0 && bin.room() < ip_size) return fail(kENOSPC);
                std::array<uint8_t, 16> ip{};  // zeros when the address cannot be read
                if (const uint8_t* p = mem.helper_ptr(raw, uint64_t(ip_size), /*write=*/false))
                    std::copy(p, p + ip_size, ip.begin());
                const bool plain = next == 'i';
                store_preformatted(bin, v4 ? format_ipv4(ip.data(), plain) : format_ipv6(ip.data(), !plain), arg);
                out.args.push_back(std::move(arg));
                num_spec++;
                continue;
            }
        } else if (at(i) == 's') {
            is_string = true;
        } else if (at(i) == 'c') {
            if (bin.room() == 0) return fail(kENOSPC);
            arg.value = raw & 0xff;
            bin.advance(1);
            out.args.push_back(std::move(arg));
            num_spec++;
            continue;
        } else {
            sizeof_cur_arg = 4;
            if (at(i) == 'l') {
                sizeof_cur_arg = 8;
                i++;
            }
            if (at(i) == 'l') {
                sizeof_cur_arg = 8;
                i++;
            }
            const unsigned char conv = at(i);
            if (conv != 'i' && conv != 'd' && conv != 'u' && conv != 'x' && conv != 'X') return fail(kEINVAL);
        }

        if (is_string) {
            // Nothing may follow a string conversion but the end, a space or punctuation.
            const unsigned char next = at(i + 1);
            if (next != 0 && !kctype::is_space(next) && !kctype::is_punct(next)) return fail(kEINVAL);
            if (bin.room() == 0) return fail(kENOSPC);
            arg.is_text = true;
            bin.advance(copy_string(mem, raw, bin.room(), arg.text));
        } else {
            bin.align4();
            if (bin.room() >= 0 && bin.room() < sizeof_cur_arg) return fail(kENOSPC);
            arg.value = sizeof_cur_arg == 8 ? raw : (raw & 0xffffffffu);
            bin.advance(sizeof_cur_arg);
        }
        out.args.push_back(std::move(arg));
        num_spec++;
    }
    return out;
}

}  // namespace bpfplay::bprintf
