#pragma once
// The context of a sock_ops program (struct bpf_sock_ops): the TCP callback the kernel makes on
// the host's program socket (Network::program_socket), the op and its args as the user gives them
// in the context input, and for the ops that carry a segment (ACTIVE/PASSIVE_ESTABLISHED_CB,
// PARSE_HDR_OPT_CB, HDR_OPT_LEN_CB, WRITE_HDR_OPT_CB) the TCP segment given as the packet, from
// its TCP header on.
//
// What the program may see of the segment, as tcp_input.c / tcp_output.c set skb_data_end:
//   ESTABLISHED, PARSE_HDR_OPT_CB: the TCP header (doff * 4 bytes);
//   HDR_OPT_LEN_CB: nothing (skb_data_end = skb_data); the option space left to reserve is 40
//     bytes less the header's options;
//   WRITE_HDR_OPT_CB: the header up to the space HDR_OPT_LEN_CB reserved, which is the header's
//     trailing zero option bytes (give the segment as tcp_options_write left it: the kernel's
//     options, then that many zeros). What the program leaves unwritten becomes NOPs.
// bpfplay runs one callback per run: a header writer is run once for op 14, once for op 15.
#include <cstdint>
#include <vector>

#include "core/error.hpp"

namespace bpfplay {

class Vm;
struct Network;
struct NetRun;
struct RunInput;
struct RunState;

// Callback numbers (enum in <linux/bpf.h>; 16..20 are Linux 6.14's timestamping callbacks).
namespace sock_ops_op {
constexpr uint32_t kActiveEstablished = 4, kPassiveEstablished = 5, kRto = 8, kRetrans = 9, kState = 10,
                   kRtt = 12, kParseHdrOpt = 13, kHdrOptLen = 14, kWriteHdrOpt = 15, kTstampFirst = 16,
                   kLast = 20;
}
// is_locked_tcp_sock_ops: the callbacks made with the socket locked, the only ones that may call
// bpf_setsockopt, bpf_getsockopt, bpf_sock_ops_cb_flags_set and bpf_load_hdr_opt.
constexpr bool sock_ops_locked(uint32_t op) { return op <= sock_ops_op::kWriteHdrOpt; }

// Builds the context (and the segment) on the program socket, or says why the kernel would not
// make this callback.
Result<Unit> map_sock_ops_input(const RunInput& in, RunState& mem, Vm& vm, const Network& net);
// The option space of the run (NetRun::hdr_opt_left), once map_sock_ops_input succeeded.
void start_sock_ops_run(const RunState& mem, NetRun& run);
// The segment after the run: WRITE_HDR_OPT_CB's unwritten reserved bytes are NOPs.
std::vector<uint8_t> sock_ops_segment_out(RunState& mem);

}  // namespace bpfplay
