#pragma once
// The checker's verdict on each program of an object file, loaded as bpfvm verify loads it (the
// kernel's helpers, programs not decoded): what the verifier tests compare with the kernel.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "core/loader/loader.hpp"
#include "core/run/kernel_helpers.hpp"
#include "core/verifier/object_check.hpp"

namespace bpfplay::verifier::testing {

// (program name, verdict) for each program of the object at `path`, in the object's order.
inline std::vector<std::pair<std::string, Verdict>> object_verdicts(const std::filesystem::path& path) {
    std::ifstream f(path, std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    const std::string bytes = ss.str();
    LoadOptions options;
    options.object_name = path.filename().string();
    options.helpers = &kernel_helper_registry();
    options.decode_programs = false;
    auto object = load_object(std::span(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()), options);
    REQUIRE_MESSAGE(object, path.string());
    std::vector<std::pair<std::string, Verdict>> out;
    for (const LoadedProgram& prog : object->programs) out.emplace_back(prog.name, check_program(*object, prog));
    return out;
}

}  // namespace bpfplay::verifier::testing
