#include "core/host/host_json.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <optional>
#include <set>
#include <string>

#include "core/hex.hpp"
#include "core/host/host.hpp"
#include "core/host/sockopt_table.hpp"
#include "core/host/host_json_conntrack.hpp"
#include "core/host/host_json_tunnel.hpp"
#include "core/host/host_json_files.hpp"
#include "core/host/host_json_vmas.hpp"
#include "core/json/json.hpp"
#include "core/host/socket_cookie.hpp"
#include "core/host/socket_defaults.hpp"

namespace bpfplay {

namespace {

// Parsing stops at the first problem; `path` says where ("sockets[2].state").
struct Reader {
    std::optional<Error> error;

    bool fail(const std::string& path, const std::string& what) {
        if (!error) error = make_error(ErrorKind::Parse, "host JSON: " + path + ": " + what);
        return false;
    }

    bool only(const JsonValue& obj, const std::string& path, std::initializer_list<const char*> allowed) {
        if (!obj.is_object())
            return fail(path, std::string("expected an object, got ") + json_type_name(obj.type()));
        for (const std::string& k : obj.keys())
            if (std::none_of(allowed.begin(), allowed.end(), [&](const char* a) { return k == a; })) {
                std::string list;
                for (const char* a : allowed)
                    list += (list.empty() ? "" : ", ") + std::string(a);
                return fail(path, "unknown member \"" + k + "\" (known: " + list + ")");
            }
        return true;
    }

    template <class T>
    bool uint(const JsonValue& obj, const std::string& path, const char* key, T& out, uint64_t max) {
        const JsonValue* v = obj.find(key);
        if (!v) return true;
        const auto n = v->as_uint64();
        if (!n || *n > max)
            return fail(path + "." + key, "expected an integer from 0 to " + std::to_string(max));
        out = T(*n);
        return true;
    }

    // A 64-bit count the page may send as a decimal string, since JavaScript numbers hold
    // integers exactly only up to 2^53.
    bool uint64_or_text(const JsonValue& obj, const std::string& path, const char* key, uint64_t& out) {
        const JsonValue* v = obj.find(key);
        if (!v) return true;
        std::optional<uint64_t> n = v->as_uint64();
        if (v->is_string()) {
            uint64_t parsed = 0;
            const std::string& t = v->as_string();
            const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), parsed);
            n = ec == std::errc{} && end == t.data() + t.size() && !t.empty() ? std::optional(parsed) : std::nullopt;
        }
        if (!n)
            return fail(path + "." + key, "expected an integer from 0 to " + std::to_string(UINT64_MAX) +
                                              " (a number, or its decimal digits as a string)");
        out = *n;
        return true;
    }

    bool boolean(const JsonValue& obj, const std::string& path, const char* key, bool& out) {
        const JsonValue* v = obj.find(key);
        if (!v) return true;
        if (!v->is_bool()) return fail(path + "." + key, "expected true or false");
        out = v->as_bool();
        return true;
    }

    const std::string* string(const JsonValue& obj, const std::string& path, const char* key) {
        const JsonValue* v = obj.find(key);
        if (!v) return nullptr;
        if (!v->is_string()) {
            fail(path + "." + key, "expected a string");
            return nullptr;
        }
        return &v->as_string();
    }
};

bool parse_mac(const std::string& text, Mac& out) {
    unsigned b[6];
    char end;
    if (text.size() != 17 || std::sscanf(text.c_str(), "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2],
                                         &b[3], &b[4], &b[5], &end) != 6)
        return false;
    for (int i = 0; i < 6; ++i)
        out[size_t(i)] = uint8_t(b[i]);
    return true;
}

// "10.0.0.2" or "fd00::2": the family and the bytes (IPv4 in the first four).
std::optional<std::pair<uint32_t, Ipv6>> parse_ip(const std::string& text) {
    Ipv6 bytes{};
    if (inet_pton(AF_INET, text.c_str(), bytes.data()) == 1) return std::pair{kAfInet, bytes};
    if (inet_pton(AF_INET6, text.c_str(), bytes.data()) == 1) return std::pair{kAfInet6, bytes};
    return std::nullopt;
}

