// The built-in target BTF: the trimmed vmlinux BTF compiled in as bytes (see
// builtin_target_btf.hpp), parsed like any object's .BTF.
#include "core/btf/builtin_target_btf.hpp"

#include <cstdlib>

namespace bpfplay {

// Defined in the source cmake/embed_bytes.cmake generates from core/btf/data/vmlinux-6.18.btf.
extern const uint8_t vmlinux_btf_data[];
extern const size_t vmlinux_btf_data_size;

const std::vector<uint8_t>& builtin_target_btf_bytes() {
    static const std::vector<uint8_t> bytes(vmlinux_btf_data, vmlinux_btf_data + vmlinux_btf_data_size);
    return bytes;
}

const Btf& builtin_target_btf() {
    static const Btf btf = [] {
        auto parsed = parse_btf(builtin_target_btf_bytes());
        if (!parsed) std::abort();  // a bad data file: the tests parse it too and say why
        return std::move(parsed).value();
    }();
    return btf;
}

}  // namespace bpfplay
