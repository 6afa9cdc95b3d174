#pragma once
// A program with the map helpers and its maps, for the tests that run assembled programs in the
// interpreter against a MapSet. (hex() for addresses in the assembly comes from core/hex.hpp.)
#include <doctest/doctest.h>

#include <memory>
#include <optional>
#include <string>

#include "core/decode.hpp"
#include "core/helpers/helper_catalog.hpp"
#include "core/helpers/helper_env.hpp"
#include "core/helpers/registry.hpp"
#include "core/hex.hpp"
#include "core/host/host.hpp"
#include "core/maps/map_helpers.hpp"
#include "core/maps/map_set.hpp"
#include "core/text/asm.hpp"
#include "core/vm.hpp"

namespace bpfplay::test {

inline HelperEnv env_of(Host& host, MapSet& maps) {
    HelperEnv env;
    env.host = &host;
    env.maps = &maps;
    return env;
}

// One program, its maps and its run.
struct Run {
    MapSet maps;
    Host host; // its cpu picks the per-CPU values the helpers see
    HelperEnv env = env_of(host, maps);
    HelperRegistry helpers;
    std::optional<Program> program;
    std::unique_ptr<Vm> vm;

    Run() {
        for (const HelperImpl& impl : map_helper_impls())
            helpers.add({impl.id, kernel_helper_name(impl.id), helper_proto(impl.id)->nargs, impl.fn});
    }

    // Assembles and decodes `text`; map references (lddw src 1) resolve through the set.
    void load(const std::string& text) {
        auto insns = assemble(text);
        REQUIRE_MESSAGE(insns.ok(), (insns.ok() ? std::string() : insns.error().to_string()));
        load_insns(insns.value());
    }
    void load_insns(const std::vector<Insn>& insns) {
        DecodeOptions options;
        options.helpers = &helpers;
        options.resolve_lddw = maps.lddw_resolver();
        auto decoded = decode(insns, options);
        REQUIRE_MESSAGE(decoded.ok(), (decoded.ok() ? std::string() : decoded.error().to_string()));
        program.emplace(std::move(decoded.value()));
        vm = std::make_unique<Vm>(*program);
        vm->env = &env;
        maps.map_into(vm->memory());
    }
    // Runs from the start; returns r0 of an exit.
    uint64_t run() {
        vm->reset();
        const RunStatus status = vm->run();
        REQUIRE_MESSAGE(status == RunStatus::Exited,
                        (vm->fault() ? vm->fault()->to_string() : std::string("?")));
        return vm->result();
    }
    // Runs from the start; expects a fault and returns it.
    Error fault() {
        vm->reset();
        REQUIRE(vm->run() == RunStatus::Faulted);
        REQUIRE(vm->fault().has_value());
        return *vm->fault();
    }
};

} // namespace bpfplay::test
