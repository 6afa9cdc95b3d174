// libFuzzer target: the host document (bpfvm --host FILE, the playground's Host panel) as
// arbitrary text. apply_host_json must accept it or refuse it with a message and leave the
// host as it was; an accepted document written back with host_json must read back to the same
// document (host_json.hpp promises that round trip). Seeds: tests/contract/host.json and the
// host files of tests (tools/fuzz/make_seeds.py).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/host/host.hpp"
#include "core/host/host_json.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace bpfplay;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    Host host;
    const std::string before = host_json(host);
    auto applied = apply_host_json(host, text);
    if (!applied.ok()) {
        if (applied.error().what.empty()) __builtin_trap();  // every refusal must say why
        if (host_json(host) != before) __builtin_trap();     // ... and change nothing
        return 0;
    }
    const std::string written = host_json(host);
    Host again;
    if (!apply_host_json(again, written).ok()) __builtin_trap();
    if (host_json(again) != written) __builtin_trap();
    return 0;
}