bool read_device(Reader& r, const JsonValue& d, const std::string& path, NetDevice& dev) {
    if (!r.only(d, path, {"ifindex", "name", "mac", "mtu", "up", "forwarding", "rx_queues", "ipv4", "ipv6", "rx_metadata"}))
        return false;
    if (!d.contains("ifindex")) return r.fail(path, "missing \"ifindex\"");
    if (!r.uint(d, path, "ifindex", dev.ifindex, INT32_MAX)) return false;
    if (dev.ifindex == 0) return r.fail(path + ".ifindex", "ifindex 0 names no device; use 1 or more");
    const std::string* name = r.string(d, path, "name");
    if (!name) return r.error ? false : r.fail(path, "missing \"name\"");
    if (name->empty() || name->size() > 15)
        return r.fail(path + ".name", "a device name has 1 to 15 characters");
    dev.name = *name;
    if (const std::string* mac = r.string(d, path, "mac"); mac && !parse_mac(*mac, dev.mac))
        return r.fail(path + ".mac", "\"" + *mac + "\" is not a MAC address like 02:00:00:00:00:02");
    if (r.error) return false;
    if (!r.uint(d, path, "mtu", dev.mtu, 65535 + 1) || !r.boolean(d, path, "up", dev.up) ||
        !r.boolean(d, path, "forwarding", dev.forwarding) ||
        !r.uint(d, path, "rx_queues", dev.rx_queues, 4096))
        return false;
    if (dev.rx_queues == 0) return r.fail(path + ".rx_queues", "a device has at least one receive queue");
    if (const JsonValue* m = d.find("rx_metadata")) {
        XdpRxMetadata md;
        if (auto problem = read_rx_metadata(*m, path + ".rx_metadata", md)) return r.fail(problem->first, problem->second);
        dev.rx_metadata = md;
    }
    for (const uint32_t family : {kAfInet, kAfInet6}) {
        const char* key = family == kAfInet ? "ipv4" : "ipv6";
        const JsonValue* list = d.find(key);
        if (!list) continue;
        if (!list->is_array())
            return r.fail(path + "." + key, "expected an array of \"address/prefix\" strings");
        for (size_t i = 0; i < list->size(); ++i) {
            const std::string where = path + "." + key + "[" + std::to_string(i) + "]";
            const std::string text = list->at(i)->as_string();
            const size_t slash = text.find('/');
            const auto ip = parse_ip(text.substr(0, slash));
            const uint32_t max_prefix = family == kAfInet ? 32 : 128;
            uint32_t prefix = max_prefix;
            if (slash != std::string::npos) {
                const std::string p = text.substr(slash + 1);
                if (p.empty() || p.size() > 3 || !std::all_of(p.begin(), p.end(), ::isdigit) ||
                    uint32_t(std::stoul(p)) > max_prefix)
                    return r.fail(where, "\"" + text + "\": the prefix length must be 0 to " +
                                             std::to_string(max_prefix));
                prefix = uint32_t(std::stoul(p));
            }
            if (!ip || ip->first != family)
                return r.fail(where, "\"" + text + "\" is not an " + (family == kAfInet ? "IPv4" : "IPv6") +
                                         " address");
            if (family == kAfInet)
                dev.ipv4.push_back(
                    {{ip->second[0], ip->second[1], ip->second[2], ip->second[3]}, uint8_t(prefix)});
            else
                dev.ipv6.push_back({ip->second, uint8_t(prefix)});
        }
    }
    return true;
}

std::optional<TcpState> state_from_name(std::string name) {
    std::transform(name.begin(), name.end(), name.begin(), ::toupper);
    for (uint32_t s = 1; s <= static_cast<uint32_t>(TcpState::NewSynRecv); ++s)
        if (name == tcp_state_name(static_cast<TcpState>(s))) return static_cast<TcpState>(s);
    return std::nullopt;
}

// The socket's bpf_sock_ops_cb_flags, options set on it ({"SO_RCVBUF": 65536}) and TCP
// congestion control: what bpf_sock_ops_cb_flags_set and bpf_setsockopt change.
bool read_socket_tcp_state(Reader& r, const JsonValue& j, const std::string& path, HostSocket& s) {
    if (!r.uint(j, path, "sock_ops_cb_flags", s.sock_ops_cb_flags, 0x7f)) return false;
    if (const JsonValue* opts = j.find("options")) {
        if (!opts->is_object())
            return r.fail(path + ".options", std::string("expected an object, got ") + json_type_name(opts->type()));
        for (const std::string& name : opts->keys()) {
            if (!sockopt_by_name(name))
                return r.fail(path + ".options." + name,
                              "not a socket option bpf_setsockopt sets (SO_RCVBUF, TCP_NODELAY, IP_TOS, ...)");
            const std::optional<int64_t> v = opts->find(name)->as_int64();
            if (!v || *v < INT32_MIN || *v > INT32_MAX)
                return r.fail(path + ".options." + name, "expected an integer from -2147483648 to 2147483647");
            s.options[name] = int32_t(*v);
        }
    }
    if (const std::string* cc = r.string(j, path, "congestion")) {
        if (cc->empty() || cc->size() > 15)
            return r.fail(path + ".congestion", "expected a congestion control name of 1 to 15 characters");
        s.congestion = *cc;
    }
    return !r.error;
}

// "tcp": {"snd_cwnd": 10, "srtt_us": 8000, ...}: struct bpf_tcp_sock's fields, TCP sockets only.
bool read_tcp_info(Reader& r, const JsonValue& j, const std::string& path, HostSocket& s) {
    const JsonValue* t = j.find("tcp");
    if (!t) return true;
    if (s.protocol != kIpprotoTcp) return r.fail(path + ".tcp", "only TCP sockets have TCP state");
    if (!t->is_object()) return r.fail(path + ".tcp", "expected an object of struct bpf_tcp_sock fields");
    for (const std::string& k : t->keys()) {
        const auto fields = tcp_info_fields();
        const auto f = std::find_if(fields.begin(), fields.end(), [&](const TcpInfoField& x) { return k == x.name; });
        if (f == fields.end()) {
            std::string list;
            for (const TcpInfoField& x : fields) list += (list.empty() ? "" : ", ") + std::string(x.name);
            return r.fail(path + ".tcp", "unknown member \"" + k + "\" (known: " + list + ")");
        }
        uint64_t v = 0;
        if (!r.uint(*t, path + ".tcp", f->name, v, f->size == 8 ? UINT64_MAX : UINT32_MAX)) return false;
        std::memcpy(reinterpret_cast<uint8_t*>(&s.tcp) + f->offset, &v, f->size);  // little-endian host
    }
    return true;
}

