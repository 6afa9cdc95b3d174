// libFuzzer target: --map-init documents (map contents written before the first run) as
// arbitrary text, parsed and then applied to a loaded example object (its maps: hash, per-CPU
// array, prog_array, global data). Each step must succeed or return an error saying why.
// Seeds: small documents for the example's maps, well and badly formed (tools/fuzz/make_seeds.py).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "cli/map_init.hpp"
#include "core/run/object_session.hpp"
#include "tools/fuzz/fuzz_object.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace bpfplay;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto init = cli::parse_map_init(text, "fuzz.json");
    if (!init.ok()) {
        if (init.error().what.empty()) __builtin_trap();
        return 0;
    }
    auto session = fuzz::open_example("xdp_tail_call.o");
    auto applied = cli::apply_map_init(*session, *init, {});
    if (!applied.ok() && applied.error().what.empty()) __builtin_trap();
    return 0;
}
