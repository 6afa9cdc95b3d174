// The VM's thread: owns the wasm module and the one Playground (ObjectSession + DebugSession),
// answers the page's requests (worker_protocol.ts), and runs continues in chunks so progress
// can be shown and a Stop ends them at once.
import createModule, { type BpfplayModule, type Playground } from '@bpfplay/wasm/bpfplay.mjs';
import wasmUrl from '@bpfplay/wasm/bpfplay.wasm?url';
import { parseCoreJson, decode } from './normalize';
import { kErrorView, kExplainView, kListing, kMapSetView, kStateView, kMapCommandView, kObjectScripts, kObjectSummary, kScenarioReport, kStopView, kStopsView, kTcpFlowReport, kVerdictView, pageError, type ErrorView, type Snapshot, type StopsView } from './vm_types';
import { hostDocument } from './host_fields';
import { checkLesson } from './lesson_checks';
import { runLesson } from './lesson_runner';
import { kLessons } from './lessons/index';
import { kIdleOps, type Envelope, type ReplyData, type Request, type WatchSpec, type WorkerMessage } from './worker_protocol';

declare const self: DedicatedWorkerGlobalScope;

class UserError extends Error {
  constructor(readonly view: ErrorView) {
    super(view.what);
  }
}

// What core writes for StopInfo{}: the snapshot after a command that does not run.
const kNoStop = '{"reason":"none","id":0,"steps":"0","fast":false,"fast_insns":"0"}';

const post = (m: WorkerMessage): void => self.postMessage(m);

let vm: Playground | undefined;
let wasm: BpfplayModule | undefined;  // for the lessons' Playgrounds of their own
let furthest = 0;
let ended = false;
let running = false;
let stopRequested = false;
let commandStart = 0;  // performance.now() when the current request arrived

function need(): Playground {
  if (!vm) throw new UserError(pageError('Load', 'The VM is still starting.'));
  return vm;
}

// {"ok": false, "error": {...}} from the bindings becomes a UserError.
function checked(json: string): Record<string, unknown> {
  const v = JSON.parse(json) as Record<string, unknown>;
  if (v['ok'] === false) throw new UserError(decode(kErrorView, v['error']));
  return v;
}

// The same for replies holding 64-bit numbers (a scenario's clock, a return value): their
// exact digits are kept (parseCoreJson).
function checkedCore(json: string): Record<string, unknown> {
  const v = parseCoreJson(json) as Record<string, unknown>;
  if (v['ok'] === false) throw new UserError(decode(kErrorView, v['error']));
  return v;
}


function stops(p: Playground): StopsView {
  return decode(kStopsView, JSON.parse(p.stops()));
}

// Adds a watchpoint; its id, or a UserError with core's message.
function addWatch(p: Playground, w: WatchSpec): number {
  const res =
    w.kind === 'stack' ? p.add_stack_watch(w.fpOffset, w.length, w.frame)
    : w.kind === 'packet' ? p.add_packet_watch(w.offset, w.length)
    : p.add_map_watch(w.map, w.key);
  return Number(checked(res)['id']);
}

function snapshot(p: Playground, stopJson: string): Snapshot {
  const state = decode(kStateView, parseCoreJson(p.state()));
  if (state.status !== 'ready') {
    ended = true;
    furthest = state.executed;
  } else {
    furthest = Math.max(furthest, state.executed);
  }
  const { breakpoints, watchpoints } = stops(p);
  return {
    state,
    stop: decode(kStopView, JSON.parse(stopJson)),
    hits: JSON.parse(p.hit_counts()) as number[],
    breakpoints,
    watches: watchpoints,
    furthest,
    ended,
    workerMs: performance.now() - commandStart,
  };
}

// Lets queued messages (a Stop) run between chunks; a MessageChannel is not throttled as
// nested timers are.
const channel = new MessageChannel();
const yieldQueue: (() => void)[] = [];
channel.port1.onmessage = () => yieldQueue.shift()?.();
const yieldToEvents = (): Promise<void> =>
  new Promise((resolve) => {
    yieldQueue.push(resolve);
    channel.port2.postMessage(0);
  });

