#pragma once
// A fresh ObjectSession of a bundled example for each fuzz input (so no map contents carry over
// from one input to the next), from the object's bytes read once.
#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "cli/input_formats.hpp"
#include "core/run/object_session.hpp"

namespace bpfplay::fuzz {

inline std::unique_ptr<ObjectSession> open_example(const std::string& file) {
    static std::map<std::string, std::string> elves;
    auto [it, fresh] = elves.try_emplace(file);
    if (fresh) {
        auto bytes = cli::read_file(BPFPLAY_SOURCE_DIR "/public/examples/" + file);
        if (!bytes.ok()) __builtin_trap();
        it->second = std::move(bytes).value();
    }
    const std::string& elf = it->second;
    auto s = ObjectSession::open({reinterpret_cast<const uint8_t*>(elf.data()), elf.size()}, file, Host{});
    if (!s.ok()) __builtin_trap();
    return std::move(s).value();
}

}  // namespace bpfplay::fuzz
