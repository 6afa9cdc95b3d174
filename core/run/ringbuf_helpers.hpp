#pragma once
#include <span>

#include "core/helpers/registry.hpp"

namespace bpfplay {

// bpf_ringbuf_output (130), _reserve (131), _submit (132), _discard (133), _query (134).
std::span<const HelperImpl> ringbuf_helper_impls();

}  // namespace bpfplay
