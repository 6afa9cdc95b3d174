// kfuncs: the catalog (tools/kfunc_catalog: Linux 6.18's kfuncs, asked of the running kernel),
// binding kfunc calls by name at load with the kernel's verdicts, and the kfuncs bpfplay runs,
// each with the results the kernel gave for the same program and input (BPF_PROG_TEST_RUN on
// Linux 6.18, tests/kernel/kernel_run.c).
#include <doctest/doctest.h>

#include <fstream>
#include <iterator>
#include <set>
#include <string>

#include "core/helpers/helper_catalog.hpp"
#include "core/helpers/kfunc_catalog.hpp"
#include "core/maps/map.hpp"
#include "core/maps/map_set.hpp"
#include "core/run/kernel_kfuncs.hpp"
#include "core/run/object_session.hpp"
#include "maps/map_test_util.hpp"
#include "run/kfunc_test_util.hpp"

using namespace bpfplay;
using test::open_object;
using test::slot;

namespace {

const LoadedProgram& program_named(ObjectSession& s, std::string_view name) {
    for (const LoadedProgram& p : s.object().programs)
        if (p.name == name) return p;
    FAIL("no program " << name);
    return s.object().programs.front();
}

} // namespace

TEST_CASE("the kfunc catalog: Linux 6.18's kfuncs with their declarations, flags and program types") {
    CHECK(kfunc_protos().size() == 209);  // 203 of vmlinux, 6 of tcp_dctcp (module_kfuncs.txt)
    const KfuncProto* it = kfunc_proto("bpf_iter_num_new");
    REQUIRE(it);
    CHECK(std::string(it->decl) == "int bpf_iter_num_new(struct bpf_iter_num *it, int start, int end)");
    CHECK(it->nargs == 3);
    CHECK(it->flags == KF_ITER_NEW);
    const KfuncProto* acquire = kfunc_proto("bpf_task_acquire");
    REQUIRE(acquire);
    CHECK(acquire->flags == (KF_ACQUIRE | KF_RCU | KF_RET_NULL));
    char buffer[160];
    CHECK(kfunc_flags_text(acquire->flags, buffer) == "KF_ACQUIRE | KF_RET_NULL | KF_RCU");
    CHECK(kfunc_proto("bpf_no_such_kfunc") == nullptr);

    // What this kernel answered: the common set reaches every type, the generic set (task and
    // cgroup references) tracing, TC, XDP, cgroup, struct_ops and syscall programs, not socket
    // filters; the XDP metadata kfuncs only device-bound XDP programs (none of the probed ones).
    CHECK(kfunc_verdict("bpf_iter_num_new", ProgType::SocketFilter, AttachType(0)) == KfuncVerdict::Allowed);
    CHECK(kfunc_verdict("bpf_task_acquire", ProgType::SocketFilter, AttachType(0)) == KfuncVerdict::NotForThisType);
    CHECK(kfunc_verdict("bpf_task_acquire", ProgType::Xdp, AttachType(0)) == KfuncVerdict::Allowed);
    CHECK(kfunc_verdict("bpf_task_acquire", ProgType::Tracing, AttachType::TraceFentry) == KfuncVerdict::Allowed);
    CHECK(kfunc_verdict("bpf_dynptr_from_skb", ProgType::Xdp, AttachType(0)) == KfuncVerdict::NotForThisType);
    CHECK(kfunc_verdict("bpf_dynptr_from_skb", ProgType::SchedCls, AttachType(0)) == KfuncVerdict::Allowed);
    CHECK(kfunc_verdict("bpf_xdp_metadata_rx_hash", ProgType::Xdp, AttachType(0)) == KfuncVerdict::NotForThisType);
    CHECK(kfunc_verdict("bpf_no_such_kfunc", ProgType::Xdp, AttachType(0)) == KfuncVerdict::Unknown);
    // bpfplay's raw programs (no type) may call any kfunc, as they may call any helper.
    CHECK(kfunc_verdict("bpf_task_acquire", ProgType::Unspec, AttachType(0)) == KfuncVerdict::Allowed);
}

TEST_CASE("every kfunc bpfplay implements is a kfunc of the catalog, once") {
    std::set<std::string> seen;
    for (std::span<const KfuncImpl> family : kernel_kfunc_families())
        for (const KfuncImpl& k : family) {
            CAPTURE(k.name);
            CHECK(kfunc_proto(k.name) != nullptr);
            CHECK(bool(k.fn));
            CHECK(seen.insert(k.name).second);
        }
    CHECK(kernel_kfunc_registry().all().size() == seen.size());
    CHECK(seen.size() >= 8);
}

// examples/kfunc_iter_num.c; the kernel gave the same maps for the same packets.
TEST_CASE("kfunc_iter_num example: an open-coded bpf_iter_num loop, its error codes, optional kfuncs") {
    auto s = open_object("public/examples/kfunc_iter_num.o");
    RunInput in;
    for (uint8_t b = 0; b < 64; ++b) in.packet.push_back(b);
    RunResult r = s->run("sum_header", in);
    REQUIRE_MESSAGE(r.status == RunStatus::Exited, (r.error ? r.error->to_string() : ""));
    CHECK(r.r0 == 2); // XDP_PASS
    CHECK(slot(*s, "sums", 0) == 496); // 0 + 1 + ... + 31
    CHECK(slot(*s, "sums", 1) == 32);
    CHECK(slot(*s, "errors", 0) == -22); // start > end: -EINVAL
    CHECK(slot(*s, "errors", 1) == -7);  // more than BPF_MAX_LOOPS numbers: -E2BIG
    CHECK(slot(*s, "errors", 2) == 1); // bpf_ksym_exists(bpf_strlen): a kfunc of Linux 6.18
    CHECK(slot(*s, "errors", 3) == 0); // bpf_ksym_exists of a __weak kfunc no kernel has

    in.packet.clear();
    for (uint8_t b = 100; b < 120; ++b) in.packet.push_back(b);
    r = s->run("sum_header", in);
    REQUIRE(r.status == RunStatus::Exited);
    CHECK(slot(*s, "sums", 0) == 2190); // the loop stops at the packet's end: 100 + ... + 119
    CHECK(slot(*s, "sums", 1) == 20);
}

TEST_CASE("a kfunc the program's type may not call refuses that program as the kernel's verifier does") {
    auto s = open_object("tests/verifier/corpus/ref_socket_kfunc_not_allowed.o");
    const LoadedProgram& p = program_named(*s, "prog");
    REQUIRE(p.load_error);
    CHECK(p.load_error->kind == ErrorKind::Verify);
    CHECK(p.load_error->what == "calling kernel function bpf_task_from_pid is not allowed");
    CHECK(p.load_error->where.pc == 1u); // the kernel's log names insn 1 too
    CHECK(p.load_error->where.section == "socket");
}

