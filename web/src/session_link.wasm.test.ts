// Session links through core's codec (core/share/share_link.hpp) in the real wasm module
// (BPFPLAY_WASM_DIR, or build-wasm/wasm-bindings); skipped when it is not built.
import { existsSync, readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { BpfplayModule } from '@bpfplay/wasm/bpfplay.mjs';
import { decodeLink, encodeLink, type LinkCodec, type LinkState } from './session_link';

const root = new URL('../../', import.meta.url);
const dir = process.env['BPFPLAY_WASM_DIR'] ?? new URL('build-wasm/wasm-bindings', root).pathname;
const built = existsSync(`${dir}/bpfplay.mjs`) && existsSync(`${dir}/bpfplay.wasm`);

const state = (source: LinkState['source']): LinkState => ({
  source, program: 'xdp_prog', packet: Uint8Array.from([1, 2, 3]), ctx: new Uint8Array(0),
  host: { comm: 'nginx', pid: '7', clockStartNs: '18446744073709551615' }, breakpoints: [{ pc: 3, condition: '' }, { pc: 9, condition: 'r1 == 0x800 && r2 > 10' }],
});

const b64url = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64url');
const jLink = (wire: unknown): string => `j=${b64url(new TextEncoder().encode(JSON.stringify(wire)))}`;

// What the page's own encoder wrote before core made links: deflate-raw by the browser.
async function pageMadeLink(wire: unknown): Promise<string> {
  const out = new Blob([new TextEncoder().encode(JSON.stringify(wire))]).stream().pipeThrough(new CompressionStream('deflate-raw'));
  return `z=${b64url(new Uint8Array(await new Response(out).arrayBuffer()))}`;
}

describe.skipIf(!built)('session links (core\'s codec in the wasm module)', async () => {
  const create = built ? (await import(/* @vite-ignore */ pathToFileURL(`${dir}/bpfplay.mjs`).href)).default as
    (o: { wasmBinary: Uint8Array }) => Promise<BpfplayModule> : undefined;
  const m = await create?.({ wasmBinary: readFileSync(`${dir}/bpfplay.wasm`) });
  const codec: LinkCodec = {
    decode: async (hash) => (m as BpfplayModule).Playground.share_link_decode(hash),
    encode: async (view) => (m as BpfplayModule).Playground.share_link_encode(view),
  };

  it('round-trips a bundled example by name', async () => {
    const s = state({ kind: 'example', name: 'xdp_drop_port.o' });
    const hash = await encodeLink(s, codec);
    expect(hash.startsWith('z=')).toBe(true);
    expect(await decodeLink(`#${hash}`, codec)).toEqual(s);
  });

  it('round-trips an embedded object and assembly text', async () => {
    const bytes = new Uint8Array(5000).map((_, i) => (i * 7) & 0xff);
    for (const src of [{ kind: 'object', name: 'mine.o', bytes } as const, { kind: 'assembly', text: 'r0 = 1\nexit', section: 'xdp' } as const]) {
      const s = state(src);
      expect(await decodeLink(await encodeLink(s, codec), codec)).toEqual(s);
    }
  });

  it('carries the C source of an object compiled in the editor; an older object link has none', async () => {
    const bytes = Uint8Array.from([0x7f, 0x45, 0x4c, 0x46, 2, 1]);
    const c = '#include <linux/bpf.h>\n// é and "quotes"\nint x;\n';
    const s = state({ kind: 'object', name: 'prog.o', bytes, c });
    const back = await decodeLink(await encodeLink(s, codec), codec);
    expect(back).toEqual(s);
    expect(back?.source.kind === 'object' && back.source.c).toBe(c);
    const old = await decodeLink(jLink({ v: 1, s: { k: 'o', n: 'old.o', b: 'f0VMRg' }, p: 'x', pk: '', cx: '', h: {}, bp: [] }), codec);
    expect(old?.source).toEqual({ kind: 'object', name: 'old.o', bytes: Uint8Array.from([0x7f, 0x45, 0x4c, 0x46]) });
  });

  it('records the open lesson with the learner\'s object and C; a link without one has no lesson', async () => {
    const c = 'SEC("xdp") int lesson1(struct xdp_md *ctx) { return XDP_DROP; }\n';
    const s = { ...state({ kind: 'object', name: '01_return.o', bytes: Uint8Array.from([0x7f, 0x45, 0x4c, 0x46]), c }), lesson: '01_return' };
    const back = await decodeLink(await encodeLink(s, codec), codec);
    expect(back).toEqual(s);
    expect(back?.lesson).toBe('01_return');
    const plain = await decodeLink(await encodeLink(state({ kind: 'example', name: 'x.o' }), codec), codec);
    expect(plain && 'lesson' in plain).toBe(false);
  });

  it('opens a link the page made before core did (the browser\'s deflate-raw)', async () => {
    const wire = { v: 1, s: { k: 'e', n: 'xdp_drop_port.o' }, p: 'xdp_prog', pk: '010203', cx: '', h: { comm: 'nginx', pid: '7', clockStartNs: '18446744073709551615' }, bp: [3, 9], bc: { 9: 'r1 == 0x800 && r2 > 10' } };
    expect(await decodeLink(`#${await pageMadeLink(wire)}`, codec)).toEqual(state({ kind: 'example', name: 'xdp_drop_port.o' }));
  });

  it('reads an older link whose breakpoints have no conditions', async () => {
    const h = { cpu: 0, ncpus: 4, pid: 4242, tgid: 4242, uid: 1000, gid: 1000, comm: 'bpfplay-demo', clockStartNs: '1000000000', prandomSeed: 1 };
    expect((await decodeLink(jLink({ v: 1, s: { k: 'e', n: 'x.o' }, p: 'x', pk: '', cx: '', h, bp: [4] }), codec))?.breakpoints).toEqual([{ pc: 4, condition: '' }]);
  });

  it('carries the host network, so the link reproduces a run on an edited host', async () => {
    const hostJson = '{"ingress_ifindex":4,"rx_queue_index":0,"devices":[{"ifindex":4,"name":"eth2","mac":"02:00:00:00:04:02"}],"sockets":[],"routes":[],"neighbours":[]}';
    const s = { ...state({ kind: 'example', name: 'xdp_redirect_map.o' }), host: { pid: '7', hostJson } };
    const back = await decodeLink(await encodeLink(s, codec), codec);
    expect(back?.host.hostJson).toBe(hostJson);
    expect(back).toEqual(s);
  });

  it('reads an older link (numbers for the host fields, no network) as texts, 64-bit ones exactly', async () => {
    const json = '{"v":1,"s":{"k":"e","n":"x.o"},"p":"x","pk":"","cx":"","h":{"cpu":1,"ncpus":4,"pid":9,"tgid":9,"uid":0,"gid":0,"comm":"sshd","clockStartNs":18446744073709551615,"prandomSeed":3},"bp":[]}';
    const host = (await decodeLink(`j=${b64url(new TextEncoder().encode(json))}`, codec))?.host;
    expect(host).toEqual({ cpu: '1', ncpus: '4', pid: '9', tgid: '9', uid: '0', gid: '0', comm: 'sshd', clockStartNs: '18446744073709551615', prandomSeed: '3' });
  });

  it('leaves a field the link lacks empty, for core to fill with its default', async () => {
    expect((await decodeLink(jLink({ v: 1, s: { k: 'e', n: 'x.o' }, p: 'x', pk: '', cx: '', h: { pid: '12', bogus: 'x' }, bp: [] }), codec))?.host).toEqual({ pid: '12' });
  });

  it('ignores a hash that is not a session, and says what is wrong with a damaged one', async () => {
    expect(await decodeLink('#top', codec)).toBeUndefined();
    await expect(decodeLink(jLink({ v: 1, p: 'x', pk: '', cx: '' }), codec)).rejects.toThrow('share link: "s" (the program\'s source) is missing');
    await expect(decodeLink('#z=AAAA', codec)).rejects.toThrow(/^share link: the compressed data/);
    await expect(decodeLink(jLink({ v: 2 }), codec)).rejects.toThrow('share link: link version 2 is not known to this playground');
  });
});
