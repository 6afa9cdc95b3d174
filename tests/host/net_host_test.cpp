// The emulated host's network: its default devices and sockets, and configuring them (and the
// task, CPU and ingress device) from JSON.
#include <doctest/doctest.h>

#include "core/host/host.hpp"
#include "core/host/host_json.hpp"

using namespace bpfplay;

TEST_CASE("the default host has lo, eth0 and eth1 and receives on lo like BPF_PROG_TEST_RUN") {
    const Host h;
    REQUIRE(h.net.devices.size() == 3);
    CHECK(h.net.ingress_ifindex == 1);
    CHECK(h.net.rx_queue_index == 0);
    const NetDevice& lo = h.net.devices[0];
    CHECK(lo.ifindex == 1);
    CHECK(lo.name == "lo");
    CHECK(format_mac(lo.mac) == "00:00:00:00:00:00");
    CHECK(lo.mtu == 65536);
    CHECK(lo.ipv4.at(0).addr == Ipv4{127, 0, 0, 1});
    CHECK(lo.ipv4.at(0).prefix_len == 8);
    const NetDevice& eth0 = *h.net.device(2);
    CHECK(eth0.name == "eth0");
    CHECK(format_mac(eth0.mac) == "02:00:00:00:00:02");
    CHECK(eth0.ipv4.at(0).addr == Ipv4{10, 0, 0, 2});
    CHECK(eth0.ipv6.at(0).prefix_len == 64);
    CHECK(format_mac(h.net.device(3)->mac) == "02:00:00:00:01:02");
    CHECK(h.net.device(4) == nullptr);
    CHECK(h.net.device_label(3) == "eth1 (ifindex 3)");
    CHECK(h.net.device_label(9) == "ifindex 9");
    REQUIRE(h.net.sockets.size() == 3);
    CHECK(h.net.sockets[0].listening());
    CHECK(h.net.sockets[1].state == TcpState::Established);
    CHECK(h.net.sockets[2].protocol == kIpprotoUdp);
}

TEST_CASE("host JSON sets devices, sockets, the ingress device, the task and the CPU") {
    Host h;
    const auto r = apply_host_json(h, R"({
        "cpu": 2,
        "task": {"pid": 77, "tgid": 70, "uid": 0, "gid": 5, "comm": "a-very-long-command-name"},
        "devices": [
            {"ifindex": 1, "name": "lo"},
            {"ifindex": 5, "name": "wan0", "mac": "aa:bb:cc:dd:ee:0f", "mtu": 9000, "up": false,
             "rx_queues": 8, "ipv4": ["192.0.2.1/24"], "ipv6": ["2001:db8::1/48", "fe80::1"]}
        ],
        "ingress_ifindex": 5,
        "rx_queue_index": 7,
        "sockets": [
            {"protocol": "tcp", "local_addr": "192.0.2.1", "local_port": 443},
            {"cookie": 99, "protocol": "tcp", "local_addr": "2001:db8::1", "local_port": 22,
             "remote_addr": "2001:db8::2", "remote_port": 50000, "state": "fin_wait2", "uid": 0,
             "bound_dev_if": 5, "mark": 3, "priority": 4},
            {"protocol": "udp", "local_addr": "0.0.0.0", "local_port": 67}
        ]
    })");
    REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().to_string()));
    CHECK(h.cpu == 2);
    CHECK(h.task.pid == 77);
    CHECK(h.task.tgid == 70);
    CHECK(h.task.uid == 0);
    CHECK(h.task.gid == 5);
    CHECK(h.task.comm_view() == "a-very-long-com");
    REQUIRE(h.net.devices.size() == 2);
    const NetDevice& wan = h.net.devices[1];
    CHECK(wan.ifindex == 5);
    CHECK(format_mac(wan.mac) == "aa:bb:cc:dd:ee:0f");
    CHECK(wan.mtu == 9000);
    CHECK_FALSE(wan.up);
    CHECK(wan.rx_queues == 8);
    CHECK(wan.ipv4.at(0).addr == Ipv4{192, 0, 2, 1});
    CHECK(wan.ipv4.at(0).prefix_len == 24);
    CHECK(wan.ipv6.at(0).addr == Ipv6{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1});
    CHECK(wan.ipv6.at(0).prefix_len == 48);
    CHECK(wan.ipv6.at(1).prefix_len == 128);
    CHECK(h.net.ingress_ifindex == 5);
    CHECK(h.net.rx_queue_index == 7);
    REQUIRE(h.net.sockets.size() == 3);
    const HostSocket& https = h.net.sockets[0];
    CHECK(https.cookie == 4097);
    CHECK(https.family == kAfInet);
    CHECK(https.state == TcpState::Listen);
    CHECK(https.uid == 1000);
    const HostSocket& ssh = h.net.sockets[1];
    CHECK(ssh.cookie == 99);
    CHECK(ssh.family == kAfInet6);
    CHECK(ssh.remote_addr[15] == 2);
    CHECK(ssh.remote_port == 50000);
    CHECK(ssh.state == TcpState::FinWait2);
    CHECK(ssh.bound_dev_if == 5);
    CHECK(ssh.mark == 3);
    CHECK(ssh.priority == 4);
    CHECK(h.net.sockets[2].cookie == 4099);
    CHECK(h.net.sockets[2].state == TcpState::Close);
}

