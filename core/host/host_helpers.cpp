#include "core/host/host_helpers.hpp"

#include <string>

#include "core/host/helper_support.hpp"
#include "core/host/host.hpp"
#include "core/vm.hpp"

namespace bpfplay {

Host* host_for(Vm& vm, const char* helper) {
    if (vm.user) return static_cast<Host*>(vm.user);
    vm.helper_fail(make_error(ErrorKind::Helper, std::string(helper) + " needs the emulated host, but none is set",
                              vm.current_pc(), "Point vm.user at a bpfplay::Host before running."));
    return nullptr;
}

void fail_helper_access(Vm& vm, const char* helper, uint64_t addr, uint64_t len, Access access) {
    // describe_fault measures sizes in 32 bits; helper sizes are u32 arguments, so this holds.
    Error e = vm.memory().describe_fault(addr, uint32_t(len), access, vm.current_pc());
    e.what = std::string(helper) + ": " + e.what;
    vm.helper_fail(std::move(e));
}

void add_host_helpers(HelperRegistry& registry) {
    registry.add_all(time_helper_specs());
    registry.add_all(cpu_helper_specs());
    registry.add_all(task_helper_specs());
    registry.add_all(trace_printk_helper_specs());
}

}  // namespace bpfplay
