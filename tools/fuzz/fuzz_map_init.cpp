// libFuzzer target: --map-init documents (map contents written before the first run) as
// arbitrary text, parsed and then applied to a loaded example object (its maps: hash, per-CPU
// array, prog_array, global data). Each step must succeed or return an error saying why.
// Seeds: tests/cli's map-init files and variations (tools/fuzz/make_seeds.py).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "cli/map_init.hpp"
#include "cli/input_formats.hpp"
#include "core/run/object_session.hpp"

namespace {

// A fresh session per input (map contents must not carry over), from bytes read once.
std::unique_ptr<bpfplay::ObjectSession> open_example() {
    static const std::string elf = [] {
        auto bytes = bpfplay::cli::read_file(BPFPLAY_SOURCE_DIR "/public/examples/xdp_tail_call.o");
        if (!bytes.ok()) __builtin_trap();
        return std::move(bytes).value();
    }();
    auto s = bpfplay::ObjectSession::open({reinterpret_cast<const uint8_t*>(elf.data()), elf.size()},
                                          "xdp_tail_call.o", bpfplay::Host{});
    if (!s.ok()) __builtin_trap();
    return std::move(s).value();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace bpfplay;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto init = cli::parse_map_init(text, "fuzz.json");
    if (!init.ok()) {
        if (init.error().what.empty()) __builtin_trap();
        return 0;
    }
    auto session = open_example();
    auto applied = cli::apply_map_init(*session, *init, {});
    if (!applied.ok() && applied.error().what.empty()) __builtin_trap();
    return 0;
}
