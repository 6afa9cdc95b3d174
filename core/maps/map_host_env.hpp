#pragma once
// The map helpers inside the emulated host: vm.user points at a Host (core/host/host.hpp), whose
// `maps` member points at the run's MapSet and whose `cpu` is the CPU the program runs on.
// Create per-CPU maps with MapSpec::ncpus = Host::ncpus so every CPU the host can run on has
// its value. Header-only: it reads two Host fields, so bpfplay_maps needs no link to the host.
#include "core/host/host.hpp"
#include "core/maps/map_helpers.hpp"
#include "core/vm.hpp"

namespace bpfplay {

inline MapEnv map_env_from_host(Vm& vm) {
    const auto* host = static_cast<const Host*>(vm.user);
    if (!host) return {};
    return {static_cast<MapSet*>(host->maps), host->cpu};
}

inline void add_map_helpers_for_host(HelperRegistry& registry) {
    add_map_helpers_with<&map_env_from_host>(registry);
}

}  // namespace bpfplay
