#pragma once
// Translates a decoded program into one WebAssembly module, the fast run's code. The module
// runs ALU, jumps, lddw, loads, stores and atomics that hit a plain region, local calls and
// their returns, and hands every other instruction to the interpreter ("takes over"): helper
// calls, callx, LD_ABS/LD_IND, the exit of frame 0 and of a callback, an access the inline
// check refuses (context fields, chunked regions, faults), a call past the frame limit or
// under a lock, and a block the instruction budget cannot pay for in full. The interpreter runs from there with the same
// registers and memory until the run is back at a block start (fast_run.hpp), so results,
// maps, events and faults are the interpreter's own.
//
// Local (bpf-to-bpf) calls run in the module too, in the interpreter's frame model: frame d's
// stack is window kStack0 + d, and the caller's r6-r9 and return point are kept per frame.
//
// The module's interface (all state in the importer's linear memory, see fastrun_layout):
//   import env.memory                     the linear memory holding the state block and regions
//   export run(state: i32, block: i32) -> i32
// run starts at block `block` with r0-r10, the budget left and the frames read from the state
// block, and returns the instruction index where the interpreter takes over, with those
// written back.
#include <cstdint>
#include <vector>

#include "core/error.hpp"
#include "core/fastrun/wasm_emitter.hpp"
#include "core/memory.hpp"
#include "core/program.hpp"

namespace bpfplay {

namespace fastrun_layout {
constexpr uint32_t kRegs = 0;        // r0..r10, 11 x u64
constexpr uint32_t kLeft = 88;       // u64: instructions the run may still execute
constexpr uint32_t kDepth = 96;      // u32: the frame running (0: the program's own)
constexpr uint32_t kCallsOk = 100;   // u32: 0 when a local call must go through the interpreter (a lock is held)
constexpr uint32_t kFrames = 104;    // kMaxCallFrames frames; frame d (>= 1) holds what its exit restores:
constexpr uint32_t kFrameBytes = 48;
constexpr uint32_t kFrameReturnPc = 0;     //   u32: where the caller resumes
constexpr uint32_t kFrameReturnBlock = 4;  //   u32: its block
constexpr uint32_t kFrameSaved = 8;        //   4 x u64: the caller's r6..r9
constexpr uint32_t kFrameHandOver = 40;    //   u32: not 0 when the frame's exit is the interpreter's (a callback's)
constexpr uint32_t kTable = kFrames + kFrameBytes * uint32_t(kMaxCallFrames);  // one entry per 4 GiB window:
constexpr uint32_t kEntryBytes = 16;
constexpr uint32_t kEntryHost = 0;   //   u32: the region's bytes as a linear-memory address
constexpr uint32_t kEntryRead = 4;   //   u32: bytes a load may touch from the window's start (0: none)
constexpr uint32_t kEntryWrite = 8;  //   u32: bytes a store may touch (0: none)
constexpr uint32_t kStateBytes = kTable + kEntryBytes * window::kCount;
}  // namespace fastrun_layout

// Returned by run when it was entered with a block index it does not have.
constexpr uint32_t kFastRunBadBlock = UINT32_MAX;

struct FastModule {
    wasm::Bytes bytes;
    std::vector<uint32_t> block_starts;  // instruction index of each block, ascending
    std::vector<int32_t> block_of_pc;    // per instruction: its block when it starts one, else -1
    // Per block: the budget the caller must charge when it enters there (at a resume point
    // after a load or store, the rest of the enclosing checked block; 0 at a checked block,
    // which charges itself). With less budget left, the caller must not enter there.
    std::vector<uint32_t> entry_charge;
    uint32_t translated = 0;             // instructions the module runs itself
    uint32_t taken_over = 0;             // instructions it always hands to the interpreter
};

// True for the ops the module never runs itself (the interpreter takes over at them). A local
// call and an exit are run by the module, but hand over at the call depth limit and at the
// exit of frame 0.
bool fastrun_takes_over(Op op);

// The most blocks a module's dispatcher may have: V8 refuses a br_table with more targets.
constexpr uint32_t kFastRunMaxBlocks = 65520;

// Refuses (ErrorKind::Runtime, saying why) a program the fast run cannot run as the
// interpreter would: one that needs the interpreter's checked variant (registers read before
// they are written on some path), or one with more than kFastRunMaxBlocks blocks.
Result<FastModule> translate_to_wasm(const Program& prog);

}  // namespace bpfplay
