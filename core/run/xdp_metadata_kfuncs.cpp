// The XDP RX metadata kfuncs (net/core/xdp.c): what the receiving device's driver knows of the
// frame (its hardware timestamp, RSS hash and type, stripped VLAN tag). Only a device-bound XDP
// program may call them (the loader refuses any other: "metadata kfuncs require device-bound
// program"); the kernel then binds each call to the driver's xdp_metadata_ops, or leaves the
// generic kfunc, which answers -EOPNOTSUPP, when the driver has none. The emulated drivers are
// the host's devices: NetDevice::rx_metadata (host JSON "rx_metadata" of a device) holds what
// their driver reports, -ENODATA for a value the frame lacks (as veth and mlx5 answer), and a
// device without it has no ops (-EOPNOTSUPP), as lo. A value is written only on success.
//
// The reference kernel (6.18.44) could not run them: it refuses the load without a device,
// refuses binding to lo (-EOPNOTSUPP), and BPF_PROG_TEST_RUN refuses a program bound to a veth
// device (-EINVAL), so these answers follow the kernel's and veth's source.
#include <cstring>
#include <string>

#include "core/helpers/helper_env.hpp"
#include "core/host/helper_support.hpp"
#include "core/host/host.hpp"
#include "core/loader/loader.hpp"
#include "core/run/helper_fail.hpp"
#include "core/run/kernel_kfuncs.hpp"
#include "core/vm.hpp"

namespace bpfplay {

namespace {

using helper_error::fail;

constexpr int64_t kMdENODATA = 61, kMdEOPNOTSUPP = 95;

// The device the program is bound to, when the run's packet arrives on it; nullptr after
// stopping the run. Its rx metadata, or none (*ops false) when its driver has no ops.
const NetDevice* bound_device(Vm& vm, const char* kfunc, uint64_t ctx) {
    Host* host = host_for(vm, kfunc);
    if (!host) return nullptr;
    if (ctx != window_base(window::kContext)) {
        fail(vm, kfunc, "r1 is not the program's context: the kernel's verifier refuses the call (\"arg#0 expected pointer to ctx\")",
             "Pass the context pointer the program got in r1.");
        return nullptr;
    }
    const uint32_t ifindex = vm.env && vm.env->program ? vm.env->program->dev_bound_ifindex : 0;
    const NetDevice* dev = host->net.device(ifindex);
    if (!dev) {
        fail(vm, kfunc, "the program is bound to ifindex " + std::to_string(ifindex) + ", which the host has no device for",
             "Bind it to one of the host's devices (host JSON \"dev_bound\").");
        return nullptr;
    }
    if (host->net.ingress_ifindex != ifindex) {
        fail(vm, kfunc,
             "the program is bound to " + host->net.device_label(ifindex) + ", but this run's packet arrives on " +
                 host->net.device_label(host->net.ingress_ifindex) +
                 ": the kernel attaches a device-bound program only to its own device",
             "Set the host's \"ingress_ifindex\" to " + std::to_string(ifindex) + ".");
        return nullptr;
    }
    return dev;
}

// `size` writable bytes at `addr` for a result (nullptr after stopping the run).
uint8_t* out_ptr(Vm& vm, const char* kfunc, uint64_t addr, uint32_t size) {
    uint8_t* p = vm.memory().helper_ptr(addr, size, /*write=*/true);
    if (!p) fail_helper_access(vm, kfunc, addr, size, Access::HelperWrite);
    return p;
}

// int bpf_xdp_metadata_rx_timestamp(const struct xdp_md *ctx, u64 *timestamp)
uint64_t rx_timestamp(Vm& vm, uint64_t ctx, uint64_t ts, uint64_t, uint64_t, uint64_t) {
    constexpr const char* kName = "bpf_xdp_metadata_rx_timestamp";
    const NetDevice* dev = bound_device(vm, kName, ctx);
    if (!dev) return 0;
    uint8_t* out = out_ptr(vm, kName, ts, 8);
    if (!out) return 0;
    if (!dev->rx_metadata) return helper_errno(kMdEOPNOTSUPP);
    if (!dev->rx_metadata->timestamp) return helper_errno(kMdENODATA);
    store_le<uint64_t>(out, *dev->rx_metadata->timestamp);
    return 0;
}

// int bpf_xdp_metadata_rx_hash(const struct xdp_md *ctx, u32 *hash, enum xdp_rss_hash_type *rss_type)
uint64_t rx_hash(Vm& vm, uint64_t ctx, uint64_t hash, uint64_t type, uint64_t, uint64_t) {
    constexpr const char* kName = "bpf_xdp_metadata_rx_hash";
    const NetDevice* dev = bound_device(vm, kName, ctx);
    if (!dev) return 0;
    uint8_t* h = out_ptr(vm, kName, hash, 4);
    if (!h) return 0;
    uint8_t* t = out_ptr(vm, kName, type, 4);
    if (!t) return 0;
    if (!dev->rx_metadata) return helper_errno(kMdEOPNOTSUPP);
    if (!dev->rx_metadata->hash) return helper_errno(kMdENODATA);
    store_le<uint32_t>(h, *dev->rx_metadata->hash);
    store_le<uint32_t>(t, dev->rx_metadata->rss_type);
    return 0;
}

// int bpf_xdp_metadata_rx_vlan_tag(const struct xdp_md *ctx, __be16 *vlan_proto, u16 *vlan_tci)
uint64_t rx_vlan_tag(Vm& vm, uint64_t ctx, uint64_t proto, uint64_t tci, uint64_t, uint64_t) {
    constexpr const char* kName = "bpf_xdp_metadata_rx_vlan_tag";
    const NetDevice* dev = bound_device(vm, kName, ctx);
    if (!dev) return 0;
    uint8_t* p = out_ptr(vm, kName, proto, 2);
    if (!p) return 0;
    uint8_t* t = out_ptr(vm, kName, tci, 2);
    if (!t) return 0;
    if (!dev->rx_metadata) return helper_errno(kMdEOPNOTSUPP);
    if (!dev->rx_metadata->vlan_tci) return helper_errno(kMdENODATA);
    const uint16_t be = dev->rx_metadata->vlan_proto;
    p[0] = uint8_t(be >> 8);
    p[1] = uint8_t(be);
    store_le<uint16_t>(t, *dev->rx_metadata->vlan_tci);
    return 0;
}

constexpr KfuncImpl kXdpMetadataKfuncImpls[] = {
    {"bpf_xdp_metadata_rx_hash", rx_hash},
    {"bpf_xdp_metadata_rx_timestamp", rx_timestamp},
    {"bpf_xdp_metadata_rx_vlan_tag", rx_vlan_tag},
};

} // namespace

std::span<const KfuncImpl> xdp_metadata_kfunc_impls() { return kXdpMetadataKfuncImpls; }

} // namespace bpfplay
