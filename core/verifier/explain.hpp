#pragma once
// The learner's side of a refusal: why the kernel has the rule, and what usually fixes it.
#include "core/verifier/verdict.hpp"

namespace bpfplay::verifier {

struct Explanation {
    const char* why;
    const char* fix;
};
Explanation explain(Rule rule);

}  // namespace bpfplay::verifier
