#pragma once
// The kernel's %pI4 / %pi4 / %pI6 / %pi6 texts (lib/vsprintf.c ip4_string, ip6_string), for
// addresses in network byte order as the program's memory holds them.
#include <cstdint>
#include <string>

namespace bpfplay {

// "1.2.3.4"; with leading_zeros (%pi4) "001.002.003.004".
std::string format_ipv4(const uint8_t addr[4], bool leading_zeros);

// "0001:0db8:...:0008" (%pI6: eight groups of four hex digits); without colons (%pi6) the 32
// digits run together. Never compressed: bpf_trace_printk has no %pI6c.
std::string format_ipv6(const uint8_t addr[16], bool colons);

}  // namespace bpfplay
