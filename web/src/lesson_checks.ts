// A lesson's goal checked against what really happened when the learner's object ran: the
// verifier's verdict, each case's return value, map contents, trace lines, ring buffer records.
// Pure (no DOM, no wasm): the page and the tests hand it the outcome core reported.
import { parseHex, toHex } from './hex';
import type { ErrorView, StateView, VerdictView } from './vm_types';

// What a lesson expects once all its cases have run (maps carry over from run to run).
export type Expectation =
  | { kind: 'map_u64'; map: string; keyHex: string; keyLabel: string; value: bigint | 'nonzero' }
  | { kind: 'printk'; run: number; contains: string }
  // core's event lines ("rb: record 0 (16 bytes) <hex>") hold every record so far: any one matches.
  | { kind: 'event_u32'; run: number; offset: number; equals: number };

export interface LessonCaseGoal {
  readonly label: string;           // "a TCP packet to port 8080"
  readonly returns?: { value: number; name: string };
}

export interface LessonGoal {
  readonly cases: readonly LessonCaseGoal[];
  readonly after: readonly Expectation[];
}

export interface RunOutcome {
  readonly state?: StateView;
  readonly error?: ErrorView;
}

export interface LessonOutcome {
  readonly loadError?: ErrorView;
  readonly verdict?: VerdictView;
  readonly runs: readonly RunOutcome[];
}

export interface CheckLine { readonly ok: boolean; readonly text: string }
export interface CheckResult { readonly done: boolean; readonly message: string; readonly lines: readonly CheckLine[] }

function u64le(b: Uint8Array): bigint {
  let v = 0n;
  for (let i = Math.min(b.length, 8) - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i] ?? 0);
  return v;
}

// A ring buffer event line's record bytes ("rb: record 0 (16 bytes) 3600..."); none for a line
// that ends in something else.
function recordBytes(line: string): Uint8Array {
  try {
    return parseHex(line.trim().split(/\s+/).pop() ?? '');
  } catch {
    return new Uint8Array();
  }
}

function checkAfter(e: Expectation, runs: readonly RunOutcome[]): CheckLine {
  const last = runs[runs.length - 1]?.state;
  switch (e.kind) {
    case 'map_u64': {
      const map = last?.maps.find((m) => m.name === e.map);
      if (!map) return { ok: false, text: `the object has no map named "${e.map}"` };
      const entry = map.entries.find((x) => toHex(x.key) === e.keyHex);
      if (!entry) return { ok: false, text: `map ${e.map} has no entry for ${e.keyLabel}` };
      const got = entry.values.reduce((s, v) => s + u64le(v), 0n);  // per-CPU values summed
      const ok = e.value === 'nonzero' ? got !== 0n : got === e.value;
      const want = e.value === 'nonzero' ? 'not 0' : String(e.value);
      return { ok, text: `map ${e.map}[${e.keyLabel}] is ${got}${ok ? '' : `; the goal is ${want}`}` };
    }
    case 'printk': {
      const lines = runs[e.run]?.state?.printk ?? [];
      const ok = lines.some((l) => l.includes(e.contains));
      return { ok, text: ok ? `run ${e.run + 1} printed "${e.contains}"` : `run ${e.run + 1} printed no line with "${e.contains}"${lines.length ? ` (it printed ${JSON.stringify(lines[0]?.trim())})` : ''}` };
    }
    case 'event_u32': {
      const events = runs[e.run]?.state?.events ?? [];
      const hit = events.some((r) => {
        const b = recordBytes(r);
        return b.length >= e.offset + 4 && Number(u64le(b.subarray(e.offset, e.offset + 4))) === e.equals;
      });
      return { ok: hit, text: hit ? `run ${e.run + 1} sent a record holding ${e.equals}` : `run ${e.run + 1} sent ${events.length ? 'no record holding ' + e.equals + ` at byte ${e.offset}` : 'no ring buffer record'}` };
    }
  }
}

// "done" when the verifier accepts the program, every case ends with its return value and every
// expectation after the runs holds; else "not yet, because" the first thing that fails.
export function checkLesson(goal: LessonGoal, outcome: LessonOutcome): CheckResult {
  const lines: CheckLine[] = [];
  if (outcome.loadError) {
    lines.push({ ok: false, text: `the object did not load: ${outcome.loadError.what}` });
  } else if (outcome.verdict?.verdict === 'refuse') {
    const v = outcome.verdict;
    lines.push({ ok: false, text: `the verifier refuses the program at instruction ${v.insn}${v.source ? ` (line ${v.source.line})` : ''}: ${v.message}` });
  } else {
    goal.cases.forEach((c, i) => {
      const run = outcome.runs[i];
      if (!run?.state) {
        lines.push({ ok: false, text: `${c.label}: did not run${run?.error ? ` (${run.error.what})` : ''}` });
        return;
      }
      const s = run.state;
      if (s.status === 'faulted') {
        lines.push({ ok: false, text: `${c.label}: the run stopped on a fault: ${s.fault?.what ?? 'unknown'}` });
      } else if (s.status !== 'exited') {
        lines.push({ ok: false, text: `${c.label}: the run did not reach exit` });
      } else if (c.returns) {
        const ok = s.r0 === BigInt(c.returns.value);
        const got = `${s.returnName || String(s.r0)}${s.returnName ? ` (${s.r0})` : ''}`;
        lines.push({ ok, text: ok ? `${c.label}: ${c.returns.name}` : `${c.label} got ${got}; the goal is ${c.returns.name} (${c.returns.value})` });
      }
    });
    for (const e of goal.after) lines.push(checkAfter(e, outcome.runs));
  }
  const failed = lines.find((l) => !l.ok);
  return { done: !failed, lines, message: failed ? `Not yet, because ${failed.text}.` : 'Done! Every check passes.' };
}