bool read_socket(Reader& r, const JsonValue& j, const std::string& path, size_t index, HostSocket& s) {
    if (!r.only(j, path,
                {"cookie", "protocol", "local_addr", "local_port", "remote_addr", "remote_port", "state",
                 "uid", "bound_dev_if", "mark", "priority", "reuseport", "sock_ops_cb_flags", "options",
                 "congestion", "cgroup", "tcp", "syn_flood"}))
        return false;
    const std::string* proto = r.string(j, path, "protocol");
    if (!proto) return r.error ? false : r.fail(path, "missing \"protocol\" (\"tcp\" or \"udp\")");
    if (*proto != "tcp" && *proto != "udp") return r.fail(path + ".protocol", "expected \"tcp\" or \"udp\"");
    s.protocol = *proto == "tcp" ? kIpprotoTcp : kIpprotoUdp;
    const std::string* local = r.string(j, path, "local_addr");
    if (!local)
        return r.error ? false : r.fail(path, "missing \"local_addr\" (\"0.0.0.0\" or \"::\" for any)");
    const auto local_ip = parse_ip(*local);
    if (!local_ip) return r.fail(path + ".local_addr", "\"" + *local + "\" is not an IPv4 or IPv6 address");
    s.family = local_ip->first;
    s.local_addr = local_ip->second;
    if (!j.contains("local_port")) return r.fail(path, "missing \"local_port\"");
    if (!r.uint(j, path, "local_port", s.local_port, 65535)) return false;
    if (const std::string* remote = r.string(j, path, "remote_addr")) {
        const auto ip = parse_ip(*remote);
        if (!ip || ip->first != s.family)
            return r.fail(path + ".remote_addr", "\"" + *remote + "\" is not an " +
                                                     (s.family == kAfInet ? "IPv4" : "IPv6") +
                                                     " address (the family of local_addr)");
        s.remote_addr = ip->second;
    }
    if (r.error || !r.uint(j, path, "remote_port", s.remote_port, 65535)) return false;
    s.state = default_socket_state(s.protocol, s.remote_port);
    if (const std::string* state = r.string(j, path, "state")) {
        const auto st = state_from_name(*state);
        if (!st)
            return r.fail(path + ".state",
                          "\"" + *state + "\" is not a TCP state (\"established\", \"listen\", ...)");
        if (s.protocol == kIpprotoUdp) return r.fail(path + ".state", "UDP sockets have no TCP state");
        s.state = *st;
    }
    s.cookie = kFirstSocketCookie + index;
    return !r.error && r.uint(j, path, "cookie", s.cookie, UINT64_MAX) &&
           r.uint(j, path, "uid", s.uid, UINT32_MAX) &&
           r.uint(j, path, "bound_dev_if", s.bound_dev_if, INT32_MAX) &&
           r.uint(j, path, "mark", s.mark, UINT32_MAX) &&
           r.uint(j, path, "priority", s.priority, UINT32_MAX) && r.boolean(j, path, "reuseport", s.reuseport) &&
           r.uint(j, path, "cgroup", s.cgroup_id, UINT64_MAX) && r.boolean(j, path, "syn_flood", s.syn_flood) &&
           read_tcp_info(r, j, path, s) &&
           (s.cookie != 0 || r.fail(path + ".cookie", "socket cookies are never 0")) &&
           read_socket_tcp_state(r, j, path, s);
}

// {"dst": "10.0.2.0/24", "via": "10.0.0.1", "dev": 2, "metric": 0, "type": "unicast"}
bool read_route(Reader& r, const JsonValue& j, const std::string& path, Route& route) {
    if (!r.only(j, path, {"dst", "via", "dev", "metric", "type"})) return false;
    const std::string* dst = r.string(j, path, "dst");
    if (!dst)
        return r.error ? false
                       : r.fail(path, "missing \"dst\" (a prefix like \"10.0.2.0/24\" or \"0.0.0.0/0\")");
    const size_t slash = dst->find('/');
    const auto ip = parse_ip(dst->substr(0, slash));
    if (!ip || slash == std::string::npos)
        return r.fail(path + ".dst", "\"" + *dst + "\" is not a prefix like 10.0.2.0/24 or fd00:2::/64");
    route.family = ip->first;
    route.dst = ip->second;
    const std::string len = dst->substr(slash + 1);
    const uint32_t max_len = route.family == kAfInet ? 32 : 128;
    if (len.empty() || len.size() > 3 || !std::all_of(len.begin(), len.end(), ::isdigit) ||
        std::stoul(len) > max_len)
        return r.fail(path + ".dst",
                      "\"" + *dst + "\": the prefix length must be 0 to " + std::to_string(max_len));
    route.prefix_len = uint8_t(std::stoul(len));
    if (const std::string* via = r.string(j, path, "via")) {
        const auto gw = parse_ip(*via);
        if (!gw || gw->first != route.family)
            return r.fail(path + ".via", "\"" + *via + "\" is not an address of the prefix's family");
        route.gateway = gw->second;
    }
    if (r.error || !r.uint(j, path, "dev", route.ifindex, INT32_MAX) ||
        !r.uint(j, path, "metric", route.metric, UINT32_MAX))
        return false;
    if (const std::string* type = r.string(j, path, "type")) {
        static const char* const kTypes[] = {"unicast", "blackhole", "unreachable", "prohibit"};
        const auto* it = std::find(std::begin(kTypes), std::end(kTypes), *type);
        if (it == std::end(kTypes))
            return r.fail(path + ".type",
                          "expected \"unicast\", \"blackhole\", \"unreachable\" or \"prohibit\"");
        route.type = static_cast<RouteType>(it - std::begin(kTypes));
    }
    if (r.error) return false;
    if (route.type == RouteType::Unicast && route.ifindex == 0)
        return r.fail(path, "a unicast route needs \"dev\", the ifindex it leaves by");
    return true;
}

