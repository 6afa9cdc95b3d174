// The page's one handle on the VM: sends typed requests to the worker, keeps what was loaded
// and the latest Snapshot, and publishes them. Panes render what it publishes and call its
// commands; none of them keeps VM state.
import { EventHub } from './events';
import type { CheckResult } from './lesson_checks';
import type { LinkCodec } from './session_link';
import { decode } from './normalize';
import { kCoreDefaults, pageError, type CoreDefaults } from './vm_types';
import type { ErrorView, ExplainView, MapCommandView, VerdictView, ListingLine, ObjectScripts, ObjectSummary, ScenarioReport, TcpFlowReport, ProgramSummary, Snapshot, BreakpointView, StopsView, WatchView } from './vm_types';
import type {
  BreakpointSpec, Envelope, HostSettings, Op, ProgramSource, ReplyData, RequestOf, RunInputSettings, StepCommand,
  WatchSpec, WorkerMessage,
} from './worker_protocol';

export interface Loaded {
  readonly sourceName: string;
  readonly summary: ObjectSummary;
  readonly info: string;
  readonly scripts: ObjectScripts;  // the host scripts core can play through it
}

// What became of a host script: played (the console shows it), refused by core (the error
// says why), or not asked because a command was running.
export type ScriptOutcome = 'played' | 'refused' | 'busy';

// The scripts the script editor starts with, as core writes its defaults.
export interface ScriptDefaults {
  readonly scenario: string;
  readonly tcpFlow: string;
}

export interface ProgramView {
  readonly name: string;
  readonly lines: readonly ListingLine[];
  // Set for a program that cannot run (core's load error): its code is shown, nothing runs.
  readonly refused?: ErrorView;
}

export type SessionEvents = {
  loaded: (l: Loaded) => void;
  program: (p: ProgramView) => void;
  snapshot: (s: Snapshot) => void;
  breakpoints: (b: readonly BreakpointView[]) => void;
  watches: (w: readonly WatchView[]) => void;
  // fast: a fast continue (unrecorded, in slices Stop can end).
  running: (running: boolean, fast?: boolean) => void;
  progress: (executed: number) => void;
  error: (context: string, e: ErrorView) => void;
  // A host script played through the object (host_scripts.ts): its report for the console.
  scenario: (r: ScenarioReport) => void;
  tcpFlow: (r: TcpFlowReport) => void;
  // The user picked an instruction to read about (a click on its text in the code pane).
  select: (pc: number) => void;
  // What the kernel's verifier would say of the program shown (after its 'program' event).
  verdict: (v: VerdictView) => void;
};

export class RequestError extends Error {
  constructor(readonly view: ErrorView) {
    super(view.what);
  }
}

const kContinueChunk = 20_000;  // instructions per slice: Stop answers within one slice
// A fast run's slice: 10-40 ms of WebAssembly, 0.3 s for a loop of helper calls (each hands
// over to the interpreter), so Stop answers quickly and the slices cost nothing measurable.
const kFastChunk = 10_000_000;

