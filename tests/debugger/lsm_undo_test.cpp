// Stepping back over bpf_bprm_opts_set: the secureexec bit the helper (kernel code) set in the
// emulated linux_binprm, which the program may not write, is cleared again, and its event goes.
#include <doctest/doctest.h>

#include <string>

#include "core/btf/builtin_target_btf.hpp"
#include "core/host/kernel_objects.hpp"
#include "debugger/debug_fixture.hpp"

namespace bpfplay::testing {

TEST_CASE("stepping back over bpf_bprm_opts_set clears bprm->secureexec again") {
    const Btf& btf = builtin_target_btf();
    uint32_t bit_offset = 0;
    for (const BtfMember& m : btf.members(*btf.find_by_name("linux_binprm", BtfKind::Struct)))
        if (btf.string_at(m.name_off) == "secureexec") bit_offset = m.bit_offset;
    REQUIRE(bit_offset != 0);
    auto o = ObjectSession::open_assembly("r1 = *(u64 *)(r1 + 0)\nr2 = 1\ncall bpf_bprm_opts_set\nexit\n",
                                          "lsm/bprm_check_security");
    REQUIRE(o.ok());
    ObjectSession& object = *o.value();
    const uint64_t bprm = kernel_object_addresses(object.host()).bprm;
    REQUIRE(bprm != 0);
    RunInput in;
    auto d = DebugSession::open(object, "asm", in);
    REQUIRE(d.ok());
    DebugSession& s = *d.value();
    auto secureexec = [&] {
        const uint8_t* b = s.vm().memory().helper_ptr(bprm + bit_offset / 8, 1, false);
        REQUIRE(b);
        return (*b >> (bit_offset % 8)) & 1;
    };
    CHECK(secureexec() == 0);
    const std::vector<std::string> forward = fingerprints_to_end(s);
    REQUIRE(s.status() == RunStatus::Exited);
    CHECK(s.vm().result() == 0);
    CHECK(secureexec() == 1);
    CHECK(object.host().events.size() == 1);
    require_same_states_back(s, forward);
    CHECK(secureexec() == 0);
    CHECK(object.host().events.empty());
}

}  // namespace bpfplay::testing
