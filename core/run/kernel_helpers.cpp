#include "core/run/kernel_helpers.hpp"

#include <array>

#include "core/helpers/helper_catalog.hpp"
#include "core/host/helper_support.hpp"
#include "core/maps/map_helpers.hpp"
#include "core/run/callback_helpers.hpp"
#include "core/run/csum_helpers.hpp"
#include "core/run/cgroup_helpers.hpp"
#include "core/run/cgroup_prog_helpers.hpp"
#include "core/run/cgroup_storage_helpers.hpp"
#include "core/run/dynptr_helpers.hpp"
#include "core/run/fib_helpers.hpp"
#include "core/run/local_storage_helpers.hpp"
#include "core/run/lirc_helpers.hpp"
#include "core/run/struct_ops_run.hpp"
#include "core/run/lwt_helpers.hpp"
#include "core/run/seg6_helpers.hpp"
#include "core/run/lock_helpers.hpp"
#include "core/run/lsm_helpers.hpp"
#include "core/run/mtu_helpers.hpp"
#include "core/run/packet_helpers.hpp"
#include "core/run/perf_event_helpers.hpp"
#include "core/run/probe_helpers.hpp"
#include "core/run/redirect_helpers.hpp"
#include "core/run/reuseport_helpers.hpp"
#include "core/run/seq_helpers.hpp"
#include "core/run/ringbuf_helpers.hpp"
#include "core/run/skb_adjust_room.hpp"
#include "core/run/skb_change_helpers.hpp"
#include "core/run/skb_meta_helpers.hpp"
#include "core/run/skb_vlan_helpers.hpp"
#include "core/run/sock_ops_helpers.hpp"
#include "core/run/socket_helpers.hpp"
#include "core/run/sockmap_helpers.hpp"
#include "core/run/sock_pointer_helpers.hpp"
#include "core/run/syncookie_helpers.hpp"
#include "core/run/stack_helpers.hpp"
#include "core/run/string_helpers.hpp"
#include "core/run/syscall_helpers.hpp"
#include "core/run/tail_call.hpp"
#include "core/run/tc_helpers.hpp"
#include "core/run/timer_helpers.hpp"
#include "core/run/btf_print_helpers.hpp"
#include "core/run/trace_helpers.hpp"
#include "core/run/trace_user_helpers.hpp"
#include "core/run/tunnel_helpers.hpp"
#include "core/run/user_ringbuf_helpers.hpp"
#include "core/run/xdp_adjust_helpers.hpp"

namespace bpfplay {

std::span<const std::span<const HelperImpl>> kernel_helper_families() {
    // One family per line, so families added on different branches merge cleanly.
    static const std::array families = {
        time_helper_impls(),
        cpu_helper_impls(),
        task_helper_impls(),
        trace_printk_helper_impls(),
        map_helper_impls(),
        tail_call_helper_impls(),
        packet_helper_impls(),
        probe_helper_impls(),
        ringbuf_helper_impls(),
        perf_event_helper_impls(),
        redirect_helper_impls(),
        socket_helper_impls(),
        fib_helper_impls(),
        dynptr_helper_impls(),
        string_helper_impls(),
        lock_helper_impls(),
        syscall_helper_impls(),
        callback_helper_impls(),
        timer_helper_impls(),
        xdp_adjust_helper_impls(),
        csum_helper_impls(),
        skb_change_helper_impls(),
        skb_adjust_room_helper_impls(),
        skb_vlan_helper_impls(),
        skb_meta_helper_impls(),
        mtu_helper_impls(),
        tc_helper_impls(),
        stack_helper_impls(),
        cgroup_helper_impls(),
        local_storage_helper_impls(),
        cgroup_storage_helper_impls(),
        user_ringbuf_helper_impls(),
        sockmap_helper_impls(),
        sock_ops_helper_impls(),
        sock_pointer_helper_impls(),
        syncookie_helper_impls(),
        cgroup_prog_helper_impls(),
        trace_helper_impls(),
        trace_user_helper_impls(),
        lsm_helper_impls(),
        tunnel_helper_impls(),
        lwt_helper_impls(),
        seg6_helper_impls(),
        reuseport_helper_impls(),
        lirc_helper_impls(),
        tcp_ca_helper_impls(),
        seq_helper_impls(),
        btf_print_helper_impls(),
    };
    return families;
}

const HelperRegistry& kernel_helper_registry() {
    static const HelperRegistry registry = [] {
        HelperRegistry r;
        for (std::span<const HelperImpl> family : kernel_helper_families())
            for (const HelperImpl& impl : family) {
                // A family row for an id the catalog lacks is a bug the catalog test reports.
                const HelperProto* proto = helper_proto(impl.id);
                if (proto) r.add({impl.id, proto->name, proto->nargs, impl.fn});
            }
        return r;
    }();
    return registry;
}

bool helper_implemented(int64_t id) {
    const HelperSpec* spec =
        id >= INT32_MIN && id <= INT32_MAX ? kernel_helper_registry().find(int32_t(id)) : nullptr;
    return spec && spec->fn;
}

} // namespace bpfplay
