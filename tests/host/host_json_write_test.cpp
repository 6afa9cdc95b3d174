// host_json, the inverse of apply_host_json: the playground shows its text and sends it back.
#include <doctest/doctest.h>

#include "core/host/host.hpp"
#include "core/host/host_json.hpp"

using namespace bpfplay;

namespace {

// The parts of a host host_json writes.
void check_same_network_task_cpu(const Host& a, const Host& b) {
    CHECK(a.cpu == b.cpu);
    CHECK(a.ncpus == b.ncpus);
    CHECK(a.clock_start_ns == b.clock_start_ns);
    CHECK(a.prandom_seed == b.prandom_seed);
    CHECK(a.prandom.state() == b.prandom.state());
    CHECK(a.task == b.task);
    CHECK(a.net.devices == b.net.devices);
    CHECK(a.net.sockets == b.net.sockets);
    CHECK(a.net.routes == b.net.routes);
    CHECK(a.net.neighbours == b.net.neighbours);
    CHECK(a.net.ingress_ifindex == b.net.ingress_ifindex);
    CHECK(a.net.rx_queue_index == b.net.rx_queue_index);
    CHECK(a.net.program_socket == b.net.program_socket);
}

} // namespace

TEST_CASE("host_json writes the default host in full, one item per line") {
    CHECK(host_json(Host{}) == R"({
  "cpu": 0,
  "ncpus": 4,
  "clock_start_ns": 1000000000,
  "prandom_seed": 1,
  "tai_offset_ns": 1767225637000000000,
  "task": {"pid": 4242, "tgid": 4242, "uid": 1000, "gid": 1000, "comm": "bpfplay-demo", "cgroup": 5, "exit_code": 0, "start_time_ns": 900000000, "exe": "/usr/bin/bpfplay-demo"},
  "kernel_stack": [
    {"ip": "0xffffffff8140a1b0", "symbol": "do_sys_openat2+0x0"},
    {"ip": "0xffffffff8140a6f5", "symbol": "__x64_sys_openat+0x55"},
    {"ip": "0xffffffff8210c2bb", "symbol": "do_syscall_64+0x5b"},
    {"ip": "0xffffffff82200130", "symbol": "entry_SYSCALL_64_after_hwframe+0x76"}
  ],
  "user_stack": [
    {"ip": "0x7f8e5a114887", "symbol": "__libc_open64+0x57"},
    {"ip": "0x55d0c4a01264", "symbol": "main+0x44"},
    {"ip": "0x7f8e5a029d90", "symbol": "__libc_start_call_main+0x80"},
    {"ip": "0x7f8e5a029e40", "symbol": "__libc_start_main+0x80"},
    {"ip": "0x55d0c4a010a5", "symbol": "_start+0x25"}
  ],
  "cgroups": [
    {"id": 1, "path": "/"},
    {"id": 2, "path": "/system.slice"},
    {"id": 3, "path": "/user.slice"},
    {"id": 4, "path": "/user.slice/user-1000.slice"},
    {"id": 5, "path": "/user.slice/user-1000.slice/session-2.scope"}
  ],
  "user_memory": [
    {"addr": "0x7ffd5e3c1f00", "text": "/usr/bin/bpfplay-demo\u0000--verbose\u0000HOME=/home/user\u0000PATH=/usr/bin:/bin\u0000"},
    {"addr": "0x55d0c4a03010", "text": "/etc/hostname\u0000"}
  ],
  "ingress_ifindex": 1,
  "rx_queue_index": 0,
  "devices": [
    {"ifindex": 1, "name": "lo", "mac": "00:00:00:00:00:00", "mtu": 65536, "up": true, "forwarding": false, "rx_queues": 1, "ipv4": ["127.0.0.1/8"], "ipv6": ["::1/128"]},
    {"ifindex": 2, "name": "eth0", "mac": "02:00:00:00:00:02", "mtu": 1500, "up": true, "forwarding": true, "rx_queues": 1, "ipv4": ["10.0.0.2/24"], "ipv6": ["fd00::2/64"]},
    {"ifindex": 3, "name": "eth1", "mac": "02:00:00:00:01:02", "mtu": 1500, "up": true, "forwarding": true, "rx_queues": 1, "ipv4": ["10.0.1.2/24"], "ipv6": ["fd00:1::2/64"]}
  ],
  "sockets": [
    {"cookie": 4097, "protocol": "tcp", "local_addr": "0.0.0.0", "local_port": 80, "remote_addr": "0.0.0.0", "remote_port": 0, "state": "listen", "uid": 33, "bound_dev_if": 0, "mark": 0, "priority": 0},
    {"cookie": 4098, "protocol": "tcp", "local_addr": "10.0.0.2", "local_port": 8080, "remote_addr": "10.0.0.1", "remote_port": 40000, "state": "established", "uid": 1000, "bound_dev_if": 0, "mark": 0, "priority": 0},
    {"cookie": 4099, "protocol": "udp", "local_addr": "10.0.0.2", "local_port": 53, "remote_addr": "0.0.0.0", "remote_port": 0, "uid": 101, "bound_dev_if": 0, "mark": 0, "priority": 0}
  ],
  "routes": [
    {"dst": "0.0.0.0/0", "via": "10.0.0.1", "dev": 2, "metric": 0, "type": "unicast"},
    {"dst": "::/0", "via": "fd00::1", "dev": 2, "metric": 1024, "type": "unicast"}
  ],
  "neighbours": [
    {"dev": 2, "addr": "10.0.0.1", "mac": "02:00:00:00:00:01"},
    {"dev": 2, "addr": "fd00::1", "mac": "02:00:00:00:00:01"},
    {"dev": 3, "addr": "10.0.1.1", "mac": "02:00:00:00:01:01"}
  ]
}
)");
}

