#pragma once
// A verdict for people (bpfvm verify) and for tools (--json).
#include <string>

#include "core/json/json_writer.hpp"
#include "core/verifier/verdict.hpp"

namespace bpfplay::verifier {

std::string verdict_text(const Verdict& v);
void to_json(JsonWriter& w, const Verdict& v);
// The path as ranges: "0-5 12-14 6-9" (consecutive indices joined).
// One path entry's registers as the kernel's log line shows them: "R1=ctx() R10=fp0"
// ("frame1: R1=..." in a called function), "(not kept)" when the walk no longer held it.
std::string path_state_text(const PathState& s);
std::string path_text(const std::vector<uint32_t>& path, size_t max_ranges = 40);

}  // namespace bpfplay::verifier
