// The debugger's controls: step commands (buttons and F10/F11/Shift+F11/F5/Ctrl+F10 keys), continue
// with progress and Stop, run to end fast (Ctrl+F5), reverse commands, reset, the history slider
// and the status line (in the bar at the bottom, by the slider).
import { h } from './dom';
import { fastRunText } from './fast_status';
import type { Session } from './session';
import type { Snapshot } from './vm_types';
import type { StepCommand } from './worker_protocol';

interface Control {
  id: string;
  label: string;
  title: string;
  run: () => void;
}

export class Toolbar {
  private readonly slider = h('input', { type: 'range', id: 'history', min: 0, max: 0, value: 0, 'aria-label': 'history' });
  private readonly sliderLabel = h('span', { id: 'history-label', class: 'muted' });
  private readonly status = h('span', { id: 'status' });
  private readonly stopButton = h('button', { id: 'btn-stop', class: 'danger', text: 'Stop', hidden: true });
  // Shown while a BPF timer is armed: its callback runs as a run of its own.
  private readonly timerButton = h('button', { id: 'btn-timer', text: '⏱ Next timer', hidden: true,
    title: 'Run the callback of the BPF timer that fires next, as core\'s clock moves on to its time' });
  private readonly buttons: HTMLButtonElement[] = [];

  constructor(controlsRoot: HTMLElement, historyRoot: HTMLElement, private readonly session: Session) {
    const cmd = (c: StepCommand) => () => void session.command(c);
    const controls: Control[] = [
      { id: 'btn-continue', label: '▶ Continue', title: 'Continue to a breakpoint or the end (F5)', run: () => void session.continue(false) },
      { id: 'btn-fast', label: '▶▶ Fast', title: 'Run to the end fast: the rest at full speed as WebAssembly, unrecorded; ' +
        'breakpoints and watchpoints are not checked, and step back stops where it ends (Ctrl+F5)', run: () => void session.continueFast() },
      { id: 'btn-step', label: 'Step', title: 'One instruction, into calls (F11)', run: cmd('step') },
      { id: 'btn-step-over', label: 'Step over', title: 'One instruction; a call runs to its return (F10)', run: cmd('step_over') },
      { id: 'btn-step-out', label: 'Step out', title: 'Run until this function returns (Shift+F11)', run: cmd('step_out') },
      { id: 'btn-step-line', label: 'Step line', title: 'Run until the C source line changes, into calls (F12)', run: cmd('step_line') },
      { id: 'btn-next-line', label: 'Next line', title: 'Run to the next C source line, stepping over calls (Ctrl+F10)', run: cmd('next_line') },
      { id: 'btn-step-back', label: '◀ Step back', title: 'Undo one instruction (Shift+F10)', run: cmd('step_back') },
      { id: 'btn-back-line', label: 'Back line', title: 'Back to where the previous source line started, into calls (Shift+F12)', run: cmd('step_back_line') },
      { id: 'btn-back-line-over', label: 'Back line over calls', title: 'Back to the previous source line, skipping the lines of called functions (Ctrl+Shift+F10)', run: cmd('step_back_line_over') },
      { id: 'btn-reverse', label: '◀◀ Reverse', title: 'Run backwards to a breakpoint or the start (Shift+F5)', run: () => void session.continue(true) },
      { id: 'btn-reset', label: 'Reset', title: 'Back to the first instruction, maps as they were (Ctrl+Shift+F5)', run: cmd('reset') },
    ];
    for (const c of controls) {
      const b = h('button', { id: c.id, title: c.title, text: c.label, onclick: c.run });
      this.buttons.push(b);
      controlsRoot.append(b);
    }
    this.stopButton.addEventListener('click', () => void session.stop());
    this.timerButton.addEventListener('click', () => void session.startTimer());
    controlsRoot.append(this.timerButton, this.stopButton);
    // The status line has a place of its own, first in the bar under the panes: after the
    // buttons it moved to the next row whenever its text grew, and the panes' height with it.
    historyRoot.append(this.status, h('span', { class: 'muted', text: 'history ' }), this.slider, this.sliderLabel);
    this.slider.addEventListener('change', () => void session.goto(Number(this.slider.value)));
    this.slider.addEventListener('input', () => { this.sliderLabel.textContent = `go to step ${this.slider.value}`; });

    document.addEventListener('keydown', (e) => this.key(e));
    session.events.on('snapshot', (s) => this.render(s));
    session.events.on('program', (p) => { if (p.refused) this.refused(p.name); });
    session.events.on('running', (r, fast) => this.running(r, fast === true));
    session.events.on('progress', (n) => { this.status.textContent = `running… ${n.toLocaleString('en-US')} instructions`; });
  }

