// A lesson's goal checked against what really happened when the learner's object ran: the
// verifier's verdict, each case's return value, map contents, trace lines, ring buffer records.
// Pure (no DOM, no wasm): the page and the tests hand it the outcome core reported.
import { parseHex, toHex } from './hex';
import type { ErrorView, StateView, VerdictView } from './vm_types';

// What a lesson expects once all its cases have run (maps carry over from run to run).
export type Expectation =
  // cpu: that CPU's copy of a per-CPU map's value; without it, the copies summed (as user space does)
  | { kind: 'map_u64'; map: string; keyHex: string; keyLabel: string; value: bigint | 'nonzero'; cpu?: number }
  // The packet after run `run`: a big-endian field of `size` bytes at `offset` ("the TCP destination port").
  | { kind: 'packet_field'; run: number; offset: number; size: 1 | 2; what: string; equals: number }
  // The packet after run `run` is IPv4 with a right header checksum and a right TCP/UDP checksum.
  | { kind: 'checksums'; run: number }
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

// The one's-complement sum of 16-bit big-endian words (a last odd byte padded with 0), folded.
function onesSum(bytes: Uint8Array, start = 0): number {
  let sum = start;
  for (let i = 0; i < bytes.length; i += 2) sum += ((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum;
}

// Which checksum of an Ethernet + IPv4 + TCP/UDP packet does not verify ("the IPv4 header
// checksum", "the TCP checksum"), or undefined when all do. A right checksum makes the sum over
// what it covers (the TCP/UDP one with the pseudo-header: addresses, protocol, length) 0xffff.
export function wrongChecksum(p: Uint8Array): string | undefined {
  if (p.length < 34 || p[12] !== 0x08 || p[13] !== 0x00) return 'IPv4 header (the packet is not IPv4)';
  const ihl = ((p[14] ?? 0) & 0x0f) * 4;
  if (onesSum(p.subarray(14, 14 + ihl)) !== 0xffff) return 'IPv4 header checksum';
  const total = ((p[16] ?? 0) << 8) | (p[17] ?? 0);
  const proto = p[23] ?? 0;
  const l4 = p.subarray(14 + ihl, 14 + total);
  if (proto !== 6 && proto !== 17) return undefined;
  const pseudo = onesSum(p.subarray(26, 34), proto + l4.length);
  if (onesSum(l4, pseudo) !== 0xffff) return proto === 6 ? 'TCP checksum' : 'UDP checksum';
  return undefined;
}

function checkAfter(e: Expectation, runs: readonly RunOutcome[]): CheckLine {
  const last = runs[runs.length - 1]?.state;
  switch (e.kind) {
    case 'map_u64': {
      const map = last?.maps.find((m) => m.name === e.map);
      if (!map) return { ok: false, text: `the object has no map named "${e.map}"` };
      const entry = map.entries.find((x) => toHex(x.key_hex) === e.keyHex);
      if (!entry) return { ok: false, text: `map ${e.map} has no entry for ${e.keyLabel}` };
      const got = e.cpu === undefined
        ? entry.values_hex.reduce((s, v) => s + u64le(v), 0n)  // per-CPU values summed
        : u64le(entry.values_hex[e.cpu] ?? new Uint8Array());
      const ok = e.value === 'nonzero' ? got !== 0n : got === e.value;
      const want = e.value === 'nonzero' ? 'not 0' : String(e.value);
      const where = e.cpu === undefined ? '' : ` on CPU ${e.cpu}`;
      return { ok, text: `map ${e.map}[${e.keyLabel}]${where} is ${got}${ok ? '' : `; the goal is ${want}`}` };
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
    case 'packet_field': {
      const p = runs[e.run]?.state?.packet ?? new Uint8Array();
      if (p.length < e.offset + e.size) return { ok: false, text: `packet ${e.run + 1} is too short to hold ${e.what}` };
      const got = e.size === 1 ? p[e.offset] ?? 0 : ((p[e.offset] ?? 0) << 8) | (p[e.offset + 1] ?? 0);
      const ok = got === e.equals;
      return { ok, text: `packet ${e.run + 1}'s ${e.what} is ${got}${ok ? '' : `; the goal is ${e.equals}`}` };
    }
    case 'checksums': {
      const p = runs[e.run]?.state?.packet ?? new Uint8Array();
      const wrong = wrongChecksum(p);
      return { ok: !wrong, text: wrong ? `packet ${e.run + 1}'s ${wrong} is wrong: a receiver would drop it` : `packet ${e.run + 1}'s checksums are right` };
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
        const ok = s.return === BigInt(c.returns.value);
        const got = `${s.return_name || String(s.return)}${s.return_name ? ` (${s.return})` : ''}`;
        lines.push({ ok, text: ok ? `${c.label}: ${c.returns.name}` : `${c.label} got ${got}; the goal is ${c.returns.name} (${c.returns.value})` });
      }
    });
    for (const e of goal.after) lines.push(checkAfter(e, outcome.runs));
  }
  const failed = lines.find((l) => !l.ok);
  return { done: !failed, lines, message: failed ? `Not yet, because ${failed.text}.` : 'Done! Every check passes.' };
}
