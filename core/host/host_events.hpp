#pragma once
// The host's event log: what the emulated kernel did on the program's behalf, in words a
// learner understands ("bpf_redirect: the packet will be sent to eth1 (ifindex 3)"), each
// with the moment it happened. Helpers append to Host::events during a run; the runner adds
// what became of the packet when the program returned (packet_fate).
#include <cstdint>
#include <string>
#include <vector>

namespace bpfplay {

class JsonWriter;
class Vm;
struct Host;
struct Network;

struct HostEvent {
    uint64_t executed = 0; // instructions executed when it happened (the helper call counted)
    uint32_t pc = 0;       // the instruction (the helper call, or the exit)
    std::string helper;    // "bpf_redirect"; "exit" for what happened to the packet at the end
    std::string text;      // one sentence
    friend bool operator==(const HostEvent&, const HostEvent&) = default;
};

// Appends an event at the helper call the vm is executing now.
void log_host_event(Vm& vm, Host& host, const char* helper, std::string text);

// What the kernel does when the program returns r0, given what the run's helpers set up
// (net.run): the packet's fate for XDP, TC and socket filters (none for other programs), then
// one sentence per socket reference the program still holds.
std::vector<std::string> exit_report(const Network& net, uint64_t r0);

// The exit_report sentences as events at the exit instruction.
std::vector<HostEvent> exit_events(const Network& net, uint64_t r0, uint64_t executed, uint32_t pc);

// {"executed": 12, "pc": 11, "helper": "bpf_redirect", "text": "..."}
void to_json(JsonWriter& w, const HostEvent& event);
// [<to_json of each event>, ...]
std::string host_events_json(const std::vector<HostEvent>& events);

} // namespace bpfplay
