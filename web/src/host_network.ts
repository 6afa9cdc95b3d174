// The host's network as the Host tab edits it: core's host JSON (core/host/host_json.hpp) kept
// as plain objects, so members the tables do not show (bound_dev_if, mark, ...) pass through
// unchanged, and whatever the learner types reaches core, which names what is wrong.
export type JsonObject = Record<string, unknown>;

export interface HostNetwork {
  ingress_ifindex: unknown;
  rx_queue_index: unknown;
  devices: JsonObject[];
  sockets: JsonObject[];
  routes: unknown[];
  neighbours: unknown[];
}

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);
const objects = (v: unknown): JsonObject[] => (Array.isArray(v) ? v.filter(isObject) : []);

// The network members of a host JSON document (cpu, task, clock and seed are the Host tab's
// own fields: host_fields.ts). Core's host JSON has every member; one left out stays out, and
// core fills in its default.
export function networkOf(hostJson: string): HostNetwork {
  const doc = JSON.parse(hostJson) as unknown;
  if (!isObject(doc)) throw new Error('the host JSON is not an object');
  return {
    ingress_ifindex: doc['ingress_ifindex'],
    rx_queue_index: doc['rx_queue_index'],
    devices: objects(doc['devices']),
    sockets: objects(doc['sockets']),
    routes: Array.isArray(doc['routes']) ? doc['routes'] : [],
    neighbours: Array.isArray(doc['neighbours']) ? doc['neighbours'] : [],
  };
}

export function networkJson(n: HostNetwork): string {
  return JSON.stringify({
    ingress_ifindex: n.ingress_ifindex, rx_queue_index: n.rx_queue_index, devices: n.devices, sockets: n.sockets,
    routes: n.routes, neighbours: n.neighbours,
  });
}

// A number cell: digits become a number; anything else is sent as typed for core to refuse.
export function numberOrText(text: string): number | string {
  const t = text.trim();
  return /^\d+$/.test(t) && Number.isSafeInteger(Number(t)) ? Number(t) : t;
}

// "10.0.0.2/24, 10.0.0.3/24" -> ["10.0.0.2/24", "10.0.0.3/24"].
export function addressList(text: string): string[] {
  return text.split(/[\s,]+/).filter((a) => a.length > 0);
}

const numbers = (rows: JsonObject[], key: string): number[] =>
  rows.map((r) => r[key]).filter((v): v is number => typeof v === 'number');

// The next device as `ip link add` would number it: core's new device (CoreDefaults.new_device)
// with the next free ifindex and ethN name.
export function newDevice(devices: readonly JsonObject[], template: Readonly<JsonObject>): JsonObject {
  const ifindex = Math.max(0, ...numbers([...devices], 'ifindex')) + 1;
  const names = new Set(devices.map((d) => d['name']));
  let n = 0;
  while (names.has(`eth${n}`)) n++;
  const hex = (ifindex & 0xff).toString(16).padStart(2, '0');
  return { ...structuredClone(template), ifindex, name: `eth${n}`, mac: `02:00:00:00:${hex}:02` };
}

// Core's new socket (CoreDefaults.new_socket) with the next free cookie, from the template's up.
export function newSocket(sockets: readonly JsonObject[], template: Readonly<JsonObject>): JsonObject {
  const first = typeof template['cookie'] === 'number' ? template['cookie'] : 1;
  const cookie = Math.max(first, ...numbers([...sockets], 'cookie').map((c) => c + 1));
  return { ...structuredClone(template), cookie };
}

// "devices[1].mac: ..." from core's "host JSON: devices[1].mac: ..." (its message names the
// member; the prefix only says it came from the host document, which the Host tab already says).
export function hostErrorText(what: string): string | undefined {
  const m = /^host JSON: ([\s\S]*)$/.exec(what);
  return m ? m[1] : undefined;
}
