#pragma once
// Shared by the debugger tests: open an example case as a debug session, and fingerprint the
// whole machine (registers, every stack, packet, context, every map's full state, printk,
// perf event samples, the host's event log and network run state) so two moments can be
// compared byte for byte.
#include <memory>
#include <string>
#include <vector>

#include "core/debugger/debug_session.hpp"
#include "examples/example_harness.hpp"

namespace bpfplay::testing {

struct Debugged {
    std::unique_ptr<ObjectSession> object;
    std::unique_ptr<DebugSession> session;
    std::string error;
};

// The first packet of the case (or none), its ctx; budget as given.
Debugged open_case(const examples::ExampleCase& c, uint64_t budget = kDefaultBudget);
// The case named "example/case" from examples/cases.
const examples::ExampleCase& find_case(const std::string& label);

std::string fingerprint(const DebugSession& s);

// Steps to the end of the run: the fingerprint now and after every step.
std::vector<std::string> fingerprints_to_end(DebugSession& s);
// Steps back one instruction at a time from the last of `forward`, requiring each state to
// equal the one recorded going forward.
void require_same_states_back(DebugSession& s, const std::vector<std::string>& forward);

}  // namespace bpfplay::testing
