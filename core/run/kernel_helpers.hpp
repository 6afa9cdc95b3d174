#pragma once
// The kernel helpers bpfplay implements, joined with the catalog (core/helpers/helper_catalog.hpp):
// each family file keeps a table of HelperImpl {id, function} beside its functions, and this is
// the one place that lists the families.
#include <cstdint>
#include <span>

#include "core/helpers/registry.hpp"

namespace bpfplay {

// Every implemented helper, named and sized (nargs) by the catalog. Built once; object sessions
// decode their programs against it.
const HelperRegistry& kernel_helper_registry();

// The families' tables as they are, for tests that check them against the catalog.
std::span<const std::span<const HelperImpl>> kernel_helper_families();

// True when bpfplay implements helper `id`.
bool helper_implemented(int64_t id);

} // namespace bpfplay
