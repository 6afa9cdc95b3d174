// The instruction in words, under the code: after every step the current instruction (what it
// does, the values it reads and what they become, a helper call's arguments as the kernel
// documents them); a click on another instruction's text explains that one until the next step.
import { h } from './dom';
import type { Session } from './session';
import type { ExplainView, HelperExplainView } from './vm_types';

export class ExplainPanel {
  private request = 0;  // answers to older requests are dropped: the latest click or step wins

  constructor(private readonly root: HTMLElement, private readonly session: Session) {
    session.events.on('snapshot', () => void this.show(-1));
    session.events.on('select', (pc) => void this.show(pc));
    session.events.on('program', () => {
      this.request++;
      this.root.replaceChildren(h('p', { class: 'muted', text: 'Click an instruction to read what it does.' }));
    });
  }

  private async show(pc: number): Promise<void> {
    const mine = ++this.request;
    const view = await this.session.explain(pc);
    if (mine !== this.request) return;
    if (!view || !view.valid) {
      this.root.replaceChildren();
      return;
    }
    this.root.replaceChildren(...render(view));
    this.root.dataset['pc'] = String(view.pc);
  }
}

function render(v: ExplainView): Node[] {
  const head = h('div', { class: 'explain-head' },
    h('span', { class: 'explain-pc', text: `${v.current ? 'now at' : 'instruction'} ${v.pc}` }),
    h('code', { class: 'explain-text', text: v.text }),
    h('span', { class: 'explain-class', text: v.class, title: 'the instruction class (RFC 9669)' }));
  const out: Node[] = [head, h('p', { class: 'explain-summary', id: 'explain-summary', text: sentence(v.summary) })];
  if (v.values) out.push(h('p', { class: 'explain-values', id: 'explain-values', text: v.values }));
  if (v.details.length) out.push(h('ul', { class: 'explain-details' }, ...v.details.map((d) => h('li', { text: sentence(d) }))));
  if (v.helper) out.push(renderHelper(v.helper));
  return out;
}

// Core's phrases ("add 14 to r3") as the sentences the box shows ("Add 14 to r3.").
function sentence(text: string): string {
  if (!text) return text;
  const capital = text.charAt(0).toUpperCase() + text.slice(1);
  return /[.!?:)]$/.test(capital) ? capital : `${capital}.`;
}

function renderHelper(helper: HelperExplainView): HTMLElement {
  const rows = helper.args.map((a) =>
    h('tr', {},
      h('td', { class: 'reg', text: a.reg }),
      h('td', {}, h('code', { text: `${a.type} ${a.name}`.trim() })),
      h('td', { text: a.meaning }),
      h('td', { class: 'value', text: a.value })));
  return h('div', { class: 'explain-helper', id: 'explain-helper' },
    h('div', {}, h('b', { text: `${helper.name} (helper ${helper.id})` }), helper.gpl_only ? h('span', { class: 'muted', text: ' GPL only' }) : undefined),
    h('code', { class: 'explain-signature', text: helper.signature }),
    h('p', { text: helper.summary }),
    rows.length ? h('table', { class: 'explain-args' },
      h('thead', {}, h('tr', {}, h('th', { text: 'reg' }), h('th', { text: 'argument' }), h('th', { text: 'must be' }), h('th', { text: 'now' }))),
      h('tbody', {}, ...rows)) : undefined,
    helper.returns ? h('p', {}, h('b', { text: 'Returns: ' }), helper.returns) : undefined,
    helper.description ? h('details', {}, h('summary', { text: 'the kernel\u2019s documentation' }), h('p', { class: 'explain-doc', text: helper.description })) : undefined);
}
