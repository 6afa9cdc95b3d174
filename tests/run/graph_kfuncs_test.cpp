// The graph kfuncs (bpf_obj_new/drop, bpf_refcount_acquire, the list and rbtree kfuncs) on
// examples/graph_kfuncs.c, whose results are what Linux 6.18 gave for the same object under
// BPF_PROG_TEST_RUN (examples/cases/graph_kfuncs.json: tests/kernel/kernel_run
// public/examples/graph_kfuncs.o graph --ctx 0000000000000000), and on
// tests/run/bpf/graph_misuse.c's programs for the paths a verified program rarely reaches.
#include <doctest/doctest.h>

#include <string>

#include "core/host/obj_heap.hpp"
#include "core/run/graph_objects.hpp"
#include "run/kfunc_test_util.hpp"

using namespace bpfplay;

namespace {

RunInput syscall_ctx() {
    RunInput in;
    in.ctx.assign(8, 0);
    return in;
}

RunResult run_ok(ObjectSession& s, const char* prog) {
    RunResult r = s.run(prog, syscall_ctx());
    REQUIRE_MESSAGE(r.status == RunStatus::Exited, (r.error ? r.error->to_string() : ""));
    return r;
}

// A global data map's 8-byte word at `offset`.
int64_t global_word(ObjectSession& s, const char* map, uint32_t offset) {
    Map* m = s.object().maps->find(map);
    REQUIRE(m);
    std::vector<uint8_t> v(m->value_size());
    REQUIRE(m->lookup_user(test::bytes(0u), v) == 0);
    return load_le<int64_t>(v.data() + offset);
}

} // namespace

TEST_CASE("graph_kfuncs example: lists and an rbtree of allocated objects give the kernel's results") {
    auto s = test::open_object("public/examples/graph_kfuncs.o");
    CHECK(run_ok(*s, "graph").r0 == 0);
    CHECK(test::slot(*s, "results", 0) == 0);          // five pushes
    CHECK(test::slot(*s, "results", 1) == 10);         // bpf_list_front
    CHECK(test::slot(*s, "results", 2) == 4);          // bpf_list_back
    CHECK(test::slot(*s, "results", 3) == -22);        // a node in the list pushed again: -EINVAL
    CHECK(test::slot(*s, "results", 4) == 0xa4132);    // popped front, back, front, back, front
    CHECK(test::slot(*s, "results", 5) == 1);          // the sixth pop: NULL
    CHECK(test::slot(*s, "results", 6) == 1);          // the bag dropped
    CHECK(test::slot(*s, "results", 7) == 0);          // seven rbtree adds
    CHECK(test::slot(*s, "results", 8) == 0x20104060); // root 0x20, left 0x10, right 0x40, its right 0x60
    CHECK(test::slot(*s, "results", 9) == 0x10);       // bpf_rbtree_first
    CHECK(test::slot(*s, "results", 10) == 0x30106070);      // the root removed: its successor 0x30 takes its place
    CHECK(test::slot(*s, "results", 11) == 0x103040506070);  // drained smallest first
    CHECK(global_word(*s, "graph_kf.bss", 0) == 15);         // less() calls, as the kernel's walk asked them
    CHECK(s->object().maps->find("lists")->entries(16).empty());

    // Every object is freed: 5 list items, the bag and its 2 items, 7 tree nodes.
    const ObjHeap& heap = *s->host().heap;
    CHECK(heap.count() == 15);
    CHECK(heap.live_count() == 0);
    CHECK(heap.object(0).type_name == "struct item");
    CHECK(heap.object(0).size == 40);
    CHECK(heap.object(5).type_name == "struct bag");

    // The heap outlives the run: a second run allocates after the first's objects (slots are never
    // reused) and gives the same results.
    run_ok(*s, "graph");
    CHECK(heap.count() == 30);
    CHECK(heap.live_count() == 0);
    CHECK(test::slot(*s, "results", 4) == 0xa4132);
    CHECK(test::slot(*s, "results", 11) == 0x103040506070);
}

TEST_CASE("bpf_obj_new gives zeroed objects at fixed addresses with the kernel's special fields set") {
    auto s = test::open_object("public/examples/graph_kfuncs.o");
    run_ok(*s, "graph");
    // Object 0 (struct item: value, node at 8, ref at 32) was popped and dropped; its bytes went.
    const ObjHeap& heap = *s->host().heap;
    CHECK(ObjHeap::address(0) == 0x12800000000ull);
    CHECK(ObjHeap::address(1) == 0x12800001000ull);
    REQUIRE(heap.object(0).fields.size() == 2);
    CHECK(heap.object(0).fields[0].kind == GraphFieldKind::ListNode);
    CHECK(heap.object(0).fields[0].offset == 8);
    CHECK(heap.object(0).fields[1].kind == GraphFieldKind::Refcount);
    CHECK(heap.object(0).fields[1].offset == 32);
    // struct bag: its lock and its list head.
    REQUIRE(heap.object(5).fields.size() == 2);
    CHECK(heap.object(5).fields[0].kind == GraphFieldKind::SpinLock);
    CHECK(heap.object(5).fields[1].kind == GraphFieldKind::ListHead);
    CHECK(heap.object(5).fields[1].offset == 8);
    CHECK(!s->object().maps->find("results")->entries(16).empty());
}