async function runContinue(p: Playground, reverse: boolean, chunk: number): Promise<Snapshot> {
  running = true;
  stopRequested = false;
  try {
    for (;;) {
      const stop = reverse ? p.reverse_cont(chunk) : p.cont(chunk);
      const info = decode(kStopView, JSON.parse(stop));
      if (info.reason !== 'paused' || stopRequested) return snapshot(p, stop);
      post({ kind: 'progress', executed: p.executed() });
      await yieldToEvents();
      if (stopRequested) return snapshot(p, stop);
    }
  } finally {
    running = false;
  }
}

// A fast continue in slices, as runContinue: the stop view it answers with counts every slice's
// instructions (and those run as WebAssembly), and runMs only the time spent running them.
async function runFast(p: Playground, chunk: number): Promise<Snapshot> {
  running = true;
  stopRequested = false;
  let steps = 0n, fastInsns = 0n, runMs = 0, reason = 'paused', id = 0;
  try {
    for (;;) {
      const t0 = performance.now();
      const stop = p.cont_fast(chunk);
      runMs += performance.now() - t0;
      const info = decode(kStopView, JSON.parse(stop));
      steps += info.steps;
      fastInsns += info.fast_insns;
      ({ reason, id } = info);
      if (reason !== 'paused' || stopRequested) break;
      post({ kind: 'progress', executed: p.executed() });
      await yieldToEvents();
      if (stopRequested) break;
    }
  } finally {
    running = false;
  }
  const total = { reason, id, steps: String(steps), fast: true, fast_insns: String(fastInsns) };
  return { ...snapshot(p, JSON.stringify(total)), runMs };
}

