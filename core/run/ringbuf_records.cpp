#include "core/run/ringbuf_records.hpp"

#include "core/btf/btf.hpp"
#include "core/maps/ringbuf_map.hpp"

namespace bpfplay {

uint32_t record_type_of_size(const Btf& btf, uint32_t size) {
    uint32_t found = 0;
    for (uint32_t id = 1; id < btf.type_count(); ++id) {
        const BtfType* t = btf.type(id);
        if (!t || !t->is_struct_or_union() || t->size != size || btf.name(id).empty()) continue;
        if (found) return 0;
        found = id;
    }
    return found;
}

std::vector<RingbufRecordView> ringbuf_records(const RingbufMap& map, const Btf* btf) {
    std::vector<RingbufRecordView> out;
    for (std::vector<uint8_t>& bytes : map.submitted()) {
        RingbufRecordView r;
        r.index = uint32_t(out.size());
        r.type_id = btf ? record_type_of_size(*btf, uint32_t(bytes.size())) : 0;
        if (r.type_id) r.type_name = btf->type_to_string(r.type_id);
        r.label = "record " + std::to_string(r.index) + " (" + (r.type_id ? r.type_name + ", " : "") +
                  std::to_string(bytes.size()) + (bytes.size() == 1 ? " byte)" : " bytes)");
        r.bytes = std::move(bytes);
        out.push_back(std::move(r));
    }
    return out;
}

}  // namespace bpfplay
