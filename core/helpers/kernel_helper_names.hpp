#pragma once
#include <cstdint>

namespace bpfplay {

// The kernel's name for helper `id` ("bpf_map_lookup_elem" for 1), or nullptr when
// Linux 6.1 has no helper with that id. Used in messages and by the disassembler.
const char* kernel_helper_name(int64_t id);

}  // namespace bpfplay
