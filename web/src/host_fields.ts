// The Host tab's task and CPU fields, each one member of core's host JSON
// (core/host/host_json.hpp). The page keeps what the learner typed, as typed; core fills in its
// defaults for empty fields, checks every value and names the member it refuses
// ("host JSON: task.pid: expected an integer from 0 to 4294967295").
import { numberOrText } from './host_network';
import { parseCoreJson } from './normalize';

type FieldKind = 'text' | 'u32' | 'u64';

export const kHostFields = [
  { key: 'comm', label: 'task comm', path: ['task', 'comm'], kind: 'text' },
  { key: 'pid', label: 'pid', path: ['task', 'pid'], kind: 'u32' },
  { key: 'tgid', label: 'tgid', path: ['task', 'tgid'], kind: 'u32' },
  { key: 'uid', label: 'uid', path: ['task', 'uid'], kind: 'u32' },
  { key: 'gid', label: 'gid', path: ['task', 'gid'], kind: 'u32' },
  { key: 'cpu', label: 'current CPU', path: ['cpu'], kind: 'u32' },
  { key: 'ncpus', label: 'CPUs (per-CPU maps)', path: ['ncpus'], kind: 'u32' },
  { key: 'clockStartNs', label: 'clock at start (ns)', path: ['clock_start_ns'], kind: 'u64' },
  { key: 'prandomSeed', label: 'prandom seed', path: ['prandom_seed'], kind: 'u32' },
] as const satisfies readonly { key: string; label: string; path: readonly string[]; kind: FieldKind }[];

export type HostField = (typeof kHostFields)[number]['key'];

// What the page sends to load with (and a share link carries): the fields' texts (empty or
// absent: core's default) and the network as host JSON (absent: core's default network).
// progTypes: programs whose section names no type, run as the type picked for them ({"prog":
// "xdp"} as JSON text, core's host JSON prog_types; what bpfvm's --prog-type sets).
export type HostSettings = Partial<Record<HostField, string>> & { hostJson?: string; progTypes?: string };

type JsonObject = Record<string, unknown>;
const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

// The fields' values in a host document, e.g. core's defaults; a 64-bit number keeps its exact digits.
export function hostFieldsOf(hostJson: string): Record<HostField, string> {
  const doc = parseCoreJson(hostJson);
  const out = {} as Record<HostField, string>;
  for (const f of kHostFields) {
    let v: unknown = doc;
    for (const p of f.path) v = isObject(v) ? v[p] : undefined;
    out[f.key] = v === undefined || v === null ? '' : String(v);
  }
  return out;
}

// One host document for core: the network's members, then each non-empty field at its path.
// Digits become numbers (a 64-bit one a string of digits, which core reads exactly); anything
// else goes as typed, for core to refuse by name.
export function hostDocument(settings: HostSettings): string {
  const doc: JsonObject = settings.hostJson === undefined ? {} : (JSON.parse(settings.hostJson) as JsonObject);
  if (settings.progTypes !== undefined) doc['prog_types'] = JSON.parse(settings.progTypes) as JsonObject;
  for (const f of kHostFields) {
    const text = settings[f.key]?.trim() ?? '';
    if (text === '') continue;
    let at = doc;
    for (const p of f.path.slice(0, -1)) {
      if (!isObject(at[p])) at[p] = {};
      at = at[p] as JsonObject;
    }
    at[f.path[f.path.length - 1] as string] = f.kind === 'u32' ? numberOrText(text) : text;
  }
  return JSON.stringify(doc);
}
