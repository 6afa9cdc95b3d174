// Robustness sweeps over the fixtures: every prefix of a valid .BTF is rejected, and
// thousands of deterministic random corruptions of .BTF / .BTF.ext either fail cleanly
// or parse into something every query (naming, sizes, map defs, printing) handles.
// The point is "never crash, never hang, never read out of bounds" -- run under ASan.
#include <cstdint>
#include <random>

#include <doctest/doctest.h>

#include "btf/btf_test_util.hpp"
#include "core/btf/btf.hpp"
#include "core/btf/btf_ext.hpp"
#include "core/btf/btf_map_def.hpp"
#include "core/btf/btf_value.hpp"

using namespace bpfplay;
using bpfplay::test::load_fixture;

namespace {

// Touch everything a parsed Btf offers.
void exercise(const Btf& btf, std::span<const uint8_t> noise) {
    FormatOptions small;
    small.max_nodes = 2000;
    for (uint32_t id = 0; id < btf.type_count(); ++id) {
        (void)btf.type_to_string(id);
        (void)btf.resolve_size(id);
        (void)btf.skip_modifiers(id);
        (void)to_json(format_value(btf, id, noise, small));
    }
    (void)parse_btf_map_defs(btf);
    for (const char* sec : {".maps", ".data", ".rodata", ".bss"}) (void)btf.datasec(sec);
}

}  // namespace

TEST_CASE("robustness: every prefix of a valid .BTF is rejected") {
    for (const char* name : {"maps.o", "types.o"}) {
        auto fx = load_fixture(name);
        const auto& btf = fx.section(".BTF");
        REQUIRE(parse_btf(btf).ok());
        for (size_t len = 0; len < btf.size(); ++len) {
            auto r = parse_btf(std::span<const uint8_t>(btf.data(), len));
            CHECK_FALSE(r.ok());
        }
    }
}

TEST_CASE("robustness: random corruption of .BTF and .BTF.ext") {
    std::mt19937 rng(20240611);  // fixed seed: failures reproduce
    std::vector<uint8_t> noise(4096);
    for (auto& b : noise) b = static_cast<uint8_t>(rng());
    int parsed = 0, rejected = 0;
    for (const char* name : {"maps.o", "map_in_map.o", "types.o"}) {
        auto fx = load_fixture(name);
        const auto& good = fx.section(".BTF");
        const auto& good_ext = fx.section(".BTF.ext");
        auto base = parse_btf(good);
        REQUIRE(base.ok());
        for (int round = 0; round < 700; ++round) {
            std::vector<uint8_t> bad = good;
            int flips = 1 + static_cast<int>(rng() % 4);
            for (int f = 0; f < flips; ++f) {
                size_t at = rng() % bad.size();
                switch (rng() % 3) {
                case 0: bad[at] = static_cast<uint8_t>(rng()); break;
                case 1: bad[at] ^= static_cast<uint8_t>(1u << (rng() % 8)); break;
                default: bad[at] = (rng() & 1) ? 0xff : 0x00; break;
                }
            }
            auto r = parse_btf(bad);
            if (r.ok()) {
                ++parsed;
                exercise(*r, noise);
            } else {
                ++rejected;
                CHECK_FALSE(r.error().what.empty());
            }

            std::vector<uint8_t> bad_ext = good_ext;
            size_t at = rng() % bad_ext.size();
            bad_ext[at] = static_cast<uint8_t>(rng());
            auto e = parse_btf_ext(bad_ext, *base);
            if (e.ok()) {
                for (const auto& s : e->sections)
                    for (const auto& l : s.lines) (void)e->line_for(s.name, l.insn_idx);
            }
        }
    }
    MESSAGE("corrupted .BTF: " << parsed << " still valid, " << rejected << " rejected");
    CHECK(rejected > 0);
}
