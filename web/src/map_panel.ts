// Every map of the object: entries decoded through BTF as C values (and their bytes), per-CPU
// values one per CPU, and editing as C values: change a value, add an entry, delete one. The
// editor shows the value as JSON (what the page shows, numbers also as strings); core's encoder
// turns it back into bytes and names the field when something does not fit. Maps without BTF
// are edited as hex. Edits go through core's set_map_entry (C values in, the kernel's error in words out) and
// delete_map_entry, before or during a run.
import { h } from './dom';
import { toHex } from './hex';
import type { Session } from './session';
import type { ErrorView, MapEntryView, MapView, Snapshot } from './vm_types';
import { cValueJson, cValueText, entryKeyText } from './c_value_text';

type Part = 'key' | 'value';


// What the learner typed, kept across re-renders (a step while editing must not eat it).
type Drafts = Map<string, string>;

export class MapPanel {
  private editing: { map: string; key: string } | undefined;
  private shown = '';  // what the maps looked like when last rendered
  private readonly drafts: Drafts = new Map();
  private readonly errors = new Map<string, string>();  // editor id -> core's message

  // The maps themselves (re-rendered as they change), below the command line.
  private readonly maps = h('div', { class: 'map-list' });
  private readonly commandOut = h('pre', { class: 'map-command-out', id: 'map-command-out', hidden: true });

  constructor(private readonly root: HTMLElement, private readonly session: Session,
              private readonly say: (text: string, kind?: 'error' | 'info') => void) {
    root.append(this.commandLine(), this.commandOut, this.maps);
    session.events.on('snapshot', (s: Snapshot) => this.render(s));
    session.events.on('loaded', () => {
      this.editing = undefined;
      this.drafts.clear();
      this.errors.clear();
    });
  }

  private render(s: Snapshot, force = false): void {
    // Most steps change no map: rebuilding the tables then would only cost time.
    const signature = s.state.maps.map((m) => `${m.name}:${m.count}:${m.changed}:${m.summary}:` +
      m.entries.map((e) => `${toHex(e.key_hex)}=${e.values_hex.map((v) => toHex(v)).join(',')}${e.changed ? '*' : ''}`).join(';')).join('|');
    if (signature === this.shown && !force) return;
    this.shown = signature;
    const focused = document.activeElement instanceof HTMLElement && this.root.contains(document.activeElement)
      ? document.activeElement.dataset['editor'] : undefined;
    this.maps.replaceChildren(...s.state.maps.map((m) => this.renderMap(m)));
    if (s.state.maps.length === 0) this.maps.append(h('p', { class: 'muted', text: 'This object has no maps.' }));
    if (focused) this.maps.querySelector<HTMLElement>(`[data-editor="${CSS.escape(focused)}"]`)?.focus();
  }