// {"dev": 3, "addr": "10.0.1.1", "mac": "02:00:00:00:01:01"}
bool read_neighbour(Reader& r, const JsonValue& j, const std::string& path, Neighbour& n) {
    if (!r.only(j, path, {"dev", "addr", "mac"})) return false;
    if (!j.contains("dev")) return r.fail(path, "missing \"dev\"");
    if (!r.uint(j, path, "dev", n.ifindex, INT32_MAX)) return false;
    const std::string* addr = r.string(j, path, "addr");
    const std::string* mac = r.string(j, path, "mac");
    if (r.error) return false;
    if (!addr || !mac) return r.fail(path, "missing \"addr\" or \"mac\"");
    const auto ip = parse_ip(*addr);
    if (!ip) return r.fail(path + ".addr", "\"" + *addr + "\" is not an IPv4 or IPv6 address");
    n.family = ip->first;
    n.addr = ip->second;
    if (!parse_mac(*mac, n.mac))
        return r.fail(path + ".mac", "\"" + *mac + "\" is not a MAC address like 02:00:00:00:00:02");
    return true;
}

bool read_task(Reader& r, const JsonValue& j, Task& task, std::string& exe) {
    if (!r.only(j, "task", {"pid", "tgid", "uid", "gid", "comm", "cgroup", "exit_code", "start_time_ns", "exe"}))
        return false;
    if (!r.uint(j, "task", "cgroup", task.cgroup_id, UINT32_MAX)) return false;
    uint32_t exit_code = uint32_t(task.exit_code);
    if (!r.uint(j, "task", "exit_code", exit_code, INT32_MAX)) return false;
    task.exit_code = int32_t(exit_code);
    if (!r.uint(j, "task", "start_time_ns", task.start_time_ns, UINT64_MAX)) return false;
    if (const std::string* path = r.string(j, "task", "exe")) exe = *path;
    if (!r.uint(j, "task", "pid", task.pid, UINT32_MAX) ||
        !r.uint(j, "task", "tgid", task.tgid, UINT32_MAX) ||
        !r.uint(j, "task", "uid", task.uid, UINT32_MAX) || !r.uint(j, "task", "gid", task.gid, UINT32_MAX))
        return false;
    if (const std::string* comm = r.string(j, "task", "comm")) task.set_comm(*comm);
    return !r.error;
}

// {"flows": 65536, "events": 262144}: max_entries by map name.
// {"ip": "0xffffffff8140a1b0", "symbol": "do_sys_openat2+0x0"}: ip a number or a hex string.
bool read_frame(Reader& r, const JsonValue& j, const std::string& path, StackFrame& f) {
    if (!r.only(j, path, {"ip", "symbol"})) return false;
    const JsonValue* ip = j.find("ip");
    if (!ip) return r.fail(path, "missing \"ip\"");
    std::optional<uint64_t> n;
    if (ip->is_number()) {
        n = ip->as_uint64();
    } else if (ip->is_string()) {
        const std::string& t = ip->as_string();
        char* end = nullptr;
        if (t.size() > 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X') && t.size() <= 18) {
            const unsigned long long v = std::strtoull(t.c_str() + 2, &end, 16);
            if (end && *end == 0) n = uint64_t(v);
        }
    }
    if (!n) return r.fail(path + ".ip", "expected an address: a number or a hex string like \"0xffffffff8140a1b0\"");
    f.ip = *n;
    if (const std::string* sym = r.string(j, path, "symbol")) f.symbol = *sym;
    return !r.error;
}

bool read_stack(Reader& r, const JsonValue& j, const std::string& name, std::vector<StackFrame>& out) {
    if (!j.is_array()) return r.fail(name, "expected an array of frames, innermost first");
    if (j.size() > 127) return r.fail(name, "at most 127 frames (kernel.perf_event_max_stack)");
    out.clear();
    for (size_t i = 0; i < j.size(); ++i) {
        StackFrame f;
        if (!read_frame(r, *j.at(i), name + "[" + std::to_string(i) + "]", f)) return false;
        out.push_back(std::move(f));
    }
    return true;
}

// [{"addr": "0x7ffd5e3c1f00", "text": "argv0\u0000"}, {"addr": "0x1000", "hex": "0a0b"}]: the
// current task's user memory, regions that do not overlap and end below TASK_SIZE_MAX.
bool read_user_memory(Reader& r, const JsonValue& j, std::vector<UserRegion>& out) {
    constexpr uint64_t kMaxRegion = 1u << 20;
    if (!j.is_array()) return r.fail("user_memory", "expected an array of regions");
    out.clear();
    for (size_t i = 0; i < j.size(); ++i) {
        const std::string path = "user_memory[" + std::to_string(i) + "]";
        const JsonValue& e = *j.at(i);
        if (!r.only(e, path, {"addr", "text", "hex"})) return false;
        UserRegion region;
        const JsonValue* addr = e.find("addr");
        const auto a = addr ? host_json_address(*addr) : std::nullopt;
        if (!a) return r.fail(path + ".addr", "expected a user address: a number or a hex string like \"0x7ffd5e3c1f00\"");
        region.addr = *a;
        if (e.contains("text") == e.contains("hex"))
            return r.fail(path, "give the bytes as either \"text\" (a string, \\u0000 for a NUL) or \"hex\"");
        if (const std::string* text = r.string(e, path, "text")) region.bytes.assign(text->begin(), text->end());
        if (const std::string* h = r.string(e, path, "hex")) {
            auto bytes = parse_hex_bytes(*h);
            if (!bytes.ok()) return r.fail(path + ".hex", bytes.error().what);
            region.bytes = std::move(bytes).value();
        }
        if (r.error) return false;
        if (region.bytes.empty() || region.bytes.size() > kMaxRegion)
            return r.fail(path, "a region holds 1 to " + std::to_string(kMaxRegion) + " bytes");
        if (region.addr >= kTaskSizeMax || region.bytes.size() > kTaskSizeMax - region.addr)
            return r.fail(path + ".addr", "user memory ends below 0x7ffffffff000 (TASK_SIZE_MAX); above it is the kernel's");
        for (const UserRegion& o : out)
            if (region.addr < o.addr + o.bytes.size() && o.addr < region.addr + region.bytes.size())
                return r.fail(path, "overlaps the region at " + hex(o.addr));
        out.push_back(std::move(region));
    }
    return true;
}

