#pragma once
// What the kfunc tests share: opening a committed object (an example's, built by
// examples/build.sh) and reading an array map's 8-byte slot.
#include <doctest/doctest.h>

#include <fstream>
#include <iterator>
#include <memory>
#include <string>

#include "core/maps/map.hpp"
#include "core/maps/map_set.hpp"
#include "core/run/object_session.hpp"
#include "maps/map_test_util.hpp"

namespace bpfplay::test {

inline std::unique_ptr<ObjectSession> open_object(const std::string& path, Host host = {}) {
    std::ifstream f(std::string(BPFPLAY_SOURCE_DIR) + "/" + path, std::ios::binary);
    const std::vector<uint8_t> bytes{std::istreambuf_iterator<char>(f), {}};
    REQUIRE_FALSE(bytes.empty());
    auto s = ObjectSession::open(bytes, path.substr(path.rfind('/') + 1), std::move(host));
    if (!s.ok()) FAIL(s.error().to_string());
    return std::move(s).value();
}

inline int64_t slot(ObjectSession& s, const char* map, uint32_t index) {
    std::vector<uint8_t> value(8);
    REQUIRE(s.object().maps->find(map)->lookup_user(bytes(index), value) == 0);
    return load_le<int64_t>(value.data());
}

} // namespace bpfplay::test
