// What the panes render: core's JSON views as core writes them (debug_json.hpp and the other
// to_json writers), key for key. A view declared as a schema (kStopView...) is decoded by
// normalize.ts's decode: 64-bit values become bigint, hex byte buffers Uint8Array, nothing else
// changes. contract.test.ts checks every schema against core's output.
import { list, oneOf, opt, orNull, type Decoded } from './view_schema';

// core/json/error_json.cpp: what went wrong, where, and what to do about it.
export const kErrorView = {
  kind: 'string',
  what: 'string',
  hint: opt('string'),
  pc: opt('number'),
  address: opt('u64'),
  line: opt('number'),
  section: opt('string'),
  map: opt('string'),
  source: opt('string'),  // the C line of the instruction: "prog.c:36"
  message: 'string',      // core's whole sentence (where, what, hint)
} as const;
export type ErrorView = Decoded<typeof kErrorView>;

// An error the page itself reports (the VM is busy or still starting).
export const pageError = (kind: string, what: string): ErrorView => ({ kind, what, message: what });

// core/debugger/object_json.cpp (object_info_json): what an object holds, as `bpfvm info --json`.
// fentry / fexit / fmod_ret / lsm / tp_btf / raw_tp: the context's u64 slots by the attach
// point's argument names (core/run/btf_args_context.hpp), each with its default value; a
// tracepoint: its event's record by field (core/run/tracepoint_record.hpp).
export const kProgramArg = {
  name: 'string',    // "dfd", "ret"
  type: 'string',    // its C type, "struct filename *"
  offset: 'number',  // 8 * its index; a kprobe's: its register's offset in struct pt_regs
  width: 'number',   // the bytes an edit writes: 8 (a slot, a register), a record field's size (up to 8)
  // A tracepoint record's field: 'number' (edited as one), 'chars', 'array', 'data_loc' (shown
  // as core spells the default); '' for arguments.
  kind: 'string',
  value: 'u64',      // the default (a pointer at the emulated kernel's object, or 0)
  text: 'string',    // core's spelling of it: "-100", "0x400000a40", "NULL"
  // How core reads the type (from the kernel's BTF): a pointer, or an integer of `size` bytes
  // (the slot's low bytes), signed or not. Edited values are shown by the same rule.
  pointer: 'boolean',
  signed: 'boolean',
  size: 'number',
  register: 'string',  // a kprobe's: the pt_regs register holding it ("di"); '' otherwise
} as const;
export type ProgramArg = Decoded<typeof kProgramArg>;

export const kProgramSummary = {
  name: 'string',
  section: 'string',
  type: 'string',
  context: 'string',  // "xdp_md", "__sk_buff", "pt_regs", ...
  // False when the section name is none of libbpf's (SEC("drop_ipv4")): the program's type is
  // unspec until the user picks one (the host's prog_types, as --prog-type sets it).
  type_known: 'boolean',
  runnable: 'boolean',
  status: 'string',            // core's words: "runnable" or "cannot run: insn 2 (prog.c:36): ..."
  load_error: opt(kErrorView), // why it cannot run (the kernel's verifier would refuse it, a helper bpfplay lacks)
  args_of: opt('string'),      // "do_unlinkat", "bpf_lsm_file_open", "sched_switch", "sched/sched_switch"
  args: opt(list(kProgramArg)),
} as const;
export type ProgramSummary = Decoded<typeof kProgramSummary>;

export const kMapSummary = {
  id: 'number',
  name: 'string',
  type: 'string',
  key_size: 'number',
  value_size: 'number',
  max_entries: 'number',
  key_type: 'string',    // the key's C type from BTF; "" without BTF
  value_type: 'string',
} as const;
export type MapSummary = Decoded<typeof kMapSummary>;

export const kObjectSummary = {
  programs: list(kProgramSummary),
  maps: list(kMapSummary),
  entry_program: orNull('string'),  // core's choice of the program to start with; null when none can run
} as const;
export type ObjectSummary = Decoded<typeof kObjectSummary>;

