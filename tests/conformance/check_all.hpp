#pragma once
// Runs every conformance data file through one runner (the library or bpfvm plugin), with
// one check per file naming it, and a count at the end. `run` returns "" when the file's
// expectation holds, else what went wrong.
#include <doctest/doctest.h>

#include <functional>
#include <string>

#include "conformance/data_file.hpp"

namespace bpfplay::conformance {

inline void check_every_data_file(const char* runner,
                                  const std::function<std::string(const DataFile&)>& run) {
    const auto paths = list_data_files(default_data_dir());
    REQUIRE_MESSAGE(!paths.empty(), "no data files in " << default_data_dir().string());
    int passed = 0, failed = 0;
    for (const auto& path : paths) {
        const std::string file = path.filename().string();
        INFO("data file: " << file);
        auto parsed = load_data_file(path);
        if (!parsed) {
            ++failed;
            FAIL_CHECK("cannot parse " << file << ": " << parsed.error().to_string());
            continue;
        }
        const std::string problem = run(*parsed);
        CHECK_MESSAGE(problem.empty(), file << ": " << problem);
        (problem.empty() ? passed : failed)++;
    }
    MESSAGE("conformance (" << runner << "): " << passed << " of " << paths.size() << " data files pass, "
                            << failed << " fail");
}

} // namespace bpfplay::conformance
