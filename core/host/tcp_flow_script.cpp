#include "core/host/tcp_flow_script.hpp"

namespace bpfplay {

namespace {
struct TcpFlowStepName {
    TcpFlowStep::Kind kind;
    std::string_view name;
};
constexpr TcpFlowStepName kTcpFlowStepNames[] = {
    {TcpFlowStep::Kind::Rounds, "rounds"}, {TcpFlowStep::Kind::Acks, "acks"},
    {TcpFlowStep::Kind::FastRetransmit, "fast_retransmit"}, {TcpFlowStep::Kind::Rto, "rto"},
    {TcpFlowStep::Kind::Undo, "undo"},
};
}  // namespace

std::string_view tcp_flow_step_name(TcpFlowStep::Kind kind) {
    for (const TcpFlowStepName& n : kTcpFlowStepNames)
        if (n.kind == kind) return n.name;
    return "?";
}

std::optional<TcpFlowStep::Kind> tcp_flow_step_kind(std::string_view name) {
    for (const TcpFlowStepName& n : kTcpFlowStepNames)
        if (n.name == name) return n.kind;
    return std::nullopt;
}

}  // namespace bpfplay