export class Session {
  readonly events = new EventHub<SessionEvents>();
  loaded: Loaded | undefined;
  program: ProgramView | undefined;
  snapshot: Snapshot | undefined;
  private breakpointConds = new Map<number, string>();  // pc -> condition ("" = always)
  private watchSpecs = new Map<number, WatchSpec>();     // watchpoint id -> what it watches
  watches: readonly WatchView[] = [];
  private readonly worker: Worker;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (d: unknown) => void; reject: (e: Error) => void }>();
  private readonly ready: Promise<void>;
  // Core's default host and enumerations, once the worker has started.
  readonly defaults: Promise<CoreDefaults>;
  readonly scriptDefaults: Promise<ScriptDefaults>;
  private busy = false;

  constructor() {
    this.worker = new Worker(new URL('./vm_worker.ts', import.meta.url), { type: 'module' });
    let markReady: () => void = () => {};
    let gotDefaults: (d: CoreDefaults) => void = () => {};
    this.defaults = new Promise((resolve) => { gotDefaults = resolve; });
    let gotScripts: (d: ScriptDefaults) => void = () => {};
    this.scriptDefaults = new Promise((resolve) => { gotScripts = resolve; });
    let markFailed: (e: Error) => void = () => {};
    this.ready = new Promise((resolve, reject) => {
      markReady = resolve;
      markFailed = reject;
    });
    this.worker.onmessage = (e: MessageEvent<WorkerMessage>) => {
      const m = e.data;
      switch (m.kind) {
        case 'ready':
          gotDefaults({ ...decode(kCoreDefaults, JSON.parse(m.defaultsJson)), hostJson: m.defaultHostJson });
          gotScripts({ scenario: m.defaultScenarioJson, tcpFlow: m.defaultTcpFlowJson });
          markReady();
          break;
        case 'fatal': markFailed(new Error(m.message)); break;
        case 'progress': this.events.emit('progress', m.executed); break;
        case 'reply': {
          const p = this.pending.get(m.id);
          this.pending.delete(m.id);
          if (m.ok) p?.resolve(m.data);
          else p?.reject(new RequestError(m.error));
          break;
        }
      }
    };
    this.worker.onerror = (e) => markFailed(new Error(e.message));
  }

  get running(): boolean {
    return this.busy;
  }

  private async send<K extends Op>(request: RequestOf<K>): Promise<ReplyData[K]> {
    await this.ready;
    const id = this.nextId++;
    return new Promise<ReplyData[K]>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (d: unknown) => void, reject });
      const envelope: Envelope = { id, request };
      this.worker.postMessage(envelope);
    });
  }

  // Runs `fn`, reporting a failure as an `error` event under `context`; resolves to undefined then.
  private async guard<T>(context: string, fn: () => Promise<T>): Promise<T | undefined> {
    try {
      return await fn();
    } catch (e) {
      const view = e instanceof RequestError ? e.view : pageError('Internal', String(e instanceof Error ? e.message : e));
      this.events.emit('error', context, view);
      return undefined;
    }
  }

  // The cost of the last snapshots: in the worker and rendering them here (read by the
  // browser tests' measurements).
  readonly timings: { workerMs: number; renderMs: number }[] = [];

  private publish(s: Snapshot): void {
    const t0 = performance.now();
    this.snapshot = s;
    this.breakpointConds = new Map(s.breakpoints.map((b) => [b.pc, b.condition]));
    this.watches = s.watches;
    this.events.emit('snapshot', s);
    this.timings.push({ workerMs: s.workerMs, renderMs: performance.now() - t0 });
    if (this.timings.length > 1000) this.timings.shift();
  }

  async load(source: ProgramSource, sourceName: string, host: HostSettings): Promise<Loaded | undefined> {
    return this.guard(`Could not open ${sourceName}`, async () => {
      const r = await this.send({ op: 'load', source, host });
      this.loaded = { sourceName, summary: r.summary, info: r.info, scripts: r.scripts };
      this.program = undefined;
      this.snapshot = undefined;
      this.events.emit('loaded', this.loaded);
      return this.loaded;
    });
  }

  // The scenario `script` played through the object loaded, its report published as a
  // `scenario` event: 'played', 'refused' (after an `error` event with core's message), or
  // 'busy' (a command is running: nothing was asked).
  async playScenario(script: string): Promise<ScriptOutcome> {
    return this.script('Scenario', async () => this.events.emit('scenario', (await this.send({ op: 'scenario', script })).report));
  }

  // The TCP flow `script` through the object's congestion control, each member's run bounded
  // by `budget` instructions; the same way (a `tcpFlow` event).
  async runTcpFlow(script: string, budget: number): Promise<ScriptOutcome> {
    return this.script('TCP flow', async () => this.events.emit('tcpFlow', (await this.send({ op: 'tcp_flow', script, budget })).report));
  }

  private async script(context: string, play: () => Promise<void>): Promise<ScriptOutcome> {
    if (this.busy) return 'busy';
    this.busy = true;
    try {
      return (await this.guard(context, async () => { await play(); return true; })) ? 'played' : 'refused';
    } finally {
      this.busy = false;
    }
  }

  // A program that cannot run: shows its code and why (core's load error); the run shown
  // before stays on screen, and stepping waits until a program that can run is picked.
  async showRefused(p: ProgramSummary): Promise<void> {
    await this.guard(`Could not show ${p.name}`, async () => {
      const r = await this.send({ op: 'listing', program: p.name });
      this.program = { name: p.name, lines: r.lines, ...(p.load_error ? { refused: p.load_error } : {}) };
      this.breakpointConds.clear();
      this.watchSpecs.clear();
      this.events.emit('program', this.program);
    });
  }

  // True while the program shown cannot run: step commands do nothing.
  get refused(): boolean {
    return this.program?.refused !== undefined;
  }

  // Starts `input.program` paused at its first instruction (keeping breakpoints when the
  // program is the same).
  async start(input: RunInputSettings, breakpoints?: readonly BreakpointSpec[]): Promise<boolean> {
    const ok = await this.guard(`Could not start ${input.program}`, async () => {
      if (this.program?.name !== input.program) {
        const r = await this.send({ op: 'listing', program: input.program });
        this.program = { name: input.program, lines: r.lines };
        if (!breakpoints) this.breakpointConds.clear();
        this.watchSpecs.clear();
        this.events.emit('program', this.program);
        await this.verify(input.program);
      }
      const bps = breakpoints ?? this.breakpointList();
      // Watchpoints carry over to the new run (core gives them new ids).
      const specs = [...this.watchSpecs.values()];
      const r = await this.send({ op: 'start', input, breakpoints: bps, watches: specs });
      this.watchSpecs = new Map();
      r.watchIds.forEach((id, i) => {
        const spec = specs[i];
        if (id && spec) this.watchSpecs.set(id, spec);
      });
      this.publish(r.snapshot);
      return true;
    });
    return ok === true;
  }

  // The callback of the BPF timer that fires next, as a run of its own (the clock moves on).
  async startTimer(): Promise<void> {
    if (this.busy || this.refused) return;
    this.busy = true;
    try {
      await this.guard('next timer', async () =>
        this.publish((await this.send({ op: 'timer', breakpoints: this.breakpointList() })).snapshot));
    } finally {
      this.busy = false;
    }
  }

  async command(command: StepCommand): Promise<void> {
    if (this.busy || this.refused) return;
    this.busy = true;
    try {
      await this.guard(command, async () => this.publish((await this.send({ op: 'command', command })).snapshot));
    } finally {
      this.busy = false;
    }
  }

  async continue(reverse = false): Promise<void> {
    if (this.busy || this.refused) return;
    this.busy = true;
    this.events.emit('running', true);
    try {
      await this.guard(reverse ? 'reverse continue' : 'continue', async () =>
        this.publish((await this.send({ op: 'continue', reverse, chunk: kContinueChunk })).snapshot));
    } finally {
      this.busy = false;
      this.events.emit('running', false);
    }
  }

  // The rest of the run at full speed, unrecorded: breakpoints and watchpoints are not checked
  // and the history before is forgotten (core's cont_fast).
  async continueFast(): Promise<void> {
    if (this.busy || this.refused) return;
    this.busy = true;
    this.events.emit('running', true, true);
    try {
      await this.guard('run to end (fast)', async () =>
        this.publish((await this.send({ op: 'fast', chunk: kFastChunk })).snapshot));
    } finally {
      this.busy = false;
      this.events.emit('running', false);
    }
  }

  async stop(): Promise<void> {
    await this.send({ op: 'stop' });
  }

  async goto(count: number): Promise<void> {
    if (this.busy || this.refused) return;
    this.busy = true;
    try {
      await this.guard('go to step', async () => this.publish((await this.send({ op: 'goto', count })).snapshot));
    } finally {
      this.busy = false;
    }
  }

  hasBreakpoint(pc: number): boolean {
    return this.breakpointConds.has(pc);
  }

  // The breakpoint's condition at pc ("" = unconditional), undefined when there is none.
  conditionAt(pc: number): string | undefined {
    return this.breakpointConds.get(pc);
  }

  breakpointList(): BreakpointSpec[] {
    return [...this.breakpointConds].sort((a, b) => a[0] - b[0]).map(([pc, condition]) => ({ pc, condition }));
  }

  private applyStops(stops: StopsView): void {
    this.breakpointConds = new Map(stops.breakpoints.map((b) => [b.pc, b.condition]));
    this.watches = stops.watchpoints;
    this.events.emit('breakpoints', stops.breakpoints);
    this.events.emit('watches', stops.watchpoints);
  }

  async toggleBreakpoint(pc: number): Promise<void> {
    if (this.refused) return;  // breakpoints belong to a run; this program has none
    const set = !this.breakpointConds.has(pc);
    await this.guard('breakpoint', async () => {
      const r = await this.send({ op: 'breakpoint', pc, set });
      this.applyStops(r.stops);
    });
  }

  // Sets (or replaces) the breakpoint at pc with `condition` ("" = always). Resolves to core's
  // error when the condition does not parse; the old breakpoint then stays as it was.
  async setBreakpoint(pc: number, condition: string): Promise<ErrorView | undefined> {
    if (this.program?.refused) return this.program.refused;
    try {
      const r = await this.send({ op: 'breakpoint', pc, set: true, condition });
      this.applyStops(r.stops);
      return undefined;
    } catch (e) {
      return e instanceof RequestError ? e.view : pageError('Internal', String(e));
    }
  }

  // Adds a watchpoint; resolves to core's error when it cannot be set (a bad range, no such map).
  async addWatch(watch: WatchSpec): Promise<ErrorView | undefined> {
    try {
      const r = await this.send({ op: 'watch', watch });
      this.watchSpecs.set(r.id, watch);
      this.applyStops(r.stops);
      return undefined;
    } catch (e) {
      return e instanceof RequestError ? e.view : pageError('Internal', String(e));
    }
  }

  async removeWatch(id: number): Promise<void> {
    await this.guard('remove watchpoint', async () => {
      const r = await this.send({ op: 'unwatch', id });
      this.watchSpecs.delete(id);
      this.applyStops(r.stops);
    });
  }

  watchSpec(id: number): WatchSpec | undefined {
    return this.watchSpecs.get(id);
  }

  // A key and its value(s) typed as C values, set by core in one command: the key's bytes, or
  // core's error naming the field ("value.sport: 70000 does not fit in __u16 (0 to 65535)") or
  // the kernel's ("bpf_map_update_elem failed with -E2BIG: the map is full").
  async setMapEntry(map: string, key: string, values: readonly string[]): Promise<{ key: Uint8Array } | ErrorView> {
    try {
      const r = await this.send({ op: 'map_set', map, key, values });
      this.publish(r.snapshot);
      return { key: r.key };
    } catch (e) {
      return e instanceof RequestError ? e.view : pageError('Internal', String(e));
    }
  }

  async deleteMapEntry(map: string, key: Uint8Array): Promise<number | undefined> {
    return this.guard(`delete from map ${map}`, async () => {
      const r = await this.send({ op: 'map_delete', map, key });
      this.publish(r.snapshot);
      return r.result;
    });
  }

  // One of bpf(2)'s map commands from user space ("lookup_batch counts 4"): core's answer, or
  // why it could not be asked (an unknown map, a key of the wrong size).
  async mapCommand(line: string): Promise<MapCommandView | ErrorView> {
    try {
      const r = await this.send({ op: 'map_command', line });
      this.publish(r.snapshot);
      return r.result;
    } catch (e) {
      return e instanceof RequestError ? e.view : pageError('Internal', String(e));
    }
  }

  // Instruction `pc` in words (pc < 0: the current one, with the values now); undefined when
  // nothing runs (a refused program) or core cannot say.
  async explain(pc: number): Promise<ExplainView | undefined> {
    if (this.refused || !this.snapshot) return undefined;
    try {
      return (await this.send({ op: 'explain', pc })).view;
    } catch {
      return undefined;
    }
  }

  // Core's reader and writer of session links (session_link.ts), through the worker.
  readonly links: LinkCodec = {
    decode: async (hash) => (await this.send({ op: 'link_decode', hash })).json,
    encode: async (view) => (await this.send({ op: 'link_encode', view })).json,
  };

  // A lesson's goal held to `object` run on the lesson's inputs (in the worker, apart from the
  // run shown); throws a RequestError with core's message when it cannot run.
  async checkLesson(lesson: string, object: { name: string; bytes: Uint8Array }): Promise<CheckResult> {
    return (await this.send({ op: 'lesson', lesson, object })).result;
  }

  // The checker's verdict on a program about to run: a refusal is shown (the user may still run
  // it, as bpfvm run does after its warning). A checker failure is not the run's: nothing is shown.
  private async verify(program: string): Promise<void> {
    try {
      this.events.emit('verdict', (await this.send({ op: 'verify', program })).verdict);
    } catch {
      // nothing to show
    }
  }
}
