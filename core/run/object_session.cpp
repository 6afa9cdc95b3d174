#include "core/run/object_session.hpp"

#include <algorithm>
#include <cstring>

#include "core/context/contexts.hpp"
#include "core/hex.hpp"
#include "core/host/kernel_objects.hpp"
#include "core/run/btf_args_context.hpp"
#include "core/run/btf_args_setup.hpp"
#include "core/loader/traced_program.hpp"
#include "core/run/traced_packet.hpp"
#include "core/maps/map_set.hpp"
#include "core/run/cgroup_prog_setup.hpp"
#include "core/run/dynptr_helpers.hpp"
#include "core/run/kernel_helpers.hpp"
#include "core/run/kernel_kfuncs.hpp"
#include "core/run/lirc_helpers.hpp"
#include "core/run/perf_event_helpers.hpp"
#include "core/run/netfilter_context.hpp"
#include "core/run/seg6_helpers.hpp"
#include "core/run/sk_lookup_context.hpp"
#include "core/run/sk_reuseport_context.hpp"
#include "core/run/sock_ops_context.hpp"
#include "core/run/sockmap_helpers.hpp"
#include "core/run/struct_ops_run.hpp"
#include "core/run/uapi_consts.hpp"

namespace bpfplay {

namespace {

using uapi::kEthHeaderLen;
constexpr size_t kSkbMaxTestData = 4096 - 64 - 320;  // PAGE_SIZE - NET_SKB_PAD - shared info
constexpr uint32_t kPtRegsSize = 21 * 8;  // struct pt_regs on x86-64
constexpr size_t kSyscallCtxMax = 65535;  // U16_MAX: bpf_prog_test_run_syscall's ctx_size_in limit

const char* const kXdpNames[] = {"XDP_ABORTED", "XDP_DROP", "XDP_PASS", "XDP_TX", "XDP_REDIRECT"};
const char* const kTcNames[] = {"TC_ACT_OK",     "TC_ACT_RECLASSIFY", "TC_ACT_SHOT",  "TC_ACT_PIPE",
                                "TC_ACT_STOLEN", "TC_ACT_QUEUED",     "TC_ACT_REPEAT", "TC_ACT_REDIRECT"};

bool is_l2(ProgType t) { return t == ProgType::SchedCls || t == ProgType::SchedAct || t == ProgType::Xdp; }
bool is_lwt(ProgType t) {
    return t == ProgType::LwtIn || t == ProgType::LwtOut || t == ProgType::LwtXmit || t == ProgType::LwtSeg6local;
}

// What eth_type_trans() gives for a frame arriving on loopback (whose address is all zeros).
uint32_t pkt_type_of(const std::vector<uint8_t>& frame) {
    if (frame.size() < 6) return 0;
    bool all_ff = true, all_zero = true;
    for (int i = 0; i < 6; ++i) {
        all_ff &= frame[i] == 0xff;
        all_zero &= frame[i] == 0;
    }
    if (all_ff) return 1;             // PACKET_BROADCAST
    if (frame[0] & 1) return 2;       // PACKET_MULTICAST
    return all_zero ? 0 : 3;          // PACKET_HOST : PACKET_OTHERHOST
}

PacketHook hook_of(const LoadedProgram& prog) {
    if (prog.context == ContextKind::Xdp) return PacketHook::Xdp;
    if (prog.context == ContextKind::SkMsg) return PacketHook::SkMsg;
    if (prog.type == ProgType::SkSkb)
        return prog.attach == AttachType::SkSkbStreamParser ? PacketHook::SkSkbParser : PacketHook::SkSkb;
    if (prog.context != ContextKind::SkBuff) return PacketHook::None;
    if (prog.type == ProgType::LwtIn) return PacketHook::LwtIn;
    if (prog.type == ProgType::LwtOut) return PacketHook::LwtOut;
    if (prog.type == ProgType::LwtXmit) return PacketHook::LwtXmit;
    if (prog.type == ProgType::LwtSeg6local) return PacketHook::LwtSeg6local;
    return is_l2(prog.type) ? PacketHook::Tc : PacketHook::SocketFilter;
}

// BPF_PROG_TEST_RUN refuses a device that does not exist (-ENODEV) and, for XDP, a receive
// queue the device does not have (-EINVAL).
Result<Unit> check_ingress(const Network& net, bool xdp) {
    const NetDevice* dev = net.device(net.ingress_ifindex);
    if (!dev)
        return make_error(ErrorKind::Load,
                          "-ENODEV: packets arrive on ifindex " + std::to_string(net.ingress_ifindex) +
                              ", but the host has no device with that ifindex",
                          std::nullopt, "Pick one of the host's devices (lo is ifindex 1).");
    if (xdp && net.rx_queue_index >= dev->rx_queues)
        return make_error(ErrorKind::Load, "-EINVAL: packets arrive on receive queue " +
                                               std::to_string(net.rx_queue_index) + " of " + dev->name +
                                               ", which has " + std::to_string(dev->rx_queues) +
                                               " receive queue(s)");
    return Unit{};
}

// The metadata length an xdp_md ctx_in asks for (its data field), checked as
// bpf_prog_test_run_xdp does: data_meta 0, data_end the packet's length, data a multiple of 4
// of at most 255 and not past data_end.
Result<uint32_t> xdp_metalen(const RunInput& in) {
    if (in.ctx.size() < 4) return 0u;
    std::vector<uint8_t> f(in.ctx);
    f.resize(std::max<size_t>(f.size(), 12), 0);
    const uint32_t data = load_le<uint32_t>(&f[xdp_md::kData]);
    if (data == 0) return 0u;
    const uint32_t end = load_le<uint32_t>(&f[xdp_md::kDataEnd]), meta = load_le<uint32_t>(&f[xdp_md::kDataMeta]);
    if (meta != 0 || end != in.packet.size() || data > end || (data & 3) || data > 255)
        return make_error(ErrorKind::Load,
                          "-EINVAL: an xdp_md ctx_in with data = " + std::to_string(data) +
                              " (that many bytes of metadata) needs data_meta = 0, data_end = the packet's length (" +
                              std::to_string(in.packet.size()) + ") and data a multiple of 4, at most 252",
                          std::nullopt, "Leave data, data_end and data_meta 0 for a packet without metadata.");
    return data;
}

// The socket an sk_msg or sk_skb program runs on (Network::program_socket).
Result<uint32_t> program_socket(const Network& net, const char* kind) {
    if (auto index = net.program_socket_index()) return *index;
    return make_error(ErrorKind::Load,
                      std::string("an ") + kind + " program runs on a socket, but the host has " +
                          (net.program_socket == Network::kAutoSocket ? "no established TCP socket"
                                                                      : "no socket " + std::to_string(net.program_socket)),
                      std::nullopt, "Add an established TCP socket to the host, or pick one with program_socket.");
}

// Where a context keeps the socket's fields (sk_msg_md and __sk_buff name them alike).
struct SocketFields {
    uint32_t family, remote_ip4, local_ip4, remote_ip6, local_ip6, remote_port, local_port, sk;
};
constexpr SocketFields kSkMsgFields{sk_msg_md::kFamily,    sk_msg_md::kRemoteIp4,  sk_msg_md::kLocalIp4,
                                   sk_msg_md::kRemoteIp6,  sk_msg_md::kLocalIp6,   sk_msg_md::kRemotePort,
                                   sk_msg_md::kLocalPort,  sk_msg_md::kSk};
constexpr SocketFields kSkSkbFields{sk_buff::kFamily,    sk_buff::kRemoteIp4, sk_buff::kLocalIp4,
                                    sk_buff::kRemoteIp6, sk_buff::kLocalIp6,  sk_buff::kRemotePort,
                                    sk_buff::kLocalPort, sk_buff::kSk};

// As the kernel's ctx conversions read struct sock: addresses in network byte order (an IPv4
// socket's in the ip4 fields, an IPv6 socket's in the ip6 ones), remote_port the big-endian
// port in the upper 16 bits (skc_dport << 16), local_port in host order (skc_num), and sk the
// socket's struct bpf_sock.
void fill_socket_fields(FieldContext& c, const Network& net, uint32_t index, const SocketFields& f) {
    const HostSocket& s = net.sockets[index];
    std::vector<uint8_t>& b = c.bytes();
    c.set_u32(f.family, s.family);
    if (s.family == kAfInet) {
        std::memcpy(&b[f.remote_ip4], s.remote_addr.data(), 4);
        std::memcpy(&b[f.local_ip4], s.local_addr.data(), 4);
    } else {
        std::memcpy(&b[f.remote_ip6], s.remote_addr.data(), 16);
        std::memcpy(&b[f.local_ip6], s.local_addr.data(), 16);
    }
    const uint32_t be_port = uint32_t(s.remote_port >> 8) | uint32_t(s.remote_port & 0xff) << 8;
    c.set_u32(f.remote_port, be_port << 16);
    c.set_u32(f.local_port, s.local_port);
    store_le<uint64_t>(&b[f.sk], socket_address(index));
}

// A tracing program on a kernel function taking a struct sk_buff * (fentry/ip_rcv, kprobe/ip_rcv,
// pwru-style tools): the run's packet becomes that sk_buff, which the argument then points at
// (traced_packet.hpp). Without a packet the argument stays NULL.
Result<Unit> lay_out_function_sk_buff(const LoadedProgram& prog, const RunInput& in, RunState& mem, Vm& vm,
                                      const Network& net) {
    if (in.packet.empty() || traces_bpf_program(prog) || !has_btf_args(prog) || !vm.env || !vm.env->host) return Unit{};
    auto layout = btf_args_layout(prog);
    if (!layout) return Unit{};  // no prototype: setup_btf_args_context says so
    const bool takes_skb = std::any_of(layout->slots.begin(), layout->slots.end(), [](const BtfArgSlot& s) {
        return !s.is_return && s.type.find("struct sk_buff *") != std::string::npos;
    });
    if (!takes_skb) return Unit{};
    return lay_out_traced_packet(vm.memory(), mem.kernel, mem.packet, net, sk_buff_view_of(layout->attach), in.packet);
}

Result<Unit> map_input(const LoadedProgram& prog, const RunInput& in, RunState& mem, Vm& vm,
                       const Network& net) {
    const uint64_t ctx_base = window_base(window::kContext);
    auto copy_fields = [&](FieldContext& c) {
        if (!in.ctx.empty()) std::memcpy(c.bytes().data(), in.ctx.data(), std::min(in.ctx.size(), c.bytes().size()));
    };
    // First: a tracing program's default arguments point at these objects.
    if (vm.env && vm.env->host) map_kernel_objects(vm.memory(), *vm.env->host, mem.kernel);
    switch (prog.context) {
    case ContextKind::Xdp: {
        auto metalen = xdp_metalen(in);
        if (!metalen.ok()) return metalen.error();
        // Past the linear part the test run fills page-sized fragments, MAX_SKB_FRAGS of them.
        constexpr size_t kMaxXdpTestData = xdp_buff::kMaxLinear + size_t(xdp_buff::kMaxFrags) * xdp_buff::kFragSize;
        if (in.packet.size() - metalen.value() > kMaxXdpTestData)
            return make_error(ErrorKind::Load,
                              "-ENOMEM: an XDP test run holds at most " + std::to_string(kMaxXdpTestData) +
                                  " bytes (3520 in the page, then 17 fragments of 4096), but the packet has " +
                                  std::to_string(in.packet.size() - metalen.value()));
        mem.packet.init_xdp(in.packet, metalen.value());
        mem.ctx = make_xdp_md();
        copy_fields(*mem.ctx);
        if (auto ok = check_ingress(net, true); !ok.ok()) return ok.error();
        mem.ctx->set_u32(xdp_md::kIngressIfindex, net.ingress_ifindex);
        if (mem.ctx->get_u32(xdp_md::kRxQueueIndex) == 0)
            mem.ctx->set_u32(xdp_md::kRxQueueIndex, net.rx_queue_index);
        mem.packet.attach(vm.memory(), mem.ctx.get());
        vm.memory().map_context(window::kContext, xdp_md::kSize, "xdp_md context", mem.ctx.get());
        break;
    }
    case ContextKind::SkBuff: {
        if (prog.type == ProgType::SkSkb) {
            // An skb a socket received: the packet is its payload (the TCP stream's bytes).
            auto sock = program_socket(net, "sk_skb");
            if (!sock.ok()) return sock.error();
            mem.ctx = make_sk_skb();
            mem.packet.init_skb(in.packet, /*l2=*/true);
            FieldContext& c = *mem.ctx;
            const bool v6 = net.sockets[sock.value()].family == kAfInet6;
            c.set_u32(sk_buff::kProtocol, v6 ? 0xdd86 : 0x0008);  // htons(ETH_P_IPV6 / ETH_P_IP)
            fill_socket_fields(c, net, sock.value(), kSkSkbFields);
            mem.packet.attach(vm.memory(), &c);
            vm.memory().map_context(window::kContext, sk_buff::kSize, "__sk_buff context", mem.ctx.get());
            break;
        }
        const bool l2 = is_l2(prog.type);
        if (!l2 && !in.packet.empty() && in.packet.size() < kEthHeaderLen)
            return make_error(ErrorKind::Load, "the packet is shorter than an Ethernet header (14 bytes)");
        // bpf_test_init: the frame must fit a page with the skb's headroom and shared info.
        if (in.packet.size() > kSkbMaxTestData)
            return make_error(ErrorKind::Load,
                              "-EINVAL: BPF_PROG_TEST_RUN takes at most " + std::to_string(kSkbMaxTestData) +
                                  " bytes for an __sk_buff program (a 4096-byte page less 64 bytes of headroom "
                                  "and 320 of shared info), but the packet has " +
                                  std::to_string(in.packet.size()),
                              std::nullopt, "Give a shorter packet; a program can grow it with bpf_skb_change_tail.");
        // Socket filters see the frame from the network header on, as the kernel's test run
        // does after eth_type_trans(); TC programs see the Ethernet header too.
        mem.ctx = is_lwt(prog.type) ? make_lwt_sk_buff() : make_sk_buff(l2);
        copy_fields(*mem.ctx);
        FieldContext& c = *mem.ctx;
        mem.packet.init_skb(in.packet, l2);
        if (in.packet.size() >= kEthHeaderLen) {
            c.set_u32(sk_buff::kProtocol, uint32_t(in.packet[12]) | (uint32_t(in.packet[13]) << 8));
            c.set_u32(sk_buff::kPktType, pkt_type_of(in.packet));
        }
        if (auto ok = check_ingress(net, false); !ok.ok()) return ok.error();
        c.set_u32(sk_buff::kIfindex, net.ingress_ifindex);
        // convert___skb_to_skb: wire_len from ctx_in when given, else the length the program sees.
        if (c.get_u32(sk_buff::kWireLen) == 0) c.set_u32(sk_buff::kWireLen, mem.packet.len());
        mem.packet.attach(vm.memory(), &c);
        vm.memory().map_context(window::kContext, sk_buff::kSize, "__sk_buff context", mem.ctx.get());
        break;
    }
    case ContextKind::SkMsg: {
        auto sock = program_socket(net, "sk_msg");
        if (!sock.ok()) return sock.error();
        mem.ctx = make_sk_msg_md();
        mem.packet.init_msg(in.packet);
        mem.ctx->set_u32(sk_msg_md::kSize, uint32_t(in.packet.size()));
        fill_socket_fields(*mem.ctx, net, sock.value(), kSkMsgFields);
        mem.packet.attach(vm.memory(), mem.ctx.get());
        vm.memory().map_context(window::kContext, sk_msg_md::kStructSize, "sk_msg_md context", mem.ctx.get());
        break;
    }
    case ContextKind::SockOps:
        if (auto r = map_sock_ops_input(in, mem, vm, net); !r.ok()) return r.error();
        break;
    case ContextKind::Sysctl:
        if (auto r = setup_sysctl_context(in, mem, vm, *vm.env->host); !r.ok()) return r.error();
        break;
    case ContextKind::Sockopt:
        if (auto r = setup_sockopt_context(prog, in, mem, vm, *vm.env->host); !r.ok()) return r.error();
        break;
    case ContextKind::SockAddr:
        if (auto r = setup_sock_addr_context(prog, in, mem, vm, *vm.env->host); !r.ok()) return r.error();
        break;
    case ContextKind::CgroupDev:
        if (auto r = setup_cgroup_dev_context(in, mem, vm); !r.ok()) return r.error();
        break;
    case ContextKind::Sock:
        if (auto r = setup_cgroup_sock_context(prog, in, mem, vm); !r.ok()) return r.error();
        break;
    case ContextKind::SkReuseport:
        if (auto r = setup_sk_reuseport_context(prog, in, mem, vm, net); !r.ok()) return r.error();
        break;
    case ContextKind::LircMode2:
        if (auto r = setup_lirc_context(in, mem, vm); !r.ok()) return r.error();
        break;
    case ContextKind::SkLookup:
        if (auto r = setup_sk_lookup_context(in, mem, vm); !r.ok()) return r.error();
        break;
    case ContextKind::Netfilter:
        if (auto r = setup_netfilter_context(in, mem, vm, net); !r.ok()) return r.error();
        break;
    case ContextKind::PtRegs: {
        // A kprobe on a kernel function the built-in BTF has a prototype of: its arguments by name.
        if (auto r = lay_out_function_sk_buff(prog, in, mem, vm, net); !r.ok()) return r.error();
        auto named = setup_btf_args_context(prog, in, mem, vm);
        if (!named) return named.error();
        if (*named) break;
        mem.raw_ctx = in.ctx;
        mem.raw_ctx.resize(kPtRegsSize, 0);
        // Kprobes may read the registers but not change them.
        vm.memory().map(window::kContext, RegionKind::Context, kRead, mem.raw_ctx.data(), kPtRegsSize,
                        "pt_regs context");
        break;
    }
    case ContextKind::None:
    case ContextKind::PerfEvent:
    case ContextKind::RawMemory:
    case ContextKind::Other: {
        // An fentry / fexit on an XDP or TC program: the packet as that program's kernel context.
        if (traces_bpf_program(prog) && !traced_ctx_struct(prog.traced_type).empty() && vm.env && vm.env->host)
            if (auto r = lay_out_traced_packet(vm.memory(), mem.kernel, mem.packet, net, prog.traced_type, in.packet);
                !r.ok())
                return r.error();
        if (auto r = lay_out_function_sk_buff(prog, in, mem, vm, net); !r.ok()) return r.error();
        auto named = setup_btf_args_context(prog, in, mem, vm);
        if (!named) return named.error();
        if (*named) break;
        mem.raw_ctx = in.ctx;
        if (!mem.raw_ctx.empty()) {
            const bool syscall = prog.type == ProgType::Syscall;
            vm.memory().map(window::kContext, RegionKind::Context, kReadWrite, mem.raw_ctx.data(),
                            uint32_t(mem.raw_ctx.size()), syscall ? "context (ctx_in)" : "context");
            // The verifier records the furthest context byte the program may touch, and the
            // test run refuses a shorter ctx_in up front.
            if (syscall)
                vm.memory().set_hint(window::kContext,
                                     "A syscall program reads and writes the ctx_in bytes it is given, no more: the "
                                     "kernel refuses (-EINVAL) a test run whose ctx_in is shorter than the furthest "
                                     "context offset the program touches. Give a longer context.");
        }
        break;
    }
    }
    if (prog.type == ProgType::StructOps)
        if (auto r = setup_struct_ops_context(prog, in, mem, vm, net); !r.ok()) return r.error();
    vm.set_reg(1, mem.raw_ctx.empty() && !mem.ctx ? 0 : ctx_base);
    // A program of no known type runs as bpf_conformance programs do: r2 = the input's length.
    if (!prog.type_known) vm.set_reg(2, mem.raw_ctx.size());
    return Unit{};
}

}  // namespace

std::string return_value_name(ProgType type, uint64_t r0) {
    if (type == ProgType::Xdp) return r0 < 5 ? kXdpNames[r0] : "";
    if (type == ProgType::SkReuseport || type == ProgType::SkLookup) return r0 == 1 ? "SK_PASS" : r0 == 0 ? "SK_DROP" : "";
    if (type == ProgType::Netfilter) return r0 == 1 ? "NF_ACCEPT" : r0 == 0 ? "NF_DROP" : "";
    if (type == ProgType::SchedCls || type == ProgType::SchedAct) {
        if (int32_t(r0) == -1) return "TC_ACT_UNSPEC";
        return r0 < 8 ? kTcNames[r0] : "";
    }
    return "";
}

void ObjectSession::index_programs() {
    programs_.clear();
    for (const LoadedProgram& p : object_.programs) programs_.push_back(p.load_error ? nullptr : &p.program);
}

void ObjectSession::open_process() {
    process_ = BpfProcess{};
    process_.btfs.push_back(object_.btf);
    if (object_.btf) process_.fds.open({BpfObjectKind::Btf, 0, true, false});
    const uint32_t nmaps = object_.maps ? object_.maps->size() : 0;
    for (uint32_t id = 0; id < nmaps; ++id) {
        const Map& m = *object_.maps->get(id);
        // libbpf creates a map of maps' inner map first, passes its fd as inner_map_fd and
        // closes it once the outer map exists: that fd is taken meanwhile, and the next map
        // (or program) gets it.
        const bool template_fd = m.spec().inner != nullptr;
        const int64_t inner = template_fd ? process_.fds.open({BpfObjectKind::File, 0, false, false}) : -1;
        const uint32_t flags = m.map_flags();
        process_.fds.open({BpfObjectKind::Map, id, !(flags & map_flag::kWronly), !(flags & map_flag::kRdonly)});
        if (template_fd) process_.fds.close(inner);
    }
    process_.object_maps = nmaps;
    for (uint32_t i = 0; i < object_.programs.size(); ++i) {
        const LoadedProgram& p = object_.programs[i];
        process_.programs.push_back({p.name, p.type, p.attach});
        if (!p.load_error) process_.fds.open({BpfObjectKind::Program, i, true, true});
    }
}

Result<std::unique_ptr<ObjectSession>> ObjectSession::open(std::span<const uint8_t> elf_bytes,
                                                           std::string object_name, Host host) {
    std::unique_ptr<ObjectSession> s(new ObjectSession());
    LoadOptions opt;
    opt.object_name = std::move(object_name);
    opt.helpers = &kernel_helper_registry();
    opt.kfuncs = &kernel_kfunc_registry();
    opt.ncpus = host.ncpus;
    opt.map_sizes = host.map_sizes;
    opt.prog_types = host.prog_types;
    opt.dev_bound = host.dev_bound;
    opt.kconfig = &host.kconfig;
    auto obj = load_object(elf_bytes, opt);
    if (!obj.ok()) return obj.error();
    s->object_ = std::move(obj).value();
    s->host_ = std::move(host);
    attach_perf_readers(*s->object_.maps, s->host_.ncpus);
    // cgroup_array values are ids of the host's cgroups (the host may change between runs).
    Host* host_ptr = &s->host_;
    s->object_.maps->set_cgroup_validator([host_ptr](uint32_t id) { return host_ptr->cgroup(id) != nullptr; });
    attach_socket_resolver(*s->object_.maps, host_ptr);  // sockmap values are socket cookies
    s->index_programs();
    s->open_process();
    return s;
}

Result<std::unique_ptr<RunState>> ObjectSession::start(std::string_view name, const RunInput& input) {
    const LoadedProgram* prog = object_.find_program(name);
    if (!prog) {
        std::string names;
        for (const auto& p : object_.programs) names += (names.empty() ? "" : ", ") + p.name;
        return make_error(ErrorKind::Load, "the object has no program \"" + std::string(name) +
                                               "\"; its programs are: " + names);
    }
    if (prog->load_error) return *prog->load_error;
    if (prog->type == ProgType::Syscall) {
        // bpf_prog_test_run_syscall: no packet, and a context of at most U16_MAX bytes.
        if (!input.packet.empty())
            return make_error(ErrorKind::Load,
                              "-EINVAL: BPF_PROG_TEST_RUN of a syscall program takes no packet (data_in), but "
                              "the input has " + std::to_string(input.packet.size()) + " bytes",
                              std::nullopt, "Give the program its input as the context (ctx_in) instead.");
        if (input.ctx.size() > kSyscallCtxMax)
            return make_error(ErrorKind::Load,
                              "-EINVAL: a syscall program's context (ctx_in) is at most 65535 bytes, but the "
                              "input has " + std::to_string(input.ctx.size()));
    }
    // An fexit on a program of this object runs when that program returns (the trampoline
    // calls it first): its verdict is "ret" and the packet is as it left it. Unless the user set
    // ret: by name, or in context bytes that reach its slot (the page's Context tab sends every
    // slot once one is edited).
    std::optional<RunInput> after_target;
    std::string target_note;
    if (traces_bpf_program(*prog) && prog->attach == AttachType::TraceFexit && !prog->traced_program.empty()) {
        constexpr size_t kRetSlot = 8;  // after the one ctx slot
        bool ret_given = input.ctx.size() > kRetSlot;
        for (const auto& [arg, value] : input.args) ret_given = ret_given || arg == "ret";
        if (!ret_given) {
            auto traced = run_traced_target(*prog, input);
            if (!traced.ok()) return traced.error();
            after_target = input;
            after_target->packet = traced.value().packet_out;
            after_target->args.emplace_back("ret", traced.value().r0);
            const std::string verdict = traced.value().return_name;
            target_note = "the traced program " + prog->traced_program + " ran first on the packet and returned " +
                          std::to_string(int32_t(traced.value().r0)) + (verdict.empty() ? "" : " (" + verdict + ")") +
                          ": " + prog->name + "'s ret";
        }
    }
    const RunInput& in = after_target ? *after_target : input;
    auto run = std::make_unique<RunState>();
    run->program = prog;
    run->env = HelperEnv{&host_, object_.maps.get(), programs_, prog->type, prog->attach, &process_};
    run->env.program = prog;
    run->env.btf = object_.btf.get();
    run->vm = std::make_unique<Vm>(prog->program);
    Vm& vm = *run->vm;
    vm.env = &run->env;
    vm.exit_check = dynptr_exit_check;
    vm.set_budget(in.budget);
    object_.maps->map_into(vm.memory());
    run->input = in;
    if (is_iterator(*prog)) {
        // The iterator gives the context (a ctx_in has no place in it).
        RunInput no_ctx = in;
        no_ctx.ctx.clear();
        if (auto r = map_input(*prog, no_ctx, *run, vm, host_.net); !r.ok()) return r.error();
        if (auto r = start_iterator(*run, ++iter_sessions_, object_, in.iter_map); !r.ok()) return r.error();
    } else if (auto r = map_input(*prog, in, *run, vm, host_.net); !r.ok()) {
        return r.error();
    }
    // A tracing program's packet is the traced program's, reached through its kernel object
    // (bpf_xdp_output's r1), not the packet the packet helpers work on.
    if (run->packet.kind() != PacketBuffer::Kind::None && !traces_bpf_program(*prog)) {
        run->env.packet = &run->packet;
        run->env.ld_abs_negative = ld_abs_negative;
    }
    host_.printk.clear();
    host_.perf_events.clear();
    host_.events.clear();
    host_.net.run = NetRun{};
    host_.dynptrs = DynptrTable{};
    host_.net.run.hook = hook_of(*prog);
    if (prog->context == ContextKind::SockOps) start_sock_ops_run(*run, host_.net.run);
    if (prog->type == ProgType::LwtSeg6local)
        if (auto r = start_seg6local_run(run->packet, host_); !r.ok()) return r.error();
    if (!target_note.empty()) host_.events.push_back({0, 0, "trampoline", target_note});
    return run;
}

uint64_t ObjectSession::run_vm(Vm& vm, uint64_t max_insns) {
    // Each program the run reaches (the entry, tail calls' targets) is translated on its first
    // run and kept for the session's life.
    auto code_of = [this](const Program& prog) {
        auto [it, inserted] = fast_programs_.try_emplace(&prog);
        FastProgram& fp = it->second;
        if (inserted) {
            if (auto m = translate_to_wasm(prog); m.ok()) {
                fp.module = std::make_unique<FastModule>(std::move(m).value());
                fp.engine = fast_factory_(*fp.module);
            }
        }
        return fp.engine ? FastCode{fp.module.get(), fp.engine.get()} : FastCode{};
    };
    // A program without code (refused by the translator; natively, no engine at all) runs in
    // the interpreter whole: FastRunner would hand it over one instruction at a time, several
    // times slower. Its tail calls' targets then run interpreted too.
    if (!fast_factory_ || !code_of(vm.program()).engine) {
        // A sliced run is bounded by its slice; the wall-clock limit is for the CLI's whole runs.
        if (time_limit_ && max_insns == UINT64_MAX)
            run_with_time_limit(vm, *time_limit_);
        else
            vm.run(max_insns);
        return 0;
    }
    FastRunner runner(code_of);
    runner.run(vm, max_insns);
    return runner.fast_insns();
}

Result<Unit> ObjectSession::set_cpu(uint64_t cpu) {
    if (cpu >= host_.ncpus)
        return make_error(ErrorKind::Load, "CPU " + std::to_string(cpu) + " is not one of the host's CPUs (0 to " +
                                               std::to_string(host_.ncpus - 1) + ").");
    host_.cpu = uint32_t(cpu);
    return Unit{};
}

Result<Unit> ObjectSession::set_traced(std::string_view program, std::string_view target) {
    return set_traced_program(object_, program, target);
}

Result<RunResult> ObjectSession::run_traced_target(const LoadedProgram& tracer, const RunInput& input) {
    RunInput target_input;
    target_input.packet = input.packet;
    target_input.budget = input.budget;
    auto started = start(tracer.traced_program, target_input);
    if (!started.ok()) return started.error();
    RunState& target = *started.value();
    run_vm(*target.vm);
    RunResult out = finish(target);
    if (out.status != RunStatus::Exited)
        return make_error(ErrorKind::Load, "the traced program " + tracer.traced_program + " did not return (" +
                                               (out.error ? out.error->what : std::string("no verdict")) +
                                               "), so " + tracer.name + " has no ret",
                          std::nullopt, "Set it with --arg ret=N.");
    return out;
}

RunResult ObjectSession::run(std::string_view name, const RunInput& input) {
    auto started = start(name, input);
    if (!started.ok()) {
        RunResult out;
        out.program = std::string(name);
        out.status = RunStatus::Faulted;
        out.error = started.error();
        return out;
    }
    RunState& run = *started.value();
    if (run.iter)
        run_iterator(run);
    else
        run_vm(*run.vm);
    RunResult out = finish(run);
    if (run.iter) {
        out.iter = run.iter->out;
        out.instructions = run.iter->instructions;
    }
    out.timer_runs = run_due_timers();
    return out;
}

namespace {

// The verifier's rule for a timer callback's return value (check_return_code: range [0, 0]).
std::optional<Error> timer_exit_check(Vm& vm) {
    if (std::optional<Error> e = dynptr_exit_check(vm)) return e;
    if (vm.reg(0) == 0) return std::nullopt;
    return make_error(ErrorKind::Verify,
                      "the timer callback returns " + std::to_string(int64_t(vm.reg(0))) +
                          " (the kernel's verifier says \"At callback return the register R0 has value " +
                          hex(vm.reg(0)) + " should have been in (0x0; 0x0)\")",
                      vm.pc(), "A timer callback returns 0.");
}

}  // namespace

std::optional<std::unique_ptr<RunState>> ObjectSession::start_due_timer() {
    TimerTable& table = host_.timers;
    for (;;) {
        const std::optional<size_t> due = table.next_due(host_.clock_start_ns);
        if (!due) return std::nullopt;
        BpfTimer& t = table.timers[*due];
        t.armed = false;
        // The element holding the timer is gone (deleted, or its slot reused): so is the timer.
        Map* map = object_.maps ? object_.maps->get(t.map_id) : nullptr;
        std::optional<ValueLocation> loc = object_.maps ? object_.maps->from_value_address(t.addr) : std::nullopt;
        if (!map || !loc || !loc->key || *loc->key != t.key || t.program >= object_.programs.size() ||
            object_.programs[t.program].load_error) {
            table.erase(t.addr);
            continue;
        }
        const LoadedProgram& prog = object_.programs[t.program];
        auto run = std::make_unique<RunState>();
        run->program = &prog;
        run->env = HelperEnv{&host_, object_.maps.get(), programs_, prog.type, prog.attach, &process_};
        run->env.program = &prog;
        run->env.btf = object_.btf.get();
        run->vm = std::make_unique<Vm>(prog.program);
        Vm& vm = *run->vm;
        vm.env = &run->env;
        vm.exit_check = timer_exit_check;
        object_.maps->map_into(vm.memory());
        map_kernel_objects(vm.memory(), host_, run->kernel);
        // callback(map, key, value): the key is handed in the read-only callback key window.
        uint8_t* key_slot = vm.callback_key_slot(0);
        std::copy(t.key.begin(), t.key.end(), key_slot);
        vm.set_reg(1, map_handle(t.map_id));
        vm.set_reg(2, Vm::callback_key_address(0));
        vm.set_reg(3, t.addr - loc->offset);
        vm.start_at(t.callback);
        run->timer = "timer callback at insn " + std::to_string(t.callback) + " (" + map->describe() + ")";
        run->timer_addr = t.addr;
        table.running = t.addr;
        host_.printk.clear();
        host_.perf_events.clear();
        host_.events.clear();
        host_.net.run = NetRun{};
        host_.dynptrs = DynptrTable{};
        return run;
    }
}

std::optional<std::unique_ptr<RunState>> ObjectSession::start_next_timer() {
    if (std::optional<size_t> next = host_.timers.next_due(UINT64_MAX))
        host_.clock_start_ns = std::max(host_.clock_start_ns, host_.timers.timers[*next].expires_ns);
    return start_due_timer();
}

std::vector<RunResult> ObjectSession::run_due_timers() {
    std::vector<RunResult> out;
    while (out.size() < kMaxTimerRuns) {
        std::optional<std::unique_ptr<RunState>> run = start_due_timer();
        if (!run) break;
        run_vm(*(*run)->vm);
        out.push_back(finish(**run));
    }
    return out;
}

std::vector<RunResult> ObjectSession::advance_time(uint64_t ns) {
    const uint64_t until = host_.clock_start_ns + ns;
    std::vector<RunResult> out;
    for (;;) {
        // The next timer to fire before `until`: the clock jumps to its time, and it runs.
        std::optional<size_t> next = host_.timers.next_due(until);
        if (!next || out.size() >= kMaxTimerRuns) break;
        host_.clock_start_ns = std::max(host_.clock_start_ns, host_.timers.timers[*next].expires_ns);
        for (RunResult& r : run_due_timers()) out.push_back(std::move(r));
    }
    host_.clock_start_ns = std::max(host_.clock_start_ns, until);
    return out;
}

RunResult ObjectSession::finish(RunState& run) {
    const LoadedProgram* prog = run.program;
    const Vm& vm = *run.vm;
    const RunState& mem = run;
    const RunInput& input = run.input;
    RunResult out;
    out.program = prog->name;
    out.status = vm.status();
    out.r0 = vm.result();
    out.instructions = vm.executed();
    out.tail_calls = vm.tail_calls();
    out.error = vm.fault();
    out.printk = host_.printk;
    out.perf_events = host_.perf_events;
    if (out.status == RunStatus::Exited)
        for (HostEvent& e : exit_events(host_.net, out.r0, vm.executed(), vm.pc()))
            host_.events.push_back(std::move(e));
    if (out.status == RunStatus::Exited)
        for (std::string& text : cgroup_exit_report(run, host_, out.r0))
            host_.events.push_back({vm.executed(), vm.pc(), "exit", std::move(text)});
    if (out.status == RunStatus::Exited)
        for (std::string& text : sk_reuseport_exit_report(run, host_.net, out.r0))
            host_.events.push_back({vm.executed(), vm.pc(), "exit", std::move(text)});
    if (out.status == RunStatus::Exited)
        for (std::string& text : sk_lookup_exit_report(run, host_.net, out.r0))
            host_.events.push_back({vm.executed(), vm.pc(), "exit", std::move(text)});
    if (out.status == RunStatus::Exited)
        for (std::string& text : netfilter_exit_report(run, out.r0))
            host_.events.push_back({vm.executed(), vm.pc(), "exit", std::move(text)});
    if (out.status == RunStatus::Exited) finish_struct_ops_run(run, host_, vm.executed(), vm.pc());
    out.host_events = host_.events;
    out.return_name =
        out.status == RunStatus::Exited && run.timer.empty() ? return_value_name(prog->type, out.r0) : "";
    out.timer = run.timer;
    if (!run.timer.empty()) host_.timers.running = 0;
    host_.advance_clock(vm.executed());
    if (prog->context == ContextKind::SkBuff && !is_l2(prog->type) && !input.packet.empty()) {
        // The kernel hands a socket filter's frame back with the Ethernet header zeroed.
        out.packet_out.assign(kEthHeaderLen, 0);
        const std::vector<uint8_t> seen = mem.packet.bytes();
        out.packet_out.insert(out.packet_out.end(), seen.begin(), seen.end());
    } else if (prog->context == ContextKind::Xdp) {
        // bpf_prog_test_run_xdp copies out from data_meta: the metadata, then the packet.
        const auto meta = mem.packet.meta();
        out.packet_out.assign(meta.begin(), meta.end());
        const std::vector<uint8_t> data = mem.packet.bytes();
        out.packet_out.insert(out.packet_out.end(), data.begin(), data.end());
    } else if (prog->context == ContextKind::SockOps) {
        out.packet_out = sock_ops_segment_out(run);
    } else if (prog->context == ContextKind::Netfilter) {
        // bpf_prog_test_run_nf hands no data_out back.
    } else {
        out.packet_out = mem.packet.bytes();
    }
    if (out.status == RunStatus::Exited && host_.net.run.hook == PacketHook::LwtSeg6local) {
        for (std::string& text : seg6_exit_report(mem.packet, host_.net, out.r0, out.packet_out))
            host_.events.push_back({vm.executed(), vm.pc(), "exit", std::move(text)});
        out.host_events = host_.events;
    }
    out.ctx_out = mem.ctx ? mem.ctx->bytes() : mem.raw_ctx;
    if (prog->context == ContextKind::SkLookup) out.ctx_out = sk_lookup_ctx_out(run, host_.net);
    if (prog->context == ContextKind::Netfilter) out.ctx_out.clear();  // nor a ctx_out
    if (prog->context == ContextKind::Xdp && out.ctx_out.size() >= xdp_md::kSize) {
        // xdp_convert_buff_to_md: offsets from data_meta (the start of data_out).
        store_le<uint32_t>(&out.ctx_out[xdp_md::kData], uint32_t(mem.packet.meta().size()));
        store_le<uint32_t>(&out.ctx_out[xdp_md::kDataEnd], uint32_t(mem.packet.meta().size()) + mem.packet.len());
        store_le<uint32_t>(&out.ctx_out[xdp_md::kDataMeta], 0);
    }
    return out;
}

}  // namespace bpfplay
