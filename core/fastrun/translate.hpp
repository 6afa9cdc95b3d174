#pragma once
// Translates a decoded program into one WebAssembly module, the fast run's code. The module
// runs the straight-line work -- ALU, jumps, lddw, loads and stores that hit a plain region --
// and hands every other instruction to the interpreter ("takes over"): helper and local calls,
// callx, exit, atomics, LD_ABS/LD_IND, an access the inline check refuses (context fields,
// chunked regions, faults) and a block the instruction budget cannot pay for in full. The
// interpreter runs from there with the same registers and memory until the run is back at a
// block start of frame 0, so results, maps, events and faults are the interpreter's own.
//
// The module's interface (all state in the importer's linear memory, see fastrun_layout):
//   import env.memory                     the linear memory holding the state block and regions
//   export run(state: i32, block: i32) -> i32
// run starts at block `block` with r0-r10 and the budget left read from the state block, and
// returns the instruction index where the interpreter takes over, with the registers and the
// budget left written back.
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
constexpr uint32_t kTable = 96;      // window::kCount entries, one per 4 GiB window:
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
    uint32_t translated = 0;             // instructions the module runs itself
    uint32_t taken_over = 0;             // instructions it always hands to the interpreter
};

// True for the ops the module never runs itself (the interpreter takes over at them).
bool fastrun_takes_over(Op op);

// Refuses (ErrorKind::Runtime, saying why) a program the fast run cannot run as the
// interpreter would: one that needs the interpreter's checked variant (registers read before
// they are written on some path).
Result<FastModule> translate_to_wasm(const Program& prog);

}  // namespace bpfplay
