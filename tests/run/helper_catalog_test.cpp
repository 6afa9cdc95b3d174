// The helper catalog (core/helpers/helper_catalog.hpp) and the implementations joined with it
// (core/run/kernel_helpers.cpp): one row per kernel helper, one implementation per id, and the
// kernel's per-type rules as this machine's kernel answered them.
#include <doctest/doctest.h>

#include <set>
#include <string>

#include "core/decode.hpp"
#include "core/helpers/helper_catalog.hpp"
#include "core/helpers/registry.hpp"
#include "core/run/kernel_helpers.hpp"
#include "core/run/object_session.hpp"
#include "core/text/asm.hpp"

using namespace bpfplay;

TEST_CASE("the catalog has one row per helper id 1..211, named as linux/bpf.h names them") {
    const auto protos = helper_protos();
    REQUIRE(protos.size() == size_t(kHelperCount) + 1);
    std::set<std::string> names;
    for (int32_t id = 1; id <= kHelperCount; ++id) {
        CAPTURE(id);
        const HelperProto* p = helper_proto(id);
        REQUIRE(p);
        CHECK(p->id == id);
        CHECK(std::string(p->name).starts_with("bpf_"));
        CHECK(names.insert(p->name).second);
        CHECK(p->nargs <= 5);
        for (int a = 0; a < 5; ++a) CHECK((p->args[a].kind == ArgKind::None) == (a >= p->nargs));
        CHECK(std::string(helper_doc(id).signature).find(p->name) != std::string::npos);
    }
    CHECK(helper_proto(0) == nullptr);
    CHECK(helper_proto(212) == nullptr);
    CHECK(std::string(kernel_helper_name(1)) == "bpf_map_lookup_elem");
    CHECK(std::string(kernel_helper_name(211)) == "bpf_cgrp_storage_delete");
}

TEST_CASE("protos carry the kernel's argument and return kinds") {
    const HelperProto& lookup = *helper_proto(1);
    CHECK(lookup.nargs == 2);
    CHECK(lookup.args[0].kind == ArgKind::MapPtr);
    CHECK(lookup.args[1].kind == ArgKind::MapKey);
    CHECK(lookup.ret == RetKind::MapValue);
    CHECK(lookup.ret_maybe_null);
    const HelperProto& comm = *helper_proto(16);  // bpf_get_current_comm(char *buf, u32 size)
    CHECK(comm.args[0].kind == ArgKind::Mem);
    CHECK(comm.args[0].access == ArgAccess::Write);
    CHECK(comm.args[1].kind == ArgKind::Size);
    CHECK(describe_arg(comm.args[0]) == "mem (written)");
    CHECK(helper_proto(6)->gpl_only);         // bpf_trace_printk
    CHECK_FALSE(helper_proto(5)->gpl_only);   // bpf_ktime_get_ns
    CHECK(helper_proto(94)->ret == RetKind::Void);  // bpf_spin_unlock
}

TEST_CASE("every implemented helper has exactly one implementation, under a catalogued id") {
    std::set<int32_t> ids;
    size_t rows = 0;
    for (std::span<const HelperImpl> family : kernel_helper_families())
        for (const HelperImpl& impl : family) {
            CAPTURE(impl.id);
            ++rows;
            CHECK(helper_proto(impl.id) != nullptr);
            CHECK((impl.fn != nullptr));
            CHECK(ids.insert(impl.id).second);
        }
    const HelperRegistry& r = kernel_helper_registry();
    CHECK(r.all().size() == rows);
    for (const HelperSpec& s : r.all()) {
        CAPTURE(s.id);
        CHECK(std::string(s.name) == helper_proto(s.id)->name);
        CHECK(s.nargs == helper_proto(s.id)->nargs);
        CHECK(helper_implemented(s.id));
    }
    CHECK(helper_implemented(162));  // bpf_sock_from_file
}

TEST_CASE("every program type the kernel was asked about has a default rule") {
    for (uint32_t t = 1; t < kProgTypeCount; ++t) {
        const auto type = ProgType(t);
        CAPTURE(prog_type_name(type));
        bool has_default = false;
        for (const HelperRule& r : helper_rules()) has_default |= r.type == type && r.type_default;
        // struct_ops and ext take their rules from what they attach to.
        CHECK(has_default == (type != ProgType::Ext));
    }
}