// core/debugger/object_json.cpp's listing: a program's instructions. The source keys are
// written only where a new line_info record starts, "function" only where a function starts.
export const kListingLine = {
  pc: 'number',
  text: 'string',
  second_slot: opt('boolean'),  // the second half of an lddw
  function: opt('string'),
  file: opt('string'),
  line: opt('number'),
  source: opt('string'),        // the C source line's text
} as const;
export type ListingLine = Decoded<typeof kListingLine>;
export const kListing = { insns: list(kListingLine) } as const;

// A C line (BTF line info): core writes a column beside it, which no pane shows.
export const kSourceView = { file: 'string', line: 'number', text: 'string' } as const;
export type SourceView = Decoded<typeof kSourceView>;

// core/debugger/debug_json.cpp to_json(DebugState): the debugger's whole state after a command.
export const kRegView = {
  value: 'u64',
  kind: 'string',       // "scalar", "stack", "ctx", "packet", ...
  points_to: 'string',  // "fp-16 (frame 0)"; "" for scalars
  changed: 'boolean',
} as const;
export type RegView = Decoded<typeof kRegView>;

export const kFrameView = {
  depth: 'number',
  function: 'string',
  callback: 'string',      // "bpf_loop: call 3 of 16" for a callback's frame, else ""
  pc: 'number',
  source: kSourceView,
  fp: 'u64',               // the frame pointer
  stack: 'bytes',          // 512 bytes; stack[i] is at fp - 512 + i
  changed: list('number'), // indexes into stack written by the last step
} as const;
export type FrameView = Decoded<typeof kFrameView>;

// key_hex / values_hex: the bytes; key / values: the same decoded through BTF (JSON values,
// integers past 2^53 as strings of their digits: parseCoreJson).
export const kMapEntryView = {
  key_hex: 'bytes',
  key: 'json',
  label: 'string',            // core's label for the entry ("10.0.0.0/8", "#0 (front: popped next)"), or ""
  values_hex: list('bytes'),  // one per CPU for per-CPU maps
  values: list('json'),
  changed: 'boolean',
} as const;
export type MapEntryView = Decoded<typeof kMapEntryView>;

export const kMapView = {
  ...kMapSummary,
  percpu: 'boolean',
  count: 'number',
  summary: 'string',        // core's one line on the map's state ("" for most types)
  occupancy: 'string',      // core's count in the map's unit: "3 entries", "2 records"
  user_update: 'boolean',   // user space may add or set entries (not ringbuf, stack_trace)
  entries: list(kMapEntryView),
  truncated: 'boolean',
  changed: 'boolean',
} as const;
export type MapView = Decoded<typeof kMapView>;

// A field of the context struct (core's field table): kind "value", or "packet_start",
// "packet_end", "packet_meta" for the fields a load turns into packet pointers.
export const kContextFieldView = {
  name: 'string',
  offset: 'number',
  size: 'number',
  kind: 'string',
  about: 'string',  // one line for a learner: what the field holds
} as const;
export type ContextFieldView = Decoded<typeof kContextFieldView>;

// An iterator program's call being stepped (the debugger steps the first) and what it wrote
// with bpf_seq_printf / bpf_seq_write so far.
export const kIteratorView = {
  target: 'string',   // "task", "bpf_map_elem"
  element: 'string',  // "task pid 1 (systemd)"; "NULL (the final call)"
  seq_num: 'number',
  output: 'string',   // the bytes as text
  output_hex: 'string',
} as const;
export type IteratorView = Decoded<typeof kIteratorView>;

// A BPF timer (struct bpf_timer in a map value) as core keeps it.
export const kTimerView = {
  map: 'string',
  key: 'bytes',
  armed: 'boolean',
  due: 'boolean',         // armed and its time has come
  expires_ns: 'u64',
  callback: 'number',     // the callback's first instruction; -1: none set
} as const;
export type TimerView = Decoded<typeof kTimerView>;

