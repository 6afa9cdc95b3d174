#pragma once
// IPv6 Segment Routing (SRv6) for lwt_seg6local programs and bpf_lwt_push_encap's SRv6 modes, as
// net/core/filter.c, net/ipv6/seg6.c, seg6_local.c and seg6_iptunnel.c of Linux 6.18 do them:
//
//   id  name                        what
//   74  bpf_lwt_seg6_store_bytes    writes the SRH's flags and tag, or bytes of its TLV area
//                                   (then the SRH is validated again after the program); -EFAULT
//                                   anywhere else (segments, segments_left...), -EINVAL with no SRH
//   75  bpf_lwt_seg6_adjust_srh     inserts (delta > 0, zeros) or removes bytes at `offset` in the
//                                   TLV area; fixes the IPv6 payload length; the SRH's own hdrlen
//                                   is set from the new length when it is validated
//   76  bpf_lwt_seg6_action         End.X (route to a next hop), End.T (route by a table), End.DT6
//                                   (decapsulate the inner IPv6 packet, route it by a table),
//                                   End.B6 (insert an SRH), End.B6.Encap (push an outer IPv6
//                                   header and SRH); the kernel's errno for each bad case
//
// A run of an lwt_seg6local program is the seg6local End.BPF action: the packet (from its IPv6
// header on) must carry a valid SRH with segments left, which End.BPF advances (segments_left - 1,
// the destination becomes the next segment) before the program runs; after it, an SRH the
// helpers left invalid drops the packet (seg6_bpf_has_valid_srh). The routing decisions (next
// hop, table, where a new encapsulation goes) are written to the run's event log.
//
// The kernel's BPF_PROG_TEST_RUN cannot run these programs (Linux 6.11 removed test_run from
// lwt_seg6local_prog_ops; this machine's 6.18 also lacks CONFIG_IPV6_SEG6_LWTUNNEL, so its
// verifier refuses the three helpers): the reference is the kernel's source.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/helpers/registry.hpp"
#include "core/host/host.hpp"
#include "core/run/packet_buffer.hpp"

namespace bpfplay {

std::span<const HelperImpl> seg6_helper_impls();

// bpf_push_seg6_encap for bpf_lwt_push_encap at lwt_in: `inline_mode` is BPF_LWT_ENCAP_SEG6_INLINE
// (the SRH goes after the packet's IPv6 header), else BPF_LWT_ENCAP_SEG6 (an outer IPv6 header
// and the SRH in front). Returns the helper's result and says what happened in `what`.
int64_t push_seg6_encap(Vm& vm, PacketBuffer& p, bool inline_mode, const uint8_t* srh, uint32_t len,
                        std::string& what);

// End.BPF before the program: finds and validates the SRH, advances it, sets the SRH state in
// host.net.run.seg6 and logs what it did. A packet End.BPF would drop is an error.
Result<Unit> start_seg6local_run(PacketBuffer& p, Host& host);

// End.BPF after the program: the packet's fate for return value r0 (the SRH check, then the
// route). The check may rewrite the SRH's hdrlen, which `packet_out` (the run's packet out,
// ending with the packet's bytes) then shows.
std::vector<std::string> seg6_exit_report(const PacketBuffer& p, const Network& net, uint64_t r0,
                                          std::vector<uint8_t>& packet_out);

}  // namespace bpfplay
