// The live differential test: when this process may use bpf(2) (root, no sandbox), every case
// of examples/cases is also run in the running kernel (libbpf + BPF_PROG_TEST_RUN, as
// tests/kernel/kernel_run.c does) and bpfplay's outcome is compared with it field by field, the
// same way examples_test.cpp compares with the recorded results. Where bpf(2) is refused, or
// the test was built without libbpf, it says so and passes.
//
// Cases listed in known_unsupported (example_harness.cpp) are not compared here (the recorded
// test checks that they still fail). A live result that differs from the recorded one (another
// kernel release) is reported as a message, not a failure.
#include <doctest/doctest.h>

#include <string>

#include "example_harness.hpp"

namespace bpfplay::examples {
namespace {

// The verifier's words for a helper the kernel's configuration leaves out of a program type.
bool kernel_lacks_helper(const std::string& verifier_log) {
    return verifier_log.find("program of this type cannot use helper") != std::string::npos;
}

TEST_CASE("examples: bpfplay matches the running kernel (bpf(2) needed)") {
    const CaseFiles f = load_case_files();
    REQUIRE(!f.cases.empty());

    // Probe with the first case: is bpf(2) usable at all?
    KernelRun probe = run_in_kernel(f.cases.front());
    if (probe.status == KernelStatus::Unavailable) {
        MESSAGE("live kernel comparison skipped: " << probe.message);
        return;
    }
    if (probe.status == KernelStatus::Refused) {
        MESSAGE("live kernel comparison skipped: the kernel refuses bpf(2) here (" << probe.message << ")");
        return;
    }

    int compared = 0, skipped = 0, stale = 0;
    std::string stale_list;
    for (const ExampleCase& c : f.cases) {
        KernelRun live = &c == &f.cases.front() ? probe : run_in_kernel(c);
        INFO("example " << c.example << " case " << c.name);
        if (live.status == KernelStatus::Refused) {
            MESSAGE("bpf(2) refused for " << c.label() << ": " << live.message);
            skipped++;
            continue;
        }
        if (live.status == KernelStatus::Unavailable) {
            // The machine lacks what the case needs (a cgroup v2 mount for its host cgroups).
            MESSAGE(c.label() << ": not compared live: " << live.message);
            skipped++;
            continue;
        }
        if (live.status == KernelStatus::Failed && kernel_lacks_helper(live.message)) {
            // A kernel built without a helper for this program type (this machine's 6.18 build
            // refuses bpf_xdp_adjust_meta in XDP) cannot run the case; the recorded case still
            // pins the kernel's result (examples_test.cpp).
            MESSAGE(c.label() << ": this kernel's build lacks a helper the case needs, not compared live");
            skipped++;
            continue;
        }
        if (c.has_kernel_result) {
            // The recorded case says the kernel runs it: it must run here too.
            INFO("kernel: " << live.message);
            REQUIRE_MESSAGE(live.status == KernelStatus::Ran, "the running kernel could not run a recorded case");
        } else {
            // kprobes: the kernel loads them but cannot test-run them.
            INFO("kernel: " << live.message);
            CHECK_MESSAGE(live.outcome.loaded, "the running kernel refused to load the program");
            CHECK(live.status == KernelStatus::NoTestRun);
        }

        // Is the recorded result still what this kernel does?
        const Outcome recorded = kernel_outcome_from_case(c);
        std::vector<FieldResult> drift = compare_outcomes(c, recorded, live.outcome);
        if (c.has_kernel_result && !all_equal(drift)) {
            stale++;
            stale_list += "  " + c.label() + ": " + first_difference(drift) + "\n";
        }

        if (const KnownUnsupported* k = find_known_unsupported(c)) {
            skipped++;
            (void)k;
            continue;
        }
        if (!c.has_kernel_result) continue;  // examples_test.cpp checks the emulator alone
        if (c.trace && !live.outcome.trace)
            MESSAGE(c.label() << ": tracefs is not available here, so bpf_printk lines are not compared");
        const Outcome emu = emulator_outcome(c);
        for (const FieldResult& fr : compare_outcomes(c, live.outcome, emu)) {
            INFO("field " << fr.field << " (live kernel vs bpfplay)");
            INFO("  kernel:   " << fr.kernel);
            INFO("  emulator: " << fr.emulator);
            INFO("  differs:  " << fr.detail);
            CHECK(fr.equal);
        }
        compared++;
    }
    MESSAGE("live kernel comparison: " << compared << " cases compared, " << skipped
                                       << " skipped (known unsupported or refused)");
    if (stale)
        MESSAGE(stale << " recorded case(s) differ from what this kernel does (regenerate with "
                         "tests/kernel/make_cases.py if the kernel is newer):\n"
                      << stale_list);
}

}  // namespace
}  // namespace bpfplay::examples
