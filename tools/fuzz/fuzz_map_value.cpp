// libFuzzer target: map values written as C values (the page's map editor, bpfvm's C-value
// JSON: core/btf/btf_encode.hpp) for any type of the built-in kernel BTF. Input: two bytes
// choosing the type, then the JSON text. encode_value_json must return the type's bytes or an
// error saying why; what it returns must print (btf_value's to_json) and encode back to the
// same bytes, the round trip btf_encode.hpp promises.
// Seeds: values printed from example objects' types and small variations (make_seeds.py).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/btf/btf_encode.hpp"
#include "core/btf/btf_value.hpp"
#include "core/btf/builtin_target_btf.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace bpfplay;
    if (size < 2) return 0;
    const Btf& btf = builtin_target_btf();
    const uint32_t id = 1 + uint32_t(data[0] | data[1] << 8) % (btf.type_count() - 1);
    const std::string_view json(reinterpret_cast<const char*>(data + 2), size - 2);
    auto bytes = encode_value_json(btf, id, json);
    if (!bytes.ok()) {
        if (bytes.error().what.empty()) __builtin_trap();
        return 0;
    }
    const auto want = btf.resolve_size(id);
    if (want.ok() && bytes->size() != *want) __builtin_trap();  // exactly the type's bytes
    const std::string printed = to_json(format_value(btf, id, *bytes));
    auto again = encode_value_json(btf, id, printed);
    if (!again.ok() || *again != *bytes) __builtin_trap();
    return 0;
}