TEST_CASE("an object read after bpf_obj_drop faults at its address") {
    auto s = test::open_object("tests/run/bpf/graph_misuse.o");
    RunResult r = s->run("use_after_drop", syscall_ctx());
    REQUIRE(r.status == RunStatus::Faulted);
    REQUIRE(r.error);
    CHECK(r.error->kind == ErrorKind::Memory);
    CHECK(r.error->where.address == 0x12800000000ull);
    CHECK(r.error->what ==
          "8-byte load at 0x12800000000 is inside the 268435456-byte objects allocated with bpf_obj_new at "
          "0x12800000000 but in no live object: the object there was freed (bpf_obj_drop, or dropped with the list "
          "or tree that owned it), or none was ever allocated there");
}

TEST_CASE("a read past an object's end faults, though its heap slot has room") {
    auto s = test::open_object("tests/run/bpf/graph_misuse.o");
    RunResult r = s->run("read_past_end", syscall_ctx());
    REQUIRE(r.status == RunStatus::Faulted);
    REQUIRE(r.error);
    CHECK(r.error->kind == ErrorKind::Memory);
    CHECK(r.error->where.address == 0x12800000010ull);
    CHECK(r.error->what ==
          "8-byte load at 0x12800000010 runs past the end of the 16-byte object at 0x12800000000 (the "
          "268435456-byte objects allocated with bpf_obj_new at 0x12800000000)");
    // The object was made (the fault is no NULL pointer), at the first slot.
    CHECK(s->host().heap->count() == 1);
}

TEST_CASE("bpf_rbtree_add of a node in the tree is -EINVAL and drops that reference; a second remove is NULL") {
    auto s = test::open_object("tests/run/bpf/graph_misuse.o");
    run_ok(*s, "add_twice_remove_twice");
    CHECK(global_word(*s, "graph_mi.bss", 0) == 0);    // the first add
    CHECK(global_word(*s, "graph_mi.bss", 8) == -22);  // the same node again, from bpf_refcount_acquire
    CHECK(global_word(*s, "graph_mi.bss", 16) == 1);   // removed
    CHECK(global_word(*s, "graph_mi.bss", 24) == 0);   // removed again: in no tree, NULL
    // The -EINVAL dropped one of the two references, the final bpf_obj_drop the other.
    CHECK(s->host().heap->live_count() == 0);
    CHECK(global_word(*s, ".data.T", 8) == 0);  // the root is empty again (rb_node, rb_leftmost)
    CHECK(global_word(*s, ".data.T", 16) == 0);
}

TEST_CASE("bpf_obj_new is NULL for a struct bpf_mem_alloc cannot hold with its 8-byte header") {
    auto s = test::open_object("tests/run/bpf/graph_misuse.o");
    run_ok(*s, "sizes");
    CHECK(global_word(*s, "graph_mi.bss", 0) == 0);  // 4089 bytes: NULL
    CHECK(global_word(*s, "graph_mi.bss", 8) == 1);  // 4088 bytes fit
    CHECK(s->host().heap->count() == 1);
    CHECK(s->host().heap->live_count() == 0);
}

TEST_CASE("bpf_obj_drop of an object dropped already, and a list head on the stack, stop the run") {
    auto s = test::open_object("tests/run/bpf/graph_misuse.o");
    RunResult r = s->run("drop_twice", syscall_ctx());
    REQUIRE(r.status == RunStatus::Faulted);
    REQUIRE(r.error);
    CHECK(r.error->kind == ErrorKind::Helper);
    CHECK(r.error->what ==
          "bpf_obj_drop_impl: r1 = 0x12800000000 is an object that was freed already: the kernel's verifier refuses "
          "the call (it takes a pointer to an allocated object the program owns)");

    r = s->run("head_on_stack", syscall_ctx());
    REQUIRE(r.status == RunStatus::Faulted);
    REQUIRE(r.error);
    CHECK(r.error->kind == ErrorKind::Helper);
    CHECK(r.error->what ==
          "bpf_list_push_back_impl: r1 = 0x8000001f0 is not a struct bpf_list_head in a map value, global data or an "
          "allocated object: the kernel's verifier refuses the call");
    CHECK(r.error->hint == "Pass the address of a `struct bpf_list_head` field declared with __contains(type, node field).");
}

TEST_CASE("the program owns what bpf_obj_new gives until it drops or pushes it: a leak and a drop after a push stop the run") {
    auto s = test::open_object("tests/run/bpf/graph_misuse.o");
    RunResult r = s->run("leak", syscall_ctx());
    REQUIRE(r.status == RunStatus::Faulted);
    REQUIRE(r.error);
    CHECK(r.error->kind == ErrorKind::Verify);
    CHECK(r.error->what ==
          "the program exits still holding the reference to struct item at 0x12800000000 that bpf_obj_new_impl "
          "acquired at insn 3: the kernel's verifier refuses this program (\"Unreleased reference ... alloc_insn=3\", "
          "\"BPF_EXIT instruction in main prog would lead to reference leak\")");
    CHECK(r.error->hint ==
          "Give it back with bpf_obj_drop (or by pushing it into a list or adding it to a tree) on every path where "
          "it is not NULL.");

    r = s->run("drop_pushed", syscall_ctx());
    REQUIRE(r.status == RunStatus::Faulted);
    REQUIRE(r.error);
    CHECK(r.error->kind == ErrorKind::Helper);
    CHECK(r.error->what ==
          "bpf_obj_drop_impl: r1 points into struct item at 0x12800001000, which the program does not own (a list or "
          "tree holds it, or the program gave it away already): the kernel's verifier refuses the call (it takes an "
          "owning reference)");
}
