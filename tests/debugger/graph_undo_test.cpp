// Stepping back over the graph kfuncs restores the heap of allocated objects (which exist, their
// bytes: list links, tree links and colours, refcounts) and the heads and roots in map values and
// global data, state by state, across the less() callback frames of bpf_rbtree_add; forward
// again gives the same states.
#include <doctest/doctest.h>

#include "core/host/obj_heap.hpp"
#include "debugger/debug_fixture.hpp"
#include "run/kfunc_test_util.hpp"

namespace bpfplay::testing {

namespace {

// Which objects exist, and the bytes of each live one.
std::string heap_state(const ObjectSession& o) {
    const ObjHeap* heap = o.host().heap.get();
    if (!heap) return "no heap";
    std::string f = std::to_string(heap->count()) + ":";
    for (uint32_t i = 0; i < heap->count(); ++i) {
        const HeapObject& obj = heap->object(i);
        if (!obj.bytes) {
            f += "freed;";
            continue;
        }
        for (uint32_t k = 0; k < obj.size; ++k) f += std::to_string(obj.bytes[k]) + ",";
        f += ";";
    }
    return f;
}

} // namespace

TEST_CASE("stepping back over the list and rbtree kfuncs restores the heap, the heads and the roots") {
    auto o = test::open_object("public/examples/graph_kfuncs.o");
    RunInput in;
    in.ctx.assign(8, 0);
    auto opened = DebugSession::open(*o, "graph", in);
    REQUIRE(opened.ok());
    auto s = std::move(opened).value();
    std::vector<std::string> forward{fingerprint(*s) + heap_state(*o)};
    while (s->status() == RunStatus::Ready) {
        s->step();
        forward.push_back(fingerprint(*s) + heap_state(*o));
    }
    REQUIRE_MESSAGE(s->status() == RunStatus::Exited, (s->vm().fault() ? s->vm().fault()->what : ""));
    CHECK(forward.size() == 1068);  // the run's 1067 instructions
    CHECK(o->host().heap->count() == 15);
    for (size_t k = forward.size() - 1; k > 0; --k) {
        s->step_back();
        REQUIRE_MESSAGE(fingerprint(*s) + heap_state(*o) == forward[k - 1], "back at " << k - 1);
    }
    CHECK(!o->host().heap);  // made by the first bpf_obj_new: gone again before it
    for (size_t k = 1; k < forward.size(); ++k) {
        s->step();
        REQUIRE_MESSAGE(fingerprint(*s) + heap_state(*o) == forward[k], "forward again at " << k);
    }
}

} // namespace bpfplay::testing