TEST_CASE("apply_host_json(host_json(h)) gives back h's network, task and cpu") {
    Host h1;
    const auto set = apply_host_json(h1, R"({
        "cpu": 3,
        "task": {"pid": 77, "tgid": 70, "uid": 0, "gid": 5, "comm": "nginx \"worker\"", "exit_code": 256,
                 "start_time_ns": 12345, "exe": "/usr/sbin/nginx"},
        "kconfig": {"CONFIG_HZ": "1000", "CONFIG_MY_OPTION": "\"x\""},
        "devices": [
            {"ifindex": 1, "name": "lo"},
            {"ifindex": 5, "name": "wan0", "mac": "aa:bb:cc:dd:ee:0f", "mtu": 9000, "up": false,
             "forwarding": true, "rx_queues": 8, "ipv4": ["192.0.2.1/24", "198.51.100.7"],
             "ipv6": ["2001:db8::1/48", "fe80::1"]}
        ],
        "ingress_ifindex": 5,
        "rx_queue_index": 7,
        "sockets": [
            {"protocol": "tcp", "local_addr": "192.0.2.1", "local_port": 443},
            {"cookie": 99, "protocol": "tcp", "local_addr": "2001:db8::1", "local_port": 22,
             "remote_addr": "2001:db8::2", "remote_port": 50000, "state": "fin_wait2", "uid": 0,
             "bound_dev_if": 5, "mark": 3, "priority": 4},
            {"protocol": "udp", "local_addr": "::", "local_port": 67, "remote_addr": "2001:db8::9",
             "remote_port": 68}
        ],
        "routes": [
            {"dst": "10.9.0.0/16", "dev": 5, "metric": 7},
            {"dst": "192.0.2.0/24", "type": "blackhole"},
            {"dst": "2001:db8:5::/48", "via": "2001:db8::fe", "dev": 5, "type": "prohibit"}
        ],
        "neighbours": [{"dev": 5, "addr": "2001:db8::fe", "mac": "0a:0b:0c:0d:0e:0f"}]
    })");
    REQUIRE_MESSAGE(set.ok(), (set.ok() ? "" : set.error().to_string()));
    const std::string text = host_json(h1);
    Host h2;
    const auto back = apply_host_json(h2, text);
    REQUIRE_MESSAGE(back.ok(), (back.ok() ? "" : back.error().to_string()));
    check_same_network_task_cpu(h1, h2);
    CHECK(h2.task.exit_code == 256);
    CHECK(h2.task.start_time_ns == 12345u);
    CHECK(h2.exe == "/usr/sbin/nginx");
    CHECK(h2.kconfig == h1.kconfig);
    CHECK(h2.kconfig.at("CONFIG_HZ") == "1000");
    CHECK(h2.kconfig.at("CONFIG_MY_OPTION") == "\"x\"");
    CHECK(h2.kconfig.at("LINUX_KERNEL_VERSION") == "397824");  // KERNEL_VERSION(6, 18, 0), kept
    CHECK(host_json(h2) == text);
    CHECK(text.find(R"("ipv4": ["192.0.2.1/24", "198.51.100.7/32"])") != std::string::npos);
    CHECK(text.find(R"({"dst": "192.0.2.0/24", "dev": 0, "metric": 0, "type": "blackhole"})") !=
          std::string::npos);
    CHECK(text.find(R"("comm": "nginx \"worker\"")") != std::string::npos);
}