// One bpf_perf_event_output sample as its perf buffer reader got it.
export const kPerfEventView = {
  map: 'string',
  cpu: 'number',
  data: 'string',  // hex, padding included
  executed: 'number',
  pc: 'number',
} as const;
export type PerfEventView = Decoded<typeof kPerfEventView>;

export const kHostEventView = {
  executed: 'number',  // instructions executed when it happened
  pc: 'number',
  helper: 'string',    // "bpf_redirect"; "exit" for the packet's fate
  text: 'string',
} as const;
export type HostEventView = Decoded<typeof kHostEventView>;

// core/debugger/checker_path.hpp CheckerView: a run of a program the static checker refuses,
// at an instruction of the refused path (on_path) or off it (then nothing else is set).
export const kCheckerView = {
  on_path: 'boolean',
  path_index: opt('number'),     // which entry of the checker's path this instruction is
  path_length: opt('number'),
  at_failure: opt('boolean'),    // the instruction the checker refuses
  message: opt('string'),        // at_failure: the kernel's message, else ""
  kept: opt('boolean'),          // the checker's registers are known here (the path's last 4096 entries)
  frame: opt('number'),          // the call frame they are of
  regs: opt(list('string')),     // r0-r10 in the kernel log's notation ("pkt(off=14,r=0)"), "" not initialised; [] unless kept
} as const;
export type CheckerView = Decoded<typeof kCheckerView>;

export const kStateView = {
  program: 'string',
  pc: 'number',
  status: oneOf('ready', 'exited', 'faulted'),
  executed: 'number',
  history_start: 'number',
  stop_reason: 'string',
  fault: orNull(kErrorView),
  fault_explanation: 'string',
  return: orNull('u64'),           // r0 once the program exited
  return_name: 'string',           // "XDP_DROP"
  regs: list(kRegView),
  checker: orNull(kCheckerView),   // a refused program's run: where it is on the checker's path; null otherwise
  frames: list(kFrameView),
  source: kSourceView,
  packet: 'bytes',
  packet_changed: list('number'),
  context: 'bytes',
  context_struct: 'string',        // "xdp_md", "__sk_buff"; "" for raw bytes
  context_fields: list(kContextFieldView),
  maps: list(kMapView),
  printk: list('string'),
  events: list('string'),
  perf_events: list(kPerfEventView),
  host_events: list(kHostEventView),  // what the emulated kernel did (and did to the packet at exit)
  timer: 'string',                 // a timer callback's run: what fired; else ""
  timers: list(kTimerView),        // the host's BPF timers
  clock_ns: 'u64',                 // the virtual clock when this run started
  iterator: opt(kIteratorView),    // an iterator program's call (SEC("iter/..."))
} as const;
export type StateView = Decoded<typeof kStateView>;

// Core's defaults and enumerations for the page (Playground.defaults_json,
// core/debugger/page_defaults.hpp): the page keeps no copy of them.
export const kCoreDefaults = {
  tcp_states: list('string'),  // TcpState in host JSON's spelling
  prog_types: list('string'),
  map_types: list('string'),
  // The Host tab's socket protocols, and the state a socket of each takes without one: a
  // listening one without a remote port, a connected one with (UDP sockets have none).
  socket_protocols: list({ name: 'string', has_state: 'boolean', listening_state: 'string', connected_state: 'string' }),
  // What the "Paste assembly" dialog offers to run a program as ("" = raw memory).
  assembly_sections: list({ section: 'string', type: 'string', context: 'string' }),
  // What the Host tab's Add device / Add socket start from, as host JSON members.
  new_device: 'object',
  new_socket: 'object',
} as const;
// With the default host document as text (Playground.default_host_json).
export type CoreDefaults = Decoded<typeof kCoreDefaults> & { readonly hostJson: string };

