#pragma once
// Internal: the checks that need every type decoded first (references, loops, sizes,
// member bounds). parse_btf runs decode, then this.
#include <cstdint>
#include <string>

#include "core/btf/btf.hpp"

namespace bpfplay::btf_detail {

// Fills data.sizes / data.has_size; the first problem found is returned as a .BTF error.
Result<Unit> validate_btf(BtfData& data);

// "type id 7 (struct 'flow_key')" -- how errors name a type.
std::string describe_type(const BtfData& data, uint32_t id);

}  // namespace bpfplay::btf_detail