TEST_CASE("host_json of a host without devices or sockets writes empty lists") {
    Host h;
    h.net.sockets.clear();
    h.net.routes.clear();
    h.net.neighbours.clear();
    const std::string text = host_json(h);
    CHECK(text.find("  \"sockets\": [],\n  \"routes\": [],\n  \"neighbours\": []\n}") != std::string::npos);
    Host back;
    REQUIRE(apply_host_json(back, text).ok());
    check_same_network_task_cpu(h, back);
}

TEST_CASE("tai_offset_ns is read from and written to the host JSON") {
    Host h;
    const auto set = apply_host_json(h, R"({"tai_offset_ns": 18446744073709551615})");
    REQUIRE_MESSAGE(set.ok(), (set.ok() ? "" : set.error().to_string()));
    CHECK(h.tai_offset_ns == UINT64_MAX);
    CHECK(host_json(h).find("\"tai_offset_ns\": 18446744073709551615,") != std::string::npos);
    Host back;
    REQUIRE(apply_host_json(back, host_json(h)).ok());
    CHECK(back.tai_offset_ns == UINT64_MAX);
}

TEST_CASE("a tai_offset_ns that is not an unsigned integer is refused") {
    Host h;
    const auto set = apply_host_json(h, R"({"tai_offset_ns": -1})");
    REQUIRE_FALSE(set.ok());
    CHECK(set.error().what.find("tai_offset_ns") != std::string::npos);
    CHECK(h.tai_offset_ns == Host::kDefaultTaiOffsetNs);
}

TEST_CASE("host JSON map_sizes: max_entries by map name, read back as written; 0 and non-objects refused") {
    Host h;
    REQUIRE(apply_host_json(h, R"({"map_sizes": {"flows": 65536, "events": 4096}})"));
    CHECK(h.map_sizes == std::map<std::string, uint32_t>{{"events", 4096}, {"flows", 65536}});
    const std::string text = host_json(h);
    CHECK(text.find(",\n  \"map_sizes\": {\"events\": 4096, \"flows\": 65536}\n}\n") != std::string::npos);
    Host back;
    REQUIRE(apply_host_json(back, text));
    CHECK(back.map_sizes == h.map_sizes);
    auto zero = apply_host_json(back, R"({"map_sizes": {"flows": 0}})");
    REQUIRE_FALSE(zero);
    CHECK(zero.error().what == "host JSON: map_sizes.flows: a map holds at least one entry; expected 1 to 4294967295");
    auto list = apply_host_json(back, R"({"map_sizes": [1]})");
    REQUIRE_FALSE(list);
    CHECK(list.error().what == "host JSON: map_sizes: expected an object, got array");
}