// {"do_sys_openat2": "0xffffffff8140a1b0"}: kernel function addresses by name.
bool read_kernel_functions(Reader& r, const JsonValue& j, std::map<std::string, uint64_t>& out) {
    if (!j.is_object()) return r.fail("kernel_functions", "expected an object of name: address");
    out.clear();
    for (const std::string& name : j.keys()) {
        const auto a = host_json_address(*j.find(name));
        if (!a || *a == 0)
            return r.fail("kernel_functions." + name, "expected an address: a number or a hex string like \"0xffffffff8140a1b0\"");
        out[name] = *a;
    }
    return true;
}

// [{"cpu": 0, "counter": 123456, "enabled_ns": 5000, "running_ns": 5000}]: counting events by CPU.
bool read_perf_counters(Reader& r, const JsonValue& j, uint32_t ncpus, std::map<uint32_t, PerfCounter>& out) {
    if (!j.is_array()) return r.fail("perf_counters", "expected an array of counters, one per CPU");
    out.clear();
    for (size_t i = 0; i < j.size(); ++i) {
        const std::string path = "perf_counters[" + std::to_string(i) + "]";
        const JsonValue& e = *j.at(i);
        if (!r.only(e, path, {"cpu", "counter", "enabled_ns", "running_ns"})) return false;
        if (!e.contains("cpu")) return r.fail(path, "missing \"cpu\"");
        uint32_t cpu = 0;
        PerfCounter c;
        if (!r.uint(e, path, "cpu", cpu, ncpus - 1) || !r.uint64_or_text(e, path, "counter", c.counter) ||
            !r.uint64_or_text(e, path, "enabled_ns", c.enabled_ns) || !r.uint64_or_text(e, path, "running_ns", c.running_ns))
            return false;
        if (c.running_ns > c.enabled_ns)
            return r.fail(path + ".running_ns", "an event runs only while enabled: running_ns is at most enabled_ns");
        if (out.count(cpu)) return r.fail(path + ".cpu", "CPU " + std::to_string(cpu) + " already has a counter");
        out[cpu] = c;
    }
    return true;
}

// {"trace_open": 42}: the BPF cookie by program name.
bool read_attach_cookies(Reader& r, const JsonValue& j, std::map<std::string, uint64_t>& out) {
    if (!j.is_object()) return r.fail("attach_cookies", "expected an object of program name: cookie");
    out.clear();
    for (const std::string& name : j.keys()) {
        uint64_t cookie = 0;
        if (!r.uint64_or_text(j, "attach_cookies", name.c_str(), cookie)) return false;
        out[name] = cookie;
    }
    return true;
}

// [{"id": 1, "path": "/"}, {"id": 7, "path": "/app"}]: ids 1 to 2^32-1 (cgroup_array values
// hold them), unique; paths absolute and unique, each one's parent listed before it.
bool read_cgroups(Reader& r, const JsonValue& j, std::vector<HostCgroup>& out) {
    if (!j.is_array()) return r.fail("cgroups", "expected an array");
    out.clear();
    for (size_t i = 0; i < j.size(); ++i) {
        const std::string path = "cgroups[" + std::to_string(i) + "]";
        const JsonValue& c = *j.at(i);
        if (!r.only(c, path, {"id", "path"})) return false;
        HostCgroup g;
        if (!c.contains("id") || !c.contains("path")) return r.fail(path, "missing \"id\" or \"path\"");
        if (!r.uint(c, path, "id", g.id, UINT32_MAX)) return false;
        if (g.id == 0) return r.fail(path + ".id", "cgroup ids start at 1");
        const std::string* p = r.string(c, path, "path");
        if (!p) return false;
        g.path = *p;
        const bool root = g.path == "/";
        if (g.path.empty() || g.path[0] != '/' || (!root && g.path.back() == '/'))
            return r.fail(path + ".path", "\"" + g.path + "\" is not an absolute path like /user.slice");
        for (const HostCgroup& other : out)
            if (other.id == g.id || other.path == g.path)
                return r.fail(path, "id " + std::to_string(g.id) + " or path \"" + g.path + "\" is already used");
        if (!root) {
            const size_t slash = g.path.rfind('/');
            const std::string parent = slash == 0 ? "/" : g.path.substr(0, slash);
            if (std::none_of(out.begin(), out.end(), [&](const HostCgroup& o) { return o.path == parent; }))
                return r.fail(path + ".path", "its parent \"" + parent + "\" is not listed before it");
        }
        out.push_back(std::move(g));
    }
    return true;
}

// {"CONFIG_HZ": "1000", "CONFIG_FOO": "y"}: merged over the host's kconfig (config.gz syntax).
bool read_kconfig(Reader& r, const JsonValue& j, std::map<std::string, std::string>& out) {
    if (!j.is_object()) return r.fail("kconfig", std::string("expected an object, got ") + json_type_name(j.type()));
    for (const std::string& name : j.keys()) {
        const std::string* value = r.string(j, "kconfig", name.c_str());
        if (!value) return false;
        out[name] = *value;
    }
    return true;
}

