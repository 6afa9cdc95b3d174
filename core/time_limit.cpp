#include "core/time_limit.hpp"

#include <string>

namespace bpfplay {

namespace {

std::string seconds_text(std::chrono::milliseconds ms) {
    const auto n = ms.count();
    std::string s = std::to_string(n / 1000);
    if (n % 1000) {
        std::string frac = std::to_string(n % 1000);
        frac.insert(0, 3 - frac.size(), '0');
        while (frac.back() == '0') frac.pop_back();
        s += "." + frac;
    }
    return s + " s";
}

}  // namespace

RunStatus run_with_time_limit(Vm& vm, const TimeLimit& limit) {
    while (!limit.passed())
        if (vm.run(kTimeLimitSlice) != RunStatus::Ready) return vm.status();
    const std::string what =
        vm.executed() == 0
            ? "the run was not started: the wall-clock time limit of " + seconds_text(limit.limit) + " had passed"
            : "the run was stopped when its wall-clock time limit of " + seconds_text(limit.limit) +
                  " passed, after " + std::to_string(vm.executed()) + " instructions";
    vm.stop(make_error(ErrorKind::Budget, what, std::nullopt,
                       "Is there a loop that never ends, or a helper called very often? The time limit can be "
                       "raised."));
    return vm.status();
}

}  // namespace bpfplay