TEST_CASE("host JSON stacks and cgroups: read back as written; bad frames and trees refused") {
    Host h;
    REQUIRE(apply_host_json(h, R"({"kernel_stack": [{"ip": "0xffffffff81000010", "symbol": "f+0x10"},
                                                    {"ip": 18446744071562067984}],
                                  "user_stack": [],
                                  "cgroups": [{"id": 1, "path": "/"}, {"id": 7, "path": "/app"},
                                              {"id": 9, "path": "/app/web"}],
                                  "task": {"cgroup": 9}})"));
    CHECK(h.kernel_stack == std::vector<StackFrame>{{0xffffffff81000010ull, "f+0x10"}, {0xffffffff80000010ull, ""}});
    CHECK(h.user_stack.empty());
    CHECK(h.task.cgroup_id == 9);
    CHECK(h.cgroup_under(9, 7));
    CHECK(h.cgroup_under(9, 1));
    CHECK(h.cgroup_under(9, 9));
    CHECK_FALSE(h.cgroup_under(7, 9));
    CHECK_FALSE(h.cgroup_under(9, 4));  // no cgroup 4 any more
    Host back;
    REQUIRE(apply_host_json(back, host_json(h)));
    CHECK(back.kernel_stack == h.kernel_stack);
    CHECK(back.cgroups == h.cgroups);
    CHECK(back.task == h.task);
    auto err = [](const char* json) {
        Host x;
        auto r = apply_host_json(x, json);
        return r ? std::string() : r.error().what;
    };
    CHECK(err(R"({"kernel_stack": [{"ip": "ffff"}]})") ==
          "host JSON: kernel_stack[0].ip: expected an address: a number or a hex string like \"0xffffffff8140a1b0\"");
    CHECK(err(R"({"cgroups": [{"id": 1, "path": "/"}, {"id": 2, "path": "/a/b"}]})") ==
          "host JSON: cgroups[1].path: its parent \"/a\" is not listed before it");
    CHECK(err(R"({"cgroups": [{"id": 1, "path": "/"}, {"id": 1, "path": "/a"}]})") ==
          "host JSON: cgroups[1]: id 1 or path \"/a\" is already used");
    CHECK(err(R"({"task": {"cgroup": 42}})") == "host JSON: task.cgroup: the host has no cgroup with id 42");
}

TEST_CASE("host JSON sysctl: read back as written, left out when default; bad members named") {
    Host h;
    CHECK(host_json(h).find("\"sysctl\"") == std::string::npos);
    REQUIRE(apply_host_json(h, R"({"sysctl": {"name": "net/core/somaxconn", "value": "4096\n", "write": true,
                                              "new_value": "128", "file_pos": 3}})"));
    CHECK(h.sysctl == HostSysctl{"net/core/somaxconn", "4096\n", true, "128", 3});
    Host back;
    REQUIRE(apply_host_json(back, host_json(h)));
    CHECK(back.sysctl == h.sysctl);
    auto err = [](const char* json) {
        Host x;
        auto r = apply_host_json(x, json);
        return r ? std::string() : r.error().what;
    };
    CHECK(err(R"({"sysctl": {"name": "/proc/sys/x"}})") ==
          "host JSON: sysctl.name: expected a path below /proc/sys such as \"net/ipv4/tcp_mem\"");
    CHECK(err(R"({"sysctl": {"write": 1}})") == "host JSON: sysctl.write: expected true or false");
    CHECK(err(R"({"sysctl": {"mode": 1}})") ==
          "host JSON: sysctl: unknown member \"mode\" (known: name, value, write, new_value, file_pos)");
}

TEST_CASE("ncpus, clock_start_ns and prandom_seed are one host document with the task and network") {
    Host h;
    const auto set = apply_host_json(
        h, R"({"ncpus": 8, "cpu": 7, "clock_start_ns": "18446744073709551615", "prandom_seed": 2})");
    REQUIRE(set.ok());
    CHECK(h.ncpus == 8u);
    CHECK(h.cpu == 7u);
    CHECK(h.clock_start_ns == UINT64_MAX);
    CHECK(h.prandom_seed == 2u);
    Host seeded;
    seeded.prandom.seed(2);
    CHECK(h.prandom.next() == seeded.prandom.next());
    // Written back as numbers; read again, the same host.
    const std::string text = host_json(h);
    CHECK(text.find("\"clock_start_ns\": 18446744073709551615,") != std::string::npos);
    Host back;
    back.prandom.next();
    REQUIRE(apply_host_json(back, text).ok());
    CHECK(back.clock_start_ns == UINT64_MAX);
    CHECK(back.ncpus == 8u);
    CHECK(back.prandom_seed == 2u);
}

