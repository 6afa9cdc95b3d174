// A link that reproduces a session: the program (a bundled example by name, or a user's .o /
// assembly text embedded; a .o compiled in the page's C editor carries its C source too), the input, the host (with its network as core's host JSON, when the
// page had it; links from before carry none and open on the default network) and the
// breakpoints, and the lesson open then (its id: the link reopens the lesson with the shared
// program, not its starter), in the URL hash. The JSON
// is deflated with CompressionStream when the browser has it ("#z=") and base64url-encoded;
// without it the JSON is only encoded ("#j=").
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

interface Wire {
  v: 1;
  s: { k: 'e'; n: string } | { k: 'o'; n: string; b: string; c?: string } | { k: 'a'; t: string; sc: string };
  p: string;
  pk: string;
  cx: string;
  h: Record<string, unknown>;  // HostSettings (links made before it held numbers for the fields)
  bp: number[];
  bc?: Record<string, string>;  // pc -> condition, for the conditional ones
  l?: string;  // lesson id
}

function toBase64Url(bytes: Uint8Array): string {
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(text: string): Uint8Array {
  const bin = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

async function pipe(bytes: Uint8Array, stream: CompressionStream | DecompressionStream): Promise<Uint8Array> {
  const out = new Blob([bytes as BlobPart]).stream().pipeThrough(stream);
  return new Uint8Array(await new Response(out).arrayBuffer());
}

const canCompress = (): boolean => typeof CompressionStream !== 'undefined' && typeof DecompressionStream !== 'undefined';

export async function encodeLink(state: LinkState): Promise<string> {
  const s: Wire['s'] =
    state.source.kind === 'example' ? { k: 'e', n: state.source.name }
    : state.source.kind === 'object'
      ? { k: 'o', n: state.source.name, b: toBase64Url(state.source.bytes), ...(state.source.c !== undefined ? { c: state.source.c } : {}) }
    : { k: 'a', t: state.source.text, sc: state.source.section };
  const conditions = Object.fromEntries(state.breakpoints.filter((b) => b.condition).map((b) => [String(b.pc), b.condition]));
  const wire: Wire = {
    v: 1, s, p: state.program, pk: toHex(state.packet), cx: toHex(state.ctx), h: state.host,
    bp: state.breakpoints.map((b) => b.pc),
    ...(Object.keys(conditions).length ? { bc: conditions } : {}),
    ...(state.lesson !== undefined ? { l: state.lesson } : {}),
  };
  const json = new TextEncoder().encode(JSON.stringify(wire));
  if (canCompress()) return `z=${toBase64Url(await pipe(json, new CompressionStream('deflate-raw')))}`;
  return `j=${toBase64Url(json)}`;
}

// The fields as text (old links' numbers too); a field the link lacks stays empty: core's default.
function hostOfLink(h: Record<string, unknown> | undefined): HostSettings {
  const host: HostSettings = {};
  for (const f of kHostFields) {
    const v = h?.[f.key];
    if (typeof v === 'string' || typeof v === 'number') host[f.key] = String(v);
  }
  if (typeof h?.['hostJson'] === 'string') host.hostJson = h['hostJson'];
  return host;
}

// Reads a hash made by encodeLink (with or without the leading '#'); undefined when there is
// none, an Error when it is damaged.
export async function decodeLink(hash: string): Promise<LinkState | undefined> {
  const h = hash.replace(/^#/, '');
  if (!h.startsWith('z=') && !h.startsWith('j=')) return undefined;
  let bytes = fromBase64Url(h.slice(2));
  if (h.startsWith('z=')) {
    if (!canCompress()) throw new Error('This browser cannot decompress the link (no DecompressionStream).');
    bytes = await pipe(bytes, new DecompressionStream('deflate-raw'));
  }
  const w = JSON.parse(new TextDecoder().decode(bytes)) as Wire;
  if (w.v !== 1) throw new Error(`link version ${String(w.v)} is not known to this playground`);
  const source: LinkSource =
    w.s.k === 'e' ? { kind: 'example', name: w.s.n }
    : w.s.k === 'o' ? { kind: 'object', name: w.s.n, bytes: fromBase64Url(w.s.b), ...(typeof w.s.c === 'string' ? { c: w.s.c } : {}) }
    : { kind: 'assembly', text: w.s.t, section: w.s.sc ?? '' };
  return {
    source, program: w.p, packet: parseHex(w.pk), ctx: parseHex(w.cx),
    host: hostOfLink(w.h),
    breakpoints: w.bp.filter((x) => Number.isInteger(x)).map((pc) => {
      const c = w.bc?.[String(pc)];
      return { pc, condition: typeof c === 'string' ? c : '' };
    }),
    ...(typeof w.l === 'string' ? { lesson: w.l } : {}),
  };
}
