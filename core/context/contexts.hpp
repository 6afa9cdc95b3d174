#pragma once
// The context structs of <linux/bpf.h> as field tables: struct xdp_md for XDP programs and
// struct __sk_buff for socket filters and TC classifiers, with each program type's rules.
#include <memory>

#include "core/context/field_context.hpp"

namespace bpfplay {

std::unique_ptr<FieldContext> make_xdp_md();
// Socket filters may write only cb[] and see no direct packet pointers; TC programs may also
// write mark, priority, tc_index, tc_classid, queue_mapping and tstamp, and read data/data_end.
std::unique_ptr<FieldContext> make_sk_buff(bool tc);
// __sk_buff as sk_skb programs (stream_parser, stream_verdict) see it: direct packet access,
// the socket's addresses, writes to priority and tc_index only.
std::unique_ptr<FieldContext> make_sk_skb();
// lwt_is_valid_access (lwt_in, lwt_out, lwt_xmit, lwt_seg6local): data / data_end as packet
// pointers (the packet from its IP header on), no tc_classid, socket fields, data_meta, tstamp,
// wire_len, hwtstamp, flow_keys nor tstamp_type; writes only to mark, priority and cb[].
std::unique_ptr<FieldContext> make_lwt_sk_buff();
// struct sk_msg_md for sk_msg programs: the message as a packet, the socket's addresses.
std::unique_ptr<FieldContext> make_sk_msg_md();
// struct bpf_sock_ops for sock_ops programs (sock_ops_is_valid_access): every field read 4 bytes
// at a time except the 8-byte ones; writes only to reply (args[0]) and sk_txhash; skb_data and
// skb_data_end point at the TCP header of the segment the op carries.
std::unique_ptr<FieldContext> make_sock_ops();
// lirc_mode2 programs' context (lirc_mode2_is_valid_access): one u32 sample, read whole.
std::unique_ptr<FieldContext> make_lirc_mode2_sample();

namespace xdp_md {
constexpr uint32_t kData = 0, kDataEnd = 4, kDataMeta = 8, kIngressIfindex = 12, kRxQueueIndex = 16, kEgressIfindex = 20, kSize = 24;
}
namespace sk_buff {
constexpr uint32_t kLen = 0, kPktType = 4, kMark = 8, kQueueMapping = 12, kProtocol = 16, kVlanPresent = 20,
                   kVlanTci = 24, kVlanProto = 28, kPriority = 32,
                   kIngressIfindex = 36, kIfindex = 40, kTcIndex = 44, kCb = 48, kHash = 68, kTcClassid = 72,
                   kData = 76, kDataEnd = 80, kFamily = 88, kRemoteIp4 = 92, kLocalIp4 = 96, kRemoteIp6 = 100,
                   kLocalIp6 = 116, kRemotePort = 132, kLocalPort = 136, kTstamp = 152, kWireLen = 160, kSk = 168,
                   kTstampType = 180, kSize = 192;
}
namespace sock_ops {
constexpr uint32_t kOp = 0, kArgs = 4, kReply = 4, kFamily = 20, kRemoteIp4 = 24, kLocalIp4 = 28, kRemoteIp6 = 32,
                   kLocalIp6 = 48, kRemotePort = 64, kLocalPort = 68, kIsFullsock = 72, kSndCwnd = 76,
                   kCbFlags = 84, kState = 88, kSkTxhash = 164, kBytesReceived = 168, kSk = 184, kSkbData = 192,
                   kSkbDataEnd = 200, kSkbLen = 208, kSkbTcpFlags = 212, kSkbHwtstamp = 216, kSize = 224;
}
namespace sk_msg_md {
constexpr uint32_t kData = 0, kDataEnd = 8, kFamily = 16, kRemoteIp4 = 20, kLocalIp4 = 24, kRemoteIp6 = 28,
                   kLocalIp6 = 44, kRemotePort = 60, kLocalPort = 64, kSize = 68, kSk = 72, kStructSize = 80;
}

}  // namespace bpfplay