TEST_CASE("the host document's CPU count, clock and seed are checked by core, naming the member") {
    struct Bad {
        const char* json;
        const char* what;
    };
    const Bad cases[] = {
        {R"({"ncpus": 0})", "host.ncpus: expected an integer from 1 to 1024"},
        {R"({"ncpus": 1025})", "host.ncpus: expected an integer from 1 to 1024"},
        {R"({"ncpus": 2, "cpu": 2})", "host.cpu: expected an integer from 0 to 1"},
        {R"({"clock_start_ns": "12x"})",
         "host.clock_start_ns: expected an integer from 0 to 18446744073709551615 (a number, or its decimal "
         "digits as a string)"},
        {R"({"clock_start_ns": -5})",
         "host.clock_start_ns: expected an integer from 0 to 18446744073709551615 (a number, or its decimal "
         "digits as a string)"},
        {R"({"prandom_seed": "1"})", "host.prandom_seed: expected an integer from 0 to 4294967295"},
    };
    for (const Bad& c : cases) {
        CAPTURE(c.json);
        Host h;
        const auto set = apply_host_json(h, c.json);
        REQUIRE_FALSE(set.ok());
        CHECK(set.error().what.find(c.what) != std::string::npos);
        CHECK(h.ncpus == 4u);
        CHECK(h.cpu == 0u);
        CHECK(h.clock_start_ns == 1'000'000'000u);
    }
}

TEST_CASE("program_socket: default the first established TCP socket, written only when chosen, checked") {
    Host h;
    CHECK(h.net.program_socket_index() == 1u);  // the connection from 10.0.0.1:40000
    CHECK(host_json(h).find("program_socket") == std::string::npos);
    REQUIRE(apply_host_json(h, R"({"program_socket": 2})").ok());
    CHECK(h.net.program_socket_index() == 2u);
    CHECK(host_json(h).find("\"program_socket\": 2,") != std::string::npos);
    Host back;
    REQUIRE(apply_host_json(back, host_json(h)).ok());
    CHECK(back.net.program_socket == 2u);
    const auto bad = apply_host_json(back, R"({"program_socket": 3})");
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().what ==
          "host JSON: program_socket: the host has 3 socket(s); program_socket is an index among them");
}

TEST_CASE("a socket's reuseport flag is read, written only when set, and read back") {
    Host h;
    REQUIRE(apply_host_json(h, R"({"sockets": [{"protocol": "tcp", "local_addr": "0.0.0.0", "local_port": 443,
                                                "reuseport": true}, {"protocol": "udp", "local_addr": "10.0.0.2", "local_port": 53}]})")
                .ok());
    CHECK(h.net.sockets[0].reuseport);
    CHECK_FALSE(h.net.sockets[1].reuseport);
    const std::string text = host_json(h);
    CHECK(text.find("\"reuseport\": true") != std::string::npos);
    CHECK(text.find("\"reuseport\": false") == std::string::npos);
    Host back;
    REQUIRE(apply_host_json(back, text).ok());
    CHECK(back.net.sockets == h.net.sockets);
}

TEST_CASE("a long comm is cut at a UTF-8 character's start, so the host document reads back as written") {
    // Found by fuzz_host_json: U+FFFF is 3 bytes; cut at 15 bytes the third one would be split.
    Host h;
    REQUIRE(apply_host_json(h, R"({"task": {"comm": "bpfpln\uffff\uffffnn\uffffnay-demo"}})").ok());
    CHECK(h.task.comm_view() == "bpfpln\xef\xbf\xbf\xef\xbf\xbfnn");  // 14 bytes, not 15
    const std::string written = host_json(h);
    Host again;
    REQUIRE(apply_host_json(again, written).ok());
    CHECK(host_json(again) == written);
    CHECK(Task::comm_from("kworker/0:1-events").data() == std::string("kworker/0:1-eve"));  // ASCII: 15 bytes
}
