#pragma once
#include "core/helpers/registry.hpp"

namespace bpfplay {

// bpf_ringbuf_output (130), _reserve (131), _submit (132), _discard (133), _query (134).
void add_ringbuf_helpers(HelperRegistry& registry);

}  // namespace bpfplay
