#include "core/run/traced_packet.hpp"

#include <string>

#include "core/btf/builtin_target_btf.hpp"
#include "core/host/kernel_object_writer.hpp"
#include "core/host/kernel_objects.hpp"
#include "core/host/net_model.hpp"
#include "core/loader/traced_program.hpp"
#include "core/memory.hpp"
#include "core/run/packet_buffer.hpp"

namespace bpfplay {

namespace {

constexpr uint32_t kEthLen = 14;

// The ingress device: a struct net_device with the host device's ifindex and name.
uint64_t write_net_device(KernelObjectWriter& w, const NetDevice& dev) {
    const uint64_t d = w.allocate("net_device");
    w.set(d, "net_device", "ifindex", dev.ifindex);
    w.set_bytes(d, "net_device", "name", dev.name);
    w.set(d, "net_device", "mtu", dev.mtu);
    w.set(d, "net_device", "real_num_rx_queues", dev.rx_queues);
    return d;
}

// xdp_init_buff + xdp_prepare_buff as bpf_prog_test_run_xdp makes them: a page-sized frame,
// data_meta before data when ctx_in asked for metadata, the rx queue of the ingress device.
uint64_t write_xdp_buff(KernelObjectWriter& w, const PacketBuffer& p, uint64_t dev, uint32_t queue) {
    constexpr std::string_view xb = "xdp_buff";
    const uint64_t x = w.allocate(xb);
    const PacketGeometry& g = p.geometry();
    w.set(x, xb, "data", p.vaddr(g.data));
    w.set(x, xb, "data_end", p.vaddr(g.end));
    w.set(x, xb, "data_meta", p.vaddr(g.meta));
    w.set(x, xb, "data_hard_start", p.vaddr(0));
    w.set(x, xb, "frame_sz", xdp_buff::kPageSize);
    w.set(x, xb, "rxq->dev", dev);
    w.set(x, xb, "rxq->queue_index", queue);
    w.set(x, xb, "rxq->frag_size", xdp_buff::kFragSize);
    return x;
}

// What __sk_buff's fields are read from (bpf_convert_ctx_access): len, protocol, ifindex (dev),
// the header offsets from head; data_len 0 (a linear skb, as the test run's). `protocol` is
// skb->protocol as its two bytes load little-endian; `mac_len` 0 where nothing set it yet.
uint64_t write_sk_buff(KernelObjectWriter& w, const PacketBuffer& p, uint64_t dev, uint32_t ifindex,
                       uint32_t protocol, uint32_t mac_len) {
    constexpr std::string_view sb = "sk_buff";
    const uint64_t s = w.allocate(sb);
    const PacketGeometry& g = p.geometry();
    w.set(s, sb, "head", p.vaddr(0));
    w.set(s, sb, "data", p.vaddr(g.data));
    w.set(s, sb, "len", g.end - g.data);
    w.set(s, sb, "data_len", 0);
    w.set(s, sb, "tail", g.end);  // sk_buff_data_t: offsets from head on 64-bit kernels
    w.set(s, sb, "end", p.frame_size());
    w.set(s, sb, "dev", dev);
    w.set(s, sb, "skb_iif", ifindex);
    w.set(s, sb, "mac_header", p.skb().mac_header);
    w.set(s, sb, "network_header", p.skb().network_header);
    w.set(s, sb, "protocol", protocol);
    w.set(s, sb, "mac_len", mac_len);
    w.set(s, sb, "users.refs.counter", 1);
    return s;
}

// The objects go after the emulated kernel's others in window::kKernel, which is remapped.
Result<Unit> map_new_kernel_objects(Memory& memory, KernelObjects& kernel, const KernelObjectWriter& w, uint64_t base,
                                    const std::string& what) {
    if (!w.errors().empty()) return make_error(ErrorKind::Load, "laying out the packet's kernel object: " + w.errors().front());
    kernel.bytes.resize(base - window_base(window::kKernel));
    const std::vector<uint8_t>& objects = w.bytes();
    kernel.bytes.insert(kernel.bytes.end(), objects.begin(), objects.end());
    memory.map(window::kKernel, RegionKind::ReadOnly, kRead, kernel.bytes.data(), uint32_t(kernel.bytes.size()),
               "kernel objects (task_struct and what it points to, " + what + ")");
    return Unit{};
}

uint64_t next_kernel_object(const KernelObjects& kernel) {
    return window_base(window::kKernel) + ((kernel.bytes.size() + 7) & ~size_t(7));
}

// The functions that hold a frame from its Ethernet header (dev_queue_xmit pushes it first).
constexpr std::string_view kL2Functions[] = {"dev_queue_xmit", "__dev_queue_xmit", "dev_hard_start_xmit",
                                            "xmit_one", "__dev_direct_xmit"};

}  // namespace

ProgType sk_buff_view_of(std::string_view function) {
    for (std::string_view f : kL2Functions)
        if (f == function) return ProgType::SchedCls;
    return ProgType::SocketFilter;
}

Result<Unit> lay_out_traced_packet(Memory& memory, KernelObjects& kernel, PacketBuffer& packet, const Network& net,
                                   ProgType traced, std::span<const uint8_t> bytes) {
    const NetDevice* dev = net.device(net.ingress_ifindex);
    if (!dev)
        return make_error(ErrorKind::Load, "-ENODEV: packets arrive on ifindex " + std::to_string(net.ingress_ifindex) +
                                               ", but the host has no device with that ifindex");
    const bool xdp = traced_ctx_struct(traced) == "xdp_buff";
    if (xdp && bytes.size() > xdp_buff::kMaxLinear)
        return make_error(ErrorKind::Load, "the packet has " + std::to_string(bytes.size()) +
                                               " bytes; a traced XDP program's packet is at most " +
                                               std::to_string(xdp_buff::kMaxLinear) +
                                               " (one page: fragments are not laid out for tracing programs)");
    if (xdp) {
        packet.init_xdp(bytes);
    } else {
        // TC programs see the Ethernet header; socket filters and cgroup skb programs start at
        // the network header.
        const bool l2 = traced == ProgType::SchedCls || traced == ProgType::SchedAct;
        packet.init_skb(bytes, l2);
    }
    packet.attach(memory, nullptr);
    const uint64_t base = next_kernel_object(kernel);
    KernelObjectWriter w(builtin_target_btf(), base);
    const uint64_t d = write_net_device(w, *dev);
    if (xdp) {
        kernel.addresses.xdp_buff = write_xdp_buff(w, packet, d, net.rx_queue_index);
    } else {
        // skb->protocol is big-endian; its bytes are the frame's EtherType bytes as they are.
        const bool eth = bytes.size() >= kEthLen;
        const uint32_t protocol = eth ? uint32_t(bytes[12]) | (uint32_t(bytes[13]) << 8) : 0;
        kernel.addresses.sk_buff = write_sk_buff(w, packet, d, dev->ifindex, protocol, eth ? kEthLen : 0);
    }
    return map_new_kernel_objects(memory, kernel, w, base,
                                  "the traced packet's " + std::string(traced_ctx_struct(traced)));
}

Result<NfHookObjects> lay_out_nf_hook(Memory& memory, KernelObjects& kernel, PacketBuffer& packet, const Network& net,
                                      const NfHookInput& in) {
    const NetDevice* lo = net.device(1);
    if (!lo)
        return make_error(ErrorKind::Load, "a netfilter test run uses the loopback device (ifindex 1), but the host has "
                                           "no device with that ifindex");
    packet.attach(memory, nullptr);
    const uint64_t base = next_kernel_object(kernel);
    KernelObjectWriter w(builtin_target_btf(), base);
    const uint64_t d = write_net_device(w, *lo);
    NfHookObjects out;
    // eth_type_trans sets skb->dev; the LOCAL_OUT packet has none. Neither sets skb_iif or mac_len.
    out.skb = write_sk_buff(w, packet, in.from_frame ? d : 0, 0, in.protocol, 0);
    constexpr std::string_view hs = "nf_hook_state";
    out.state = w.allocate(hs);
    w.set(out.state, hs, "hook", in.hook);
    w.set(out.state, hs, "pf", in.pf);
    if (in.in_dev) w.set(out.state, hs, "in", d);
    if (in.out_dev) w.set(out.state, hs, "out", d);
    kernel.addresses.sk_buff = out.skb;
    if (auto r = map_new_kernel_objects(memory, kernel, w, base, "the netfilter hook's sk_buff and nf_hook_state"); !r.ok())
        return r.error();
    return out;
}

}  // namespace bpfplay
