import { describe, expect, it } from 'vitest';
import { decodeLink, encodeLink, type LinkState } from './session_link';

const state = (source: LinkState['source']): LinkState => ({
  source, program: 'xdp_prog', packet: Uint8Array.from([1, 2, 3]), ctx: new Uint8Array(0),
  host: { comm: 'nginx', pid: '7', clockStartNs: '18446744073709551615' }, breakpoints: [{ pc: 3, condition: '' }, { pc: 9, condition: 'r1 == 0x800 && r2 > 10' }],
});

describe('session link', () => {
  it('round-trips a bundled example by name', async () => {
    const s = state({ kind: 'example', name: 'xdp_drop_port.o' });
    const hash = await encodeLink(s);
    expect(hash.startsWith('z=')).toBe(true);
    expect(await decodeLink(`#${hash}`)).toEqual(s);
  });

  it('round-trips an embedded object and assembly text', async () => {
    const bytes = new Uint8Array(5000).map((_, i) => (i * 7) & 0xff);
    for (const src of [{ kind: 'object', name: 'mine.o', bytes } as const, { kind: 'assembly', text: 'r0 = 1\nexit', section: 'xdp' } as const]) {
      const s = state(src);
      expect(await decodeLink(await encodeLink(s))).toEqual(s);
    }
  });

  it('carries the C source of an object compiled in the editor; an older object link has none', async () => {
    const bytes = Uint8Array.from([0x7f, 0x45, 0x4c, 0x46, 2, 1]);
    const c = '#include <linux/bpf.h>\n// é and "quotes"\nint x;\n';
    const s = state({ kind: 'object', name: 'prog.o', bytes, c });
    const back = await decodeLink(await encodeLink(s));
    expect(back).toEqual(s);
    expect(back?.source.kind === 'object' && back.source.c).toBe(c);
    const json = JSON.stringify({ v: 1, s: { k: 'o', n: 'old.o', b: 'f0VMRg' }, p: 'x', pk: '', cx: '', h: {}, bp: [] });
    const old = await decodeLink(`j=${btoa(json).replace(/=+$/, '')}`);
    expect(old?.source).toEqual({ kind: 'object', name: 'old.o', bytes: Uint8Array.from([0x7f, 0x45, 0x4c, 0x46]) });
  });

  it('records the open lesson with the learner\'s object and C; a link without one has no lesson', async () => {
    const c = 'SEC("xdp") int lesson1(struct xdp_md *ctx) { return XDP_DROP; }\n';
    const s = { ...state({ kind: 'object', name: '01_return.o', bytes: Uint8Array.from([0x7f, 0x45, 0x4c, 0x46]), c }), lesson: '01_return' };
    const back = await decodeLink(await encodeLink(s));
    expect(back).toEqual(s);
    expect(back?.lesson).toBe('01_return');
    expect(back?.source.kind === 'object' && back.source.c).toBe(c);
    const plain = await decodeLink(await encodeLink(state({ kind: 'example', name: 'x.o' })));
    expect(plain && 'lesson' in plain).toBe(false);
  });

  it('reads an older link whose breakpoints have no conditions', async () => {
    const json = JSON.stringify({ v: 1, s: { k: 'e', n: 'x.o' }, p: 'x', pk: '', cx: '', h: { cpu: 0, ncpus: 4, pid: 4242, tgid: 4242, uid: 1000, gid: 1000, comm: 'bpfplay-demo', clockStartNs: '1000000000', prandomSeed: 1 }, bp: [4] });
    const hash = `j=${btoa(json).replace(/=+$/, '')}`;
    expect((await decodeLink(hash))?.breakpoints).toEqual([{ pc: 4, condition: '' }]);
  });

  it('carries the host network, so the link reproduces a run on an edited host', async () => {
    const hostJson = '{"ingress_ifindex":4,"rx_queue_index":0,"devices":[{"ifindex":4,"name":"eth2","mac":"02:00:00:00:04:02"}],"sockets":[],"routes":[],"neighbours":[]}';
    const s = { ...state({ kind: 'example', name: 'xdp_redirect_map.o' }), host: { pid: '7', hostJson } };
    const back = await decodeLink(await encodeLink(s));
    expect(back?.host.hostJson).toBe(hostJson);
    expect(back).toEqual(s);
  });

  it('reads an older link (numbers for the host fields, no network) as texts and the default network', async () => {
    const old = { cpu: 1, ncpus: 4, pid: 9, tgid: 9, uid: 0, gid: 0, comm: 'sshd', clockStartNs: '5', prandomSeed: 3 };
    const json = JSON.stringify({ v: 1, s: { k: 'e', n: 'x.o' }, p: 'x', pk: '', cx: '', h: old, bp: [] });
    const host = (await decodeLink(`j=${btoa(json).replace(/=+$/, '')}`))?.host;
    expect(host).toEqual({ cpu: '1', ncpus: '4', pid: '9', tgid: '9', uid: '0', gid: '0', comm: 'sshd', clockStartNs: '5', prandomSeed: '3' });
  });

  it('leaves a field the link lacks empty, for core to fill with its default', async () => {
    const json = JSON.stringify({ v: 1, s: { k: 'e', n: 'x.o' }, p: 'x', pk: '', cx: '', h: { pid: '12', bogus: 'x' }, bp: [] });
    expect((await decodeLink(`j=${btoa(json).replace(/=+$/, '')}`))?.host).toEqual({ pid: '12' });
  });

  it('ignores a hash that is not a session', async () => {
    expect(await decodeLink('#top')).toBeUndefined();
  });
});
