// bpf_tail_call (helper 12): jump to the program a prog_array slot holds, never to return. From
// a subprogram, the target replaces that subprogram's frame and returns to its caller
// (Vm::helper_tail_call says how).
#include "core/run/tail_call.hpp"

#include <string>

#include "core/helpers/helper_env.hpp"
#include "core/maps/fd_array_map.hpp"
#include "core/maps/map_abi.hpp"
#include "core/maps/map_set.hpp"
#include "core/run/dynptr_helpers.hpp"
#include "core/vm.hpp"

namespace bpfplay {

namespace {


uint64_t tail_call(Vm& vm, uint64_t /*ctx*/, uint64_t map_handle, uint64_t index, uint64_t, uint64_t) {
    MapSet* maps = vm.env ? vm.env->maps : nullptr;
    Map* map = maps ? maps->from_handle(map_handle) : nullptr;
    if (!map || map->type() != MapType::ProgArray) {
        vm.helper_fail(make_error(ErrorKind::Helper, "bpf_tail_call: r2 does not hold a prog_array map",
                                  std::nullopt, "Pass the map declared with BPF_MAP_TYPE_PROG_ARRAY."));
        return 0;
    }
    if (vm.in_callback(vm.depth())) {
        vm.helper_fail(make_error(ErrorKind::Helper,
                                  "bpf_tail_call inside a bpf_loop or bpf_for_each_map_elem callback: bpfplay does "
                                  "not run this yet (the target would take over the callback's frame)",
                                  std::nullopt, "Make the tail call after the helper that runs the callback returns."));
        return 0;
    }
    // The verifier refuses the call, whatever the slot holds, while the program holds a reference.
    if (std::optional<Error> refused = dynptr_tail_call_check(vm)) {
        vm.helper_fail(std::move(*refused));
        return 0;
    }
    // A miss (empty slot, index out of range) falls through to the next instruction, as in the kernel.
    auto ref = static_cast<FdArrayMap*>(map)->reference_at(uint32_t(index));
    const auto programs = vm.env->programs;
    if (index > UINT32_MAX || !ref || *ref >= programs.size() || !programs[*ref]) return uint64_t(-kerrno::kENOENT);
    // The kernel allows 33 tail calls in one run (MAX_TAIL_CALL_CNT); more fall through.
    if (vm.tail_calls() >= uint32_t(kMaxTailCalls)) return uint64_t(-kerrno::kE2BIG);
    vm.helper_tail_call(*programs[*ref]);
    return 0;
}

constexpr HelperImpl kTailCallHelperImpls[] = {
    {12, tail_call},  // bpf_tail_call
};

}  // namespace

std::span<const HelperImpl> tail_call_helper_impls() { return kTailCallHelperImpls; }

}  // namespace bpfplay