bool read_map_sizes(Reader& r, const JsonValue& j, std::map<std::string, uint32_t>& out) {
    if (!j.is_object()) return r.fail("map_sizes", std::string("expected an object, got ") + json_type_name(j.type()));
    out.clear();
    for (const std::string& name : j.keys()) {
        uint32_t n = 0;
        if (!r.uint(j, "map_sizes", name.c_str(), n, UINT32_MAX)) return false;
        if (n == 0) return r.fail("map_sizes." + name, "a map holds at least one entry; expected 1 to 4294967295");
        out[name] = n;
    }
    return true;
}

bool read_prog_types(Reader& r, const JsonValue& j, std::map<std::string, ProgType>& out) {
    if (!j.is_object()) return r.fail("prog_types", std::string("expected an object, got ") + json_type_name(j.type()));
    out.clear();
    for (const std::string& name : j.keys()) {
        const JsonValue* v = j.find(name);
        if (!v->is_string()) return r.fail("prog_types." + name, "expected a program type name such as \"xdp\"");
        auto type = prog_type_from_name(v->as_string());
        if (!type || *type == ProgType::Unspec)
            return r.fail("prog_types." + name, "\"" + v->as_string() +
                                                    "\" is not a program type (xdp, sched_cls, socket_filter, kprobe, ...)");
        out[name] = *type;
    }
    return true;
}

// {"name": "net/ipv4/tcp_mem", "value": "...\n", "write": true, "new_value": "...", "file_pos": 0}
bool read_sysctl(Reader& r, const JsonValue& j, HostSysctl& out) {
    if (!r.only(j, "sysctl", {"name", "value", "write", "new_value", "file_pos"})) return false;
    if (const std::string* s = r.string(j, "sysctl", "name")) {
        if (s->empty() || s->front() == '/' || s->back() == '/' || s->find("//") != std::string::npos)
            return r.fail("sysctl.name", "expected a path below /proc/sys such as \"net/ipv4/tcp_mem\"");
        out.name = *s;
    }
    if (const std::string* s = r.string(j, "sysctl", "value")) out.value = *s;
    if (const std::string* s = r.string(j, "sysctl", "new_value")) out.new_value = *s;
    if (r.error || !r.boolean(j, "sysctl", "write", out.write)) return false;
    if (out.value.size() > HostSysctl::kMaxValue)
        return r.fail("sysctl.value", "a sysctl's value is at most 4096 bytes (one page)");
    return r.uint(j, "sysctl", "file_pos", out.file_pos, UINT32_MAX);
}

// {"hash_algo": "sha256" | "sha1", "measured": false, "exe_content": "7f454c46..."}
bool read_ima(Reader& r, const JsonValue& j, HostIma& out) {
    if (!r.only(j, "ima", {"hash_algo", "measured", "exe_content"})) return false;
    if (const std::string* s = r.string(j, "ima", "hash_algo")) {
        if (*s == "sha256") out.hash_algo = HostIma::Algo::Sha256;
        else if (*s == "sha1") out.hash_algo = HostIma::Algo::Sha1;
        else return r.fail("ima.hash_algo", "expected \"sha256\" or \"sha1\" (the ima_hash= algorithms bpfplay computes)");
    }
    if (const std::string* s = r.string(j, "ima", "exe_content")) {
        auto bytes = parse_hex_bytes(*s);
        if (!bytes.ok()) return r.fail("ima.exe_content", "expected the executable's bytes in hex");
        out.exe_content = std::move(bytes).value();
    }
    return !r.error && r.boolean(j, "ima", "measured", out.measured);
}

// {"rtt_us": 10000, "ecn": false, "bottleneck_per_rtt": 0, "steps": [{"rounds": 3}, {"acks": 2, "segments": 2, "ece": true},
//  {"loss": "fast_retransmit"}, {"loss": "rto"}, {"undo": true}]}
bool read_tcp_flow(Reader& r, const JsonValue& j, TcpFlowScript& out) {
    if (!r.only(j, "tcp_flow", {"rtt_us", "ecn", "bottleneck_per_rtt", "steps"})) return false;
    if (!r.uint(j, "tcp_flow", "rtt_us", out.rtt_us, 60'000'000) || !r.boolean(j, "tcp_flow", "ecn", out.ecn) ||
        !r.uint(j, "tcp_flow", "bottleneck_per_rtt", out.bottleneck_per_rtt, 1'000'000))
        return false;
    if (out.rtt_us == 0) return r.fail("tcp_flow.rtt_us", "expected a round-trip time of at least 1 us");
    const JsonValue* steps = j.find("steps");
    if (!steps) return true;
    if (!steps->is_array()) return r.fail("tcp_flow.steps", "expected an array");
    constexpr uint32_t kMaxCount = 100'000;
    for (size_t i = 0; i < steps->size(); ++i) {
        const std::string path = "tcp_flow.steps[" + std::to_string(i) + "]";
        const JsonValue& s = *steps->at(i);
        if (!r.only(s, path, {"rounds", "acks", "segments", "ece", "loss", "undo"})) return false;
        TcpFlowStep step;
        const bool rounds = s.find("rounds"), acks = s.find("acks"), loss = s.find("loss"), undo = s.find("undo");
        if (int(rounds) + int(acks) + int(loss) + int(undo) != 1)
            return r.fail(path, "expected exactly one of \"rounds\", \"acks\", \"loss\" and \"undo\"");
        if (rounds || acks) {
            step.kind = rounds ? TcpFlowStep::Kind::Rounds : TcpFlowStep::Kind::Acks;
            if (!r.uint(s, path, rounds ? "rounds" : "acks", step.count, kMaxCount) ||
                !r.uint(s, path, "segments", step.segments, kMaxCount) || !r.boolean(s, path, "ece", step.ece))
                return false;
            if (step.count == 0 || step.segments == 0)
                return r.fail(path, "a step acknowledges at least one segment, once");
        } else if (s.find("segments") || s.find("ece")) {
            return r.fail(path, "\"segments\" and \"ece\" go with \"rounds\" or \"acks\"");
        } else if (loss) {
            const auto kind = s.find("loss")->is_string() ? tcp_flow_step_kind(s.find("loss")->as_string()) : std::nullopt;
            if (!kind || (*kind != TcpFlowStep::Kind::FastRetransmit && *kind != TcpFlowStep::Kind::Rto))
                return r.fail(path + ".loss", "expected \"fast_retransmit\" or \"rto\"");
            step.kind = *kind;
        } else {
            if (!s.find("undo")->is_bool() || !s.find("undo")->as_bool())
                return r.fail(path + ".undo", "expected true");
            step.kind = TcpFlowStep::Kind::Undo;
        }
        out.steps.push_back(step);
    }
    return true;
}

