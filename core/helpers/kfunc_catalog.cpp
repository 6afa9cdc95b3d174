#include "core/helpers/kfunc_catalog.hpp"

#include <algorithm>
#include <cstring>

#include "core/helpers/helper_catalog.hpp"

namespace bpfplay {

namespace catalog_data {
extern const KfuncProto kKfuncs[];
extern const unsigned kKfuncCount;
} // namespace catalog_data

std::span<const KfuncProto> kfunc_protos() { return {catalog_data::kKfuncs, catalog_data::kKfuncCount}; }

const KfuncProto* kfunc_proto(std::string_view name) {
    const auto all = kfunc_protos();
    auto it = std::lower_bound(all.begin(), all.end(), name,
                               [](const KfuncProto& k, std::string_view n) { return std::string_view(k.name) < n; });
    return it != all.end() && it->name == name ? &*it : nullptr;
}

KfuncVerdict kfunc_verdict(std::string_view name, ProgType type, AttachType attach) {
    const KfuncProto* proto = kfunc_proto(name);
    if (!proto) return KfuncVerdict::Unknown;
    const HelperRule* rule = helper_rule_for(type, attach);
    if (!rule) return KfuncVerdict::Allowed;
    const size_t row = size_t(rule - helper_rules().data());
    return (proto->allowed >> row) & 1 ? KfuncVerdict::Allowed : KfuncVerdict::NotForThisType;
}

bool is_xdp_metadata_kfunc(std::string_view name) {
    return name == "bpf_xdp_metadata_rx_timestamp" || name == "bpf_xdp_metadata_rx_hash" ||
           name == "bpf_xdp_metadata_rx_vlan_tag";
}

std::string_view kfunc_flags_text(uint32_t flags, char (&buffer)[160]) {
    static constexpr std::pair<uint32_t, const char*> kNames[] = {
        {KF_ACQUIRE, "KF_ACQUIRE"},     {KF_RELEASE, "KF_RELEASE"},           {KF_RET_NULL, "KF_RET_NULL"},
        {KF_TRUSTED_ARGS, "KF_TRUSTED_ARGS"}, {KF_SLEEPABLE, "KF_SLEEPABLE"}, {KF_DESTRUCTIVE, "KF_DESTRUCTIVE"},
        {KF_RCU, "KF_RCU"},             {KF_ITER_NEW, "KF_ITER_NEW"},         {KF_ITER_NEXT, "KF_ITER_NEXT"},
        {KF_ITER_DESTROY, "KF_ITER_DESTROY"}, {KF_RCU_PROTECTED, "KF_RCU_PROTECTED"}, {KF_FASTCALL, "KF_FASTCALL"},
    };
    size_t used = 0;
    buffer[0] = 0;
    for (const auto& [bit, text] : kNames) {
        if (!(flags & bit)) continue;
        const size_t need = std::strlen(text) + (used ? 3 : 0);
        if (used + need + 1 > sizeof buffer) break;
        if (used) std::memcpy(buffer + used, " | ", 3), used += 3;
        std::memcpy(buffer + used, text, std::strlen(text) + 1);
        used += std::strlen(text);
    }
    return {buffer, used};
}

} // namespace bpfplay
