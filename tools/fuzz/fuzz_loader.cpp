// libFuzzer target: arbitrary bytes as a BPF ELF object, loaded as the CLI and the browser
// load one (every helper available, so decoding runs too). Loading must succeed or return an
// Error -- never crash, read out of bounds or allocate without limit.
//
// Build: cmake -DBPFPLAY_FUZZ=ON with clang, or by hand:
//   clang++ -std=c++20 -O1 -g -fsanitize=fuzzer,address,undefined -I. tools/fuzz/fuzz_loader.cpp \
//       core/loader/*.cpp core/btf/*.cpp core/maps/*.cpp core/*.cpp core/helpers/*.cpp -lelf
// Run with the examples as the seed corpus:
//   mkdir -p corpus && cp public/examples/*.o corpus/ && ./fuzz_loader corpus -max_total_time=60
#include <cstddef>
#include <cstdint>

#include "core/helpers/helper_catalog.hpp"
#include "core/helpers/registry.hpp"
#include "core/loader/loader.hpp"

namespace {

uint64_t stub_helper(bpfplay::Vm&, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) { return 0; }

const bpfplay::HelperRegistry& every_helper() {
    static const bpfplay::HelperRegistry registry = [] {
        bpfplay::HelperRegistry r;
        for (int32_t id = 1; id < 512; ++id)
            if (const char* name = bpfplay::kernel_helper_name(id)) r.add({id, name, 0, stub_helper});
        return r;
    }();
    return registry;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    bpfplay::LoadOptions options;
    options.object_name = "fuzz.o";
    options.helpers = &every_helper();
    // Smaller limits than the defaults keep each input fast; the checks are the same.
    options.max_map_memory = 16ull << 20;
    options.max_linked_insns = 1u << 20;
    auto object = bpfplay::load_object({data, size}, options);
    if (object.ok()) {
        const std::string text = object->info();
        if (text.empty()) __builtin_trap();
    } else if (object.error().what.empty()) {
        __builtin_trap();  // every refusal must say why
    }
    return 0;
}
