// bpfvm helpers: the catalog's 211 helpers, one a line or one JSON object each, and one
// helper in full.
#include <doctest/doctest.h>

#include <sstream>
#include <string>
#include <vector>

#include "core/json/json.hpp"
#include "process.hpp"

using namespace bpfplay::test;

namespace {

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
        out.push_back(line);
    return out;
}

} // namespace

TEST_CASE("helpers lists all 211 ids in order, one line each, after the counts") {
    auto r = run_bpfvm({"helpers"});
    CHECK(r.exit_code == 0);
    CHECK(r.err == "");
    const auto lines = lines_of(r.out);
    REQUIRE(lines.size() == 3 + 211);
    CHECK(lines[1] == "");
    CHECK(lines[2] == " id name                               impl gpl  returns (arguments); program types");
    size_t implemented = 0;
    for (int id = 1; id <= 211; ++id) {
        const std::string& line = lines[size_t(2 + id)];
        CAPTURE(line);
        CHECK(std::stoi(line.substr(0, 3)) == id);
        implemented += line.substr(39, 4) == "yes ";
    }
    CHECK(lines[0] == "211 helpers, " + std::to_string(implemented) + " implemented in bpfplay");
    CHECK(lines[3] ==
          "  1 bpf_map_lookup_elem                yes  -    map_value or NULL (map, map_key); all 31 "
          "program types");
    CHECK(lines[2 + 23] ==
          " 23 bpf_redirect                       yes  -    integer (scalar, scalar); sched_cls, "
          "sched_act, xdp, lwt_xmit");
    CHECK(lines[2 + 25] == " 25 bpf_perf_event_output              yes  gpl  integer (ctx, map, scalar, mem, "
                           "size_or_zero); 26 program types");
    CHECK(lines[2 + 28] ==
          " 28 bpf_csum_diff                      yes  -    integer (mem or NULL, size_or_zero, mem "
          "or NULL, size_or_zero, scalar); 7 program types");
    CHECK(lines[2 + 13] == " 13 bpf_clone_redirect                 yes  -    integer (ctx, scalar, scalar); sched_cls, "
                           "sched_act, lwt_xmit");
    CHECK(lines[2 + 20] == " 20 bpf_skb_get_tunnel_key             yes  -    integer (ctx, mem (written), size, "
                           "scalar); sched_cls, sched_act, lwt_xmit");
}

TEST_CASE("helpers --json is one object per helper, with the same facts as the text") {
    auto r = run_bpfvm({"helpers", "--json"});
    CHECK(r.exit_code == 0);
    auto doc = bpfplay::parse_json(r.out);
    REQUIRE(doc.ok());
    REQUIRE(doc->size() == 211);
    for (size_t i = 0; i < 211; ++i)
        CHECK(doc->at(i)->get("id").as_uint64() == i + 1);
    const bpfplay::JsonValue& lookup = *doc->at(0);
    CHECK(lookup.get("name").as_string() == "bpf_map_lookup_elem");
    CHECK(lookup.get("signature").as_string() ==
          "void *bpf_map_lookup_elem(struct bpf_map *map, const void *key)");
    REQUIRE(lookup.get("args").size() == 2);
    CHECK(lookup.get("args").at(0)->get("reg").as_string() == "r1");
    CHECK(lookup.get("args").at(0)->get("kind").as_string() == "map");
    CHECK(lookup.get("args").at(1)->get("description").as_string() == "map_key");
    CHECK(lookup.get("ret").as_string() == "map_value");
    CHECK(lookup.get("ret_maybe_null").as_bool());
    CHECK_FALSE(lookup.get("gpl_only").as_bool());
    CHECK(lookup.get("prog_types").size() == 31);
    CHECK(lookup.get("prog_types_summary").as_string() == "all 31 program types");
    CHECK(lookup.get("implemented").as_bool());
    CHECK_FALSE(lookup.contains("description")); // the documentation is in the one-helper form
    const bpfplay::JsonValue& redirect = *doc->at(22);
    CHECK(redirect.get("name").as_string() == "bpf_redirect");
    REQUIRE(redirect.get("prog_types").size() == 4);
    CHECK(redirect.get("prog_types").at(2)->as_string() == "xdp");
    // The implemented flags agree with the text listing's column.
    auto text = run_bpfvm({"helpers"});
    const auto lines = lines_of(text.out);
    for (size_t i = 0; i < 211; ++i) {
        CAPTURE(i + 1);
        CHECK(doc->at(i)->get("implemented").as_bool() == (lines[3 + i].substr(39, 4) == "yes "));
    }
}

TEST_CASE("helpers NAME prints one helper in full, with linux/bpf.h's documentation") {
    auto r = run_bpfvm({"helpers", "bpf_ktime_get_ns"});
    CHECK(r.exit_code == 0);
    CHECK(r.out ==
          "bpf_ktime_get_ns (helper 5)\n"
          "  u64 bpf_ktime_get_ns(void)\n"
          "\n"
          "implemented in bpfplay: yes\n"
          "GPL only: no\n"
          "arguments (as the kernel's verifier checks them): none\n"
          "returns (r0): integer\n"
          "program types (31): socket_filter, kprobe, sched_cls, sched_act, tracepoint, xdp, perf_event, "
          "cgroup_skb, cgroup_sock, lwt_in, lwt_out, lwt_xmit, sock_ops, sk_skb, cgroup_device, sk_msg, "
          "raw_tracepoint, cgroup_sock_addr, lwt_seg6local, lirc_mode2, sk_reuseport, flow_dissector, "
          "cgroup_sysctl, raw_tracepoint_writable, cgroup_sockopt, tracing, struct_ops, lsm, sk_lookup, "
          "syscall, netfilter\n"
          "\n"
          "Description\n"
          "    Return the time elapsed since system boot, in nanoseconds. Does not include time the system "
          "was suspended. See: **clock_gettime**(**CLOCK_MONOTONIC**)\n"
          "\n"
          "Return\n"
          "    Current *ktime*.\n");
    // The same helper by id, and by its name without "bpf_".
    CHECK(run_bpfvm({"helpers", "5"}).out == r.out);
    CHECK(run_bpfvm({"helpers", "ktime_get_ns"}).out == r.out);
}

