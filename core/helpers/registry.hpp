#pragma once
// Helpers by id: name, argument count and implementation. decode() resolves every helper call
// against a registry, so the interpreter only ever makes one indirect call per helper.
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "core/program.hpp"

namespace bpfplay {

// One helper bpfplay implements: the kernel's id and the function that does its work. Its
// name and arguments come from the catalog (helper_catalog.hpp); core/run/kernel_helpers.cpp
// joins each family's table of these into the registry object programs run with.
struct HelperImpl {
    int32_t id = 0;
    HelperFn fn = nullptr;
};

struct HelperSpec {
    int32_t id = 0;
    const char* name = "";  // the kernel's name where there is one ("bpf_map_lookup_elem")
    uint8_t nargs = 0;      // r1..r<nargs> must be initialized at the call
    HelperFn fn = nullptr;
};

class HelperRegistry {
public:
    // Adds or replaces the helper with spec.id.
    void add(const HelperSpec& spec);
    void add_all(std::span<const HelperSpec> specs);
    const HelperSpec* find(int32_t id) const;
    const std::vector<HelperSpec>& all() const { return specs_; }

private:
    std::vector<HelperSpec> specs_;  // sorted by id
};

// One kfunc bpfplay implements: the kernel's name (its row in kfunc_catalog.hpp) and the
// function that does its work. Calls to it bind like helper calls (kKfuncBindingBase + its
// catalog index), so the interpreter calls a kfunc exactly as it calls a helper.
struct KfuncImpl {
    const char* name = "";
    HelperFn fn = nullptr;
};

class KfuncRegistry {
public:
    void add_all(std::span<const KfuncImpl> impls);
    const KfuncImpl* find(std::string_view name) const;
    const std::vector<KfuncImpl>& all() const { return impls_; }

private:
    std::vector<KfuncImpl> impls_;  // sorted by name
};

}  // namespace bpfplay