  private key(e: KeyboardEvent): void {
    const t = e.target as HTMLElement | null;
    if (t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA') && !e.key.startsWith('F')) return;
    const s = this.session;
    let action: (() => void) | undefined;
    switch (e.key) {
      case 'F5':
        if (e.ctrlKey) action = e.shiftKey ? () => void s.command('reset') : () => void s.continueFast();
        else action = () => void s.continue(e.shiftKey);
        break;
      case 'F10':
        if (e.ctrlKey) action = () => void s.command(e.shiftKey ? 'step_back_line_over' : 'next_line');
        else action = () => void s.command(e.shiftKey ? 'step_back' : 'step_over');
        break;
      case 'F11': action = () => void s.command(e.shiftKey ? 'step_out' : 'step'); break;
      case 'F12': action = () => void s.command(e.shiftKey ? 'step_back_line' : 'step_line'); break;
      case 'Escape': if (s.running) action = () => void s.stop(); break;
    }
    if (action) {
      e.preventDefault();
      action();
    }
  }

  // The program shown cannot run: nothing to step until another one is picked.
  private refused(name: string): void {
    for (const b of this.buttons) b.disabled = true;
    this.slider.disabled = true;
    this.status.textContent = `${name} cannot run (see why by the program picker)`;
    this.status.title = this.status.textContent;
    this.status.className = 'status-faulted';
  }

  private running(r: boolean, fast: boolean): void {
    this.stopButton.hidden = !r;
    for (const b of this.buttons) b.disabled = r;
    this.timerButton.disabled = r;
    this.slider.disabled = r;
    if (r) this.status.textContent = fast ? 'running fast… (as WebAssembly, unrecorded)' : 'running…';
  }

  private render(s: Snapshot): void {
    for (const b of this.buttons) b.disabled = false;
    this.slider.disabled = false;
    const st = s.state;
    this.slider.min = String(st.history_start);
    this.slider.max = String(Math.max(s.furthest, st.executed));
    this.slider.value = String(st.executed);
    this.sliderLabel.textContent = `step ${st.executed} of ${s.furthest}${s.ended ? '' : '+'}`;
    const where = st.source.line ? ` · ${st.source.file.split('/').pop() ?? ''}:${st.source.line}` : '';
    let text = `pc ${st.pc}${where} · ${st.executed} executed`;
    if (st.status === 'exited') text = `exited: r0 = ${st.return}${st.return_name ? ` (${st.return_name})` : ''} · ${st.executed} executed`;
    if (st.timer) text = `${st.timer} · ${text}`;
    const armed = st.timers.filter((t) => t.armed);
    this.timerButton.hidden = armed.length === 0;
    this.timerButton.disabled = false;
    this.timerButton.title = armed.length === 0 ? '' : `${armed.length} armed BPF timer${armed.length > 1 ? 's' : ''}; ` +
      `the next fires at ${armed.reduce((m, t) => (t.expires_ns < m ? t.expires_ns : m), armed[0]!.expires_ns)} ns ` +
      `(the clock is at ${st.clock_ns} ns). Run its callback as a run of its own.`;
    if (st.status === 'faulted') text = `faulted at insn ${st.pc} · ${st.executed} executed`;
    let reason = s.stop.reason && !['none', 'step'].includes(s.stop.reason) ? ` · stopped: ${st.stop_reason || s.stop.reason}` : '';
    if (s.stop.reason === 'watchpoint') {
      const w = s.watches.find((x) => x.id === s.stop.id);
      reason = ` · stopped: watchpoint #${s.stop.id}${w ? ` (${w.label}) changed` : ''}`;
    } else if (s.stop.reason === 'breakpoint') {
      const b = s.breakpoints.find((x) => x.id === s.stop.id);
      if (b?.condition) reason = ` · stopped: breakpoint ${b.id} (${b.condition})`;
    }
    if (s.stop.fast) reason = ` · ${fastRunText(Number(s.stop.steps), Number(s.stop.fast_insns), s.runMs ?? 0, s.stop.reason === 'paused')}`;
    this.status.textContent = text + reason;
    this.status.title = this.status.textContent;  // the whole line when its place cuts it short
    this.status.className = `status-${st.status}`;
  }
}
