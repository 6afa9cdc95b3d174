#include "core/host/conntrack_objects.hpp"

#include <algorithm>
#include <cstring>
#include <string>

#include "core/btf/builtin_target_btf.hpp"
#include "core/host/kernel_object_writer.hpp"

namespace bpfplay {

namespace {

constexpr std::string_view kNfConn = "nf_conn";

void write_tuple(KernelObjectWriter& w, uint64_t a, int dir, const CtTuple& t) {
    const std::string p = "tuplehash[" + std::to_string(dir) + "].tuple.";
    const auto bytes = [](const std::array<uint8_t, 16>& x) {
        return std::string_view(reinterpret_cast<const char*>(x.data()), x.size());
    };
    // Ports are __be16 in the kernel's tuple.
    const auto be16 = [](uint16_t v) { return uint64_t(uint16_t(v >> 8 | v << 8)); };
    w.set_bytes(a, kNfConn, p + "src.u3", bytes(t.src));
    w.set(a, kNfConn, p + "src.u.all", be16(t.sport));
    w.set(a, kNfConn, p + "src.l3num", t.family);
    w.set_bytes(a, kNfConn, p + "dst.u3", bytes(t.dst));
    w.set(a, kNfConn, p + "dst.u.all", be16(t.dport));
    w.set(a, kNfConn, p + "dst.protonum", t.protonum);
    w.set(a, kNfConn, p + "dst.dir", uint64_t(dir));
}

}  // namespace

uint32_t nf_conn_stride() {
    static const uint32_t stride = [] {
        const Btf& btf = builtin_target_btf();
        const auto id = btf.find_by_name(kNfConn, BtfKind::Struct);
        const auto size = id ? btf.resolve_size(*id) : Result<uint32_t>(Error{});
        return size ? (*size + 7) & ~7u : 8u;
    }();
    return stride;
}

uint32_t nf_conn_mark_offset() {
    static const uint32_t off = [] {
        KernelObjectWriter w(builtin_target_btf(), 0);
        const uint64_t a = w.allocate(kNfConn);
        return uint32_t(w.field_address(a, kNfConn, "mark").value_or(a) - a);
    }();
    return off;
}

bool ConntrackMarkWrites::load(uint32_t off, uint32_t size, uint64_t& value, std::string& why) {
    if (uint64_t(off) + size > bytes_.size()) {
        why = "past the last struct nf_conn";
        return false;
    }
    value = 0;
    std::memcpy(&value, bytes_.data() + off, size);
    return true;
}

bool ConntrackMarkWrites::store(uint32_t off, uint32_t size, uint64_t value, std::string& why) {
    const uint32_t rel = off % nf_conn_stride();
    const uint32_t mark = nf_conn_mark_offset();
    if (rel != mark) {
        why = "the kernel's verifier allows writes to nf_conn's mark only (\"no write support to nf_conn at off " +
              std::to_string(rel) + "\")";
        return false;
    }
    if (rel + size > mark + 4) {
        why = "\"write access at off " + std::to_string(rel) + " with size " + std::to_string(size) +
              " beyond the member of nf_conn ended at " + std::to_string(mark + 4) + "\"";
        return false;
    }
    if (uint64_t(off) + size > bytes_.size()) {
        why = "past the last struct nf_conn";
        return false;
    }
    std::memcpy(bytes_.data() + off, &value, size);
    return true;
}

std::optional<uint32_t> conntrack_object_index(uint64_t addr, uint32_t count) {
    const uint64_t base = conntrack_address(0);
    if (addr < base || (addr - base) % nf_conn_stride() != 0) return std::nullopt;
    const uint64_t i = (addr - base) / nf_conn_stride();
    return i < count ? std::optional<uint32_t>(uint32_t(i)) : std::nullopt;
}

std::vector<uint8_t> nf_conn_bytes(const ConntrackEntry& e, uint32_t use) {
    KernelObjectWriter w(builtin_target_btf(), 0);
    const uint64_t a = w.allocate(kNfConn);
    w.set(a, kNfConn, "ct_general.use.refs.counter", use);
    w.set(a, kNfConn, "timeout", e.timeout);
    w.set(a, kNfConn, "zone.id", e.zone);
    w.set(a, kNfConn, "zone.dir", e.zone_dir);
    write_tuple(w, a, 0, e.orig);
    write_tuple(w, a, 1, e.reply);
    w.set(a, kNfConn, "status", e.status);
    w.set(a, kNfConn, "mark", e.mark);
    std::vector<uint8_t> bytes = w.take_bytes();
    bytes.resize(nf_conn_stride());
    return bytes;
}

std::vector<uint8_t> build_conntrack_objects(const std::vector<ConntrackEntry>& entries) {
    std::vector<uint8_t> out;
    out.reserve((entries.size() + kCtAllocSlots) * nf_conn_stride());
    // The table holds one reference to each of its entries.
    for (const ConntrackEntry& e : entries) {
        const std::vector<uint8_t> b = nf_conn_bytes(e, 1);
        out.insert(out.end(), b.begin(), b.end());
    }
    out.resize((entries.size() + kCtAllocSlots) * nf_conn_stride(), 0);
    return out;
}

}  // namespace bpfplay