TEST_CASE("helpers NAME names each argument register and the program types") {
    auto r = run_bpfvm({"helpers", "redirect"});
    CHECK(r.exit_code == 0);
    CHECK(
        r.out.starts_with("bpf_redirect (helper 23)\n"
                          "  long bpf_redirect(u32 ifindex, u64 flags)\n"
                          "\n"
                          "implemented in bpfplay: yes\n"
                          "GPL only: no\n"
                          "arguments (as the kernel's verifier checks them):\n"
                          "  r1  scalar\n"
                          "  r2  scalar\n"
                          "returns (r0): integer\n"
                          "program types (4): sched_cls, sched_act, xdp, lwt_xmit\n"
                          "\n"
                          "Description\n"
                          "    Redirect the packet to another net device of index *ifindex*. This helper is "
                          "somewhat similar to **bpf_clone_redirect**(), except"));
    auto lookup = run_bpfvm({"helpers", "1"});
    CHECK(lookup.out.find(
              "\narguments (as the kernel's verifier checks them):\n  r1  map\n  r2  map_key\nreturns "
              "(r0): map_value or NULL\n") != std::string::npos);
}

TEST_CASE("helpers NAME --json adds the documentation") {
    auto r = run_bpfvm({"helpers", "23", "--json"});
    CHECK(r.exit_code == 0);
    auto j = bpfplay::parse_json(r.out);
    REQUIRE(j.ok());
    CHECK(j->get("name").as_string() == "bpf_redirect");
    CHECK(j->get("description").as_string().starts_with("Redirect the packet to another net device"));
    CHECK(j->get("returns").as_string() ==
          "For XDP, the helper returns **XDP_REDIRECT** on success or **XDP_ABORTED** on error. For other "
          "program "
          "types, the values are **TC_ACT_REDIRECT** on success or **TC_ACT_SHOT** on error.");
}

TEST_CASE("helpers with an unknown name or id says so and names helpers that come close") {
    struct Case {
        const char* arg;
        const char* err;
    };
    const Case cases[] = {
        {"probe",
         "bpfvm: no helper is called \"probe\". Helpers whose names contain \"probe\": bpf_probe_read, "
         "bpf_probe_write_user, bpf_probe_read_str, bpf_probe_read_user, bpf_probe_read_kernel, "
         "bpf_probe_read_user_str, bpf_probe_read_kernel_str.\n"},
        {"frobnicate", "bpfvm: no helper is called \"frobnicate\". `bpfvm helpers` lists them all.\n"},
        {"0", "bpfvm: no helper has id 0: the kernel's helpers are 1 to 211\n"},
        {"212", "bpfvm: no helper has id 212: the kernel's helpers are 1 to 211\n"},
    };
    for (const Case& c : cases) {
        CAPTURE(c.arg);
        auto r = run_bpfvm({"helpers", c.arg});
        CHECK(r.exit_code == 1);
        CHECK(r.out == "");
        CHECK(r.err == c.err);
    }
}

TEST_CASE("helpers takes one NAME and only --json") {
    auto two = run_bpfvm({"helpers", "1", "2"});
    CHECK(two.exit_code == 2);
    CHECK(two.err == "bpfvm: helpers: give one NAME or ID ('1' and '2' given)\nTry 'bpfvm --help'.\n");
    auto opt = run_bpfvm({"helpers", "--all"});
    CHECK(opt.exit_code == 2);
    CHECK(opt.err == "bpfvm: helpers: unknown option '--all'\nTry 'bpfvm --help'.\n");
}

TEST_CASE("kfuncs lists Linux 6.18's kfuncs and shows one with the types that may call it") {
    auto all = run_bpfvm({"kfuncs"});
    CHECK(all.exit_code == 0);
    CHECK(all.out.starts_with("209 kfuncs of Linux 6.18; bpfplay runs "));
    CHECK(all.out.find("\n* int bpf_iter_num_new(struct bpf_iter_num *it, int start, int end)  [KF_ITER_NEW]\n") !=
          std::string::npos);
    auto one = run_bpfvm({"kfuncs", "iter_num_next"});
    CHECK(one.exit_code == 0);
    CHECK(one.out.starts_with("bpf_iter_num_next\n  int *bpf_iter_num_next(struct bpf_iter_num *it)\n"
                              "  flags: KF_RET_NULL | KF_ITER_NEXT\n  bpfplay: implemented\n  callable from: "
                              "socket_filter, kprobe, "));
    auto none = run_bpfvm({"kfuncs", "frobnicate"});
    CHECK(none.exit_code == 1);
    CHECK(none.err == "bpfvm: kfuncs: Linux 6.18 has no kfunc named 'frobnicate'. `bpfvm kfuncs` lists them all.\n");
}