async function handle(r: Request): Promise<ReplyData[Request['op']]> {
  switch (r.op) {
    case 'load': {
      const p = need();
      const res =
        r.source.kind === 'object'
          ? p.load_object(r.source.bytes, r.source.name, hostDocument(r.host))
          : p.load_assembly(r.source.text, r.source.section, hostDocument(r.host));
      const v = checked(res);
      return { summary: decode(kObjectSummary, v['summary']), info: String(v['info'] ?? ''), scripts: decode(kObjectScripts, v['scripts']) };
    }
    case 'listing':
      return { lines: decode(kListing, checked(need().listing(r.program))).insns };
    case 'scenario':
      return { report: decode(kScenarioReport, checkedCore(need().play_scenario(r.script))['report']) };
    case 'tcp_flow':
      return { report: decode(kTcpFlowReport, checkedCore(need().run_tcp_flow(r.script, r.budget))['report']) };
    case 'verify':
      return { verdict: decode(kVerdictView, checked(need().verify(r.program))['verdict']) };
    case 'start': {
      const p = need();
      checked(p.start(r.input.program, r.input.packet, r.input.ctx, r.input.budget));
      furthest = 0;
      ended = false;
      // A condition that no longer parses leaves the breakpoint out (the gutter shows what is set).
      for (const b of r.breakpoints) p.add_breakpoint(b.pc, b.condition);
      const watchIds = r.watches.map((w) => {
        try {
          return addWatch(p, w);
        } catch {
          return 0;
        }
      });
      return { snapshot: snapshot(p, kNoStop), watchIds };
    }
    case 'timer': {
      const p = need();
      checked(p.start_timer());
      furthest = 0;
      ended = false;
      for (const b of r.breakpoints) p.add_breakpoint(b.pc, b.condition);
      return { snapshot: snapshot(p, kNoStop) };
    }
    case 'command': {
      const p = need();
      return { snapshot: snapshot(p, p[r.command]()) };
    }
    case 'continue':
      return { snapshot: await runContinue(need(), r.reverse, r.chunk) };
    case 'fast':
      return { snapshot: await runFast(need(), r.chunk) };
    case 'goto': {
      const p = need();
      return { snapshot: snapshot(p, p.goto_count(r.count)) };
    }
    case 'breakpoint': {
      const p = need();
      const old = stops(p).breakpoints.filter((b) => b.pc === r.pc);
      if (r.set) {
        // Added first: a bad condition fails here and leaves the old breakpoint as it was.
        const id = Number(checked(p.add_breakpoint(r.pc, r.condition ?? ''))['id']);
        for (const b of old) if (b.id !== id) p.remove_breakpoint(b.id);
      } else {
        for (const b of old) p.remove_breakpoint(b.id);
      }
      return { stops: stops(p) };
    }
    case 'watch': {
      const p = need();
      const id = addWatch(p, r.watch);
      return { stops: stops(p), id };
    }
    case 'unwatch': {
      const p = need();
      p.remove_watch(r.id);
      return { stops: stops(p) };
    }
    case 'map_set': {
      const p = need();
      const { key } = decode(kMapSetView, checked(p.set_map_entry(r.map, r.key, JSON.stringify(r.values), 0)));
      ended = false;  // the edit cleared the journal: what follows is a new future
      furthest = p.executed();
      return { snapshot: snapshot(p, kNoStop), key };
    }
    case 'map_delete': {
      const p = need();
      const result = p.delete_map_entry(r.map, r.key);
      ended = false;
      furthest = p.executed();
      return { snapshot: snapshot(p, kNoStop), result };
    }
    case 'map_command': {
      const p = need();
      const result = decode(kMapCommandView, checked(p.map_command(r.line))['result']);
      if (result.changed) {  // the change cleared the journal: what follows is a new future
        ended = false;
        furthest = p.executed();
      }
      return { snapshot: snapshot(p, kNoStop), result };
    }
    case 'explain':
      return { view: decode(kExplainView, checked(need().explain(r.pc))) };
    case 'lesson': {
      const lesson = kLessons.find((l) => l.id === r.lesson);
      if (!lesson || !wasm) throw new UserError(pageError('Load', lesson ? 'The VM is still starting.' : `No lesson ${r.lesson}.`));
      // The lesson's own host (core's default), not the page's: the goals name its pid and time.
      const p = new wasm.Playground();
      try {
        return { result: checkLesson(lesson.goal, runLesson(p, lesson, r.object.bytes, r.object.name, wasm.Playground.default_host_json())) };
      } finally {
        p.delete();
      }
    }
    case 'stop':
      stopRequested = true;
      return {};
    case 'link_decode':
      return { json: (wasm as BpfplayModule).Playground.share_link_decode(r.hash) };
    case 'link_encode':
      return { json: (wasm as BpfplayModule).Playground.share_link_encode(r.view) };
  }
}

self.onmessage = (e: MessageEvent<Envelope>) => {
  const { id, request } = e.data;
  if (request.op !== 'stop') commandStart = performance.now();
  if (running && !kIdleOps.includes(request.op)) {
    post({ kind: 'reply', id, ok: false, error: pageError('Busy', 'The program is running: press Stop first.') });
    return;
  }
  handle(request).then(
    (data) => post({ kind: 'reply', id, ok: true, data }),
    (err: unknown) => {
      const error = err instanceof UserError ? err.view : pageError('Internal', String(err));
      post({ kind: 'reply', id, ok: false, error });
    },
  );
};

createModule({ locateFile: (path) => (path.endsWith('.wasm') ? wasmUrl : path) }).then(
  (m) => {
    wasm = m;
    vm = new m.Playground();
    post({ kind: 'ready', defaultHostJson: m.Playground.default_host_json(), defaultsJson: m.Playground.defaults_json(),
      defaultScenarioJson: m.Playground.default_scenario_json(), defaultTcpFlowJson: m.Playground.default_tcp_flow_json() });
  },
  (err: unknown) => post({ kind: 'fatal', message: `The VM module failed to load: ${String(err)}` }),
);
