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

namespace xdp_md {
constexpr uint32_t kData = 0, kDataEnd = 4, kDataMeta = 8, kIngressIfindex = 12, kRxQueueIndex = 16, kEgressIfindex = 20, kSize = 24;
}
namespace sk_buff {
constexpr uint32_t kLen = 0, kPktType = 4, kMark = 8, kQueueMapping = 12, kProtocol = 16, kVlanPresent = 20,
                   kVlanTci = 24, kVlanProto = 28, kPriority = 32,
                   kIngressIfindex = 36, kIfindex = 40, kTcIndex = 44, kCb = 48, kHash = 68, kTcClassid = 72,
                   kData = 76, kDataEnd = 80, kWireLen = 160, kSize = 192;
}

}  // namespace bpfplay
