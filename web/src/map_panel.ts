// Every map of the object: entries decoded through BTF as C values (and their bytes), per-CPU
// values one per CPU, and editing: change a value, delete an entry, add one. Edits go through
// core's update_map/delete_map_entry, before or during a run.
import { h } from './dom';
import { parseHex, toHex } from './hex';
import type { Session } from './session';
import type { MapEntryView, MapView, Snapshot } from './vm_types';

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export class MapPanel {
  private editing: { map: string; key: string } | undefined;
  private shown = '';  // what the maps looked like when last rendered

  constructor(private readonly root: HTMLElement, private readonly session: Session,
              private readonly say: (text: string, kind?: 'error' | 'info') => void) {
    session.events.on('snapshot', (s: Snapshot) => this.render(s));
  }

  private render(s: Snapshot, force = false): void {
    const focused = document.activeElement;
    if (focused instanceof HTMLInputElement && this.root.contains(focused) && focused.value !== '') return;  // don't eat a user's typing
    // Most steps change no map: rebuilding the tables then would only cost time.
    const signature = s.state.maps.map((m) => `${m.name}:${m.count}:${m.changed}:` +
      m.entries.map((e) => `${toHex(e.key)}=${e.values.map((v) => toHex(v)).join(',')}${e.changed ? '*' : ''}`).join(';')).join('|');
    if (signature === this.shown && !force) return;
    this.shown = signature;
    this.root.replaceChildren(...s.state.maps.map((m) => this.renderMap(m)));
    if (s.state.maps.length === 0) this.root.append(h('p', { class: 'muted', text: 'This object has no maps.' }));
  }

  private renderMap(m: MapView): HTMLElement {
    const types = m.keyType ? ` ${m.keyType} → ${m.valueType || '?'}` : m.valueType ? ` of ${m.valueType}` : '';
    const head = h('div', { class: 'map-head' }, h('b', { text: m.name }),
      h('span', { class: 'muted', text: ` ${m.type}${types} · ${m.count}/${m.maxEntries} entries · key ${m.keySize} B, value ${m.valueSize} B` }));
    const rows = m.entries.map((e) => this.renderEntry(m, e));
    const table = h('table', { class: 'map-entries' },
      h('thead', {}, h('tr', {}, h('th', { text: 'key' }), h('th', { text: m.percpu ? 'value per CPU' : 'value' }), h('th'))),
      h('tbody', {}, ...rows));
    const keyIn = h('input', { class: 'hex-in', placeholder: `key: ${m.keySize} bytes hex`, 'aria-label': `new key for ${m.name}` });
    const valIn = h('input', { class: 'hex-in', placeholder: `value: ${m.valueSize} bytes hex${m.percpu ? ' (every CPU)' : ''}`, 'aria-label': `new value for ${m.name}` });
    const add = h('button', { text: 'Add / set', onclick: () => void this.update(m, keyIn.value, valIn.value) });
    const section = h('section', { class: m.changed ? 'map changed' : 'map', 'data-map': m.name }, head, table,
      h('div', { class: 'map-add' }, keyIn, valIn, add));
    if (m.truncated) section.append(h('p', { class: 'muted', text: `showing the first ${m.entries.length} entries` }));
    return section;
  }

  private renderEntry(m: MapView, e: MapEntryView): HTMLElement {
    const keyHex = toHex(e.key);
    const values = e.values.map((v, cpu) =>
      h('div', { class: 'map-value' }, m.percpu ? h('span', { class: 'muted', text: `cpu${cpu} ` }) : undefined,
        h('code', { text: e.valueTexts[cpu] ?? '' }), h('span', { class: 'bytes', text: ` ${toHex(v, ' ')}` })));
    const cell = h('td', {}, ...values);
    const isEditing = this.editing?.map === m.name && this.editing.key === keyHex;
    if (isEditing) {
      const input = h('input', { class: 'hex-in', value: e.values.map((v) => toHex(v)).join(''), 'aria-label': 'value bytes' });
      cell.replaceChildren(input, h('button', { text: 'Save', onclick: () => void this.update(m, keyHex, input.value) }),
        h('button', { text: 'Cancel', onclick: () => { this.editing = undefined; this.rerender(); } }));
    }
    return h('tr', { class: e.changed ? 'changed' : '', 'data-key': keyHex },
      h('td', {}, h('code', { text: e.keyText }), h('div', { class: 'bytes', text: toHex(e.key, ' ') })),
      cell,
      h('td', { class: 'map-actions' },
        h('button', { text: 'Edit', title: 'change this value', onclick: () => { this.editing = { map: m.name, key: keyHex }; this.rerender(); } }),
        h('button', { text: 'Delete', title: 'delete this entry', onclick: () => void this.remove(m, e.key) })));
  }

  private rerender(): void {
    if (this.session.snapshot) this.render(this.session.snapshot, true);
  }

  private async update(m: MapView, keyText: string, valueText: string): Promise<void> {
    let key: Uint8Array;
    let value: Uint8Array;
    try {
      key = parseHex(keyText);
      value = parseHex(valueText);
    } catch (err) {
      this.say(`map ${m.name}: ${(err as Error).message}`, 'error');
      return;
    }
    const cpus = m.percpu && m.entries[0] ? m.entries[0].values.length : 1;
    if (m.percpu && value.length === m.valueSize) value = concat(Array.from({ length: cpus }, () => value));
    if (key.length !== m.keySize || value.length !== m.valueSize * cpus) {
      this.say(`map ${m.name}: the key needs ${m.keySize} bytes and the value ${m.valueSize * cpus} (got ${key.length} and ${value.length}).`, 'error');
      return;
    }
    this.editing = undefined;
    const r = await this.session.updateMap(m.name, key, value);
    if (r !== undefined && r < 0) this.say(`map ${m.name}: update failed with ${r}`, 'error');
    else if (r !== undefined) this.say(`map ${m.name}: key ${toHex(key)} set; stepping back stops here (the edit is not part of the program's history).`);
  }

  private async remove(m: MapView, key: Uint8Array): Promise<void> {
    const r = await this.session.deleteMapEntry(m.name, key);
    if (r !== undefined && r < 0) this.say(`map ${m.name}: delete failed with ${r}`, 'error');
  }
}
