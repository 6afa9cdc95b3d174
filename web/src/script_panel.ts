// The host scripts under the input: for an object with tracing programs on a scenario's events,
// a scenario (a process execs, exits) to play through all of them; for one with a
// tcp_congestion_ops, a TCP flow (ACKs, losses) to run through its members. Each is a JSON
// editor that starts with core's default script (never a copy of it here) and a button; core
// checks the script and the console shows what came of it (console_panel.ts).
import { h } from './dom';
import type { ScriptOutcome, Session } from './session';

interface ScriptEditorSpec {
  readonly id: string;          // "scenario" or "tcp-flow": ids of its textarea and buttons
  readonly title: string;
  readonly about: string;
  readonly button: string;
}

class ScriptEditor {
  readonly root: HTMLElement;
  readonly text: HTMLTextAreaElement;
  private defaultText = '';

  constructor(spec: ScriptEditorSpec, play: (script: string) => Promise<ScriptOutcome>) {
    this.text = h('textarea', { id: `${spec.id}-json`, rows: 8, spellcheck: 'false', 'aria-label': `${spec.title} (JSON)` });
    this.text.addEventListener('input', () => this.text.classList.remove('invalid'));
    const run = h('button', { id: `btn-${spec.id}`, class: 'primary', text: spec.button, onclick: () => {
      void play(this.text.value).then((outcome) => {
        if (outcome !== 'busy') this.text.classList.toggle('invalid', outcome === 'refused');
      });
    } });
    const reset = h('button', { id: `btn-${spec.id}-default`, text: 'Default script', title: "core's default script", onclick: () => {
      this.text.value = this.defaultText;
      this.text.classList.remove('invalid');
    } });
    this.root = h('div', { class: 'host-script', id: `${spec.id}-script`, hidden: true },
      h('h3', { text: spec.title }), h('p', { class: 'muted', text: spec.about }), this.text,
      h('div', { class: 'buttons' }, run, reset));
  }

  // Core's default arrived: it fills the editor unless the user already typed a script.
  setDefault(text: string): void {
    if (this.text.value === '' || this.text.value === this.defaultText) this.text.value = text;
    this.defaultText = text;
  }
}

export class ScriptPanel {
  private readonly scenario: ScriptEditor;
  private readonly tcpFlow: ScriptEditor;

  constructor(root: HTMLElement, session: Session, budget: () => number) {
    this.scenario = new ScriptEditor({
      id: 'scenario', title: 'Scenario', button: 'Play scenario',
      about: "Host events played through every program of the object attached to them, in order, on the object " +
        "loaded afresh (as bpfvm run --scenario): an exec, an exit. Maps carry over from event to event; " +
        'after each, the ring buffers are read as user space would.',
    }, (script) => session.playScenario(script));
    this.tcpFlow = new ScriptEditor({
      id: 'tcp-flow', title: 'TCP flow', button: 'Run TCP flow',
      about: "A TCP sender on the host's established socket: round trips of ACKs and losses, each calling the " +
        "congestion control's members where Linux calls them (as bpfvm run with a host tcp_flow). " +
        'The console shows cwnd and ssthresh after each step.',
    }, (script) => session.runTcpFlow(script, budget()));
    root.append(this.scenario.root, this.tcpFlow.root);
    void session.scriptDefaults.then((d) => {
      this.scenario.setDefault(d.scenario);
      this.tcpFlow.setDefault(d.tcpFlow);
    });
    session.events.on('loaded', (l) => {
      this.scenario.root.hidden = !l.scripts.scenario;
      this.tcpFlow.root.hidden = !l.scripts.tcp_flow;
    });
  }
}
