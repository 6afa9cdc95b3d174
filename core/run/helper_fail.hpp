#pragma once
// How a helper in core/run stops the run with its own error: "<helper>: <what>", a hint, and the
// map the error is about when there is one. The pc is the helper call's (Vm::helper_fail sets it).
// Each helper file says `using helper_error::fail;` and calls fail(vm, kName, ...).
#include <optional>
#include <string>
#include <utility>

#include "core/error.hpp"
#include "core/maps/map.hpp"
#include "core/vm.hpp"

namespace bpfplay::helper_error {

inline void fail(Vm& vm, const char* helper, std::string what, std::string hint = {}, const Map* map = nullptr) {
    Error err = make_error(ErrorKind::Helper, std::string(helper) + ": " + std::move(what), std::nullopt,
                           std::move(hint));
    if (map) err.where.map = map->name();
    vm.helper_fail(std::move(err));
}

}  // namespace bpfplay::helper_error
