// A link that reproduces a session: the program (a bundled example by name, or a user's .o /
// assembly text embedded; a .o compiled in the page's C editor carries its C source too), the
// input, the host (with its network as core's host JSON, when the page had it; links from before
// carry none and open on the default network), the breakpoints with their conditions, and the
// lesson open then (its id: the link reopens the lesson with the shared program, not its
// starter), in the URL hash. Core reads and writes the link (core/share/share_link.hpp, through
// the worker: Playground.share_link_decode / share_link_encode); this file only turns the page's
// state into core's view of a link and back.
import { parseHex, toHex } from './hex';
import { kHostFields, type HostSettings } from './host_fields';
import type { BreakpointSpec } from './worker_protocol';

export type LinkSource =
  | { kind: 'example'; name: string }
  | { kind: 'object'; name: string; bytes: Uint8Array; c?: string }
  | { kind: 'assembly'; text: string; section: string };

export interface LinkState {
  source: LinkSource;
  program: string;
  packet: Uint8Array;
  ctx: Uint8Array;
  host: HostSettings;
  breakpoints: BreakpointSpec[];
  lesson?: string;  // the id of the lesson open when the link was made
}

// Core's two calls, each answering its JSON text ({"ok":...}).
export interface LinkCodec {
  decode(hash: string): Promise<string>;
  encode(viewJson: string): Promise<string>;
}

// Core's view of a link (share_link.hpp's to_json): bytes as hex.
interface LinkView {
  source: { kind: 'example'; name: string } | { kind: 'object'; name: string; bytes: string; c?: string }
    | { kind: 'assembly'; text: string; section: string };
  program: string;
  packet: string;
  ctx: string;
  host: Record<string, string>;
  breakpoints: BreakpointSpec[];
  lesson?: string;
}

type Answer<K extends string, T> = { ok: true } & Record<K, T> | { ok: false; error: { what: string } };

function answer<K extends string, T>(json: string, key: K): T {
  const a = JSON.parse(json) as Answer<K, T>;
  if (!a.ok) throw new Error(a.error.what);
  return (a as Record<K, T>)[key];
}

export async function encodeLink(state: LinkState, codec: LinkCodec): Promise<string> {
  const s = state.source;
  const host: Record<string, string> = {};
  for (const [k, v] of Object.entries(state.host)) if (typeof v === 'string') host[k] = v;
  const view: LinkView = {
    source: s.kind === 'object' ? { kind: 'object', name: s.name, bytes: toHex(s.bytes), ...(s.c !== undefined ? { c: s.c } : {}) } : s,
    program: state.program, packet: toHex(state.packet), ctx: toHex(state.ctx), host,
    breakpoints: state.breakpoints.map((b) => ({ pc: b.pc, condition: b.condition })),
    ...(state.lesson !== undefined ? { lesson: state.lesson } : {}),
  };
  return answer<'hash', string>(await codec.encode(JSON.stringify(view)), 'hash');
}

// The fields the page knows, as texts; a field the link lacks stays empty: core's default.
function hostOfLink(h: Record<string, string>): HostSettings {
  const host: HostSettings = {};
  for (const f of kHostFields) if (h[f.key] !== undefined) host[f.key] = h[f.key];
  if (h['hostJson'] !== undefined) host.hostJson = h['hostJson'];
  if (h['progTypes'] !== undefined) host.progTypes = h['progTypes'];
  return host;
}

// Reads a hash made by encodeLink or an older page (with or without the leading '#');
// undefined when there is none, an Error saying what is damaged otherwise.
export async function decodeLink(hash: string, codec: LinkCodec): Promise<LinkState | undefined> {
  const view = answer<'link', LinkView | null>(await codec.decode(hash), 'link');
  if (view === null) return undefined;
  const v = view.source;
  const source: LinkSource = v.kind === 'object'
    ? { kind: 'object', name: v.name, bytes: parseHex(v.bytes), ...(v.c !== undefined ? { c: v.c } : {}) }
    : v;
  return {
    source, program: view.program, packet: parseHex(view.packet), ctx: parseHex(view.ctx),
    host: hostOfLink(view.host), breakpoints: view.breakpoints,
    ...(view.lesson !== undefined ? { lesson: view.lesson } : {}),
  };
}
