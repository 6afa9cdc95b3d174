import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { addressList, hostErrorText, networkJson, networkOf, newDevice, newSocket, numberOrText } from './host_network';
import { decode } from './normalize';
import { kCoreDefaults } from './vm_types';

// Core's new device and socket, as tests/contract/defaults.json has them (test_contract checks it).
const defaults = decode(kCoreDefaults, JSON.parse(readFileSync(new URL('../../tests/contract/defaults.json', import.meta.url), 'utf8')));

const core = `{
  "cpu": 0,
  "task": {"pid": 4242, "tgid": 4242, "uid": 1000, "gid": 1000, "comm": "bpfplay-demo"},
  "ingress_ifindex": 1,
  "rx_queue_index": 0,
  "devices": [
    {"ifindex": 1, "name": "lo", "mac": "00:00:00:00:00:00", "mtu": 65536, "up": true, "forwarding": false, "rx_queues": 1, "ipv4": ["127.0.0.1/8"], "ipv6": ["::1/128"]},
    {"ifindex": 2, "name": "eth0", "mac": "02:00:00:00:00:02", "mtu": 1500, "up": true, "forwarding": true, "rx_queues": 1, "ipv4": ["10.0.0.2/24"], "ipv6": ["fd00::2/64"]}
  ],
  "sockets": [
    {"cookie": 4099, "protocol": "udp", "local_addr": "10.0.0.2", "local_port": 53, "remote_addr": "0.0.0.0", "remote_port": 0, "uid": 101, "bound_dev_if": 0, "mark": 0, "priority": 0}
  ],
  "routes": [{"dst": "0.0.0.0/0", "via": "10.0.0.1", "dev": 2, "metric": 0, "type": "unicast"}],
  "neighbours": []
}`;

describe('host network', () => {
  it('keeps the network of core host JSON and leaves cpu and task to the Host fields', () => {
    const n = networkOf(core);
    expect(JSON.parse(networkJson(n))).toEqual({
      ingress_ifindex: 1, rx_queue_index: 0, devices: JSON.parse(core).devices, sockets: JSON.parse(core).sockets,
      routes: [{ dst: '0.0.0.0/0', via: '10.0.0.1', dev: 2, metric: 0, type: 'unicast' }], neighbours: [],
    });
    expect(networkJson(n)).not.toContain('task');
  });

  it('numbers the next device and socket after the existing ones', () => {
    const n = networkOf(core);
    expect(newDevice(n.devices, defaults.new_device)).toEqual({
      ifindex: 3, name: 'eth1', mac: '02:00:00:00:03:02', mtu: 1500, up: true, forwarding: true, rx_queues: 1, ipv4: [], ipv6: [],
    });
    expect(newSocket(n.sockets, defaults.new_socket)['cookie']).toBe(4100);
    expect(newSocket([], defaults.new_socket)['cookie']).toBe(4097);
    expect(newSocket([], defaults.new_socket)).toMatchObject({ protocol: 'tcp', local_addr: '0.0.0.0', local_port: 8000, state: 'listen', uid: 1000 });
  });

  it('sends what was typed for core to judge', () => {
    expect(numberOrText(' 42 ')).toBe(42);
    expect(numberOrText('4x')).toBe('4x');
    expect(addressList('10.0.0.2/24, 10.0.0.3/24  fd00::1')).toEqual(['10.0.0.2/24', '10.0.0.3/24', 'fd00::1']);
    expect(addressList(' ')).toEqual([]);
    expect(hostErrorText('host JSON: devices[1].mac: "02:00" is not a MAC address like 02:00:00:00:00:02'))
      .toBe('devices[1].mac: "02:00" is not a MAC address like 02:00:00:00:00:02');
    expect(hostErrorText('-ENODEV: packets arrive on ifindex 9')).toBeUndefined();
  });
});
