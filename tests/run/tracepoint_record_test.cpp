// A tracepoint program's context is its event's record (core/run/tracepoint_record.hpp), laid
// out by the tracefs format of every event of Linux 6.18 (core/run/tracepoint_formats.hpp, the
// table tools/tracepoint_formats/gen.py wrote). tests/run/bpf/tracepoint_records.o reads events
// whose trace_event_raw_* structs the built-in BTF does not have. The kernel cannot test-run
// tracepoint programs; the layouts are checked against the kernel's own BTF structs where the
// built-in BTF keeps them, the values are the emulated host's.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "core/btf/builtin_target_btf.hpp"
#include "core/host/kernel_objects.hpp"
#include "core/run/btf_args_context.hpp"
#include "core/run/tracepoint_formats.hpp"
#include "core/run/tracepoint_record.hpp"
#include "run/kfunc_test_util.hpp"

namespace bpfplay::testing {
namespace {

using test::open_object;

// "name type @offset/size", one per field.
std::vector<std::string> tp_fields(std::string_view target) {
    const auto f = find_tracepoint_format(target);
    REQUIRE(f);
    std::vector<std::string> out;
    for (const TracepointField& x : f->fields)
        out.push_back(std::string(x.name) + " " + std::string(x.type) + " @" + std::to_string(x.offset) + "/" +
                      std::to_string(x.size) + (x.is_signed ? " signed" : ""));
    return out;
}

RunResult tp_run(ObjectSession& s, const char* program, std::vector<std::pair<std::string, uint64_t>> args = {},
                 std::vector<uint8_t> ctx = {}) {
    RunInput in;
    in.args = std::move(args);
    in.ctx = std::move(ctx);
    return s.run(program, in);
}

uint64_t tp_exited(const RunResult& r) {
    REQUIRE_MESSAGE(r.status == RunStatus::Exited, (r.error ? r.error->to_string() : ""));
    return r.r0;
}

std::vector<uint8_t> tp_defaults(std::string_view target, std::vector<std::pair<std::string, uint64_t>> named = {}) {
    auto layout = tracepoint_record_layout(target);
    REQUIRE(layout.ok());
    Host host;
    auto bytes = btf_args_bytes(*layout, kernel_object_addresses(host), host, {}, named);
    REQUIRE_MESSAGE(bytes.ok(), (bytes.ok() ? "" : bytes.error().to_string()));
    return *bytes;
}

using Strings = std::vector<std::string>;

}  // namespace

TEST_CASE("tracepoint formats: every event of the 6.18 kernel, with its id and fields") {
    CHECK(tracepoint_format_count() == 2323);  // ls -d /sys/kernel/tracing/events/*/*/ | wc -l
    CHECK(tp_fields("sched/sched_switch") ==
          Strings{"common_type unsigned short @0/2", "common_flags unsigned char @2/1",
                  "common_preempt_count unsigned char @3/1", "common_pid int @4/4 signed", "prev_comm char[16] @8/16",
                  "prev_pid pid_t @24/4 signed", "prev_prio int @28/4 signed", "prev_state long @32/8 signed",
                  "next_comm char[16] @40/16", "next_pid pid_t @56/4 signed", "next_prio int @60/4 signed"});
    const auto sw = find_tracepoint_format("sched", "sched_switch");
    REQUIRE(sw);
    CHECK(sw->id == 372u);
    CHECK(sw->fixed_size() == 64u);
    CHECK(sw->syscall_nr == -1);
    const auto openat = find_tracepoint_format("syscalls/sys_enter_openat");
    REQUIRE(openat);
    CHECK(openat->id == 782u);
    CHECK(openat->syscall_nr == 257);
    CHECK(tp_fields("syscalls/sys_enter_openat").back() == "mode umode_t @40/8");
    CHECK(find_tracepoint_format("syscalls/sys_exit_mseal")->syscall_nr == 462);  // newer than the build's unistd_64.h
    CHECK(tp_fields("irq/irq_handler_entry") ==
          Strings{"common_type unsigned short @0/2", "common_flags unsigned char @2/1",
                  "common_preempt_count unsigned char @3/1", "common_pid int @4/4 signed", "irq int @8/4 signed",
                  "name __data_loc char[] @12/4"});
    CHECK(find_tracepoint_format("raw_syscalls/sys_enter")->fields.back().type == "unsigned long[6]");
    // The first and last events by system and name, and neighbours of the binary search.
    CHECK(find_tracepoint_format("alarmtimer/alarmtimer_cancel"));
    CHECK(find_tracepoint_format("xfs/xlog_intent_recovery_failed"));
    CHECK_FALSE(find_tracepoint_format("sched/sched_no_such_event"));
    CHECK_FALSE(find_tracepoint_format("sched_switch"));
    CHECK_FALSE(find_tracepoint_format("zzz/sched_switch"));
}

TEST_CASE("tracepoint formats: the layouts are the kernel's trace_event_raw_* structs the built-in BTF keeps") {
    // event -> its class's struct (a DEFINE_EVENT's record is its class's); a __data_loc field is
    // the struct's u32 __data_loc_<name>.
    const std::pair<const char*, const char*> events[] = {
        {"sched/sched_switch", "sched_switch"},
        {"sched/sched_process_exec", "sched_process_exec"},
        // 6.18's sched_process_exit has a struct of its own (char comm[16], group_dead).
        {"sched/sched_process_free", "sched_process_template"},
        {"sched/sched_process_fork", "sched_process_fork"},
        {"sched/sched_wakeup", "sched_wakeup_template"},
        {"sched/sched_process_wait", "sched_process_wait"},
        {"raw_syscalls/sys_enter", "sys_enter"},
        {"raw_syscalls/sys_exit", "sys_exit"},
        {"sock/inet_sock_set_state", "inet_sock_set_state"},
        {"block/block_rq_complete", "block_rq_completion"},
    };
    const Btf& btf = builtin_target_btf();
    for (const auto& pair : events) {
        // Named copies: clang 14 cannot capture a structured binding in CAPTURE's lambda.
        const std::string event = pair.first, cls = pair.second;
        CAPTURE(event);
        const auto format = find_tracepoint_format(event);
        REQUIRE(format);
        const auto id = btf.find_by_name("trace_event_raw_" + cls, BtfKind::Struct);
        REQUIRE(id);
        size_t matched = 0;
        for (const TracepointField& f : format->fields) {
            if (f.name.starts_with("common_")) continue;
            const std::string data_loc = "__data_loc_" + std::string(f.name);
            for (const BtfMember& m : btf.members(*id)) {
                const std::string_view name = btf.string_at(m.name_off);
                if (name != f.name && name != data_loc) continue;
                CHECK(m.bit_offset == f.offset * 8);
                CHECK((btf.resolve_size(m.type).ok() ? *btf.resolve_size(m.type) : 0u) == f.size);
                ++matched;
            }
        }
        CHECK(matched == format->fields.size() - 4);
        // The struct ends with char __data[] where the fixed part does.
        const auto members = btf.members(*id);
        REQUIRE_FALSE(members.empty());
        CHECK(btf.string_at(members.back().name_off) == "__data");
        CHECK(members.back().bit_offset == format->fixed_size() * 8);
    }
}

TEST_CASE("tracepoint record: the header, host defaults, __data_loc data after the fixed part") {
    // irq_handler_entry: id 225, pid 4242, irq 0, name "" (1 byte at 16, the end of the fixed part).
    CHECK(tp_defaults("irq/irq_handler_entry") ==
          std::vector<uint8_t>{225, 0, 0, 0, 0x92, 0x10, 0, 0, 0, 0, 0, 0, 16, 0, 1, 0, 0});
    // sched_process_exec: filename is the executable, pid and old_pid the task's.
    const std::vector<uint8_t> exec = tp_defaults("sched/sched_process_exec");
    const std::string exe = "/usr/bin/bpfplay-demo";
    REQUIRE(exec.size() == 20 + exe.size() + 1);
    CHECK(load_le<uint16_t>(&exec[0]) == 365);
    CHECK(load_le<uint32_t>(&exec[8]) == (20u | uint32_t(exe.size() + 1) << 16));
    CHECK(load_le<int32_t>(&exec[12]) == 4242);
    CHECK(load_le<int32_t>(&exec[16]) == 4242);
    CHECK(std::string(reinterpret_cast<const char*>(&exec[20])) == exe);
    // Two __data_loc strings follow each other in field order.
    const std::vector<uint8_t> fork = tp_defaults("sched/sched_process_fork");
    CHECK(load_le<uint32_t>(&fork[8]) == (24u | 13u << 16));   // parent_comm "bpfplay-demo"
    CHECK(load_le<uint32_t>(&fork[16]) == (37u | 13u << 16));  // child_comm
    CHECK(fork.size() == 50);
    // raw_syscalls:sys_enter is the default task's openat(AT_FDCWD, "/etc/hostname", 0).
    const std::vector<uint8_t> raw = tp_defaults("raw_syscalls/sys_enter", {{"args[2]", 0x241}});
    CHECK(load_le<int64_t>(&raw[8]) == 257);
    CHECK(load_le<int64_t>(&raw[16]) == -100);
    CHECK(load_le<uint64_t>(&raw[24]) == kDefaultOpenatPathAddr);
    CHECK(load_le<uint64_t>(&raw[32]) == 0x241u);
    // A field is set in its own bytes only: next_pid's 4, not next_prio after it.
    const std::vector<uint8_t> sw =
        tp_defaults("sched/sched_switch", {{"next_pid", 0x1122334455667788}, {"next_prio", 120}});
    CHECK(load_le<uint32_t>(&sw[56]) == 0x55667788u);
    CHECK(load_le<int32_t>(&sw[60]) == 120);
    CHECK(std::string(reinterpret_cast<const char*>(&sw[8])) == "bpfplay-demo");

    auto layout = tracepoint_record_layout("raw_syscalls/sys_enter");
    REQUIRE(layout.ok());
    Host host;
    const KernelObjectAddresses k = kernel_object_addresses(host);
    auto past = btf_args_bytes(*layout, k, host, {}, {{"args[6]", 1}});
    REQUIRE_FALSE(past.ok());
    CHECK(past.error().what == "no field \"args[6]\" in the context of raw_syscalls/sys_enter; its fields: "
                               "common_type, common_flags, common_preempt_count, common_pid, id, args");
    CHECK(btf_arg_settable(*layout, "args[5]"));
    CHECK_FALSE(btf_arg_settable(*layout, "id[0]"));
    CHECK(btf_args_text(*layout, tp_defaults("raw_syscalls/sys_enter")) ==
          "  common_type = 443 (unsigned short)\n  common_flags = 0 (unsigned char)\n  common_preempt_count = 0 "
          "(unsigned char)\n  common_pid = 4242 (int)\n  id = 257 (long)\n  args = {18446744073709551516, " +
              std::to_string(kDefaultOpenatPathAddr) + ", 0, 0, 0, 0} (unsigned long[6])\n");

    auto unknown = tracepoint_record_layout("sched/sched_no_such_event");
    REQUIRE_FALSE(unknown.ok());
    CHECK(unknown.error().kind == ErrorKind::Load);
    CHECK(unknown.error().what == "no tracepoint \"sched/sched_no_such_event\" in the emulated Linux 6.18 kernel (2323 "
                                  "events), so the program has no record");
}

TEST_CASE("tracepoint record: programs read events the built-in BTF has no struct for") {
    auto s = open_object("tests/run/bpf/tracepoint_records.o");
    // sys_enter_openat as struct trace_event_raw_sys_enter: id (__syscall_nr 257) * 100000 + the
    // path pointer's low 16 bits (0x3010), the path read from user memory.
    RunResult openat = tp_run(*s, "openat_args");
    CHECK(tp_exited(openat) == 257u * 100000 + 0x3010);
    CHECK(openat.printk == Strings{"openat /etc/hostname dfd -100"});
    CHECK(tp_exited(tp_run(*s, "openat_args", {{"__syscall_nr", 2}, {"filename", 0x1234}})) == 200000u + 0x1234);
    // The record is read-only and as long as the event's, with its __data_loc data.
    CHECK(openat.ctx_out.size() == 48);

    // sched_switch: prev_pid * 1000 + next_comm[0] ('b') + next_prio.
    CHECK(tp_exited(tp_run(*s, "switch_pids")) == 4242098u);
    CHECK(tp_exited(tp_run(*s, "switch_pids", {{"prev_pid", 7}, {"next_prio", 3}, {"next_comm[0]", 'A'}})) ==
          7000u + 'A' + 3);

    // irq_handler_entry: irq * 10000 + the name's length * 100 + its first byte.
    RunResult irq = tp_run(*s, "irq_entry");
    CHECK(tp_exited(irq) == 100u);
    CHECK(irq.printk == Strings{"irq 0 handler "});
    CHECK(tp_exited(tp_run(*s, "irq_entry", {{"irq", 42}})) == 420100u);
    // A record given as bytes: the name "eth0" at 16 (5 bytes with its NUL).
    std::vector<uint8_t> eth0 = {225, 0, 0, 0, 0x92, 0x10, 0, 0, 19, 0, 0, 0, 16, 0, 5, 0, 'e', 't', 'h', '0', 0};
    RunResult named = tp_run(*s, "irq_entry", {}, eth0);
    CHECK(tp_exited(named) == 190000u + 500 + 'e');
    CHECK(named.printk == Strings{"irq 19 handler eth0"});

    // sched_process_exec's filename through __data_loc: the executable by default, a given
    // record's (bootstrap.c's preset) otherwise.
    RunResult exec = tp_run(*s, "exec_filename");
    CHECK(tp_exited(exec) == 22u);
    CHECK(exec.printk == Strings{"exec /usr/bin/bpfplay-demo pid 4242 old 4242"});
    std::vector<uint8_t> curl = {0x6d, 0x01, 0, 0, 0x92, 0x10, 0, 0, 20, 0, 14, 0, 0x93, 0x10, 0, 0, 0x92, 0x10, 0, 0};
    for (char c : std::string("/usr/bin/curl")) curl.push_back(uint8_t(c));
    curl.push_back(0);
    RunResult given = tp_run(*s, "exec_filename", {{"old_pid", 1}}, curl);
    CHECK(tp_exited(given) == 14u);
    CHECK(given.printk == Strings{"exec /usr/bin/curl pid 4243 old 1"});

    // block_rq_issue: comm[0] << 24 | sector's low 16 bits << 8 | the cmd's length ("": 1).
    CHECK(tp_exited(tp_run(*s, "rq_issue")) == 0x62000001u);
    CHECK(tp_exited(tp_run(*s, "rq_issue", {{"sector", 0xab1234}, {"comm[0]", 'k'}})) == 0x6b123401u);

    // Strings by text: a __data_loc one appended after the record's data, a char array cut to
    // leave its NUL (the kernel's comm is 15 characters at most).
    RunInput texts;
    texts.text_args = {{"filename", "/usr/bin/curl"}};
    RunResult curl_text = s->run("exec_filename", texts);
    CHECK(tp_exited(curl_text) == 14u);
    CHECK(curl_text.printk == Strings{"exec /usr/bin/curl pid 4242 old 4242"});
    CHECK(load_le<uint32_t>(&curl_text.ctx_out[8]) == (42u | 14u << 16));  // after the default's 22 bytes at 20
    texts.text_args = {{"next_comm", "kworker/0:1-events"}};
    CHECK(tp_exited(s->run("switch_pids", texts)) == 4242000u + 'k');
    CHECK(run_result_text(*s, s->run("switch_pids", texts)).find("next_comm = \"kworker/0:1-eve\" (char[16])") !=
          std::string::npos);
    texts.text_args = {{"next_pid", "1"}};
    const RunResult not_text = s->run("switch_pids", texts);
    REQUIRE(not_text.error);
    CHECK(not_text.error->what == "field \"next_pid\" of sched/sched_switch is pid_t, not a string: give it as a number");

    const RunResult bad = tp_run(*s, "switch_pids", {{"prev", 1}});
    REQUIRE(bad.error);
    CHECK(bad.error->what == "no field \"prev\" in the context of sched/sched_switch; its fields: common_type, "
                             "common_flags, common_preempt_count, common_pid, prev_comm, prev_pid, prev_prio, "
                             "prev_state, next_comm, next_pid, next_prio");
    // args[5] at 56 is past the 48-byte record: the kernel would read its perf buffer on.
    const RunResult past = tp_run(*s, "past_record");
    REQUIRE(past.error);
    CHECK(past.error->what.starts_with("8-byte load at 0x100000038 is outside the 48-byte context "
                                       "(syscalls/sys_enter_openat's record: common_type, "));
    CHECK(past.error->hint.find("its record is 48 bytes here") != std::string::npos);
    // An event the kernel lacks cannot be attached to: the run says which.
    const RunResult missing = tp_run(*s, "no_event");
    REQUIRE(missing.error);
    CHECK(missing.error->what == "no tracepoint \"sched/sched_no_such_event\" in the emulated Linux 6.18 kernel (2323 "
                                 "events), so the program has no record");
}

TEST_CASE("tracepoint record: the report's context lines name each field") {
    auto s = open_object("tests/run/bpf/tracepoint_records.o");
    RunResult r = tp_run(*s, "irq_entry", {{"irq", 42}});
    CHECK(run_result_text(*s, r).starts_with(
        "program irq_entry\ncontext (irq/irq_handler_entry's record):\n  common_type = 225 (unsigned short)\n"
        "  common_flags = 0 (unsigned char)\n  common_preempt_count = 0 (unsigned char)\n  common_pid = 4242 (int)\n"
        "  irq = 42 (int)\n  name = \"\" (1 byte at 16) (__data_loc char[])\nreturn 0x66904 (420100)\n"));
    const std::string json = run_result_json(*s, r);
    CHECK(json.find("\"args_of\":\"irq/irq_handler_entry\"") != std::string::npos);
    CHECK(json.find("{\"name\":\"irq\",\"type\":\"int\",\"offset\":8,\"width\":4,\"kind\":\"number\","
                    "\"value\":42,\"text\":\"42\","
                    "\"pointer\":false,\"signed\":true,\"size\":4,\"register\":\"\"}") != std::string::npos);
    RunResult sw = tp_run(*s, "switch_pids");
    CHECK(run_result_text(*s, sw).find("  prev_comm = \"bpfplay-demo\" (char[16])\n  prev_pid = 4242 (pid_t)\n") !=
          std::string::npos);
}

}  // namespace bpfplay::testing
