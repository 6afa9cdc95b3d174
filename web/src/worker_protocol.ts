// The messages between the page (session.ts) and the VM worker (vm_worker.ts). Every request
// carries an id; the worker answers each with one Reply of the same id. Progress of a running
// continue arrives as `progress` notes without an id. Only `stop` may be sent while a continue
// runs; it ends the continue at its next chunk boundary (a few milliseconds).
import type { HostSettings } from './host_fields';
import type { CheckResult } from './lesson_checks';
import type { ErrorView, ExplainView, ListingLine, MapCommandView, ObjectScripts, ObjectSummary, ScenarioReport, Snapshot, StopsView, TcpFlowReport, VerdictView } from './vm_types';

export type { HostSettings } from './host_fields';

export type ProgramSource =
  | { kind: 'object'; name: string; bytes: Uint8Array }
  | { kind: 'assembly'; text: string; section: string };  // section: "xdp", "socket", "" = raw memory

export interface RunInputSettings {
  program: string;
  packet: Uint8Array;
  ctx: Uint8Array;
  budget: number;
}

export type StepCommand =
  | 'step' | 'step_over' | 'step_out' | 'step_line' | 'next_line' | 'reset'
  | 'step_back' | 'step_back_over' | 'step_back_line' | 'step_back_line_over';

// A breakpoint as the page keeps it (and a share link carries it): condition "" = always.
export interface BreakpointSpec {
  pc: number;
  condition: string;
}

// What a watchpoint watches: a slot of a stack frame (fp-N of frame k; 0 is the program's own),
// packet bytes, or one map entry (by key bytes).
export type WatchSpec =
  | { kind: 'stack'; fpOffset: number; length: number; frame: number }   // fpOffset < 0: fp-8 is -8
  | { kind: 'packet'; offset: number; length: number }
  | { kind: 'map'; map: string; key: Uint8Array };

export type Request =
  | { op: 'load'; source: ProgramSource; host: HostSettings }
  | { op: 'listing'; program: string }
  // A host script played through the whole object, opened afresh on the host it was loaded
  // with (the run shown and its maps stay as they are): a scenario of host events (JSON, core's
  // scenario_from_json form), or a TCP flow (the host JSON's "tcp_flow").
  | { op: 'scenario'; script: string }
  | { op: 'tcp_flow'; script: string; budget: number }
  // What the kernel's verifier would say of the program (core's checker).
  | { op: 'verify'; program: string }
  | { op: 'start'; input: RunInputSettings; breakpoints: readonly BreakpointSpec[]; watches: readonly WatchSpec[] }
  // The callback of the BPF timer that fires next, as a run of its own (breakpoints kept).
  | { op: 'timer'; breakpoints: readonly BreakpointSpec[] }
  | { op: 'command'; command: StepCommand }
  | { op: 'continue'; reverse: boolean; chunk: number }
  // The rest of the run at full speed, unrecorded (core's cont_fast), in slices of `chunk`
  // instructions with progress and a Stop read between them; the history before it is forgotten.
  | { op: 'fast'; chunk: number }
  | { op: 'goto'; count: number }
  | { op: 'breakpoint'; pc: number; set: boolean; condition?: string }
  | { op: 'watch'; watch: WatchSpec }
  | { op: 'unwatch'; id: number }
  // A key and its value typed as C values (JSON; a hex string without BTF): core encodes them
  // (a per-CPU map's one value goes to every CPU; or give one per CPU) and updates the map.
  | { op: 'map_set'; map: string; key: string; values: readonly string[] }
  | { op: 'map_delete'; map: string; key: Uint8Array }
  // One of bpf(2)'s map commands from user space, as a line ("lookup_batch counts 4").
  | { op: 'map_command'; line: string }
  // Instruction `pc` in words (pc < 0: the current one, with its values now).
  | { op: 'explain'; pc: number }
  // A lesson's cases run on `object` in a Playground of its own (the debugger's run and maps
  // untouched), held to the lesson's goal (lesson_runner.ts, lesson_checks.ts).
  | { op: 'lesson'; lesson: string; object: { name: string; bytes: Uint8Array } }
  | { op: 'stop' }
  // A session link read or made by core (core/share/share_link.hpp); they touch no run, so they
  // are answered while a continue runs too.
  | { op: 'link_decode'; hash: string }
  | { op: 'link_encode'; view: string };

// What each request answers with when it succeeds.
export interface ReplyData {
  load: { summary: ObjectSummary; info: string; scripts: ObjectScripts };  // scripts: the host scripts core can play through it
  listing: { lines: readonly ListingLine[] };
  scenario: { report: ScenarioReport };
  tcp_flow: { report: TcpFlowReport };
  verify: { verdict: VerdictView };
  start: { snapshot: Snapshot; watchIds: number[] };  // watchIds[i]: the id of watches[i], 0 = not added
  timer: { snapshot: Snapshot };
  command: { snapshot: Snapshot };
  continue: { snapshot: Snapshot };
  fast: { snapshot: Snapshot };  // snapshot.runMs: the run's wall time
  goto: { snapshot: Snapshot };
  breakpoint: { stops: StopsView };
  watch: { stops: StopsView; id: number };
  unwatch: { stops: StopsView };
  map_set: { snapshot: Snapshot; key: Uint8Array };  // the key's bytes as core encoded them
  map_delete: { snapshot: Snapshot; result: number };
  map_command: { snapshot: Snapshot; result: MapCommandView };
  explain: { view: ExplainView };
  lesson: { result: CheckResult };
  stop: Record<string, never>;
  link_decode: { json: string };  // {"ok":true,"link":view or null} or {"ok":false,"error":...}
  link_encode: { json: string };  // {"ok":true,"hash":"z=..."} or {"ok":false,"error":...}
}

// Requests that leave the Playground alone, answered even while a continue runs.
export const kIdleOps: readonly Op[] = ['stop', 'link_decode', 'link_encode'];

export type Op = Request['op'];
export type RequestOf<K extends Op> = Extract<Request, { op: K }>;

export type WorkerMessage =
  | { kind: 'reply'; id: number; ok: true; data: unknown }
  | { kind: 'reply'; id: number; ok: false; error: ErrorView }
  | { kind: 'progress'; executed: number }
  // Core's default host (host_json) and its defaults and enumerations (page_defaults_json).
  // The scripts the page's script editor starts with: core's default scenario and TCP flow.
  | { kind: 'ready'; defaultHostJson: string; defaultsJson: string; defaultScenarioJson: string; defaultTcpFlowJson: string }
  | { kind: 'fatal'; message: string };

export interface Envelope {
  id: number;
  request: Request;
}
