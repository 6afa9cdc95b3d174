#include "core/host/ip_format.hpp"

namespace bpfplay {

std::string format_ipv4(const uint8_t addr[4], bool leading_zeros) {
    std::string s;
    for (int k = 0; k < 4; ++k) {
        const unsigned v = addr[k];
        if (leading_zeros || v >= 100) s += char('0' + v / 100);
        if (leading_zeros || v >= 10) s += char('0' + v / 10 % 10);
        s += char('0' + v % 10);
        if (k < 3) s += '.';
    }
    return s;
}

std::string format_ipv6(const uint8_t addr[16], bool colons) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string s;
    for (int k = 0; k < 16; ++k) {
        s += kHex[addr[k] >> 4];
        s += kHex[addr[k] & 15];
        if (colons && k % 2 == 1 && k != 15) s += ':';
    }
    return s;
}

}  // namespace bpfplay
