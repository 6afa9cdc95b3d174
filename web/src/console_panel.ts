// The console: the run's result, trace_printk output, ring buffer records and the host's event
// log (so far in this run, from the snapshot), the last host script played through the object
// (a scenario's events, a TCP flow's steps), and the playground's own messages (errors in words, map edits).
import { hostEventLine, perfEventLine, type ConsoleLine } from './console_lines';
import { h, hex64, signed64 } from './dom';
import { kTcpFlowColumns, scenarioLines, tcpFlowCells, tcpFlowTitle } from './host_scripts';
import type { Session } from './session';
import type { ErrorView, ScenarioReport, Snapshot, TcpFlowReport } from './vm_types';

// The hint as its own line, unless the explanation already ends with it.
export function hintUnlessSaid(explanation: string, hint: string | undefined): HTMLElement | undefined {
  return hint && !explanation.includes(hint) ? h('div', { class: 'hint', text: hint }) : undefined;
}

export class ConsolePanel {
  private readonly runLog = h('div', { class: 'run-log', id: 'run-log' });
  private readonly messages = h('div', { class: 'messages', id: 'messages' });
  // The last host script's output; a newly loaded object clears it.
  private readonly scriptLog = h('div', { class: 'script-log', id: 'script-log' });
  private scriptsShown = 0;  // data-shown on the log: tests wait for it to move after a play

  constructor(root: HTMLElement, session: Session) {
    // The run's output first, then the last host script's; the playground's messages below, newest on top.
    root.append(this.runLog, this.scriptLog, this.messages);
    session.events.on('snapshot', (s) => this.render(s));
    session.events.on('error', (context, e) => this.error(context, e));
    session.events.on('loaded', () => this.scriptLog.replaceChildren());
    session.events.on('scenario', (r) => this.scenario(r));
    session.events.on('tcpFlow', (r) => this.tcpFlow(r));
  }

  private scenario(r: ScenarioReport): void {
    const lines = scenarioLines(r).map((l) => {
      const text = l.bytes ? l.text.slice(0, l.text.length - l.bytes.length) : l.text;
      return h('div', { class: `script-line ${l.tag} depth-${l.depth}` }, h('span', { class: 'tag', text: l.tag }), text,
        l.bytes ? h('span', { class: 'bytes', text: l.bytes }) : undefined);
    });
    this.scriptLog.replaceChildren(h('div', { class: 'script-title', text: `scenario: ${r.events.length} events` }), ...lines);
    this.scriptShown();
  }

  private scriptShown(): void {
    this.scriptLog.dataset['shown'] = String(++this.scriptsShown);
    this.scriptLog.scrollIntoView({ block: 'nearest' });
  }

  private tcpFlow(r: TcpFlowReport): void {
    const table = h('table', { class: 'tcp-flow', id: 'tcp-flow' },
      h('thead', {}, h('tr', {}, ...kTcpFlowColumns.map((c) => h('th', { text: c })))),
      h('tbody', {}, ...r.rows.map((row) => h('tr', {}, ...tcpFlowCells(row).map((c) => h('td', { text: c }))))));
    this.scriptLog.replaceChildren(h('div', { class: 'script-title', text: tcpFlowTitle(r) }), h('div', { class: 'tcp-flow-wrap' }, table));
    if (r.error) this.scriptLog.append(h('div', { class: 'script-line run-error', role: 'alert', text: `stopped: ${r.error}` }));
    this.scriptShown();
  }

  say(text: string, kind: 'error' | 'info' = 'info'): void {
    this.messages.prepend(h('div', { class: `msg ${kind}`, text }));
    while (this.messages.childElementCount > 50) this.messages.lastElementChild?.remove();
  }

  error(context: string, e: ErrorView): void {
    const where = e.pc !== undefined ? ` (insn ${e.pc})` : e.line !== undefined ? ` (line ${e.line})` : '';
    const el = h('div', { class: 'msg error', role: 'alert' }, h('b', { text: `${context}: ` }), `${e.what}${where}`,
      e.hint ? h('div', { class: 'hint', text: e.hint }) : undefined);
    this.messages.prepend(el);
    el.scrollIntoView({ block: 'nearest' });
  }

  private render(s: Snapshot): void {
    const st = s.state;
    const lines: HTMLElement[] = [];
    for (const p of st.printk) lines.push(h('div', { class: 'printk' }, h('span', { class: 'tag', text: 'printk' }), p.replace(/\n$/, '')));
    for (const e of st.events) lines.push(h('div', { class: 'event' }, h('span', { class: 'tag', text: 'ringbuf' }), e));
    const line = (l: ConsoleLine): HTMLElement =>
      h('div', { class: l.kind === 'perf' ? 'event perf' : `host-event ${l.kind}` }, h('span', { class: 'tag', text: l.tag }), l.text);
    for (const e of st.perf_events) lines.push(line(perfEventLine(e)));
    for (const e of st.host_events) lines.push(line(hostEventLine(e)));
    const it = st.iterator;
    if (it) {
      // What this call wrote into the seq_file: as text when it reads as text, else as hex.
      const isText = !/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/.test(it.output);
      lines.push(h('div', { class: 'event iter' }, h('span', { class: 'tag', text: 'iter' }),
        `${it.target}: ${it.element}, seq_num ${it.seq_num} (the first call; bpfvm run runs them all)`));
      if (it.output)
        lines.push(h('pre', { class: 'event iter-output', text: isText ? it.output : it.output_hex.replace(/(..)(?!$)/g, '$1 ') }));
    }
    if (st.status === 'exited') {
      lines.push(h('div', { class: 'result', id: 'result' }, h('span', { class: 'tag', text: 'exit' }),
        `r0 = ${hex64(st.return ?? 0n)} (${signed64(st.return ?? 0n)})${st.return_name ? ` ${st.return_name}` : ''} after ${st.executed} instructions`));
    } else if (st.status === 'faulted') {
      lines.push(h('div', { class: 'result fault', id: 'result' }, h('span', { class: 'tag', text: 'fault' }),
        `${st.fault_explanation || st.fault?.what || ''}`, hintUnlessSaid(st.fault_explanation, st.fault?.hint)));
    }
    this.runLog.replaceChildren(...lines);
  }
}
