#pragma once
// Shared by the loader tests: reading objects, a helper registry with every kernel helper, and
// loading with the options the tests use.
#include <cstdint>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "core/helpers/helper_catalog.hpp"
#include "core/helpers/registry.hpp"
#include "core/loader/loader.hpp"
#include "core/maps/map_helpers.hpp"

namespace bpfplay::test {

inline std::vector<uint8_t> read_bytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

inline std::vector<uint8_t> example_bytes(const std::string& name) {
    return read_bytes(std::string(BPFPLAY_SOURCE_DIR) + "/public/examples/" + name + ".o");
}

inline std::vector<uint8_t> fixture_bytes(const std::string& name) {
    return read_bytes(std::string(BPFPLAY_SOURCE_DIR) + "/tests/loader/fixtures/" + name + ".o");
}

// Every helper the kernel has, as a stub (the loader tests never run programs), with the real
// map helpers on top so their argument counts are the real ones.
inline const HelperRegistry& all_helpers() {
    static const HelperRegistry registry = [] {
        HelperRegistry r;
        for (int32_t id = 1; id < 512; ++id)
            if (const char* name = kernel_helper_name(id))
                r.add(HelperSpec{id, name, 0, [](Vm&, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) -> uint64_t {
                                     return 0;
                                 }});
        for (const HelperImpl& impl : map_helper_impls())
            r.add({impl.id, kernel_helper_name(impl.id), helper_proto(impl.id)->nargs, impl.fn});
        return r;
    }();
    return registry;
}

inline Result<LoadedObject> load(const std::vector<uint8_t>& bytes, const std::string& object_name) {
    LoadOptions options;
    options.object_name = object_name;
    options.helpers = &all_helpers();
    return load_object(bytes, options);
}

inline Result<LoadedObject> load_example(const std::string& name) { return load(example_bytes(name), name + ".o"); }

}  // namespace bpfplay::test
