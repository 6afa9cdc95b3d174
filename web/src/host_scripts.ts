// The host scripts core plays through a whole object (not one run the debugger steps): a
// scenario of host events through its tracing programs (core/run/scenario_json.hpp), and a TCP
// flow through its congestion control (core/run/tcp_ca_flow.hpp's tcp_flow_json). Their reports
// are views of vm_types.ts (kScenarioReport, kTcpFlowReport, decoded by normalize.ts's decode);
// here they are put in the console's words, line for line what `bpfvm run --scenario` and
// `bpfvm run` with a flow print (pure, unit-tested).
import { perfEventLine, hostEventLine } from './console_lines';
import type { ScenarioReport, TcpFlowReport, TcpFlowRowView } from './vm_types';

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
    out.push({ tag: 'event', depth: 0, text: `event ${e.event} at ${e.time_ns} ns: ${e.text}` });
    for (const r of e.runs) {
      // r0 signed, as the CLI prints it (decode reads a u64 written as digits past 2^63 unsigned).
      const outcome = r.error !== undefined ? `error: ${r.error}` : `return ${BigInt.asIntN(64, r.return ?? 0n)}`;
      out.push({ tag: 'run', depth: 1, text: `${r.timer || r.program}: ${outcome} (${r.instructions} instructions)` });
      for (const p of r.printk) out.push({ tag: 'printk', depth: 2, text: p.replace(/\n$/, '') });
      for (const p of r.perf_events) out.push({ tag: 'perf', depth: 2, text: perfEventLine(p).text });
      for (const h of r.host_events) out.push({ tag: 'host', depth: 2, text: hostEventLine(h).text });
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
  return Object.entries(row.calls).map(([member, n]) => (Number(n) > 1 ? `${member} x${Number(n)}` : member)).join(', ');
}

// The columns of tcp_flow_text's table, each cell as it prints it.
export const kTcpFlowColumns = ['step', 'time_us', 'snd_cwnd', 'snd_ssthresh', 'ca_state', 'in_flight', 'calls'] as const;

export function tcpFlowCells(row: TcpFlowRowView): string[] {
  return [row.step, String(row.time_us), String(row.snd_cwnd), String(row.snd_ssthresh), row.ca_state, String(row.in_flight), tcpFlowCalls(row)];
}