bool read_host(Reader& r, const JsonValue& doc, Host& h) {
    if (!r.only(doc, "host",
                {"cpu", "ncpus", "clock_start_ns", "prandom_seed", "tai_offset_ns", "task", "ingress_ifindex", "rx_queue_index", "program_socket", "devices", "sockets", "routes",
                 "neighbours", "map_sizes", "prog_types", "kconfig", "kernel_stack", "user_stack", "cgroups",
                 "tc_ingress", "tcp_syncookies", "syncookie_secret", "sysctl", "user_memory", "kernel_functions",
                 "attach_cookies", "perf_counters", "rx_tunnel", "rx_sec_path", "vmas", "open_files", "ima", "conntrack", "dev_bound", "tcp_flow"}))
        return false;
    if (const JsonValue* list = doc.find("cgroups"); list && !read_cgroups(r, *list, h.cgroups)) return false;
    if (const JsonValue* flow = doc.find("tcp_flow")) {
        TcpFlowScript script;
        if (!read_tcp_flow(r, *flow, script)) return false;
        h.tcp_flow = std::move(script);
    }
    if (auto problem = read_tunnel_members(doc, h.net)) return r.fail(problem->first, problem->second);
    if (auto problem = read_vmas_member(doc, h.vmas)) return r.fail(problem->first, problem->second);
    if (const JsonValue* st = doc.find("kernel_stack"); st && !read_stack(r, *st, "kernel_stack", h.kernel_stack))
        return false;
    if (const JsonValue* st = doc.find("user_stack"); st && !read_stack(r, *st, "user_stack", h.user_stack))
        return false;
    if (const JsonValue* m = doc.find("user_memory"); m && !read_user_memory(r, *m, h.user_memory)) return false;
    if (const JsonValue* f = doc.find("kernel_functions"); f && !read_kernel_functions(r, *f, h.kernel_functions))
        return false;
    if (const JsonValue* c = doc.find("attach_cookies"); c && !read_attach_cookies(r, *c, h.attach_cookies)) return false;
    if (const JsonValue* sizes = doc.find("map_sizes"); sizes && !read_map_sizes(r, *sizes, h.map_sizes)) return false;
    if (const JsonValue* types = doc.find("prog_types"); types && !read_prog_types(r, *types, h.prog_types))
        return false;
    // ncpus first: it bounds cpu.
    if (const JsonValue* n = doc.find("ncpus")) {
        const auto count = n->as_uint64();
        if (!count || *count < 1 || *count > Host::kMaxCpus)
            return r.fail("host.ncpus", "expected an integer from 1 to " + std::to_string(Host::kMaxCpus));
        h.ncpus = uint32_t(*count);
    }
    if (!r.uint(doc, "host", "cpu", h.cpu, h.ncpus - 1)) return false;
    if (const JsonValue* pc = doc.find("perf_counters"); pc && !read_perf_counters(r, *pc, h.ncpus, h.perf_counters))
        return false;
    if (h.cpu >= h.ncpus)
        return r.fail("host.cpu", "CPU " + std::to_string(h.cpu) + " is not one of the host's " +
                                      std::to_string(h.ncpus) + " (give \"cpu\" below \"ncpus\")");
    if (!r.uint64_or_text(doc, "host", "clock_start_ns", h.clock_start_ns)) return false;
    if (doc.find("prandom_seed")) {
        uint32_t seed = 0;
        if (!r.uint(doc, "host", "prandom_seed", seed, UINT32_MAX)) return false;
        h.reseed_prandom(seed);
    }
    if (!r.uint64_or_text(doc, "host", "tai_offset_ns", h.tai_offset_ns)) return false;
    if (const JsonValue* t = doc.find("task"); t && !read_task(r, *t, h.task, h.exe)) return false;
    if (const JsonValue* k = doc.find("kconfig"); k && !read_kconfig(r, *k, h.kconfig)) return false;
    if (const JsonValue* s = doc.find("sysctl"); s && !read_sysctl(r, *s, h.sysctl)) return false;
    if (const JsonValue* i = doc.find("ima"); i && !read_ima(r, *i, h.ima)) return false;
    if (!h.cgroup(h.task.cgroup_id))
        return r.fail("task.cgroup", "the host has no cgroup with id " + std::to_string(h.task.cgroup_id));
    if (const JsonValue* list = doc.find("devices")) {
        if (!list->is_array()) return r.fail("devices", "expected an array");
        h.net.devices.clear();
        for (size_t i = 0; i < list->size(); ++i) {
            const std::string path = "devices[" + std::to_string(i) + "]";
            NetDevice dev;
            if (!read_device(r, *list->at(i), path, dev)) return false;
            for (const NetDevice& other : h.net.devices)
                if (other.ifindex == dev.ifindex || other.name == dev.name)
                    return r.fail(path, "ifindex " + std::to_string(dev.ifindex) + " or name \"" + dev.name +
                                            "\" is already used by " + other.name);
            h.net.devices.push_back(std::move(dev));
        }
    }
    if (const JsonValue* list = doc.find("sockets")) {
        if (!list->is_array()) return r.fail("sockets", "expected an array");
        h.net.sockets.clear();
        for (size_t i = 0; i < list->size(); ++i) {
            const std::string path = "sockets[" + std::to_string(i) + "]";
            HostSocket s;
            if (!read_socket(r, *list->at(i), path, i, s)) return false;
            for (const HostSocket& other : h.net.sockets)
                if (other.cookie == s.cookie)
                    return r.fail(path + ".cookie",
                                  "cookie " + std::to_string(s.cookie) + " is already used");
            h.net.sockets.push_back(s);
        }
    }
    // After the sockets: a descriptor may be open on one of them.
    if (auto problem = read_open_files_member(doc, h.net.sockets.size(), h.open_files))
        return r.fail(problem->first, problem->second);
    for (size_t i = 0; i < h.open_files.size(); ++i)
        if (h.open_files[i].socket && *h.open_files[i].socket >= h.net.sockets.size())
            return r.fail("open_files[" + std::to_string(i) + "].socket",
                          "the host has " + std::to_string(h.net.sockets.size()) + " sockets now");
    if (const JsonValue* list = doc.find("routes")) {
        if (!list->is_array()) return r.fail("routes", "expected an array");
        h.net.routes.clear();
        for (size_t i = 0; i < list->size(); ++i) {
            Route route;
            if (!read_route(r, *list->at(i), "routes[" + std::to_string(i) + "]", route)) return false;
            h.net.routes.push_back(route);
        }
    }
    if (const JsonValue* list = doc.find("neighbours")) {
        if (!list->is_array()) return r.fail("neighbours", "expected an array");
        h.net.neighbours.clear();
        for (size_t i = 0; i < list->size(); ++i) {
            Neighbour n;
            if (!read_neighbour(r, *list->at(i), "neighbours[" + std::to_string(i) + "]", n)) return false;
            h.net.neighbours.push_back(n);
        }
    }
    if (!r.uint(doc, "host", "ingress_ifindex", h.net.ingress_ifindex, INT32_MAX) ||
        !r.uint(doc, "host", "rx_queue_index", h.net.rx_queue_index, UINT32_MAX))
        return false;
    const NetDevice* in = h.net.device(h.net.ingress_ifindex);
    if (!in)
        return r.fail("ingress_ifindex",
                      "the host has no device with ifindex " + std::to_string(h.net.ingress_ifindex));
    if (h.net.rx_queue_index >= in->rx_queues)
        return r.fail("rx_queue_index",
                      in->name + " has " + std::to_string(in->rx_queues) + " receive queue(s)");
    for (size_t i = 0; i < h.net.sockets.size(); ++i)
        if (!h.cgroup(h.net.sockets[i].cgroup_id))
            return r.fail("sockets[" + std::to_string(i) + "].cgroup",
                          "the host has no cgroup with id " + std::to_string(h.net.sockets[i].cgroup_id));
    if (!r.boolean(doc, "host", "tc_ingress", h.net.tc_ingress) ||
        !r.uint(doc, "host", "tcp_syncookies", h.net.tcp_syncookies, 2))
        return false;
    if (const std::string* secret = r.string(doc, "host", "syncookie_secret")) {
        auto bytes = parse_hex_bytes(*secret);
        if (!bytes.ok() || bytes.value().size() != h.net.syncookie_secret.size())
            return r.fail("syncookie_secret", "expected 32 bytes in hex (64 hex digits)");
        std::copy(bytes.value().begin(), bytes.value().end(), h.net.syncookie_secret.begin());
    } else if (r.error) {
        return false;
    }
    // After the clock and the devices: entries' timeouts count from the clock, dev_bound names devices.
    if (auto problem = read_conntrack_members(doc, h)) return r.fail(problem->first, problem->second);
    if (doc.find("program_socket")) {
        if (!r.uint(doc, "host", "program_socket", h.net.program_socket, UINT32_MAX - 1)) return false;
        if (h.net.program_socket >= h.net.sockets.size())
            return r.fail("program_socket", "the host has " + std::to_string(h.net.sockets.size()) +
                                                " socket(s); program_socket is an index among them");
    }
    return true;
}

} // namespace

Result<Unit> apply_host_json(Host& host, std::string_view json) {
    auto doc = parse_json(json);
    if (!doc.ok()) {
        Error e = doc.error();
        e.what = "host JSON: " + e.what;
        return e;
    }
    Host updated = host;
    Reader r;
    if (!read_host(r, doc.value(), updated)) return *r.error;
    host = std::move(updated);
    return Unit{};
}

Result<TcpFlowScript> tcp_flow_from_json(std::string_view json) {
    auto doc = parse_json(json);
    if (!doc.ok()) {
        Error e = doc.error();
        e.what = "host JSON: tcp_flow: " + e.what;
        return e;
    }
    TcpFlowScript script;
    Reader r;
    if (!read_tcp_flow(r, doc.value(), script)) return *r.error;
    return script;
}

} // namespace bpfplay
