import { describe, expect, it } from 'vitest';
import { parseHex } from './hex';
import { buildPacket, kPresets, type PacketSpec } from './packet';
import { fieldAt, packetFields } from './packet_fields';

const preset = (name: string): PacketSpec => {
  const p = kPresets[name];
  if (!p) throw new Error(name);
  return p;
};
const row = (f: { layer: string; name: string; offset: number; length: number; value: string }): string =>
  `${f.layer}.${f.name}@${f.offset}+${f.length}=${f.value}`;

describe('packet fields', () => {
  it('names every byte of the IPv4 TCP SYN (xdp_drop_port input)', () => {
    const p = parseHex('02000000000202000000000108004500002800014000400626cd0a0000010a0000029c401f90000003e8000000005002ffffdc270000');
    expect(packetFields(p).map(row)).toEqual([
      'Ethernet.h_dest@0+6=02:00:00:00:00:02',
      'Ethernet.h_source@6+6=02:00:00:00:00:01',
      'Ethernet.h_proto@12+2=0x0800 (IPv4)',
      'IPv4.version, ihl@14+1=4, 5 (20-byte header)',
      'IPv4.tos@15+1=0x00',
      'IPv4.tot_len@16+2=40',
      'IPv4.id@18+2=1',
      'IPv4.frag_off@20+2=DF offset 0',
      'IPv4.ttl@22+1=64',
      'IPv4.protocol@23+1=6 (TCP)',
      'IPv4.check@24+2=0x26cd',
      'IPv4.saddr@26+4=10.0.0.1',
      'IPv4.daddr@30+4=10.0.0.2',
      'TCP.source@34+2=40000',
      'TCP.dest@36+2=8080',
      'TCP.seq@38+4=1000',
      'TCP.ack_seq@42+4=0',
      'TCP.doff, flags@46+2=5 (20-byte header), SYN',
      'TCP.window@48+2=65535',
      'TCP.check@50+2=0xdc27',
      'TCP.urg_ptr@52+2=0',
    ]);
    const at = fieldAt(packetFields(p), p.length);
    expect(at.every((f) => f !== undefined)).toBe(true);
    expect(at[25]?.name).toBe('check');
  });

  it('walks IPv6 UDP and ICMP to their payload', () => {
    const v6 = packetFields(buildPacket(preset('IPv6 UDP')));
    expect(v6.filter((f) => f.layer === 'IPv6').map((f) => f.name)).toEqual(
      ['version, class, flow', 'payload_len', 'nexthdr', 'hop_limit', 'saddr', 'daddr']);
    expect(v6.find((f) => f.name === 'saddr')?.value).toBe('fd00::1');
    expect(v6.slice(-5).map(row)).toEqual([
      'UDP.source@54+2=5353', 'UDP.dest@56+2=5353', 'UDP.len@58+2=13',
      `UDP.check@60+2=${v6.at(-2)?.value}`, 'Payload.data@62+5=5 bytes',
    ]);
    const icmp = packetFields(buildPacket(preset('IPv4 ICMP echo')));
    expect(icmp.filter((f) => f.layer === 'ICMP').map((f) => f.name)).toEqual(['type', 'code', 'checksum', 'id, sequence']);
  });

  it('stops at a truncated header and names nothing past the end', () => {
    const p = parseHex('02000000000202000000000108004500002800014000');  // the IPv4 header cut after frag_off
    expect(packetFields(p).map((f) => f.name)).toEqual(['h_dest', 'h_source', 'h_proto', 'version, ihl', 'tos', 'tot_len', 'id', 'frag_off']);
    expect(packetFields(new Uint8Array(0))).toEqual([]);
  });
});

describe('layer summaries', () => {
  it('say each header in one line', async () => {
    const { layerSummaries } = await import('./packet_fields');
    expect(layerSummaries(packetFields(buildPacket(preset('IPv4 TCP SYN')))).map((s) => s.text)).toEqual(
      ['Ethernet', 'IPv4 10.0.0.1 → 10.0.0.2, ttl 64', 'TCP 40000 → 8080 SYN']);
    expect(layerSummaries(packetFields(buildPacket(preset('IPv6 UDP')))).map((s) => s.text)).toEqual(
      ['Ethernet', 'IPv6 fd00::1 → fd00::2, hop limit 64', 'UDP 5353 → 5353', 'payload 5 bytes']);
    expect(layerSummaries(packetFields(buildPacket(preset('IPv4 ICMP echo')))).map((s) => s.text)).toEqual(
      ['Ethernet', 'IPv4 10.0.0.1 → 10.0.0.2, ttl 64', 'ICMP type 8, code 0', 'payload 4 bytes']);
  });
});
