import { describe, expect, it } from 'vitest';
import { toHex, parseHex } from './hex';
import { buildPacket, internetChecksum, kPresets, parseIPv6, type PacketSpec } from './packet';

const preset = (name: string): PacketSpec => {
  const p = kPresets[name];
  if (!p) throw new Error(name);
  return p;
};

describe('packet builder', () => {
  it('builds the README IPv4 TCP SYN byte for byte (the xdp_drop_port example input)', () => {
    expect(toHex(buildPacket(preset('IPv4 TCP SYN')))).toBe(
      '02000000000202000000000108004500002800014000400626cd0a0000010a0000029c401f90000003e8000000005002ffffdc270000',
    );
  });

  it('gives IPv4 headers whose checksum verifies to zero', () => {
    for (const name of ['IPv4 TCP SYN', 'IPv4 UDP DNS', 'IPv4 ICMP echo']) {
      const p = buildPacket(preset(name));
      expect(internetChecksum(p.subarray(14, 34))).toBe(0);
    }
  });

  it('gives ICMPv4 a checksum over the ICMP message alone', () => {
    const p = buildPacket(preset('IPv4 ICMP echo'));
    expect(p[23]).toBe(1);
    expect(internetChecksum(p.subarray(34))).toBe(0);
  });

  it('gives UDP over IPv4 a checksum with the pseudo-header and the right length', () => {
    const p = buildPacket(preset('IPv4 UDP DNS'));
    const seg = p.subarray(34);
    expect((seg[4]! << 8) | seg[5]!).toBe(8 + 5);
    const pseudo = Uint8Array.from([...p.subarray(26, 34), 0, 17, 0, seg.length]);
    expect(internetChecksum(pseudo, seg)).toBe(0);
  });

  it('builds IPv6 TCP with payload length, next header and a valid checksum', () => {
    const p = buildPacket(preset('IPv6 TCP SYN'));
    expect(toHex(p.subarray(12, 14))).toBe('86dd');
    expect(p[14]).toBe(0x60);
    expect((p[18]! << 8) | p[19]!).toBe(20);
    expect(p[20]).toBe(6);
    const seg = p.subarray(54);
    const pseudo = Uint8Array.from([...p.subarray(22, 54), 0, 0, 0, seg.length, 0, 0, 0, 6]);
    expect(internetChecksum(pseudo, seg)).toBe(0);
  });

  it('builds ICMPv6 echo with next header 58 and the pseudo-header checksum', () => {
    const p = buildPacket(preset('IPv6 ICMPv6 echo'));
    expect(p[20]).toBe(58);
    expect(p[54]).toBe(128);
    const seg = p.subarray(54);
    const pseudo = Uint8Array.from([...p.subarray(22, 54), 0, 0, 0, seg.length, 0, 0, 0, 58]);
    expect(internetChecksum(pseudo, seg)).toBe(0);
  });

  it('sets TCP flags from fields', () => {
    const spec = { ...preset('IPv4 TCP SYN'), tcpFlags: { fin: true, syn: false, rst: false, psh: true, ack: true, urg: false } };
    expect(buildPacket(spec)[47]).toBe(0x19);
  });

  it('rejects a malformed address with a message naming it', () => {
    expect(() => buildPacket({ ...preset('IPv4 TCP SYN'), src: '10.0.0.300' })).toThrow(/"10.0.0.300" is not an IPv4 address/);
  });
});

describe('address and hex parsing', () => {
  it('expands IPv6 shorthand', () => {
    expect(toHex(parseIPv6('fd00::1'))).toBe('fd000000000000000000000000000001');
    expect(toHex(parseIPv6('::ffff:10.0.0.1'))).toBe('00000000000000000000ffff0a000001');
    expect(toHex(parseIPv6('1:2:3:4:5:6:7:8'))).toBe('00010002000300040005000600070008');
    expect(() => parseIPv6('1::2::3')).toThrow();
  });

  it('reads hex with spaces, commas and 0x prefixes', () => {
    expect(toHex(parseHex('de ad,0xbe\nef'))).toBe('deadbeef');
    expect(() => parseHex('abc')).toThrow(/odd number/);
    expect(() => parseHex('zz')).toThrow(/not a hex digit/);
  });
});