// core/debugger/debug_json.cpp to_json(StopInfo): why a command stopped.
export const kStopView = {
  reason: 'string',   // "step", "breakpoint", "exited", "faulted", "paused", "none", ...
  id: 'number',       // the breakpoint's or watchpoint's id
  steps: 'u64',
  // A fast continue: the run went on unrecorded; fast_insns of its steps ran as WebAssembly.
  fast: 'boolean',
  fast_insns: 'u64',
} as const;
export type StopView = Decoded<typeof kStopView>;

// core/debugger/debug_json.cpp stops_to_json: the breakpoints and watchpoints set.
export const kBreakpointView = {
  id: 'number',
  pc: 'number',
  condition: 'string',  // "" = always stops
  hits: 'number',
} as const;
export type BreakpointView = Decoded<typeof kBreakpointView>;

// A watchpoint: it stops continue and reverse when its bytes change.
export const kWatchView = {
  id: 'number',
  label: 'string',  // "fp-8 (8 bytes)", "packet[12..14)", "map counts key 0x06000000"
  address: 'u64',
  length: 'number',
  hits: 'number',
} as const;
export type WatchView = Decoded<typeof kWatchView>;

export const kStopsView = { breakpoints: list(kBreakpointView), watchpoints: list(kWatchView) } as const;
export type StopsView = Decoded<typeof kStopsView>;

// core/debugger/explain.hpp's JSON (Playground.explain(pc)): an instruction in words.
// One argument of a helper call ("helper.args").
export const kHelperArgView = {
  reg: 'string',      // "r1"
  name: 'string',     // from the kernel's signature: "map", "key", "flags"
  type: 'string',     // "struct bpf_map *"
  kind: 'string',     // the verifier's argument kind: "map", "map_key", "mem", "scalar", ...
  meaning: 'string',  // the kind in words
  value: 'string',    // its value now ("map counts", "fp-4 (frame 0): 00 00 00 00"); "" without values
} as const;

// A helper from the catalog, in words (its kernel documentation as plain text).
export const kHelperExplainView = {
  id: 'number',
  name: 'string',
  signature: 'string',
  summary: 'string',      // the documentation's first sentence
  description: 'string',
  returns: 'string',      // what r0 holds afterwards, error codes included
  ret_kind: 'string',     // "integer", "map_value", ...
  gpl_only: 'boolean',
  args: list(kHelperArgView),
} as const;
export type HelperExplainView = Decoded<typeof kHelperExplainView>;

export const kExplainView = {
  pc: 'number',
  text: 'string',      // "r3 += 14"
  class: 'string',     // RFC 9669's class: "alu64", "alu32", "jmp", "jmp32", "ld", "ldx", "st", "stx"
  summary: 'string',   // "add 14 to r3"
  details: list('string'),
  values: 'string',    // "r3 was packet+0, becomes packet+14"; "" when not the current instruction
  valid: 'boolean',
  current: 'boolean',  // the instruction at the current pc (values are its own)
  helper: orNull(kHelperExplainView),  // a helper call: the helper and its arguments now
} as const;
export type ExplainView = Decoded<typeof kExplainView>;

// Playground.set_map_entry's answer: the key's bytes as core encoded them.
export const kMapSetView = { key: 'bytes' } as const;

// A map command from user space answered by core (core/debugger/map_command.hpp).
export const kMapCommandView = {
  ret: 'number',          // 0 or -errno, what bpf(2) returns
  errno: 'string',        // "-ENOENT", or "" for 0
  lines: list('string'),  // the answer as text lines: "lookup: 0", "key: ..  value: .."
  changed: 'boolean',     // a map changed (the run's history is forgotten)
} as const;
export type MapCommandView = Decoded<typeof kMapCommandView>;

