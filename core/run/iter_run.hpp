#pragma once
// Running an iterator program (SEC("iter/<target>"), BPF_TRACE_ITER) as a reader of its pinned
// file would: each read() of the file runs bpf_seq_read (kernel/bpf/bpf_iter.c), which calls
// the program once per element with the target's context struct, e.g.
//
//   struct bpf_iter__task { struct bpf_iter_meta *meta; struct task_struct *task; };
//   struct bpf_iter_meta  { struct seq_file *seq; u64 session_id; u64 seq_num; };
//
// seq_num counts the elements shown (0, 1, 2 ...); at the end the program runs once more with
// the element NULL (the target's stop()), seeing the last element's seq_num. What the program
// wrote with bpf_seq_printf / bpf_seq_write (seq_helpers.hpp) is what read() returns. The reads
// follow bpf_seq_read exactly, with a 128 KiB buffer as `cat` reads:
//   - a program returning 1 (bpf_iter_run_prog turns it into -EAGAIN) or output overflowing the
//     32 KiB seq_file buffer ends the read before that element, whose output is dropped; the
//     next read starts with that element again (same seq_num); when it is the read's first
//     element, the read fails: -EAGAIN, or -E2BIG for the overflow;
//   - the final NULL call runs once per session (done_stop), and its output is dropped (the
//     read returning what came before it, or failing with -E2BIG) when it overflows;
//   - the reads stop at end of file (a read returning 0) or at the first error, as cat does.
//
// Targets that run:
//   task   every task of the emulated host with a pid (kernel_objects.hpp: pid 1 "systemd"
//          and the current task; init_task, pid 0, is in no pid table and is not visited), in
//          pid order, as the default (BPF_TASK_ITER_ALL) task iterator walks the pid table.
//   bpf_map_elem   every element of one map of the object (RunInput::iter_map names it; by
//          default the object's only map that is not global data), as
//          struct bpf_iter__bpf_map_elem { meta; struct bpf_map *map; void *key; void *value; }:
//          map is the map's handle (what a program's &map is), key a read-only copy of the key,
//          value the element's value in the map (the program may change it, as in the kernel).
//          Hash maps (HASH, LRU_HASH) and ARRAY; the final call has key and value NULL.
//          Per-CPU maps are refused (their value would be a copy of every CPU's value).
//   task_file   each visited task's open descriptors in fd order (Host::open_files for the
//          current task, init's 0-2 on /dev/null), as struct bpf_iter__task_file { meta; task;
//          u32 fd; struct file *file; }: the file is a path's struct file or a host socket's.
//   task_vma   the current task's memory areas (Host::vmas) in address order, as struct
//          bpf_iter__task_vma { meta; task; vma; }.
//   tcp    the host's TCP sockets, listening ones first, as struct bpf_iter__tcp { meta;
//          struct sock_common *sk_common; uid_t uid; } (uid 0 for TIME_WAIT); seq_num counts
//          from 0 at the first socket (the kernel's SEQ_START_TOKEN takes 0 and
//          tcp_prog_seq_show gives it back), so with no socket the final call sees 0 - 1.
//          The final calls have the element pointers NULL (fd, uid 0).
// Any other target (udp, unix, bpf_map, bpf_link, ksym, ...) is refused by name.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/run/seq_file.hpp"

namespace bpfplay {

struct LoadedObject;
struct LoadedProgram;
struct RunState;

// One run of the program.
struct IterCall {
    uint32_t read = 0;      // which read() made it, from 1
    uint64_t seq_num = 0;   // ctx->meta->seq_num
    std::string element;    // "task pid 1 (systemd)"; "NULL (the final call)" for the stop call
    uint64_t r0 = 0;        // what the program returned (meaningless if it faulted)
};

// What a reader of the iterator got.
struct IterOutput {
    std::string target;          // "task"
    uint64_t session_id = 0;     // ctx->meta->session_id: 1 for the session's first iterator file
    std::vector<uint8_t> bytes;  // everything the reads returned, in order
    uint32_t reads = 0;          // read() calls, the last one the end of file or the error
    int64_t read_error = 0;      // the failing read's -errno (-EAGAIN, -E2BIG); 0 at end of file
    std::vector<IterCall> calls;
};

// An iterator run in progress (RunState::iter).
// One element: the context's pointers after meta (task; or map, key, value) and its name.
struct IterElement {
    uint64_t fields[3] = {};
    std::string name;
    std::vector<uint8_t> key;  // bpf_map_elem: the bytes `key` points to
};

struct IterState {
    std::string target;
    std::vector<IterElement> elements;  // in visiting order
    IterElement final_call;             // the stop call's context (the element NULL)
    std::string current;                // the element of the call the Vm runs (IterCall::element)
    std::vector<uint8_t> ctx;          // the context struct, then bpf_iter_meta, then the seq_file
    SeqFile seq;
    uint64_t seq_num = 0;
    bool first_prepared = false;       // the Vm is set up for the first call and has not run it
    uint64_t instructions = 0;         // over every call
    IterOutput out;
};

bool is_iterator(const LoadedProgram& prog);

// Sets up an iterator run whose Vm and kernel objects start() has made: the context and the
// seq_file mapped at window::kContext (read-only), the elements found, HelperEnv::seq set, and
// the Vm ready for the first call (r1 = the context). An error names a target that does not
// run, or a map bpf_map_elem cannot iterate. `iter_map` is RunInput::iter_map.
Result<Unit> start_iterator(RunState& run, uint64_t session_id, const LoadedObject& object,
                            const std::string& iter_map);

// Runs the reads to the end of file or the first error, calling the program as bpf_seq_read
// does. Stops early when a call faults; the Vm is left as the last call ended.
void run_iterator(RunState& run);

}  // namespace bpfplay
