// The Host tab's network: devices (add/remove), the device packets arrive on and its receive
// queue, sockets (add/remove), routes and neighbours (JSON). It starts from core's default host
// (Playground.default_host_json) and gives core's host JSON back for the next load; core's
// errors about it ("devices[3].mac: ...") are shown next to the Host tab.
import { h } from './dom';
import {
  addressList, hostErrorText, networkJson, networkOf, newDevice, newSocket, numberOrText,
  type HostNetwork, type JsonObject,
} from './host_network';
import type { Session } from './session';
import type { CoreDefaults } from './vm_types';

const cellText = (v: unknown): string => (v === undefined || v === null ? '' : Array.isArray(v) ? v.join(', ') : String(v));

export class HostPanel {
  readonly root = h('div', { class: 'host-network', id: 'host-network' });
  // Placed by the input pane next to its tab bar, so it shows whichever tab is open.
  readonly errorBox = h('div', { class: 'host-error', id: 'host-error', role: 'alert', hidden: true });
  private net: HostNetwork | undefined;
  private readonly ingress = h('select', { id: 'host-ingress', 'aria-label': 'ingress device' });
  private readonly rxQueue = h('input', { id: 'host-rx-queue', 'aria-label': 'rx queue', inputmode: 'numeric', size: 4 });
  private readonly devices = h('tbody', {});
  private readonly sockets = h('tbody', {});
  private readonly routes = h('textarea', { id: 'host-routes', rows: 4, spellcheck: 'false', 'aria-label': 'routes (JSON)' });
  private readonly neighbours = h('textarea', { id: 'host-neighbours', rows: 4, spellcheck: 'false', 'aria-label': 'neighbours (JSON)' });

  // Core's TcpState names and socket protocols, for the sockets' cells, and its new device and
  // socket (they arrive with core's defaults).
  private tcpStates: readonly string[] = [];
  private protocols: CoreDefaults['socket_protocols'] = [];
  private newRows: { device: Readonly<JsonObject>; socket: Readonly<JsonObject> } | undefined;

  constructor(session: Session, private readonly onError: (shown: boolean) => void, onDefaults: (defaultHostJson: string) => void) {
    this.ingress.addEventListener('change', () => { if (this.net) this.net.ingress_ifindex = Number(this.ingress.value); });
    this.rxQueue.addEventListener('input', () => { if (this.net) this.net.rx_queue_index = numberOrText(this.rxQueue.value); });
    const table = (body: HTMLElement, heads: string[], id: string): HTMLElement =>
      h('table', { class: 'host-table', id }, h('thead', {}, h('tr', {}, ...heads.map((t) => h('th', { text: t })), h('th', {}))), body);
    this.root.append(
      h('h3', { text: 'Network devices' }),
      table(this.devices, ['ifindex', 'name', 'MAC', 'MTU', 'up', 'forwarding', 'rx queues', 'IPv4', 'IPv6'], 'host-devices'),
      h('button', { id: 'host-add-device', text: 'Add device', onclick: () => this.add('devices') }),
      h('div', { class: 'host-ingress' },
        h('label', { class: 'field inline' }, h('span', { text: 'packets arrive on' }), this.ingress),
        h('label', { class: 'field inline' }, h('span', { text: 'rx queue' }), this.rxQueue)),
      h('h3', { text: 'Sockets' }),
      table(this.sockets, ['protocol', 'local address', 'port', 'remote address', 'port', 'TCP state', 'uid', 'cookie'], 'host-sockets'),
      h('button', { id: 'host-add-socket', text: 'Add socket', onclick: () => this.add('sockets') }),
      h('h3', { text: 'Routes (bpf_fib_lookup), one JSON object per line' }), this.routes,
      h('h3', { text: 'Neighbours (ARP / NDP), one JSON object per line' }), this.neighbours,
    );
    session.events.on('error', (_context, e) => {
      const text = hostErrorText(e.what);
      if (text !== undefined) this.showError(text);
    });
    session.events.on('loaded', () => this.showError(undefined));
    void session.defaults.then((d) => {
      this.tcpStates = d.tcp_states;
      this.protocols = d.socket_protocols;
      this.newRows = { device: d.new_device, socket: d.new_socket };
      // A shared link's network, set before the worker started, wins over the defaults.
      if (this.net) this.render();
      else this.setJson(d.hostJson);
      onDefaults(d.hostJson);
    });
  }

  showError(text: string | undefined): void {
    this.errorBox.hidden = text === undefined;
    this.errorBox.textContent = text === undefined ? '' : `Host: ${text}`;
    this.onError(text !== undefined);
    // The input pane scrolls: the learner pressed Run at its foot, the error is by the tabs.
    if (text !== undefined) this.errorBox.scrollIntoView({ block: 'nearest' });
  }

  // Shows `hostJson` (core's schema); its cpu and task are left to the Host tab's own fields.
  setJson(hostJson: string): void {
    this.net = networkOf(hostJson);
    this.render();
  }

  // The network as host JSON for the next load; undefined before core's defaults arrived
  // (core then uses the same defaults). Throws, in words, when the routes or neighbours box
  // is not JSON.
  json(): string | undefined {
    if (!this.net) return undefined;
    this.net.routes = this.lines(this.routes, 'routes');
    this.net.neighbours = this.lines(this.neighbours, 'neighbours');
    return networkJson(this.net);
  }

