// libFuzzer target: the BTF and BTF.ext parsers alone, without an ELF around them (the loader's
// target spends most inputs on ELF structure). Input: a 4-byte little-endian length, that many
// bytes of .BTF, the rest .BTF.ext. A parse must succeed or return an Error saying why; a parsed
// BTF must answer the queries the loader and the value printer make for every type id.
// Seeds: the .BTF/.BTF.ext sections of tests/btf/fixtures/*.o and public/examples/*.o
// (tools/fuzz/make_seeds.py).
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "core/btf/btf.hpp"
#include "core/btf/btf_ext.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace bpfplay;
    if (size < 4) return 0;
    uint32_t btf_len = 0;
    std::memcpy(&btf_len, data, 4);
    btf_len = uint32_t(std::min<size_t>(btf_len, size - 4));
    auto btf = parse_btf({data + 4, btf_len});
    if (!btf.ok()) {
        if (btf.error().what.empty()) __builtin_trap();  // every refusal must say why
        return 0;
    }
    // Bounded so a 100k-type input stays fast; the queries are per type.
    for (uint32_t id = 0; id < btf->type_count() && id < 256; ++id) {
        (void)btf->type_to_string(id);
        (void)btf->resolve_size(id);
        (void)btf->skip_to_layout(id);
        if (btf->kind(id) == BtfKind::Datasec) (void)btf->datasec(btf->name(id));
    }
    auto ext = parse_btf_ext({data + 4 + btf_len, size - 4 - btf_len}, *btf);
    if (!ext.ok() && ext.error().what.empty()) __builtin_trap();
    return 0;
}
