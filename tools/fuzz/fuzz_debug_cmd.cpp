// libFuzzer target: the debugger's commands and expressions (bpfvm debug's prompt: "si 3",
// "x/16xb r10-16", "print *(u32 *)(r1 + 4)", "watch ...", "reverse-continue") as arbitrary
// lines, run against a session paused in an example with bpf-to-bpf calls, maps and a packet.
// Each line must run or return an error saying why; the session must stay usable (its state
// prints after every line). Seeds: short debugger command scripts (tools/fuzz/make_seeds.py).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "cli/debug_repl.hpp"
#include "core/debugger/debug_json.hpp"
#include "core/debugger/debug_session.hpp"
#include "core/run/object_session.hpp"
#include "tools/fuzz/fuzz_object.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace bpfplay;
    if (size > 4096) return 0;  // a few dozen commands are enough to reach any state
    auto object = fuzz::open_example("bpf2bpf_calls.o");
    RunInput input;
    // An IPv4 TCP frame: 14 + 20 + 20 bytes, enough for the example's parsers.
    input.packet.assign(54, 0);
    input.packet[12] = 0x08;
    input.packet[14] = 0x45;
    input.packet[23] = 6;
    input.budget = 100000;
    auto session = DebugSession::open(*object, object->object().programs.front().name, input);
    if (!session.ok()) __builtin_trap();
    cli::DebugContext ctx{**session};
    std::string_view text(reinterpret_cast<const char*>(data), size);
    for (int n = 0; n < 32 && !text.empty(); ++n) {
        const size_t nl = text.find('\n');
        const std::string_view line = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
        auto out = cli::run_debug_command(ctx, line);
        if (!out.ok() && out.error().what.empty()) __builtin_trap();
        if (out.ok() && out->quit) break;
        (void)debug_state_json((*session)->state());
    }
    return 0;
}
