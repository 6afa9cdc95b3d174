#include "core/maps/map_helpers.hpp"

#include "core/hex.hpp"

#include <cstdio>
#include <string>

#include "core/helpers/helper_env.hpp"
#include "core/host/host.hpp"
#include "core/host/host_events.hpp"
#include "core/host/kernel_objects.hpp"
#include "core/maps/map_set.hpp"
#include "core/maps/map_types.hpp"
#include "core/vm.hpp"

namespace bpfplay {

namespace {

void fail(Vm& vm, const char* helper, std::string what, std::string hint, const Map* map = nullptr) {
    Error err = make_error(ErrorKind::Helper, std::string(helper) + ": " + std::move(what), std::nullopt,
                           std::move(hint));
    if (map) err.where.map = map->name();
    vm.helper_fail(std::move(err));
}

// Why a verified program could not make this call on this map (check_map_func_compatibility
// and record_func_map in the kernel's verifier), or empty.
std::string verifier_refusal(const Map& map, int32_t helper, const char* helper_name, std::string* hint) {
    const bool keyed = helper == helper_id::kMapLookupElem || helper == helper_id::kMapUpdateElem ||
                       helper == helper_id::kMapDeleteElem || helper == helper_id::kMapLookupPercpuElem;
    const bool writes = helper == helper_id::kMapUpdateElem || helper == helper_id::kMapDeleteElem ||
                        helper == helper_id::kMapPushElem || helper == helper_id::kMapPopElem;
    const MapTypeInfo& info = *map_type_info(map.type());
    // bpf_map_lookup_percpu_elem takes the per-CPU maps only.
    const bool percpu_refused = helper == helper_id::kMapLookupPercpuElem && !info.percpu;
    const bool allowed = program_may_pass(info.program_access, helper) && !percpu_refused;
    auto type_hint = [&] {
        *hint = percpu_refused ? "bpf_map_lookup_percpu_elem reads the per-CPU maps only (percpu_array, percpu_hash, "
                                 "lru_percpu_hash); use bpf_map_lookup_elem for this one."
                               : info.program_hint;
        if (hint->empty())
            *hint = "bpf_map_push_elem, bpf_map_pop_elem and bpf_map_peek_elem are only for queues and stacks "
                    "(push and peek also for bloom filters).";
    };
    auto refused = [&](const std::string& kernel_says) {
        return "cannot be used on " + map.describe() + ": the kernel's verifier refuses it (\"" + kernel_says + "\")";
    };
    // The verifier checks the arguments first (a map without keys, or without values, fails
    // on the key or value pointer), then the map's flags (record_func_map), then whether the
    // helper takes the map's type (check_map_func_compatibility).
    const uint32_t arg_size = keyed ? map.key_size() : map.value_size();
    if (!allowed && arg_size == 0) {
        type_hint();
        return refused("invalid zero-sized read");
    }
    // An xskmap is read-only for programs through its lookup's socket type, not a map flag: the
    // verifier refuses writes for its type below.
    if (writes && (map.map_flags() & map_flag::kRdonlyProg) && map.type() != MapType::Xskmap) {
        if (map.type() == MapType::Devmap || map.type() == MapType::DevmapHash) {
            // dev_map_init_map sets BPF_F_RDONLY_PROG itself: lookups point at the kernel's entry.
            *hint = info.program_hint;
            return "cannot change " + map.describe() + ": the kernel makes every devmap read-only for programs "
                   "(BPF_F_RDONLY_PROG) and its verifier refuses the call (\"write into map forbidden\")";
        }
        *hint = "Programs may only read this map; userspace can still change it.";
        return "cannot change " + map.describe() + ", which was created with BPF_F_RDONLY_PROG: the kernel's "
               "verifier refuses it (\"write into map forbidden\")";
    }
    if (!allowed) {
        type_hint();
        return refused("cannot pass map_type " + std::to_string(static_cast<uint32_t>(map.type())) + " into func " +
                       helper_name + "#" + std::to_string(helper));
    }
    return {};
}

// The map behind the `map` argument, checked as the verifier would; nullptr after failing the run.
Map* map_arg(Vm& vm, const MapEnv& env, int32_t helper, const char* name, uint64_t r1) {
    if (!env.maps) {
        fail(vm, name, "this run has no maps to look in (the VM was started without a map environment)",
             "Load the program from its ELF object, so its maps are created with it.");
        return nullptr;
    }
    MapSet& maps = *env.maps;
    Map* map = maps.from_handle(r1);
    if (!map) {
        std::string what = "r1 = " + hex(r1) + " is not a map";
        if (r1 == 0) {
            what = "r1 is 0 (NULL), not a map";
        } else if (r1 >= kMapHandleBase && r1 < map_handle(maps.size())) {
            what += ": it is " + std::to_string((r1 - kMapHandleBase) % kMapHandleStride) + " bytes past map \"" +
                    maps.get(uint32_t((r1 - kMapHandleBase) / kMapHandleStride))->name() + "\"";
        } else if (auto loc = maps.from_value_address(r1)) {
            what += ": it points into the values of map \"" + loc->map->name() + "\"";
        }
        fail(vm, name, std::move(what),
             "Pass the map itself as the first argument (r1 = <map> ll, the lddw the loader fills in), not a "
             "pointer to a value.");
        return nullptr;
    }
    std::string hint;
    if (std::string why = verifier_refusal(*map, helper, name, &hint); !why.empty()) {
        fail(vm, name, std::move(why), std::move(hint), map);
        return nullptr;
    }
    if (env.cpu >= map->ncpus()) {
        fail(vm, name,
             "the program runs on CPU " + std::to_string(env.cpu) + ", but " + map->describe() +
                 " was created for " + std::to_string(map->ncpus()) + " CPUs",
             "Run on a CPU below " + std::to_string(map->ncpus()) + ", or create the map with more CPUs.", map);
        return nullptr;
    }
    return map;
}

// `size` readable bytes at `addr` (argument `reg`), or nullptr after failing the run.
const uint8_t* bytes_arg(Vm& vm, const char* name, const Map& map, const char* what, const char* reg, uint64_t addr,
                         uint32_t size, const char* size_name) {
    if (const uint8_t* p = vm.memory().helper_ptr(addr, size, /*write=*/false)) return p;
    const Error fault = vm.memory().describe_fault(addr, size, Access::HelperRead, vm.current_pc());
    fail(vm, name,
         std::string("the ") + what + " pointer " + reg + " = " + hex(addr) + " does not point to " +
             std::to_string(size) + " readable bytes (the " + size_name + " of " + map.describe() + "): " + fault.what,
         std::string("Put the ") + what + " on the stack and pass its address, e.g. *(u32 *)(r10 - 4) = 0; " + reg +
             " = r10; " + reg + " += -4.",
         &map);
    return nullptr;
}

// `size` writable bytes at `addr` (the value a pop or peek fills), or nullptr after failing the run.
uint8_t* writable_arg(Vm& vm, const char* name, const Map& map, const char* reg, uint64_t addr, uint32_t size) {
    if (uint8_t* p = vm.memory().helper_ptr(addr, size, /*write=*/true)) return p;
    const Error fault = vm.memory().describe_fault(addr, size, Access::HelperWrite, vm.current_pc());
    fail(vm, name,
         std::string("the value pointer ") + reg + " = " + hex(addr) + " does not point to " + std::to_string(size) +
             " writable bytes (the value_size of " + map.describe() + "): " + fault.what,
         std::string("Pass a buffer on the stack, e.g. ") + reg + " = r10; " + reg + " += -" + std::to_string(size) +
             " (the helper fills it).",
         &map);
    return nullptr;
}

}  // namespace

MapEnv map_env(const Vm& vm) {
    if (!vm.env) return {};
    return {vm.env->maps, vm.env->host ? vm.env->host->cpu : 0};
}

namespace map_helpers_detail {

uint64_t lookup_elem(Vm& vm, const MapEnv& env, uint64_t r1, uint64_t r2) {
    constexpr const char* kName = "bpf_map_lookup_elem";
    Map* map = map_arg(vm, env, helper_id::kMapLookupElem, kName, r1);
    if (!map) return 0;
    const uint8_t* key = bytes_arg(vm, kName, *map, "key", "r2", r2, map->key_size(), "key_size");
    if (!key) return 0;
    const uint64_t found = map->lookup_elem({key, map->key_size()}, env.cpu);
    // sock_map_lookup / sock_hash_lookup take a reference on the socket they return: the
    // program holds it until bpf_sk_release (the verifier treats the lookup as an acquire).
    if (found && (map->type() == MapType::Sockmap || map->type() == MapType::Sockhash) && vm.env && vm.env->host) {
        Host& host = *vm.env->host;
        // (The address is a socket's struct bpf_sock: the socket resolver gave it.)
        const uint64_t index = (found - socket_address(0)) / bpf_sock::kSize;
        if (index < host.net.sockets.size()) {
            host.net.run.held_sockets.push_back(uint32_t(index));
            host.events.push_back({vm.executed_now(), vm.current_pc(), kName,
                                   map->describe() + " gives the socket with cookie " +
                                       std::to_string(host.net.sockets[index].cookie) +
                                       ": the program now holds a reference and must give it back with "
                                       "bpf_sk_release"});
        }
    }
    return found;
}

uint64_t update_elem(Vm& vm, const MapEnv& env, uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4) {
    constexpr const char* kName = "bpf_map_update_elem";
    Map* map = map_arg(vm, env, helper_id::kMapUpdateElem, kName, r1);
    if (!map) return 0;
    const uint8_t* key = bytes_arg(vm, kName, *map, "key", "r2", r2, map->key_size(), "key_size");
    if (!key) return 0;
    const uint8_t* value = bytes_arg(vm, kName, *map, "value", "r3", r3, map->value_size(), "value_size");
    if (!value) return 0;
    return uint64_t(map->update_elem({key, map->key_size()}, {value, map->value_size()}, r4, env.cpu));
}

uint64_t delete_elem(Vm& vm, const MapEnv& env, uint64_t r1, uint64_t r2) {
    constexpr const char* kName = "bpf_map_delete_elem";
    Map* map = map_arg(vm, env, helper_id::kMapDeleteElem, kName, r1);
    if (!map) return 0;
    const uint8_t* key = bytes_arg(vm, kName, *map, "key", "r2", r2, map->key_size(), "key_size");
    if (!key) return 0;
    return uint64_t(map->delete_elem({key, map->key_size()}));
}

uint64_t lookup_percpu_elem(Vm& vm, const MapEnv& env, uint64_t r1, uint64_t r2, uint64_t r3) {
    constexpr const char* kName = "bpf_map_lookup_percpu_elem";
    Map* map = map_arg(vm, env, helper_id::kMapLookupPercpuElem, kName, r1);
    if (!map) return 0;
    const uint8_t* key = bytes_arg(vm, kName, *map, "key", "r2", r2, map->key_size(), "key_size");
    if (!key) return 0;
    // The cpu argument is a u32; a CPU at or past nr_cpu_ids (the map's CPU count) gives NULL,
    // as a missing key does.
    const uint32_t cpu = uint32_t(r3);
    if (cpu >= map->ncpus()) return 0;
    return map->lookup_elem({key, map->key_size()}, cpu);
}

uint64_t push_elem(Vm& vm, const MapEnv& env, uint64_t r1, uint64_t r2, uint64_t r3) {
    constexpr const char* kName = "bpf_map_push_elem";
    Map* map = map_arg(vm, env, helper_id::kMapPushElem, kName, r1);
    if (!map) return 0;
    const uint8_t* value = bytes_arg(vm, kName, *map, "value", "r2", r2, map->value_size(), "value_size");
    if (!value) return 0;
    return uint64_t(map->push_elem({value, map->value_size()}, r3));
}

uint64_t pop_elem(Vm& vm, const MapEnv& env, uint64_t r1, uint64_t r2) {
    constexpr const char* kName = "bpf_map_pop_elem";
    Map* map = map_arg(vm, env, helper_id::kMapPopElem, kName, r1);
    if (!map) return 0;
    uint8_t* value = writable_arg(vm, kName, *map, "r2", r2, map->value_size());
    if (!value) return 0;
    return uint64_t(map->pop_elem({value, map->value_size()}));
}

uint64_t peek_elem(Vm& vm, const MapEnv& env, uint64_t r1, uint64_t r2) {
    constexpr const char* kName = "bpf_map_peek_elem";
    Map* map = map_arg(vm, env, helper_id::kMapPeekElem, kName, r1);
    if (!map) return 0;
    // The verifier wants writable memory even for a bloom filter, whose peek only reads it.
    uint8_t* value = writable_arg(vm, kName, *map, "r2", r2, map->value_size());
    if (!value) return 0;
    return uint64_t(map->peek_elem({value, map->value_size()}));
}

}  // namespace map_helpers_detail

namespace {

uint64_t lookup(Vm& vm, uint64_t r1, uint64_t r2, uint64_t, uint64_t, uint64_t) {
    return map_helpers_detail::lookup_elem(vm, map_env(vm), r1, r2);
}
uint64_t update(Vm& vm, uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t) {
    return map_helpers_detail::update_elem(vm, map_env(vm), r1, r2, r3, r4);
}
uint64_t remove(Vm& vm, uint64_t r1, uint64_t r2, uint64_t, uint64_t, uint64_t) {
    return map_helpers_detail::delete_elem(vm, map_env(vm), r1, r2);
}

uint64_t lookup_percpu(Vm& vm, uint64_t r1, uint64_t r2, uint64_t r3, uint64_t, uint64_t) {
    return map_helpers_detail::lookup_percpu_elem(vm, map_env(vm), r1, r2, r3);
}

uint64_t push(Vm& vm, uint64_t r1, uint64_t r2, uint64_t r3, uint64_t, uint64_t) {
    return map_helpers_detail::push_elem(vm, map_env(vm), r1, r2, r3);
}
uint64_t pop(Vm& vm, uint64_t r1, uint64_t r2, uint64_t, uint64_t, uint64_t) {
    return map_helpers_detail::pop_elem(vm, map_env(vm), r1, r2);
}
uint64_t peek(Vm& vm, uint64_t r1, uint64_t r2, uint64_t, uint64_t, uint64_t) {
    return map_helpers_detail::peek_elem(vm, map_env(vm), r1, r2);
}

constexpr HelperImpl kMapHelperImpls[] = {
    {helper_id::kMapLookupElem, lookup},  // bpf_map_lookup_elem
    {helper_id::kMapUpdateElem, update},  // bpf_map_update_elem
    {helper_id::kMapDeleteElem, remove},  // bpf_map_delete_elem
    {helper_id::kMapLookupPercpuElem, lookup_percpu},  // bpf_map_lookup_percpu_elem
    {helper_id::kMapPushElem, push},      // bpf_map_push_elem
    {helper_id::kMapPopElem, pop},        // bpf_map_pop_elem
    {helper_id::kMapPeekElem, peek},      // bpf_map_peek_elem
};

}  // namespace

std::span<const HelperImpl> map_helper_impls() { return kMapHelperImpls; }

}  // namespace bpfplay
