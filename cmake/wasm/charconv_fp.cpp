// See charconv_fp.hpp. Built into bpfplay_base in the wasm build only.
#include "charconv_fp.hpp"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {

// Shortest round-trip text of a finite or special value, as std::to_chars without a format.
template <typename T>
std::string shortest(T value) {
    if (std::isnan(value)) return std::signbit(value) ? "-nan" : "nan";
    if (std::isinf(value)) return std::signbit(value) ? "-inf" : "inf";
    const bool neg = std::signbit(value);
    if (value == 0) return neg ? "-0" : "0";
    const double v = std::fabs(double(value));
    // Fewest significant digits that read back to the same T.
    constexpr int kMaxDigits = sizeof(T) == 4 ? 9 : 17;
    char buf[64];
    int digits = 1;
    for (; digits <= kMaxDigits; digits++) {
        std::snprintf(buf, sizeof buf, "%.*e", digits - 1, v);
        T back = sizeof(T) == 4 ? T(std::strtof(buf, nullptr)) : T(std::strtod(buf, nullptr));
        if (back == T(v)) break;
    }
    if (digits > kMaxDigits) digits = kMaxDigits;
    std::snprintf(buf, sizeof buf, "%.*e", digits - 1, v);
    // buf: d[.ddd]e[+-]xx
    std::string mant;
    const char* p = buf;
    for (; *p != 'e'; p++)
        if (*p != '.') mant += *p;
    const int exp10 = std::atoi(p + 1);  // value = 0.mant... * 10^(exp10 + 1)
    while (mant.size() > 1 && mant.back() == '0') mant.pop_back();
    const int n = int(mant.size());

    // Scientific: d[.ddd]e[+-]XX (at least two exponent digits, as printf).
    std::string sci = mant.substr(0, 1);
    if (n > 1) sci += "." + mant.substr(1);
    char ebuf[16];
    std::snprintf(ebuf, sizeof ebuf, "e%c%02d", exp10 < 0 ? '-' : '+', exp10 < 0 ? -exp10 : exp10);
    sci += ebuf;

    // Fixed: all significant digits, no exponent.
    std::string fixed;
    if (exp10 >= 0) {
        if (n <= exp10 + 1) {
            fixed = mant + std::string(size_t(exp10 + 1 - n), '0');
        } else {
            fixed = mant.substr(0, size_t(exp10 + 1)) + "." + mant.substr(size_t(exp10 + 1));
        }
    } else {
        fixed = "0." + std::string(size_t(-exp10 - 1), '0') + mant;
    }
    std::string out = fixed.size() <= sci.size() ? fixed : sci;
    return neg ? "-" + out : out;
}

template <typename T>
std::to_chars_result fp_put(char* first, char* last, T value) {
    const std::string s = shortest(value);
    if (last - first < std::ptrdiff_t(s.size())) return {last, std::errc::value_too_large};
    std::memcpy(first, s.data(), s.size());
    return {first + s.size(), std::errc()};
}

// The "general" format: [-]digits[.digits][e[+-]digits], or inf / infinity / nan[(chars)].
// No leading whitespace, no '+', no hex (unlike strtod).
template <typename T>
std::from_chars_result fp_get(const char* first, const char* last, T& value) {
    const char* p = first;
    if (p < last && *p == '-') p++;
    const char* body = p;
    auto alpha = [&](const char* q) {
        return q < last && ((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z'));
    };
    size_t len = 0;
    if (alpha(body)) {
        // inf, infinity, nan, nan(...): strtod agrees with from_chars on these.
    } else {
        const char* q = body;
        bool any = false;
        while (q < last && *q >= '0' && *q <= '9') q++, any = true;
        if (q < last && *q == '.') {
            q++;
            while (q < last && *q >= '0' && *q <= '9') q++, any = true;
        }
        if (!any) return {first, std::errc::invalid_argument};
        if (q < last && (*q == 'e' || *q == 'E')) {
            const char* e = q + 1;
            if (e < last && (*e == '+' || *e == '-')) e++;
            if (e < last && *e >= '0' && *e <= '9') {
                while (e < last && *e >= '0' && *e <= '9') e++;
                q = e;
            }
        }
        len = size_t(q - first);
    }
    const std::string text(first, alpha(body) ? size_t(last - first) : len);
    char* end = nullptr;
    errno = 0;
    const T v = sizeof(T) == 4 ? T(std::strtof(text.c_str(), &end)) : T(std::strtod(text.c_str(), &end));
    const int err = errno;
    if (end == text.c_str()) return {first, std::errc::invalid_argument};
    const char* stop = first + (end - text.c_str());
    if (err == ERANGE && (std::isinf(v) || v == 0)) return {stop, std::errc::result_out_of_range};
    value = v;
    return {stop, std::errc()};
}

}  // namespace

namespace std {
to_chars_result to_chars(char* first, char* last, float value) { return fp_put(first, last, value); }
to_chars_result to_chars(char* first, char* last, double value) { return fp_put(first, last, value); }
from_chars_result from_chars(const char* first, const char* last, float& value) { return fp_get(first, last, value); }
from_chars_result from_chars(const char* first, const char* last, double& value) { return fp_get(first, last, value); }
}  // namespace std