// What core's checker (core/verifier) says the kernel's verifier would do with a program
// (Playground.verify; core/verifier/verdict_text.cpp to_json).
export const kVerdictView = {
  program: 'string',
  verdict: oneOf('accept', 'refuse', 'cannot tell'),
  processed: 'number',           // instructions the checker processed (the kernel's count)
  insn: opt('number'),           // refuse / cannot tell: the instruction
  message: opt('string'),        // refuse: the kernel's message; cannot tell: what is not modelled
  why: opt('string'),            // refuse: why the kernel has the rule, for a learner
  fix: opt('string'),            // refuse: what to change
  source: opt(kSourceView),      // the C line of `insn`, from BTF line info
  path: opt(list('number')),     // refuse: the instructions from the entry to `insn`
  // refuse: the registers the checker inferred before path[path_states_from + k] (the path's
  // last 4096 entries); regs as kCheckerView's, [] where the walk no longer held the state
  path_states_from: opt('number'),
  path_states: opt(list({ kept: 'boolean', frame: 'number', regs: list('string') })),
} as const;
export type VerdictView = Decoded<typeof kVerdictView>;

// Everything the panes need after a command; the session publishes one per command.
export interface Snapshot {
  readonly state: StateView;
  readonly stop: StopView;
  readonly hits: readonly number[];  // per pc
  readonly breakpoints: readonly BreakpointView[];
  readonly watches: readonly WatchView[];
  readonly furthest: number;         // the most instructions this run has reached (slider max)
  readonly ended: boolean;           // furthest is the run's end (exit or fault seen)
  readonly workerMs: number;         // what the command and this snapshot cost the VM's thread
  readonly runMs?: number;           // a fast continue: the run's own wall time in the VM's thread
}

// The host scripts the page plays through a whole object (wasm-bindings/bindings.cpp's load
// says which it can: {"scenario": bool, "tcp_flow": bool}).
export const kObjectScripts = { scenario: 'boolean', tcp_flow: 'boolean' } as const;
export type ObjectScripts = Decoded<typeof kObjectScripts>;

// core/run/scenario_json.hpp scenario_report_json: one program's run at a scenario's event.
export const kScenarioRunView = {
  program: 'string',
  timer: 'string',                 // a timer callback that came due: what fired; else ""
  return: opt('u64'),              // r0 (core writes it signed); absent when the run failed
  error: opt('string'),            // only when the run failed
  instructions: 'number',
  printk: list('string'),
  perf_events: list(kPerfEventView),
  host_events: list(kHostEventView),
} as const;
export type ScenarioRunView = Decoded<typeof kScenarioRunView>;

// A ring buffer record user space read after the event.
export const kScenarioRecordView = {
  map: 'string',
  size: 'number',
  hex: 'string',                   // shown as text, as bpfvm prints it
  type: 'string',                  // "struct event"; "" when no struct of the object fits
  decoded: 'string',               // the record as C values (JSON text); "" without a type
} as const;
export type ScenarioRecordView = Decoded<typeof kScenarioRecordView>;

export const kScenarioEventView = {
  event: 'number',                 // 1, 2, ...
  time_ns: 'u64',
  text: 'string',                  // "exec: pid 4243 (ls) runs /usr/bin/ls"
  runs: list(kScenarioRunView),
  records: list(kScenarioRecordView),
} as const;
export type ScenarioEventView = Decoded<typeof kScenarioEventView>;

export const kScenarioReport = { events: list(kScenarioEventView) } as const;
export type ScenarioReport = Decoded<typeof kScenarioReport>;

// core/run/tcp_ca_flow.cpp tcp_flow_json: the flow's state after each step.
export const kTcpFlowRowView = {
  step: 'string',                  // "start", "round 3", "fast_retransmit", "rto", "end", ...
  time_us: 'number',
  snd_cwnd: 'number',
  snd_ssthresh: 'number',
  ca_state: 'string',              // "Open", "Recovery", "Loss", ...
  in_flight: 'number',
  calls: 'object',                 // member -> times called in the step, in first-call order
} as const;
export type TcpFlowRowView = Decoded<typeof kTcpFlowRowView>;

export const kTcpFlowReport = {
  ca: 'string',                    // the struct_ops map
  calls: 'number',
  instructions: 'number',
  rows: list(kTcpFlowRowView),
  error: opt('string'),            // a member's run failed: the rows up to it are kept
} as const;
export type TcpFlowReport = Decoded<typeof kTcpFlowReport>;