TEST_CASE("host JSON errors name the member and leave the host unchanged") {
    const auto error_of = [](const char* json) {
        Host h;
        h.cpu = 1;
        const auto r = apply_host_json(h, json);
        REQUIRE_FALSE(r.ok());
        CHECK(h.cpu == 1);
        CHECK(h.net.devices.size() == 3);
        CHECK(r.error().kind == ErrorKind::Parse);
        return r.error().what;
    };
    CHECK(error_of(R"({"cpu": 0, "ingress": 2})") == "host JSON: host: unknown member \"ingress\" (known: "
                                                     "cpu, ncpus, clock_start_ns, prandom_seed, tai_offset_ns, task, ingress_ifindex, rx_queue_index, program_socket, devices, "
                                                     "sockets, routes, neighbours, map_sizes, prog_types, kconfig, kernel_stack, user_stack, cgroups, "
          "tc_ingress, tcp_syncookies, syncookie_secret, sysctl, user_memory, kernel_functions, attach_cookies, perf_counters, rx_tunnel, "
          "rx_sec_path, vmas, open_files, ima, conntrack, dev_bound, tcp_flow)");
    CHECK(error_of(R"({"cpu": 4})") == "host JSON: host.cpu: expected an integer from 0 to 3");
    CHECK(error_of(R"({"ingress_ifindex": 9})") ==
          "host JSON: ingress_ifindex: the host has no device with ifindex 9");
    CHECK(error_of(R"({"rx_queue_index": 1})") == "host JSON: rx_queue_index: lo has 1 receive queue(s)");
    CHECK(error_of(R"({"devices": [{"ifindex": 1, "name": "lo", "mac": "02:00"}]})") ==
          "host JSON: devices[0].mac: \"02:00\" is not a MAC address like 02:00:00:00:00:02");
    CHECK(error_of(R"({"devices": [{"ifindex": 1, "name": "lo"}, {"ifindex": 1, "name": "eth0"}]})") ==
          "host JSON: devices[1]: ifindex 1 or name \"eth0\" is already used by lo");
    CHECK(error_of(R"({"devices": [{"name": "lo"}]})") == "host JSON: devices[0]: missing \"ifindex\"");
    CHECK(error_of(R"({"devices": [{"ifindex": 1, "name": "lo", "ipv4": ["10.0.0.1/33"]}]})") ==
          "host JSON: devices[0].ipv4[0]: \"10.0.0.1/33\": the prefix length must be 0 to 32");
    CHECK(error_of(R"({"devices": [{"ifindex": 1, "name": "lo", "ipv4": ["::1"]}]})") ==
          "host JSON: devices[0].ipv4[0]: \"::1\" is not an IPv4 address");
    CHECK(error_of(R"({"sockets": [{"protocol": "sctp", "local_addr": "0.0.0.0", "local_port": 1}]})") ==
          "host JSON: sockets[0].protocol: expected \"tcp\" or \"udp\"");
    CHECK(error_of(R"({"sockets": [{"protocol": "tcp", "local_addr": "10.0.0.2", "local_port": 1,
                                    "remote_addr": "::1"}]})") ==
          "host JSON: sockets[0].remote_addr: \"::1\" is not an IPv4 address (the family of local_addr)");
    CHECK(error_of(R"({"sockets": [{"protocol": "tcp", "local_addr": "10.0.0.2", "local_port": 1,
                                    "state": "open"}]})") ==
          "host JSON: sockets[0].state: \"open\" is not a TCP state (\"established\", \"listen\", ...)");
    CHECK(
        error_of(R"({"sockets": [{"protocol": "udp", "local_addr": "10.0.0.2", "local_port": 1, "cookie": 5},
                                   {"protocol": "udp", "local_addr": "10.0.0.2", "local_port": 2, "cookie": 5}]})") ==
        "host JSON: sockets[1].cookie: cookie 5 is already used");
    CHECK(
        error_of(
            R"({"sockets": [{"protocol": "udp", "local_addr": "10.0.0.2", "local_port": 1, "cookie": 0}]})") ==
        "host JSON: sockets[0].cookie: socket cookies are never 0");
    CHECK(error_of("{\"cpu\": 1,}").find("host JSON: ") == 0);
    CHECK(error_of(R"({"routes": [{"dst": "10.0.0.0", "dev": 2}]})") ==
          "host JSON: routes[0].dst: \"10.0.0.0\" is not a prefix like 10.0.2.0/24 or fd00:2::/64");
    CHECK(error_of(R"({"routes": [{"dst": "10.0.0.0/8"}]})") ==
          "host JSON: routes[0]: a unicast route needs \"dev\", the ifindex it leaves by");
    CHECK(error_of(R"({"routes": [{"dst": "10.0.0.0/8", "via": "fd00::1", "dev": 2}]})") ==
          "host JSON: routes[0].via: \"fd00::1\" is not an address of the prefix's family");
    CHECK(error_of(R"({"neighbours": [{"dev": 2, "addr": "10.0.0.1"}]})") ==
          "host JSON: neighbours[0]: missing \"addr\" or \"mac\"");
}

