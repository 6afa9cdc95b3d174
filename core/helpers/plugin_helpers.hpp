#pragma once
// The test helpers of the bpf_conformance plugin interface, with the ids and behaviour uBPF's
// plugin gives them. They exist for conformance programs only, so nothing registers them by
// default: `bpfvm plugin` (and tests) call add_plugin_helpers.
//   0 gather_bytes(a, b, c, d, e)  low bytes of a..e packed big-endian into 40 bits
//   1 memfrob(ptr, len)            XORs each byte of [ptr, ptr+len) with 42; returns 0
//   2 no_op()                      returns 0
//   3 sqrti(a)                     floor(sqrt(a)), exact for every u64
//   4 strcmp_ext(p1, p2)           -1, 0 or 1 as strcmp orders the two NUL-terminated strings
//   5 unwind(a)                    returns a; when a is 0 the program ends at once with r0 = 0
#include <cstdint>

namespace bpfplay {

class HelperRegistry;

void add_plugin_helpers(HelperRegistry& registry);

// Exposed for tests: the exact integer square root used by sqrti.
uint64_t integer_sqrt(uint64_t a);

} // namespace bpfplay
