#include "core/verifier/reg_text.hpp"

#include <array>
#include <climits>

#include "core/btf/builtin_target_btf.hpp"
#include "core/verifier/steps.hpp"

namespace bpfplay::verifier {

std::string log_snum(int64_t v) {
    if (v >= INT16_MIN && v <= INT16_MAX) return std::to_string(v);
    return fmt("%#llx", (unsigned long long)v);
}

std::string log_unum(uint64_t v) {
    if (v <= UINT16_MAX) return std::to_string(v);
    return fmt("%#llx", (unsigned long long)v);
}

namespace {

// The signed 32-bit range of the low word, which the checker does not keep apart: what the
// kernel's __reg32_deduce_bounds derives from the unsigned word range and the 64-bit signed
// range (each where it does not wrap across the sign), intersected.
std::pair<int32_t, int32_t> s32_range(const Scalar& s) {
    int32_t lo = INT32_MIN, hi = INT32_MAX;
    const auto narrow = [&](int32_t a, int32_t b) {
        if (a > b) return;
        lo = std::max(lo, a);
        hi = std::min(hi, b);
    };
    if (int32_t(s.u32min) <= int32_t(s.u32max)) narrow(int32_t(s.u32min), int32_t(s.u32max));
    const uint64_t upper_min = uint64_t(s.smin) >> 32, upper_max = uint64_t(s.smax) >> 32;
    if (upper_min == upper_max || (upper_min + 1 == upper_max && int32_t(s.smin) < 0 && int32_t(s.smax) >= 0))
        narrow(int32_t(s.smin), int32_t(s.smax));
    if (lo > hi) return {INT32_MIN, INT32_MAX};
    return {lo, hi};
}

// print_scalar_ranges: the bounds that say something, equal ones named together
// ("smax=umax=0xffffffff"), negatives never merged with positives.
void append_ranges(std::string& out, const char*& sep, const Scalar& s) {
    struct Bound {
        const char* name;
        uint64_t val;
        bool omit;
    };
    const auto [s32min, s32max] = s32_range(s);
    const auto s32 = [](int32_t v) { return v >= INT16_MIN && v <= INT16_MAX ? uint64_t(int64_t(v)) : uint64_t(uint32_t(v)); };
    std::array<Bound, 8> b{{
        {"smin", uint64_t(s.smin), s.smin == INT64_MIN},
        {"smax", uint64_t(s.smax), s.smax == INT64_MAX},
        {"umin", s.umin, s.umin == 0},
        {"umax", s.umax, s.umax == UINT64_MAX},
        {"smin32", s32(s32min), s32min == INT32_MIN},
        {"smax32", s32(s32max), s32max == INT32_MAX},
        {"umin32", s.u32min, s.u32min == 0},
        {"umax32", s.u32max, s.u32max == UINT32_MAX},
    }};
    for (size_t i = 0; i < b.size(); ++i) {
        if (b[i].omit) continue;
        const bool neg = b[i].name[0] == 's' && int64_t(b[i].val) < 0;
        out += sep;
        out += b[i].name;
        out += '=';
        sep = ",";
        for (size_t j = i + 2; j < b.size(); j += 2) {
            if (b[j].omit || b[j].val != b[i].val) continue;
            if ((b[j].name[0] == 's' && int64_t(b[j].val) < 0) != neg) continue;
            b[j].omit = true;
            out += b[j].name;
            out += '=';
        }
        out += b[i].name[0] == 's' ? log_snum(int64_t(b[i].val)) : log_unum(b[i].val);
    }
}

bool is_map_pointer(RegType t) { return t == RegType::MapPtr || t == RegType::MapValue || t == RegType::MapKey; }
bool is_packet_pointer(RegType t) { return t == RegType::Packet || t == RegType::PacketMeta; }

// A kernel struct's name (PTR_TO_BTF_ID prints it after "ptr_"): the built-in vmlinux BTF's,
// or the program's own for an object it allocated.
std::string btf_struct_name(const Reg& r, const Env& env) {
    if (r.local_type) return env.in.object_btf ? std::string(env.in.object_btf->name(r.local_type)) : std::string();
    return r.map ? std::string(builtin_target_btf().name(r.map)) : std::string();
}

}  // namespace

std::string reg_state_text(const Reg& r, uint32_t frameno, const Env& env) {
    if (r.type == RegType::NotInit) return "?";
    if (r.type == RegType::Scalar && r.var.is_const()) return log_snum(int64_t(r.var.value()));
    std::string out = reg_type_name(r);
    if (r.type == RegType::Stack) {
        if (r.frame != frameno) out += "[" + std::to_string(r.frame) + "]";
        if (r.var.is_const()) return out + log_snum(int64_t(r.var.value()) + r.off);
    }
    if (r.type == RegType::BtfId) out += btf_struct_name(r, env);
    out += '(';
    const char* sep = "";
    const auto attr = [&](const std::string& text) {
        out += sep;
        out += text;
        sep = ",";
    };
    if (r.id) attr("id=" + std::to_string(r.id));
    if (r.ref_obj_id) attr("ref_obj_id=" + std::to_string(r.ref_obj_id));
    if (r.non_owning) attr("non_own_ref");
    if (is_map_pointer(r.type)) {
        // The kernel's map names are BPF_OBJ_NAME_LEN - 1 characters at most.
        if (const MapSpec* m = env.any_map(r.map)) {
            if (!m->name.empty()) attr("map=" + m->name.substr(0, 15));
            attr("ks=" + std::to_string(m->key_size) + ",vs=" + std::to_string(m->value_size));
        }
    }
    if (r.type != RegType::Scalar && r.off) attr("off=" + log_snum(r.off));
    if (is_packet_pointer(r.type)) attr("r=" + log_unum(uint32_t(r.range)));
    if (r.type == RegType::Mem) attr("sz=" + log_unum(r.mem_size));
    if (r.var.is_const()) {
        if (r.var.value()) attr("imm=" + log_snum(int64_t(r.var.value())));
    } else {
        append_ranges(out, sep, r.var);
        if (!(r.var.var == Tnum::unknown())) attr("var_off=" + tnum_text(r.var.var));  // not a constant here
    }
    return out + ')';
}

}  // namespace bpfplay::verifier