TEST_CASE("host JSON sets routes, neighbours and forwarding") {
    Host h;
    const auto r = apply_host_json(h, R"({
        "devices": [{"ifindex": 1, "name": "lo"}, {"ifindex": 2, "name": "eth0", "forwarding": true}],
        "routes": [{"dst": "0.0.0.0/0", "via": "192.0.2.1", "dev": 2, "metric": 5},
                   {"dst": "fd00:9::/48", "type": "unreachable"}],
        "neighbours": [{"dev": 2, "addr": "192.0.2.1", "mac": "02:00:00:00:09:01"}]
    })");
    REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().to_string()));
    CHECK_FALSE(h.net.devices[0].forwarding);
    CHECK(h.net.devices[1].forwarding);
    REQUIRE(h.net.routes.size() == 2);
    CHECK(h.net.routes[0].family == kAfInet);
    CHECK(h.net.routes[0].prefix_len == 0);
    CHECK(h.net.routes[0].gateway == Ipv6{192, 0, 2, 1});
    CHECK(h.net.routes[0].ifindex == 2);
    CHECK(h.net.routes[0].metric == 5);
    CHECK(h.net.routes[1].family == kAfInet6);
    CHECK(h.net.routes[1].prefix_len == 48);
    CHECK(h.net.routes[1].type == RouteType::Unreachable);
    REQUIRE(h.net.neighbours.size() == 1);
    CHECK(format_mac(h.net.neighbours[0].mac) == "02:00:00:00:09:01");
    CHECK(h.net.neighbours[0].addr == Ipv6{192, 0, 2, 1});
}