  private lines(box: HTMLTextAreaElement, name: string): unknown[] {
    const text = box.value.trim();
    if (!text) return [];
    try {
      const v = JSON.parse(text.startsWith('[') ? text : `[${text.split('\n').filter((l) => l.trim()).join(',')}]`) as unknown;
      if (!Array.isArray(v)) throw new Error('expected a list');
      return v;
    } catch (e) {
      throw new Error(`${name}: not JSON (${(e as Error).message})`);
    }
  }

  private add(list: 'devices' | 'sockets'): void {
    if (!this.net || !this.newRows) return;
    this.net[list].push(list === 'devices' ? newDevice(this.net.devices, this.newRows.device)
      : newSocket(this.net.sockets, this.newRows.socket));
    this.render();
  }

  private remove(list: 'devices' | 'sockets', index: number): void {
    this.net?.[list].splice(index, 1);
    this.render();
  }

  private render(): void {
    const n = this.net;
    if (!n) return;
    this.devices.replaceChildren(...n.devices.map((d, i) => this.deviceRow(d, i)));
    this.sockets.replaceChildren(...n.sockets.map((s, i) => this.socketRow(s, i)));
    this.renderIngress();
    this.rxQueue.value = cellText(n.rx_queue_index);
    this.routes.value = n.routes.map((r) => JSON.stringify(r)).join('\n');
    this.neighbours.value = n.neighbours.map((r) => JSON.stringify(r)).join('\n');
  }

  private renderIngress(): void {
    const n = this.net;
    if (!n) return;
    const options = n.devices.map((d) => h('option', { value: cellText(d['ifindex']), text: `${cellText(d['name'])} (ifindex ${cellText(d['ifindex'])})` }));
    // A removed ingress device stays selected and named as missing: core says why it cannot load.
    if (!n.devices.some((d) => d['ifindex'] === n.ingress_ifindex))
      options.push(h('option', { value: cellText(n.ingress_ifindex), text: `ifindex ${cellText(n.ingress_ifindex)} (no such device)` }));
    this.ingress.replaceChildren(...options);
    this.ingress.value = cellText(n.ingress_ifindex);
  }

  // One editable cell of `row` (members named as core's error messages name them).
  private text(row: JsonObject, key: string, path: string, parse: (s: string) => unknown, size: number): HTMLElement {
    const input = h('input', { value: cellText(row[key]), 'aria-label': `${path}.${key}`, size });
    input.addEventListener('input', () => {
      row[key] = parse(input.value);
      if (key === 'ifindex' || key === 'name') this.renderIngress();
    });
    return h('td', {}, input);
  }

  private check(row: JsonObject, key: string, path: string): HTMLElement {
    const box = h('input', { type: 'checkbox', checked: row[key] !== false, 'aria-label': `${path}.${key}` });
    box.addEventListener('change', () => { row[key] = box.checked; });
    return h('td', {}, box);
  }

  private removeButton(list: 'devices' | 'sockets', i: number, what: string): HTMLElement {
    return h('td', {}, h('button', { class: 'remove', text: 'Remove', title: `remove ${what}`, 'aria-label': `remove ${list}[${i}]`, onclick: () => this.remove(list, i) }));
  }

  private deviceRow(d: JsonObject, i: number): HTMLElement {
    const p = `devices[${i}]`;
    const same = (s: string): string => s.trim();
    return h('tr', { 'data-device': cellText(d['ifindex']) },
      this.text(d, 'ifindex', p, numberOrText, 3), this.text(d, 'name', p, same, 6), this.text(d, 'mac', p, same, 17),
      this.text(d, 'mtu', p, numberOrText, 5), this.check(d, 'up', p), this.check(d, 'forwarding', p),
      this.text(d, 'rx_queues', p, numberOrText, 3), this.text(d, 'ipv4', p, addressList, 14), this.text(d, 'ipv6', p, addressList, 14),
      this.removeButton('devices', i, cellText(d['name'])));
  }

  private socketRow(s: JsonObject, i: number): HTMLElement {
    const p = `sockets[${i}]`;
    const proto = h('select', { 'aria-label': `${p}.protocol` },
      ...this.protocols.map((x) => h('option', { value: x.name, text: x.name.toUpperCase() })));
    proto.value = cellText(s['protocol']);
    const protocol = this.protocols.find((x) => x.name === proto.value);
    proto.addEventListener('change', () => {
      s['protocol'] = proto.value;
      // The state core gives such a socket (a protocol without states: none, core refuses one).
      const chosen = this.protocols.find((x) => x.name === proto.value);
      if (!chosen?.has_state) delete s['state'];
      else s['state'] = s['remote_port'] ? chosen.connected_state : chosen.listening_state;
      this.render();
    });
    const state = h('select', { 'aria-label': `${p}.state`, disabled: !protocol?.has_state },
      ...(protocol?.has_state ? this.tcpStates.map((t) => h('option', { value: t, text: t }))
        : [h('option', { value: '', text: `(${proto.value.toUpperCase()})` })]));
    state.value = cellText(s['state']);
    state.addEventListener('change', () => { s['state'] = state.value; });
    const same = (x: string): string => x.trim();
    return h('tr', { 'data-cookie': cellText(s['cookie']) },
      h('td', {}, proto), this.text(s, 'local_addr', p, same, 12), this.text(s, 'local_port', p, numberOrText, 5),
      this.text(s, 'remote_addr', p, same, 12), this.text(s, 'remote_port', p, numberOrText, 5), h('td', {}, state),
      this.text(s, 'uid', p, numberOrText, 5), this.text(s, 'cookie', p, numberOrText, 6),
      this.removeButton('sockets', i, `the socket with cookie ${cellText(s['cookie'])}`));
  }
}