  // bpf(2)'s map commands as user space sends them, answered by core with the kernel's return
  // value: what a loader or bpftool would see (lookup_batch, freeze, pop, ...).
  private commandLine(): HTMLElement {
    const input = h('input', {
      id: 'map-command', type: 'text', spellcheck: 'false', 'aria-label': 'map command from user space',
      placeholder: 'bpf(2) from user space: lookup_batch MAP 8 · update MAP KEY VALUE · pop MAP · freeze MAP · help',
    });
    const run = async (): Promise<void> => {
      const line = input.value.trim();
      if (line === '') return;
      const r = await this.session.mapCommand(line);
      const text = 'lines' in r ? r.lines.join('\n') : `${r.what}${r.hint ? `\n${r.hint}` : ''}`;
      this.commandOut.hidden = false;
      this.commandOut.classList.toggle('error', !('lines' in r) || ('ret' in r && r.ret !== 0));
      this.commandOut.textContent = `> ${line}\n${text}`;
    };
    input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') void run();
    });
    return h('div', { class: 'map-command' }, input, h('button', { id: 'btn-map-command', text: 'Run', onclick: () => void run() }));
  }

  private rerender(): void {
    if (this.session.snapshot) this.render(this.session.snapshot, true);
  }

  // A text box for one key or value: JSON of the C value, or hex when the map has no BTF for it.
  private editorFor(m: MapView, part: Part, id: string, initial: string, label: string): HTMLTextAreaElement {
    const btf = part === 'key' ? m.key_type !== '' : m.value_type !== '';
    const size = part === 'key' ? m.key_size : m.value_size;
    const text = this.drafts.get(id) ?? initial;
    const lines = Math.min(12, text.split('\n').length);
    const box = h('textarea', {
      class: btf ? 'c-value-in' : 'hex-in', rows: lines, spellcheck: 'false', 'data-editor': id, 'data-part': part,
      'aria-label': label,
      title: btf ? `${label}: JSON as the value is shown (numbers may be "strings"); fields left out are 0` : `${label}: hex bytes`,
      placeholder: btf ? `${part === 'key' ? m.key_type : m.value_type} as JSON, e.g. ${part === 'key' ? '6' : '{"field": 1}'}; empty = all zero`
        : `${size} bytes hex; empty = all zero`,
    });
    box.value = text;
    box.addEventListener('input', () => this.drafts.set(id, box.value));
    box.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) box.closest('.map-editor')?.querySelector<HTMLButtonElement>('button.save')?.click();
    });
    return box;
  }

  private errorBox(id: string): HTMLElement {
    const text = this.errors.get(id) ?? '';
    return h('div', { class: 'map-edit-error', 'data-error': id, hidden: text === '', text });
  }

  private renderMap(m: MapView): HTMLElement {
    const types = m.key_type ? ` ${m.key_type} → ${m.value_type || '?'}` : m.value_type ? ` of ${m.value_type}` : '';
    const head = h('div', { class: 'map-head' }, h('b', { text: m.name }),
      h('span', { class: 'muted', text: ` ${m.type}${types} · ${m.occupancy} · max_entries ${m.max_entries} · key ${m.key_size} B, value ${m.value_size} B` }));
    const rows = m.entries.map((e) => this.renderEntry(m, e));
    const table = h('table', { class: 'map-entries' },
      h('thead', {}, h('tr', {}, h('th', { text: 'key' }), h('th', { text: m.percpu ? 'value per CPU' : 'value' }), h('th'))),
      h('tbody', {}, ...rows));
    const summary = m.summary ? h('p', { class: 'muted map-summary', text: m.summary }) : undefined;
    const section = h('section', { class: m.changed ? 'map changed' : 'map', 'data-map': m.name }, head, summary, table);
    if (m.truncated) section.append(h('p', { class: 'muted', text: `showing the first ${m.entries.length} of ${m.occupancy}` }));
    // Ring buffers, user ring buffers and stack traces take no entries from user space: no editor.
    if (!m.user_update) return section;
    const addId = `${m.name}|add`;
    const keyIn = this.editorFor(m, 'key', `${addId}|key`, '', `new key for ${m.name}`);
    const valIn = this.editorFor(m, 'value', `${addId}|value`, '', `new value for ${m.name}${m.percpu ? ' (every CPU)' : ''}`);
    const add = h('button', { class: 'save', text: 'Add / set',
      onclick: () => void this.update(m, addId, keyIn.value, [valIn.value], true) });
    section.append(h('div', { class: 'map-add map-editor' }, h('span', { class: 'muted', text: 'new entry' }), keyIn, valIn, add),
      this.errorBox(addId));
    return section;
  }

  private renderEntry(m: MapView, e: MapEntryView): HTMLElement {
    const keyHex = toHex(e.key_hex);
    const keyText = entryKeyText(e);
    const values = e.values_hex.map((v, cpu) =>
      h('div', { class: 'map-value' }, m.percpu ? h('span', { class: 'muted', text: `cpu${cpu} ` }) : undefined,
        h('code', { text: cValueText(e.values[cpu]) }), h('span', { class: 'bytes', text: ` ${toHex(v, ' ')}` })));
    const cell = h('td', {}, ...values);
    const isEditing = this.editing?.map === m.name && this.editing.key === keyHex;
    if (isEditing) {
      const id = `${m.name}|${keyHex}`;
      const boxes = e.values_hex.map((v, cpu) => this.editorFor(m, 'value', `${id}|${cpu}`,
        m.value_type ? cValueJson(e.values[cpu]) : toHex(v), `value${m.percpu ? ` of cpu${cpu}` : ''} as a C value`));
      const keyInput = m.key_type ? cValueJson(e.key) : keyHex;
      cell.replaceChildren(h('div', { class: 'map-editor' },
        ...boxes.flatMap((b, cpu) => [m.percpu ? h('span', { class: 'muted', text: `cpu${cpu}` }) : undefined, b]),
        h('button', { class: 'save', text: 'Save', onclick: () => void this.update(m, id, keyInput, boxes.map((b) => b.value), false) }),
        h('button', { text: 'Cancel', onclick: () => this.stopEditing(id, boxes.length) })), this.errorBox(id));
    }
    // A ring buffer record has no key: its label ("record 0 (struct event, 24 bytes)") names it.
    const keyed = e.key_hex.length > 0;
    return h('tr', { class: e.changed ? 'changed' : '', 'data-key': keyed ? keyHex : keyText },
      h('td', {}, h('code', { text: keyText }), keyed ? h('div', { class: 'bytes', text: toHex(e.key_hex, ' ') }) : undefined),
      cell,
      h('td', { class: 'map-actions' },
        m.user_update ? h('button', { text: 'Edit', title: 'change this value (as a C value)', onclick: () => { this.editing = { map: m.name, key: keyHex }; this.rerender(); } }) : undefined,
        keyed ? h('button', { text: 'Delete', title: 'delete this entry', onclick: () => void this.remove(m, e.key_hex) }) : undefined));
  }

  private stopEditing(id: string, cpus: number): void {
    this.editing = undefined;
    this.errors.delete(id);
    for (let c = 0; c < cpus; c++) this.drafts.delete(`${id}|${c}`);
    this.rerender();
  }

  // The text core's encoder reads: the JSON as typed, a hex string without BTF, "" = all zero.
  private static wire(m: MapView, part: Part, text: string): string {
    const btf = part === 'key' ? m.key_type !== '' : m.value_type !== '';
    return btf || text.trim() === '' ? text : JSON.stringify(text.replace(/0x/gi, '').replace(/[\s,:]+/g, ''));
  }

  private showError(id: string, e: ErrorView | string): void {
    // Two sentences: core's `what` has no closing full stop, so one goes before the hint.
    const text = typeof e === 'string' ? e : e.what + (e.hint ? `${/[.!?:]$/.test(e.what) ? '' : '.'} ${e.hint}` : '');
    this.errors.set(id, text);
    const box = this.root.querySelector<HTMLElement>(`[data-error="${CSS.escape(id)}"]`);
    if (box) {
      box.textContent = text;
      box.hidden = false;
    }
  }

  private async update(m: MapView, id: string, keyText: string, valueTexts: readonly string[], adding: boolean): Promise<void> {
    // An added per-CPU entry's one value goes to every CPU (core replicates it).
    const set = await this.session.setMapEntry(m.name, MapPanel.wire(m, 'key', keyText),
      valueTexts.map((t) => MapPanel.wire(m, 'value', t)));
    if ('what' in set) {
      this.showError(id, set);
      return;
    }
    this.errors.delete(id);
    if (adding) {
      this.drafts.delete(`${id}|key`);
      this.drafts.delete(`${id}|value`);
    } else {
      this.editing = undefined;
      for (let c = 0; c < valueTexts.length; c++) this.drafts.delete(`${id}|${c}`);
    }
    this.rerender();
    this.say(`map ${m.name}: key ${toHex(set.key)} set; stepping back stops here (the edit is not part of the program's history).`);
  }

  private async remove(m: MapView, key: Uint8Array): Promise<void> {
    const r = await this.session.deleteMapEntry(m.name, key);
    if (r !== undefined && r < 0) this.say(`map ${m.name}: delete failed with ${r}`, 'error');
  }
}
