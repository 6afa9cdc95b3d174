// The host scripts core plays through a whole object (not one run the debugger steps): a
// scenario of host events through its tracing programs (core/run/scenario_json.hpp), and a TCP
// flow through its congestion control (core/run/tcp_ca_flow.hpp's tcp_flow_json). Here: their
// reports as core writes them -> views, and the views in the console's words, line for line
// what `bpfvm run --scenario` and `bpfvm run` with a flow print (pure, unit-tested).
import { perfEventLine, hostEventLine } from './console_lines';
import { arr, hostEvent, num, obj, perfEvent, str } from './normalize';
import type { HostEventView, PerfEventView } from './vm_types';

export interface ScenarioRunView {
  readonly program: string;
  readonly timer: string;           // a timer callback that came due: what fired; else ""
  readonly r0?: bigint;             // signed, as the CLI prints it; absent when the run failed
  readonly error?: string;
  readonly instructions: number;
  readonly printk: readonly string[];
  readonly perfEvents: readonly PerfEventView[];
  readonly hostEvents: readonly HostEventView[];
}

export interface ScenarioRecordView {
  readonly map: string;             // the ring buffer
  readonly size: number;
  readonly hex: string;
  readonly type: string;            // "struct event"; "" when no struct of the object fits
  readonly decoded: string;         // the record as C values (JSON text); "" without a type
}

export interface ScenarioEventView {
  readonly event: number;           // 1, 2, ...
  readonly timeNs: bigint;
  readonly text: string;            // "exec: pid 4243 (ls) runs /usr/bin/ls"
  readonly runs: readonly ScenarioRunView[];
  readonly records: readonly ScenarioRecordView[];
}

export interface ScenarioReport {
  readonly events: readonly ScenarioEventView[];
}

export interface TcpFlowRowView {
  readonly step: string;            // "start", "round 3", "fast_retransmit", "rto", "end", ...
  readonly timeUs: number;
  readonly sndCwnd: number;
  readonly sndSsthresh: number;
  readonly caState: string;         // "Open", "Recovery", "Loss", ...
  readonly inFlight: number;
  readonly calls: readonly (readonly [string, number])[];  // member, times: in first-call order
}

export interface TcpFlowReport {
  readonly ca: string;              // the struct_ops map
  readonly calls: number;
  readonly instructions: number;
  readonly rows: readonly TcpFlowRowView[];
  readonly error: string;           // a member's run failed: the rows up to it are kept
}

// The signed return value; core writes an integer past 2^53 as its digits (parseCoreJson).
function signed(v: unknown): bigint {
  return typeof v === 'number' ? BigInt(v) : typeof v === 'string' && v !== '' ? BigInt(v) : 0n;
}

export function scenarioReport(v: unknown): ScenarioReport {
  return {
    events: arr(obj(v)['events']).map((e): ScenarioEventView => {
      const o = obj(e);
      return {
        event: num(o['event']), timeNs: signed(o['time_ns']), text: str(o['text']),
        runs: arr(o['runs']).map((r): ScenarioRunView => {
          const q = obj(r);
          return {
            program: str(q['program']), timer: str(q['timer']),
            ...(q['error'] !== undefined ? { error: str(q['error']) } : { r0: signed(q['return']) }),
            instructions: num(q['instructions']), printk: arr(q['printk']).map(str),
            perfEvents: arr(q['perf_events']).map(perfEvent), hostEvents: arr(q['host_events']).map(hostEvent),
          };
        }),
        records: arr(o['records']).map((r): ScenarioRecordView => {
          const q = obj(r);
          return { map: str(q['map']), size: num(q['size']), hex: str(q['hex']), type: str(q['type']), decoded: str(q['decoded']) };
        }),
      };
    }),
  };
}

export function tcpFlowReport(v: unknown): TcpFlowReport {
  const o = obj(v);
  return {
    ca: str(o['ca']), calls: num(o['calls']), instructions: num(o['instructions']), error: str(o['error']),
    rows: arr(o['rows']).map((r): TcpFlowRowView => {
      const q = obj(r);
      return {
        step: str(q['step']), timeUs: num(q['time_us']), sndCwnd: num(q['snd_cwnd']), sndSsthresh: num(q['snd_ssthresh']),
        caState: str(q['ca_state']), inFlight: num(q['in_flight']),
        calls: Object.entries(obj(q['calls'])).map(([member, n]) => [member, num(n)] as const),
      };
    }),
  };
}

// One line of a played scenario in the console: depth 0 an event, 1 what happened at it.
export interface ScriptLine {
  readonly tag: string;    // event, run, printk, perf, host, ringbuf
  readonly depth: 0 | 1 | 2;
  readonly text: string;
  readonly bytes?: string; // the end of `text` that is a record's hex, set apart on screen
}

// scenario_text's lines (core/run/scenario.cpp) without their indentation (depth says it), and
// the runs' perf samples and host events, which the page's console shows for every run.
export function scenarioLines(report: ScenarioReport): ScriptLine[] {
  const out: ScriptLine[] = [];
  for (const e of report.events) {
    out.push({ tag: 'event', depth: 0, text: `event ${e.event} at ${e.timeNs} ns: ${e.text}` });
    for (const r of e.runs) {
      const outcome = r.error !== undefined ? `error: ${r.error}` : `return ${r.r0 ?? 0n}`;
      out.push({ tag: 'run', depth: 1, text: `${r.timer || r.program}: ${outcome} (${r.instructions} instructions)` });
      for (const p of r.printk) out.push({ tag: 'printk', depth: 2, text: p.replace(/\n$/, '') });
      for (const p of r.perfEvents) out.push({ tag: 'perf', depth: 2, text: perfEventLine(p).text });
      for (const h of r.hostEvents) out.push({ tag: 'host', depth: 2, text: hostEventLine(h).text });
    }
    for (const rec of e.records) {
      const head = `${rec.map}: record of ${rec.size} bytes`;
      out.push(rec.type ? { tag: 'ringbuf', depth: 1, text: `${head} (${rec.decoded})` }
        : { tag: 'ringbuf', depth: 1, text: `${head} => ${rec.hex}`, bytes: rec.hex });
    }
  }
  return out;
}

// tcp_flow_text's title and its calls column ("cong_avoid x10, ssthresh").
export function tcpFlowTitle(report: TcpFlowReport): string {
  return `TCP flow through ${report.ca || 'the congestion control'}: ${report.calls} member calls, ${report.instructions} instructions`;
}

export function tcpFlowCalls(row: TcpFlowRowView): string {
  return row.calls.map(([member, n]) => (n > 1 ? `${member} x${n}` : member)).join(', ');
}

// The columns of tcp_flow_text's table, each cell as it prints it.
export const kTcpFlowColumns = ['step', 'time_us', 'snd_cwnd', 'snd_ssthresh', 'ca_state', 'in_flight', 'calls'] as const;

export function tcpFlowCells(row: TcpFlowRowView): string[] {
  return [row.step, String(row.timeUs), String(row.sndCwnd), String(row.sndSsthresh), row.caState, String(row.inFlight), tcpFlowCalls(row)];
}
