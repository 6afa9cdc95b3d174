// The conntrack kfuncs of XDP and TC programs (net/netfilter/nf_conntrack_bpf.c and
// nf_nat_bpf.c, Linux 6.18) on the host's conntrack table (Network::conntrack):
//
//   bpf_xdp_ct_lookup / bpf_skb_ct_lookup   find an entry by either direction's tuple: a
//                                           referenced struct nf_conn, opts->dir its direction
//   bpf_xdp_ct_alloc / bpf_skb_ct_alloc     a new entry not in the table yet (nf_conn___init)
//   bpf_ct_set_timeout, bpf_ct_set_status,  change the new entry before it goes in
//   bpf_ct_set_nat_info
//   bpf_ct_insert_entry                     puts it in the table (NULL for a duplicate: -EEXIST)
//   bpf_ct_change_timeout / _status         change an entry of the table
//   bpf_ct_release                          gives a reference back
//
// Failures are the kernel's: the lookup and alloc kfuncs set opts->error (-EINVAL, -EPROTO,
// -EAFNOSUPPORT, -ENONET, -ENOENT, -ENOMEM) and return NULL, in the order
// __bpf_nf_ct_lookup / __bpf_nf_ct_alloc_entry check. The objects are the struct nf_conn of
// window::kConntrack (conntrack_objects.hpp), rewritten through the journal after each change
// so stepping back restores them; the references are the verifier's, in the run's reference
// table (kernel_refs.hpp), so a leaked one stops the run at its exit as the verifier would
// have refused the program. The host has one network namespace, to which no id was ever
// assigned: a netns_id of 0 or more finds none (-ENONET), as on the reference machine.
#include <algorithm>
#include <cstring>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "core/hex.hpp"
#include "core/host/conntrack_objects.hpp"
#include "core/host/helper_support.hpp"
#include "core/host/host.hpp"
#include "core/host/host_events.hpp"
#include "core/run/helper_fail.hpp"
#include "core/run/kernel_kfuncs.hpp"
#include "core/run/kernel_refs.hpp"
#include "core/vm.hpp"

