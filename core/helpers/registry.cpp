#include "core/helpers/registry.hpp"

#include <algorithm>

namespace bpfplay {

void HelperRegistry::add(const HelperSpec& spec) {
    auto it = std::lower_bound(specs_.begin(), specs_.end(), spec.id,
                               [](const HelperSpec& s, int32_t id) { return s.id < id; });
    if (it != specs_.end() && it->id == spec.id) *it = spec;
    else specs_.insert(it, spec);
}

void HelperRegistry::add_all(std::span<const HelperSpec> specs) {
    for (const auto& s : specs) add(s);
}

const HelperSpec* HelperRegistry::find(int32_t id) const {
    auto it = std::lower_bound(specs_.begin(), specs_.end(), id,
                               [](const HelperSpec& s, int32_t v) { return s.id < v; });
    return it != specs_.end() && it->id == id ? &*it : nullptr;
}

void KfuncRegistry::add_all(std::span<const KfuncImpl> impls) {
    for (const KfuncImpl& k : impls) {
        auto it = std::lower_bound(impls_.begin(), impls_.end(), std::string_view(k.name),
                                   [](const KfuncImpl& a, std::string_view n) { return std::string_view(a.name) < n; });
        if (it != impls_.end() && std::string_view(it->name) == k.name) *it = k;
        else impls_.insert(it, k);
    }
}

const KfuncImpl* KfuncRegistry::find(std::string_view name) const {
    auto it = std::lower_bound(impls_.begin(), impls_.end(), name,
                               [](const KfuncImpl& a, std::string_view n) { return std::string_view(a.name) < n; });
    return it != impls_.end() && std::string_view(it->name) == name ? &*it : nullptr;
}

}  // namespace bpfplay
