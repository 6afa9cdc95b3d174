// The built-in target BTF, written as raw .BTF bytes type by type and then parsed like any
// object's .BTF. See builtin_target_btf.hpp for what it holds.
#include "core/btf/builtin_target_btf.hpp"

#include <cstdlib>
#include <string>
#include <string_view>

#include "core/btf/kernel_layout.hpp"

namespace bpfplay {

namespace {

// A minimal .BTF writer: type ids are handed out in the order types are added (1, 2, ...).
class Writer {
public:
    struct Member {
        std::string_view name;
        uint32_t type;
        uint32_t bit_offset;
        uint32_t bitfield_size = 0;
    };

    uint32_t next_id() const { return next_id_; }

    uint32_t int_type(std::string_view name, uint32_t size, bool is_signed, bool is_char = false) {
        const uint32_t encoding = (is_signed ? kBtfIntSigned : 0) | (is_char ? kBtfIntChar : 0);
        return record(name, BtfKind::Int, 0, false, size, {encoding << 24 | size * 8});
    }
    uint32_t ptr(uint32_t to) { return record({}, BtfKind::Ptr, 0, false, to, {}); }
    uint32_t typedef_(std::string_view name, uint32_t to) { return record(name, BtfKind::Typedef, 0, false, to, {}); }
    uint32_t array(uint32_t elem, uint32_t index, uint32_t nelems) {
        return record({}, BtfKind::Array, 0, false, 0, {elem, index, nelems});
    }
    uint32_t struct_(std::string_view name, uint32_t size, const std::vector<Member>& members) {
        bool bitfields = false;
        for (const Member& m : members) bitfields |= m.bitfield_size != 0;
        std::vector<uint32_t> words;
        for (const Member& m : members) {
            words.push_back(str(m.name));
            words.push_back(m.type);
            words.push_back(bitfields ? m.bitfield_size << 24 | m.bit_offset : m.bit_offset);
        }
        return record(name, BtfKind::Struct, uint32_t(members.size()), bitfields, size, words);
    }
    uint32_t enum_(std::string_view name, const std::vector<std::pair<std::string_view, int32_t>>& values) {
        std::vector<uint32_t> words;
        for (const auto& [n, v] : values) {
            words.push_back(str(n));
            words.push_back(uint32_t(v));
        }
        return record(name, BtfKind::Enum, uint32_t(values.size()), false, 4, words);
    }

    std::vector<uint8_t> bytes() const {
        std::vector<uint8_t> out;
        auto put = [&](uint32_t w) {
            for (int i = 0; i < 4; ++i) out.push_back(uint8_t(w >> (8 * i)));
        };
        put(0x0001eb9f);  // magic 0xeb9f, version 1, flags 0
        put(24);          // hdr_len
        put(0);           // type_off
        put(uint32_t(types_.size() * 4));
        put(uint32_t(types_.size() * 4));  // str_off: strings follow the types
        put(uint32_t(strings_.size()));
        for (uint32_t w : types_) put(w);
        out.insert(out.end(), strings_.begin(), strings_.end());
        return out;
    }

private:
    uint32_t str(std::string_view s) {
        if (s.empty()) return 0;
        const size_t at = strings_.find(std::string(s) + '\0');
        if (at != std::string::npos && (at == 0 || strings_[at - 1] == '\0')) return uint32_t(at);
        const uint32_t off = uint32_t(strings_.size());
        strings_ += s;
        strings_ += '\0';
        return off;
    }
    uint32_t record(std::string_view name, BtfKind kind, uint32_t vlen, bool kflag, uint32_t size_or_type,
                    const std::vector<uint32_t>& extra) {
        types_.push_back(str(name));
        types_.push_back((kflag ? 1u << 31 : 0u) | uint32_t(kind) << 24 | vlen);
        types_.push_back(size_or_type);
        types_.insert(types_.end(), extra.begin(), extra.end());
        return next_id_++;
    }

    std::vector<uint32_t> types_;
    std::string strings_ = std::string(1, '\0');
    uint32_t next_id_ = 1;
};

std::vector<uint8_t> build() {
    namespace ts = kernel_layout::task_struct;
    Writer w;
    const uint32_t char_ = w.int_type("char", 1, false, false);  // vmlinux: encoding (none)
    const uint32_t int_ = w.int_type("int", 4, true);
    const uint32_t uint_ = w.int_type("unsigned int", 4, false);
    w.int_type("long", 8, true);
    const uint32_t ulong = w.int_type("long unsigned int", 8, false);
    w.int_type("long long int", 8, true);
    const uint32_t ullong = w.int_type("long long unsigned int", 8, false);
    w.typedef_("u32", uint_);
    w.typedef_("u64", ullong);
    const uint32_t kernel_pid = w.typedef_("__kernel_pid_t", int_);
    const uint32_t pid_t_ = w.typedef_("pid_t", kernel_pid);
    const uint32_t comm = w.array(char_, int_, ts::kCommLen);

    // task_struct refers to itself through a pointer added right after it.
    const uint32_t task = w.next_id();
    const uint32_t task_ptr = task + 1;
    w.struct_("task_struct", ts::kSize,
              {
                  {"__state", uint_, ts::kState * 8},
                  {"flags", uint_, ts::kFlags * 8},
                  {"prio", int_, ts::kPrio * 8},
                  {"pid", pid_t_, ts::kPid * 8},
                  {"tgid", pid_t_, ts::kTgid * 8},
                  {"in_execve", uint_, ts::kBitfields * 8 + ts::kInExecveBit, 1},
                  {"in_iowait", uint_, ts::kBitfields * 8 + ts::kInIowaitBit, 1},
                  {"sched_reset_on_fork", uint_, ts::kBitfields * 8 + ts::kSchedResetOnForkBit, 1},
                  {"real_parent", task_ptr, ts::kRealParent * 8},
                  {"parent", task_ptr, ts::kParent * 8},
                  {"comm", comm, ts::kComm * 8},
              });
    if (w.ptr(task) != task_ptr) std::abort();  // the id arithmetic above is wrong

    std::vector<Writer::Member> regs;
    for (uint32_t i = 0; i < kernel_layout::pt_regs::kCount; ++i)
        regs.push_back({kernel_layout::pt_regs::kNames[i], ulong, i * 64});
    w.struct_("pt_regs", kernel_layout::pt_regs::kSize, regs);

    std::vector<std::pair<std::string_view, int32_t>> pid_types;
    for (uint32_t i = 0; i < kernel_layout::pid_type::kCount; ++i)
        pid_types.emplace_back(kernel_layout::pid_type::kNames[i], int32_t(i));
    w.enum_("pid_type", pid_types);
    return w.bytes();
}

}  // namespace

const std::vector<uint8_t>& builtin_target_btf_bytes() {
    static const std::vector<uint8_t> bytes = build();
    return bytes;
}

const Btf& builtin_target_btf() {
    static const Btf btf = [] {
        auto parsed = parse_btf(builtin_target_btf_bytes());
        if (!parsed) std::abort();  // a bug in build(): the tests parse it too and say why
        return std::move(parsed).value();
    }();
    return btf;
}

}  // namespace bpfplay