namespace bpfplay {

namespace {

using helper_error::fail;

constexpr int64_t kCtEPERM = 1, kCtENOENT = 2, kCtENOMEM = 12, kCtEBUSY = 16, kCtETIME = 62,
                  kCtENONET = 64, kCtEPROTO = 71, kCtEAFNOSUPPORT = 97;

// struct bpf_ct_opts: NF_BPF_CT_OPTS_SZ (16) since 6.10; 12, the size before ct_zone_id, ct_zone_dir.
constexpr uint32_t kCtOptsSize = 16, kCtOptsOldSize = 12;
constexpr uint32_t kOptNetns = 0, kOptError = 4, kOptL4proto = 8, kOptDir = 9, kOptZoneId = 10, kOptZoneDir = 12,
                   kOptReserved = 13;
// sizeof(bpf_tuple->ipv4), sizeof(bpf_tuple->ipv6) of struct bpf_sock_tuple.
constexpr uint32_t kTupleIpv4 = 12, kTupleIpv6 = 36;
// __bpf_nf_ct_alloc_entry's timeout, in seconds.
constexpr uint32_t kCtAllocTimeoutSec = 10;
constexpr int64_t kIntMax = 0x7fffffff;

uint32_t hz_of(const Host& host) { return host.hz ? host.hz : 250; }
// nfct_time_stamp: the low 32 bits of jiffies.
uint32_t ct_now(const Vm& vm, const Host& host) { return uint32_t(host.jiffies64(vm.executed_now())); }

// msecs_to_jiffies (rounding up; a value past INT_MAX as an int is MAX_JIFFY_OFFSET), capped at
// INT_MAX as __nf_ct_set_timeout caps it.
uint32_t ct_timeout_jiffies(uint32_t ms, const Host& host) {
    if (int32_t(ms) < 0) return uint32_t(kIntMax);
    const uint64_t j = (uint64_t(ms) * hz_of(host) + 999) / 1000;
    return uint32_t(std::min<uint64_t>(j, uint64_t(kIntMax)));
}

std::vector<CtObject>& objects_of(Host& host) {
    NetRun& run = host.net.run;
    if (!run.ct_started) {
        run.ct_started = true;
        run.ct_objects.clear();
        for (size_t i = 0; i < host.net.conntrack.size(); ++i)
            run.ct_objects.push_back({CtObject::State::InTable, int32_t(i), {}, 1});
    }
    return run.ct_objects;
}

ConntrackEntry& entry_of(Host& host, CtObject& o) {
    return o.state == CtObject::State::InTable ? host.net.conntrack[size_t(o.table_index)] : o.entry;
}

// Rewrites object i's struct nf_conn from the model, through the journal.
void sync_object(Vm& vm, Host& host, uint32_t i) {
    CtObject& o = objects_of(host)[i];
    const std::vector<uint8_t> bytes =
        o.state == CtObject::State::Freed ? std::vector<uint8_t>(nf_conn_stride(), 0) : nf_conn_bytes(entry_of(host, o), o.use);
    if (uint8_t* p = vm.memory().kernel_write_ptr(conntrack_address(i), bytes.size()))
        std::memcpy(p, bytes.data(), bytes.size());
}

// The kind of reference the program holds to `addr` (the newest one), if it holds one.
std::optional<KernelObjectKind> held_kind(const Host& host, uint64_t addr) {
    const std::vector<HeldObject>& held = host.dynptrs.objects;
    const auto it = std::find_if(held.rbegin(), held.rend(), [&](const HeldObject& o) { return o.addr == addr && !o.released; });
    return it == held.rend() ? std::nullopt : std::optional<KernelObjectKind>(it->kind);
}

// The object a conntrack kfunc's r1 must be: one the program holds a reference of `kind` to
// (the verifier's PTR_TO_BTF_ID of struct nf_conn or nf_conn___init, referenced). Its index,
// or nullopt after stopping the run with the verifier's refusal.
std::optional<uint32_t> held_object(Vm& vm, Host& host, const char* kfunc, uint64_t addr, KernelObjectKind kind) {
    std::vector<CtObject>& objects = objects_of(host);
    const std::optional<uint32_t> i = conntrack_object_index(addr, uint32_t(objects.size()));
    const std::optional<KernelObjectKind> held = held_kind(host, addr);
    if (i && held == kind) {
        // The program may have written the mark since (ConntrackMarkWrites): the entry keeps it.
        if (const uint8_t* mark = vm.memory().read_ptr(addr + nf_conn_mark_offset(), 4))
            entry_of(host, objects[*i]).mark = load_le<uint32_t>(mark);
        return i;
    }
    const std::string type = kernel_object_type(kind);
    std::string why;
    if (held == KernelObjectKind::NfConn || held == KernelObjectKind::NfConnInit)
        why = "\"kernel function " + std::string(kfunc) + " args#0 expected pointer to STRUCT " + type +
              " but R1 has a pointer to STRUCT " + kernel_object_type(*held) + "\"";
    else
        why = not_held_words(host, addr, "r1", kind);
    fail(vm, kfunc,
         "r1 = " + hex(addr) + " is not a struct " + type + " reference the program holds" +
             (!held && gave_back_reference(host, addr) ? " (it gave that reference back already)" : "") +
             ": the kernel's verifier refuses the call (" + why + ")",
         kind == KernelObjectKind::NfConnInit
             ? "Pass what bpf_xdp_ct_alloc / bpf_skb_ct_alloc returned (not NULL), before bpf_ct_insert_entry."
             : "Pass what bpf_xdp_ct_lookup / bpf_skb_ct_lookup or bpf_ct_insert_entry returned (not NULL), "
               "before bpf_ct_release.");
    return std::nullopt;
}

// The context argument: the verifier requires the program's own context (xdp_md, __sk_buff).
bool ctx_ok(Vm& vm, const char* kfunc, uint64_t ctx) {
    if (ctx == window_base(window::kContext)) return true;
    fail(vm, kfunc,
         "r1 = " + hex(ctx) + " is not the program's context: the kernel's verifier refuses the call "
                               "(\"arg#0 expected pointer to ctx\")",
         "Pass the context pointer the program got in r1.");
    return false;
}

struct CtOpts {
    uint8_t* bytes = nullptr; // the program's struct bpf_ct_opts, writable
    uint32_t size = 0;
    int32_t netns() const { int32_t v; std::memcpy(&v, bytes + kOptNetns, 4); return v; }
    uint8_t l4proto() const { return bytes[kOptL4proto]; }
    uint16_t zone_id() const { uint16_t v; std::memcpy(&v, bytes + kOptZoneId, 2); return v; }
    void set_error(int64_t err) { const int32_t e = int32_t(-err); std::memcpy(bytes + kOptError, &e, 4); }
};

// The opts and tuple arguments: opts__sz and tuple__sz bytes the verifier checked the program
// may write and read. nullopt after stopping the run with the memory error.
std::optional<CtOpts> opts_arg(Vm& vm, const char* kfunc, uint64_t addr, uint32_t size) {
    // Every failure writes opts->error, so the error field must be there whatever opts__sz says.
    const uint32_t need = std::max<uint32_t>(size, kOptError + 4);
    uint8_t* p = vm.memory().helper_ptr(addr, need, /*write=*/true);
    if (!p) {
        fail_helper_access(vm, kfunc, addr, need, Access::HelperWrite);
        return std::nullopt;
    }
    return CtOpts{p, size};
}

// bpf_nf_ct_tuple_parse: the tuple of direction `dir` (0: as given, 1: reversed), or an errno.
int64_t parse_tuple(const uint8_t* t, uint32_t len, uint8_t protonum, uint8_t dir, CtTuple& out) {
    if (protonum != kIpprotoTcp && protonum != kIpprotoUdp) return kCtEPROTO;
    CtTuple tuple;
    tuple.protonum = protonum;
    uint32_t addr_len = 0;
    if (len == kTupleIpv4) {
        tuple.family = uint16_t(kAfInet);
        addr_len = 4;
    } else if (len == kTupleIpv6) {
        tuple.family = uint16_t(kAfInet6);
        addr_len = 16;
    } else {
        return kCtEAFNOSUPPORT;
    }
    std::memcpy(tuple.src.data(), t, addr_len);
    std::memcpy(tuple.dst.data(), t + addr_len, addr_len);
    tuple.sport = uint16_t(t[2 * addr_len] << 8 | t[2 * addr_len + 1]);
    tuple.dport = uint16_t(t[2 * addr_len + 2] << 8 | t[2 * addr_len + 3]);
    out = dir ? ct_invert(tuple) : tuple;
    return 0;
}

// The checks __bpf_nf_ct_lookup and __bpf_nf_ct_alloc_entry share before parsing the tuple:
// the size of opts, its reserved bytes (ct_zone_id for the old size). 0 or an errno.
int64_t check_opts(const CtOpts& o) {
    if (o.size != kCtOptsSize && o.size != kCtOptsOldSize) return kEINVAL;
    if (o.size == kCtOptsSize) {
        if (o.bytes[kOptReserved] || o.bytes[kOptReserved + 1] || o.bytes[kOptReserved + 2]) return kEINVAL;
    } else if (o.zone_id()) {
        return kEINVAL;
    }
    return 0;
}

// The zone of a lookup or allocation: the opts' (a ct_zone_dir of 0 becomes
// NF_CT_DEFAULT_ZONE_DIR, written back) or the default zone for the old size.
std::pair<uint16_t, uint8_t> opts_zone(CtOpts& o) {
    if (o.size != kCtOptsSize) return {0, kCtDefaultZoneDir};
    if (o.bytes[kOptZoneDir] == 0) o.bytes[kOptZoneDir] = kCtDefaultZoneDir;
    return {o.zone_id(), o.bytes[kOptZoneDir]};
}

// What the tuple argument holds: tuple__sz bytes (nullopt after stopping the run).
std::optional<const uint8_t*> tuple_arg(Vm& vm, const char* kfunc, uint64_t addr, uint32_t size) {
    const uint8_t* p = helper_read(vm, kfunc, addr, size);
    if (!p && size) return std::nullopt;
    return p;
}

// What lookup and alloc check first, in the kernel's order: the context, the tuple and the opts
// arguments, then the opts' size and reserved bytes. nullopt once a check has stopped the run
// or written opts->error.
struct CtCall {
    Host* host;
    const uint8_t* tuple;
    CtOpts opts;
};
std::optional<CtCall> ct_call(Vm& vm, const char* kfunc, uint64_t ctx, uint64_t tuple_addr, uint64_t tuple_sz,
                              uint64_t opts_addr, uint64_t opts_sz) {
    Host* host = host_for(vm, kfunc);
    if (!host || !ctx_ok(vm, kfunc, ctx)) return std::nullopt;
    const std::optional<const uint8_t*> tuple = tuple_arg(vm, kfunc, tuple_addr, uint32_t(tuple_sz));
    if (!tuple) return std::nullopt;
    std::optional<CtOpts> opts = opts_arg(vm, kfunc, opts_addr, uint32_t(opts_sz));
    if (!opts) return std::nullopt;
    if (const int64_t err = check_opts(*opts)) {
        opts->set_error(err);
        return std::nullopt;
    }
    return CtCall{host, *tuple, *opts};
}

// ____nf_conntrack_find kills the expired entries it walks past (nf_ct_gc_expired): those of
// the looked-up tuple's bucket, here the ones with that tuple in that zone. An object the
// program still holds outlives its entry (Removed).
void collect_expired(Vm& vm, Host& host, const char* kfunc, const CtTuple& t, uint16_t zone, uint8_t zone_dir) {
    std::vector<ConntrackEntry>& table = host.net.conntrack;
    const uint32_t now = ct_now(vm, host);
    while (const std::optional<CtMatch> m = ct_find(table, t, zone, zone_dir, std::nullopt)) {
        if (!ct_expired(table[m->index], now)) return;
        const int32_t gone = int32_t(m->index);
        log_host_event(vm, host, kfunc,
                       "the expired entry " + ct_tuple_text(table[m->index].orig) +
                           " is removed from the conntrack table (the lookup's garbage collection)");
        for (CtObject& o : objects_of(host)) {
            if (o.state != CtObject::State::InTable) continue;
            if (o.table_index == gone) {
                o.entry = table[m->index];
                o.state = CtObject::State::Removed;
                o.table_index = -1;
            } else if (o.table_index > gone) {
                --o.table_index;
            }
        }
        table.erase(table.begin() + gone);
    }
}

// bpf_xdp_ct_lookup / bpf_skb_ct_lookup.
uint64_t lookup(Vm& vm, const char* kfunc, uint64_t ctx, uint64_t tuple_addr, uint64_t tuple_sz, uint64_t opts_addr,
                uint64_t opts_sz) {
    std::optional<CtCall> call = ct_call(vm, kfunc, ctx, tuple_addr, tuple_sz, opts_addr, opts_sz);
    if (!call) return 0;
    Host* host = call->host;
    const uint8_t* tuple = call->tuple;
    CtOpts* opts = &call->opts;
    auto failed = [&](int64_t err) -> uint64_t {
        opts->set_error(err);
        return 0;
    };
    if (opts->l4proto() != kIpprotoTcp && opts->l4proto() != kIpprotoUdp) return failed(kCtEPROTO);
    if (opts->netns() < -1) return failed(kEINVAL);
    CtTuple t;
    if (const int64_t err = parse_tuple(tuple, uint32_t(tuple_sz), opts->l4proto(), 0, t)) return failed(err);
    if (opts->netns() >= 0) return failed(kCtENONET);
    const auto [zone, zone_dir] = opts_zone(*opts);
    std::vector<CtObject>& objects = objects_of(*host);
    collect_expired(vm, *host, kfunc, t, zone, zone_dir);
    const std::optional<CtMatch> m = ct_find(host->net.conntrack, t, zone, zone_dir, ct_now(vm, *host));
    if (!m) return failed(kCtENOENT);
    opts->bytes[kOptDir] = m->dir;
    // The table's entry i is object i while it started the run with it; a later one is the
    // object it was inserted from.
    const auto it = std::find_if(objects.begin(), objects.end(), [&](const CtObject& o) {
        return o.state == CtObject::State::InTable && o.table_index == int32_t(m->index);
    });
    const uint32_t i = uint32_t(it - objects.begin());
    ++objects[i].use;
    sync_object(vm, *host, i);
    acquire_reference(vm, *host, conntrack_address(i), KernelObjectKind::NfConn, kfunc);
    return conntrack_address(i);
}

// bpf_xdp_ct_alloc / bpf_skb_ct_alloc.
uint64_t alloc(Vm& vm, const char* kfunc, uint64_t ctx, uint64_t tuple_addr, uint64_t tuple_sz, uint64_t opts_addr,
               uint64_t opts_sz) {
    std::optional<CtCall> call = ct_call(vm, kfunc, ctx, tuple_addr, tuple_sz, opts_addr, opts_sz);
    if (!call) return 0;
    Host* host = call->host;
    const uint8_t* tuple = call->tuple;
    CtOpts* opts = &call->opts;
    auto failed = [&](int64_t err) -> uint64_t {
        opts->set_error(err);
        return 0;
    };
    if (opts->netns() < -1) return failed(kEINVAL);
    ConntrackEntry e;
    if (const int64_t err = parse_tuple(tuple, uint32_t(tuple_sz), opts->l4proto(), 0, e.orig)) return failed(err);
    if (const int64_t err = parse_tuple(tuple, uint32_t(tuple_sz), opts->l4proto(), 1, e.reply)) return failed(err);
    if (opts->netns() >= 0) return failed(kCtENONET);
    std::tie(e.zone, e.zone_dir) = opts_zone(*opts);
    std::vector<CtObject>& objects = objects_of(*host);
    // nf_conntrack_alloc's object: the next free one of the run's window (ERR_PTR(-ENOMEM) past them).
    const uint32_t i = uint32_t(objects.size());
    if (i >= host->net.conntrack.size() + kCtAllocSlots ||
        !vm.memory().kernel_write_ptr(conntrack_address(i), nf_conn_stride()))
        return failed(kCtENOMEM);
    // Not confirmed yet: the timeout is relative until bpf_ct_insert_entry.
    e.status = 0;
    e.timeout = kCtAllocTimeoutSec * hz_of(*host);
    objects.push_back({CtObject::State::Allocated, -1, e, 1});
    sync_object(vm, *host, i);
    acquire_reference(vm, *host, conntrack_address(i), KernelObjectKind::NfConnInit, kfunc);
    return conntrack_address(i);
}

uint64_t xdp_ct_lookup(Vm& vm, uint64_t ctx, uint64_t t, uint64_t tsz, uint64_t o, uint64_t osz) {
    return lookup(vm, "bpf_xdp_ct_lookup", ctx, t, tsz, o, osz);
}
uint64_t skb_ct_lookup(Vm& vm, uint64_t ctx, uint64_t t, uint64_t tsz, uint64_t o, uint64_t osz) {
    return lookup(vm, "bpf_skb_ct_lookup", ctx, t, tsz, o, osz);
}
uint64_t xdp_ct_alloc(Vm& vm, uint64_t ctx, uint64_t t, uint64_t tsz, uint64_t o, uint64_t osz) {
    return alloc(vm, "bpf_xdp_ct_alloc", ctx, t, tsz, o, osz);
}
uint64_t skb_ct_alloc(Vm& vm, uint64_t ctx, uint64_t t, uint64_t tsz, uint64_t o, uint64_t osz) {
    return alloc(vm, "bpf_skb_ct_alloc", ctx, t, tsz, o, osz);
}

std::string status_text(uint32_t status) { return "status " + hex(status); }

// struct nf_conn *bpf_ct_insert_entry(struct nf_conn___init *nfct_i): confirms the entry (its
// timeout becomes absolute) and adds it to the table, giving back the nf_conn___init reference
// and taking an nf_conn one; NULL when the table has either tuple already (-EEXIST: the entry
// is freed).
uint64_t ct_insert_entry(Vm& vm, uint64_t nfct, uint64_t, uint64_t, uint64_t, uint64_t) {
    constexpr const char* kName = "bpf_ct_insert_entry";
    Host* host = host_for(vm, kName);
    if (!host) return 0;
    const std::optional<uint32_t> i = held_object(vm, *host, kName, nfct, KernelObjectKind::NfConnInit);
    if (!i) return 0;
    drop_reference(*host, nfct);
    CtObject& o = objects_of(*host)[*i];
    ConntrackEntry e = o.entry;
    if (!(e.status & ips::kConfirmed)) e.timeout += ct_now(vm, *host);
    e.status |= ips::kConfirmed;
    const bool dup = ct_find(host->net.conntrack, e.orig, e.zone, e.zone_dir, std::nullopt) ||
                     ct_find(host->net.conntrack, e.reply, e.zone, e.zone_dir, std::nullopt);
    if (dup) {
        o.state = CtObject::State::Freed;
        sync_object(vm, *host, *i);
        log_host_event(vm, *host, kName,
                       ct_tuple_text(e.orig) + " is in the conntrack table already (-EEXIST): the new entry is freed "
                                               "and NULL returned");
        return 0;
    }
    host->net.conntrack.push_back(e);
    o.state = CtObject::State::InTable;
    o.table_index = int32_t(host->net.conntrack.size() - 1);
    o.use = 2; // the table's reference and the program's
    sync_object(vm, *host, *i);
    acquire_reference(vm, *host, nfct, KernelObjectKind::NfConn, kName);
    log_host_event(vm, *host, kName,
                   "added " + ct_tuple_text(e.orig) + " to the conntrack table (" + status_text(e.status) +
                       ", timeout in " + std::to_string(int32_t(e.timeout - ct_now(vm, *host)) / int32_t(hz_of(*host))) +
                       " s)");
    return nfct;
}

// void bpf_ct_release(struct nf_conn *nfct): nf_ct_put.
uint64_t ct_release(Vm& vm, uint64_t nfct, uint64_t, uint64_t, uint64_t, uint64_t) {
    constexpr const char* kName = "bpf_ct_release";
    Host* host = host_for(vm, kName);
    if (!host) return 0;
    const std::optional<uint32_t> i = held_object(vm, *host, kName, nfct, KernelObjectKind::NfConn);
    if (!i) return 0;
    drop_reference(*host, nfct);
    --objects_of(*host)[*i].use;
    sync_object(vm, *host, *i);
    return 0;
}

// void bpf_ct_set_timeout(struct nf_conn___init *nfct, u32 timeout): the new entry's timeout
// in ms (relative: it is not confirmed).
uint64_t ct_set_timeout(Vm& vm, uint64_t nfct, uint64_t ms, uint64_t, uint64_t, uint64_t) {
    constexpr const char* kName = "bpf_ct_set_timeout";
    Host* host = host_for(vm, kName);
    if (!host) return 0;
    const std::optional<uint32_t> i = held_object(vm, *host, kName, nfct, KernelObjectKind::NfConnInit);
    if (!i) return 0;
    objects_of(*host)[*i].entry.timeout = ct_timeout_jiffies(uint32_t(ms), *host);
    sync_object(vm, *host, *i);
    return 0;
}

// int bpf_ct_change_timeout(struct nf_conn *nfct, u32 timeout): __nf_ct_change_timeout.
uint64_t ct_change_timeout(Vm& vm, uint64_t nfct, uint64_t ms, uint64_t, uint64_t, uint64_t) {
    constexpr const char* kName = "bpf_ct_change_timeout";
    Host* host = host_for(vm, kName);
    if (!host) return 0;
    const std::optional<uint32_t> i = held_object(vm, *host, kName, nfct, KernelObjectKind::NfConn);
    if (!i) return 0;
    ConntrackEntry& e = entry_of(*host, objects_of(*host)[*i]);
    if (e.status & ips::kFixedTimeout) return helper_errno(kCtEPERM);
    const uint32_t j = ct_timeout_jiffies(uint32_t(ms), *host);
    e.timeout = (e.status & ips::kConfirmed) ? ct_now(vm, *host) + j : j;
    sync_object(vm, *host, *i);
    log_host_event(vm, *host, kName,
                   ct_tuple_text(e.orig) + " now expires in " + std::to_string(uint32_t(ms)) + " ms (" +
                       std::to_string(j) + " jiffies)");
    return (e.status & ips::kDying) ? helper_errno(kCtETIME) : 0;
}

// nf_ct_change_status_common: the expected, confirmed and dying bits cannot change, the seen
// reply and assured bits can only be set (-EBUSY otherwise); then every changeable bit of
// `status` is set (none is cleared).
int64_t change_status(ConntrackEntry& e, uint32_t status) {
    const uint32_t d = e.status ^ status;
    if (d & (ips::kExpected | ips::kConfirmed | ips::kDying)) return kCtEBUSY;
    if ((d & ips::kSeenReply) && !(status & ips::kSeenReply)) return kCtEBUSY;
    if ((d & ips::kAssured) && !(status & ips::kAssured)) return kCtEBUSY;
    e.status |= status & ~ips::kUnchangeable & ((1u << ips::kMaxBit) - 1);
    return 0;
}

uint64_t status_kfunc(Vm& vm, const char* kfunc, uint64_t nfct, uint64_t status, KernelObjectKind kind) {
    Host* host = host_for(vm, kfunc);
    if (!host) return 0;
    const std::optional<uint32_t> i = held_object(vm, *host, kfunc, nfct, kind);
    if (!i) return 0;
    ConntrackEntry& e = entry_of(*host, objects_of(*host)[*i]);
    if (const int64_t err = change_status(e, uint32_t(status))) return helper_errno(err);
    sync_object(vm, *host, *i);
    return 0;
}

uint64_t ct_set_status(Vm& vm, uint64_t nfct, uint64_t status, uint64_t, uint64_t, uint64_t) {
    return status_kfunc(vm, "bpf_ct_set_status", nfct, status, KernelObjectKind::NfConnInit);
}
uint64_t ct_change_status(Vm& vm, uint64_t nfct, uint64_t status, uint64_t, uint64_t, uint64_t) {
    return status_kfunc(vm, "bpf_ct_change_status", nfct, status, KernelObjectKind::NfConn);
}

// int bpf_ct_set_nat_info(struct nf_conn___init *nfct, union nf_inet_addr *addr, int port,
// enum nf_nat_manip_type manip): nf_nat_setup_info with a one-address range (and one port when
// port > 0). The reply tuple becomes the inverse of the translated one, IPS_SRC_NAT / DST_NAT is
// set when that changed anything, IPS_*_NAT_DONE always; a second setup of the same manip is
// NF_DROP (-ENOMEM). NF_NAT_MANIP_SRC is 0; the kernel takes any other value as DST.
uint64_t ct_set_nat_info(Vm& vm, uint64_t nfct, uint64_t addr, uint64_t port64, uint64_t manip, uint64_t) {
    constexpr const char* kName = "bpf_ct_set_nat_info";
    Host* host = host_for(vm, kName);
    if (!host) return 0;
    const std::optional<uint32_t> i = held_object(vm, *host, kName, nfct, KernelObjectKind::NfConnInit);
    if (!i) return 0;
    const uint8_t* a = helper_read(vm, kName, addr, 16); // sizeof(union nf_inet_addr)
    if (!a) return 0;
    ConntrackEntry& e = objects_of(*host)[*i].entry;
    const bool src = uint32_t(manip) == 0;
    const uint32_t done = src ? ips::kSrcNatDone : ips::kDstNatDone;
    if (e.status & done) return helper_errno(kCtENOMEM);
    const CtTuple curr = ct_invert(e.reply);
    CtTuple next = curr;
    const size_t addr_len = curr.family == kAfInet ? 4 : 16;
    std::array<uint8_t, 16>& ip = src ? next.src : next.dst;
    ip.fill(0);
    std::memcpy(ip.data(), a, addr_len);
    const int32_t port = int32_t(port64);
    if (port > 0) (src ? next.sport : next.dport) = uint16_t(port);
    if (!(next == curr)) {
        e.reply = ct_invert(next);
        e.status |= src ? ips::kSrcNat : ips::kDstNat;
    }
    e.status |= done;
    sync_object(vm, *host, *i);
    return 0;
}

constexpr KfuncImpl kCtKfuncImpls[] = {
    {"bpf_ct_change_status", ct_change_status},
    {"bpf_ct_change_timeout", ct_change_timeout},
    {"bpf_ct_insert_entry", ct_insert_entry},
    {"bpf_ct_release", ct_release},
    {"bpf_ct_set_nat_info", ct_set_nat_info},
    {"bpf_ct_set_status", ct_set_status},
    {"bpf_ct_set_timeout", ct_set_timeout},
    {"bpf_skb_ct_alloc", skb_ct_alloc},
    {"bpf_skb_ct_lookup", skb_ct_lookup},
    {"bpf_xdp_ct_alloc", xdp_ct_alloc},
    {"bpf_xdp_ct_lookup", xdp_ct_lookup},
};

} // namespace

std::span<const KfuncImpl> ct_kfunc_impls() { return kCtKfuncImpls; }

} // namespace bpfplay
