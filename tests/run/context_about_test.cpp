// Every context field a program can load has a line for learners (issue 17): the debugger's
// Context view and explain show ContextField::about, so an empty one is a gap a learner sees.
#include <doctest/doctest.h>

#include <set>
#include <string>

#include "core/context/cgroup_contexts.hpp"
#include "core/context/contexts.hpp"
#include "core/run/sk_reuseport_context.hpp"

using namespace bpfplay;

namespace {

using A = AttachType;

// Each factory of core/context (and the two contexts core/run builds itself), in each variant
// whose field list differs.
std::vector<std::unique_ptr<FieldContext>> every_context_table() {
    std::vector<std::unique_ptr<FieldContext>> all;
    all.push_back(make_xdp_md());
    all.push_back(make_sk_buff(false));
    all.push_back(make_sk_buff(true));
    all.push_back(make_sk_skb());
    all.push_back(make_lwt_sk_buff());
    all.push_back(make_sk_msg_md());
    all.push_back(make_sock_ops());
    all.push_back(make_lirc_mode2_sample());
    all.push_back(make_bpf_sysctl());
    all.push_back(make_bpf_cgroup_dev_ctx());
    all.push_back(make_bpf_sockopt(A::CgroupGetsockopt));
    all.push_back(make_bpf_sockopt(A::CgroupSetsockopt));
    all.push_back(make_bpf_sock_addr(A::CgroupInet4Connect));
    all.push_back(make_cgroup_bpf_sock(A::CgroupInetSockCreate));
    all.push_back(std::make_unique<SkReuseportContext>());
    return all;
}

}  // namespace

TEST_CASE("context fields: every field of every context table has a description") {
    size_t fields = 0;
    std::set<std::string> structs;
    for (const auto& ctx : every_context_table()) {
        structs.insert(ctx->struct_name());
        for (const ContextField& f : ctx->fields()) {
            INFO(ctx->struct_name() << "." << f.name);
            REQUIRE(f.about != nullptr);
            CHECK(std::string(f.about).size() >= 10);
            ++fields;
        }
    }
    // Eleven structs (the __sk_buff views share a name); the count guards against a table
    // silently dropping out of the walk.
    CHECK(structs.size() == 11);
    CHECK(fields == 228);
}

TEST_CASE("context fields: descriptions say what the kernel maps the field to") {
    auto xdp = make_xdp_md();
    CHECK(std::string(xdp->fields()[0].about) == "the packet's first byte (a 4-byte load gives the address)");
    CHECK(std::string(xdp->fields()[3].name) == "ingress_ifindex");
    CHECK(std::string(xdp->fields()[3].about) == "the ifindex of the device the packet arrived on");
    // sk_skb's view is copied from __sk_buff's table: the descriptions come along.
    auto sk_skb = make_sk_skb();
    size_t found = 0;
    for (const ContextField& f : sk_skb->fields())
        if (std::string(f.name) == "priority") {
            CHECK(std::string(f.about) == "the packet's queueing priority (skb->priority), writable from tc");
            ++found;
        }
    CHECK(found == 1);
}
