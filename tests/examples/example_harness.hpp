#pragma once
// What the example tests share: the case files of examples/cases (inputs and the real kernel's
// results), running a case in the emulator (ObjectSession) and, when the kernel allows bpf(2),
// in the running kernel (libbpf), and comparing two outcomes field by field.
//
// An Outcome is one case's result in a normalized form that both sides produce the same way:
// r0 of every run (32 bits, as BPF_PROG_TEST_RUN reports it), the last packet_out and ctx_out,
// every map's entries sorted by key bytes (hex; per-CPU values as CPU 0's value plus any other
// CPU that is not zero; prog arrays and maps of maps as the name of what a slot holds), ring
// buffer records, perf event samples and bpf_printk lines.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/json/json.hpp"
#include "core/run/object_session.hpp"

namespace bpfplay::examples {

// ---- bytes and files ----
std::string hex(std::span<const uint8_t> bytes);
std::optional<std::vector<uint8_t>> unhex(std::string_view text);
std::optional<std::vector<uint8_t>> read_binary(const std::string& path);
std::string source_path(std::string_view relative);  // BPFPLAY_SOURCE_DIR + "/" + relative

// ---- the case files ----
struct ExampleCase {
    std::string example;      // "xdp_drop_port"
    std::string name;         // "tcp4_to_blocked_port"
    std::string description;
    std::string program;      // the program to run
    std::string object;       // "public/examples/xdp_drop_port.o" (relative to the source dir)
    // Non-empty: the object itself (a generated program, tools/oracle), and `object` only its
    // file name, which names its global-data maps ("o.o" -> "o.data") as libbpf does.
    std::vector<uint8_t> object_bytes;
    std::vector<std::vector<uint8_t>> packets;  // "packet" or "packets"; empty: no packet
    std::vector<uint8_t> ctx;                   // "ctx"; empty: none
    uint32_t repeat = 1;
    JsonValue map_init;        // an object, or null
    bool trace = false;
    // "perf_readers": false -- no perf event reader in any perf event array slot (user space
    // never called perf_buffer__new), so bpf_perf_event_output fails with -ENOENT.
    bool perf_readers = true;
    // "host": bpfplay's host JSON for the case (core/host/host_json.hpp), or null. The kernel
    // side makes only its "cgroups" and "task.cgroup" real (kernel_cgroups.hpp), so a case
    // uses no other member.
    JsonValue host;
    bool has_kernel_result = false;  // false: the kernel could not run it (kprobes): only a note
    JsonValue kernel;          // the "kernel" object of the case

    std::string label() const { return example + "/" + name; }
    uint32_t runs() const { return uint32_t(packets.empty() ? 1 : packets.size()) * repeat; }
};

// Every case of every examples/cases/*.json, files in name order, cases in file order.
// Throws nothing: a file that cannot be read or has an unexpected shape is an error string.
struct CaseFiles {
    std::vector<ExampleCase> cases;
    std::vector<std::string> examples;  // the example names, one per file
    std::vector<std::string> errors;    // "examples/cases/x.json: ..." for each broken file
};
CaseFiles load_case_files();
// One case object of such a file (also tools/oracle's generated cases); an error message if its
// shape is wrong.
std::optional<std::string> read_case(const JsonValue& jc, const std::string& example, const std::string& object,
                                     ExampleCase& c);

// ---- outcomes ----
struct MapEntryText {
    std::string key;    // hex
    std::string value;  // hex; "prog handle_tcp" / "map v4_counts"; per-CPU: see above
    bool operator==(const MapEntryText&) const = default;
};

struct Outcome {
    bool loaded = false;
    std::string error;  // empty: none; else why loading or a run failed
    std::vector<uint32_t> returns;
    std::optional<std::vector<uint8_t>> packet_out;
    std::optional<std::vector<uint8_t>> ctx_out;
    std::map<std::string, std::vector<MapEntryText>> maps;
    std::map<std::string, std::vector<std::string>> ringbuf;  // record hex, in order
    // Per perf event array: the samples its readers got, "cpu N: hex", in order.
    std::map<std::string, std::vector<std::string>> perf_events;
    std::optional<std::vector<std::string>> trace;            // bpf_printk lines, in order
};

// CPU 0's value, then " cpuN=hex" for every other CPU whose value is not all zero bytes.
std::string percpu_text(const std::vector<std::string>& per_cpu_hex);
// One perf event sample as Outcome::perf_events holds it: "cpu 0: 0a0b...".
std::string perf_sample_text(uint32_t cpu, const std::string& data_hex);

// What the case file says the kernel did.
Outcome kernel_outcome_from_case(const ExampleCase& c);
// Runs the case in bpfplay: the object opened with ObjectSession on CPU 0, map_init applied
// (global data before the load, by patching the object's section bytes; other maps with a
// user-space update after it), the runs in the case's order, then every map dumped.
// `fast`: the session runs its programs through the fast run with this engine factory
// (ObjectSession::set_fast_run); nullptr: the interpreter.
Outcome emulator_outcome(const ExampleCase& c, ObjectSession::FastEngineFactory fast = nullptr);
// The object of a case, opened as emulator_outcome opens it (global data patched, map_init
// applied). nullptr and `error` set when it cannot load; `error` also set (with the session
// returned) when map_init failed.
std::unique_ptr<ObjectSession> open_emulator_session(const ExampleCase& c, std::string& error, bool& loaded);

// ---- comparison ----
struct FieldResult {
    std::string field;     // "returns", "packet_out", "ctx_out.mark", "maps.hits", "trace", ...
    std::string kernel;    // rendered for a message
    std::string emulator;
    bool equal = false;
    std::string detail;    // where they first differ (empty when equal)
};

// Field by field, in a fixed order. A case without a kernel result (kprobe) checks only that
// the emulator loaded it and every run returned 0 without error.
std::vector<FieldResult> compare_outcomes(const ExampleCase& c, const Outcome& kernel, const Outcome& emulator);
bool all_equal(const std::vector<FieldResult>& fields);
// "field: detail" of the first difference, or "" when all are equal.
std::string first_difference(const std::vector<FieldResult>& fields);

// ---- cases bpfplay cannot run yet ----
struct KnownUnsupported {
    const char* example;
    const char* case_name;  // "*": every case of the example
    const char* reason;
    // A piece of text the failure must contain (in the load/run error or the first
    // difference), so a case that starts failing for another reason is noticed.
    const char* symptom;
};
std::span<const KnownUnsupported> known_unsupported();
const KnownUnsupported* find_known_unsupported(const ExampleCase& c);

// ---- the running kernel (kernel_runner.cpp; needs libbpf and bpf(2)) ----
enum class KernelStatus {
    Ran,          // outcome holds the kernel's result
    Refused,      // bpf(2) is refused here (EPERM/ENOSYS): nothing to compare with
    NoTestRun,    // loaded, but BPF_PROG_TEST_RUN does not support the type (kprobes)
    Failed,       // opening, loading or running failed: message says why
    Unavailable,  // built without libbpf
};
struct KernelRun {
    KernelStatus status = KernelStatus::Unavailable;
    Outcome outcome;
    std::string message;
};
KernelRun run_in_kernel(const ExampleCase& c);

}  // namespace bpfplay::examples