TEST_CASE("rules: the helper sets the running kernel gave each type and attach type") {
    auto verdict = [](int64_t id, ProgType t, AttachType a = AttachType(0)) { return helper_verdict(id, t, a); };
    // XDP may not use the old bpf_probe_read; kprobes may. As root, 6.18 gives every type
    // bpf_probe_read_kernel (bpf_base_func_proto with CAP_PERFMON).
    CHECK(verdict(4, ProgType::Xdp, AttachType::Xdp) == HelperVerdict::NotForThisType);
    CHECK(verdict(4, ProgType::Kprobe) == HelperVerdict::Allowed);
    CHECK(verdict(113, ProgType::Xdp, AttachType::Xdp) == HelperVerdict::Allowed);
    // As root, Linux 6.18 lets XDP programs ask for the current task's pid and comm.
    CHECK(verdict(14, ProgType::Xdp, AttachType::Xdp) == HelperVerdict::Allowed);
    CHECK(verdict(16, ProgType::Xdp, AttachType::Xdp) == HelperVerdict::Allowed);
    // bpf_bind only where a socket is connecting.
    CHECK(verdict(64, ProgType::CgroupSockAddr, AttachType::CgroupInet4Connect) == HelperVerdict::Allowed);
    CHECK(verdict(64, ProgType::CgroupSockAddr, AttachType::CgroupInet4Bind) == HelperVerdict::NotForThisType);
    // Iterators print with bpf_seq_printf; tp_btf programs may not.
    CHECK(verdict(126, ProgType::Tracing, AttachType::TraceIter) == HelperVerdict::Allowed);
    CHECK(verdict(126, ProgType::Tracing, AttachType::TraceRawTp) == HelperVerdict::NotForThisType);
    // fentry gets the trampoline-only helpers (derived: this kernel refuses fentry loads).
    CHECK(verdict(183, ProgType::Tracing, AttachType::TraceFentry) == HelperVerdict::Allowed);
    CHECK(verdict(183, ProgType::Tracing, AttachType::TraceRawTp) == HelperVerdict::NotForThisType);
    // An attach type with no row of its own gets the type's default row.
    CHECK(verdict(23, ProgType::SchedCls, AttachType::TcxIngress) == HelperVerdict::Allowed);
    CHECK(verdict(212, ProgType::Xdp, AttachType::Xdp) == HelperVerdict::UnknownId);
    CHECK(verdict(0, ProgType::Xdp, AttachType::Xdp) == HelperVerdict::UnknownId);
    // Programs of no known type (raw runs) are not checked.
    CHECK(verdict(4, ProgType::Unspec) == HelperVerdict::Allowed);
    const auto types = prog_types_allowing(69);  // bpf_fib_lookup
    CHECK(types == std::vector<ProgType>{ProgType::SchedCls, ProgType::SchedAct, ProgType::Xdp});
}

TEST_CASE("a program its type may not call a helper from is refused at load, naming the call") {
    auto s = ObjectSession::open_assembly("r1 = r10\nr1 += -8\nr2 = 8\nr3 = 0\ncall bpf_probe_read\nexit\n",
                                          "xdp");
    REQUIRE_FALSE(s.ok());
    const Error& e = s.error();
    CHECK(e.kind == ErrorKind::Verify);
    CHECK(e.where.pc == 4u);
    CHECK(e.what == "program of type xdp cannot use helper bpf_probe_read#4");
    CHECK(e.to_string() == "insn 4: program of type xdp cannot use helper bpf_probe_read#4. The kernel's verifier "
                           "refuses the call. bpf_probe_read is available to kprobe, tracepoint, perf_event, "
                           "raw_tracepoint, raw_tracepoint_writable, tracing, lsm and syscall programs.");
}

TEST_CASE("a helper the kernel has but bpfplay lacks is named in one sentence, with its hint apart") {
    // A registry without bpf_sock_from_file stands for one that lacks a helper.
    HelperRegistry lacking;
    for (const HelperSpec& spec : kernel_helper_registry().all())
        if (spec.id != 162) lacking.add(spec);
    auto insns = assemble("r1 = 0\ncall bpf_sock_from_file\nr0 = 0\nexit\n");
    REQUIRE(insns.ok());
    DecodeOptions options;
    options.helpers = &lacking;
    options.check_helper_rules = true;
    options.prog_type = ProgType::Syscall;
    auto decoded = decode(insns.value(), options);
    REQUIRE_FALSE(decoded.ok());
    CHECK(decoded.error().kind == ErrorKind::Helper);
    CHECK(decoded.error().what == "bpf_sock_from_file#162 is not available here.");
    CHECK(decoded.error().hint == "bpfplay does not implement it yet.");
    CHECK(decoded.error().where.pc == 1u);
}
