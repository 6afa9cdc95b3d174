#include "core/host/host_helpers.hpp"

#include <string>

#include "core/helpers/helper_env.hpp"
#include "core/host/helper_support.hpp"
#include "core/host/host.hpp"
#include "core/vm.hpp"

namespace bpfplay {

Host* host_for(Vm& vm, const char* helper) {
    if (vm.env && vm.env->host) return vm.env->host;
    vm.helper_fail(make_error(ErrorKind::Helper, std::string(helper) + " needs the emulated host, but none is set",
                              vm.current_pc(), "Run it with a HelperEnv whose host is set (Vm::env)."));
    return nullptr;
}

uint64_t no_packet_hook(Vm& vm, const char* helper) {
    vm.helper_fail(make_error(ErrorKind::Helper,
                              std::string(helper) + " works on a packet at an XDP or TC hook, but this program's "
                                                    "type is unknown, so it has none",
                              vm.current_pc(), "Give the program a section name such as SEC(\"xdp\") or SEC(\"tc\")."));
    return 0;
}

void fail_helper_access(Vm& vm, const char* helper, uint64_t addr, uint64_t len, Access access) {
    // describe_fault measures sizes in 32 bits; helper sizes are u32 arguments, so this holds.
    Error e = vm.memory().describe_fault(addr, uint32_t(len), access, vm.current_pc());
    e.what = std::string(helper) + ": " + e.what;
    vm.helper_fail(std::move(e));
}

const uint8_t* helper_read(Vm& vm, const char* helper, uint64_t addr, uint32_t size) {
    const uint8_t* p = vm.memory().helper_ptr(addr, size, /*write=*/false);
    if (!p && size) fail_helper_access(vm, helper, addr, size, Access::HelperRead);
    return p;
}

}  // namespace bpfplay
