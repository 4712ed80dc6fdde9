// Pure parts of the engine: the macOS lsof -F parser, /proc/net text tables, description letters.
import { describe, expect, it } from 'vitest';
import { decodeLsofFlags, parseLsofFields, snapshotFromLsof } from '../../src/fdtable/lsof.js';
import { decodeProcAddress, parseProcNetInet, parseProcNetUnix } from '../../src/fdtable/procnet.js';
import { assignLetters, letterName } from '../../src/fdtable/letters.js';
import type { SocketIndex } from '../../src/fdtable/sockets.js';

// Shaped like `lsof -n -P -w -F pcfatoidnPTG -p 501,502` on macOS 14: a server and a child that
// inherited its listener, plus a regular file and /dev/null open in both.
const lsofOutput = [
  'p501', 'cnode',
  'fcwd', 'a ', 'tDIR', 'd0x1000011', 'i2', 'n/',
  'f0', 'ar', 'tCHR', 'G0x1;0x0', 'd0x10000003', 'o0t0', 'i332', 'n/dev/null',
  'f3', 'au', 'tIPv4', 'G0x7;0x1', 'd0xab12cd34', 'o0t0', 'PTCP', 'n127.0.0.1:41234', 'TST=LISTEN', 'TQR=2', 'TQS=0',
  'f5', 'ar', 'tREG', 'G0x1;0x1', 'd0x1000011', 'o0t120', 'i9876', 'n/tmp/log.txt',
  'f6', 'au', 'tIPv4', 'G0x3;0x0', 'd0xab12ff00', 'o0t0', 'PTCP', 'n127.0.0.1:41234->127.0.0.1:50000', 'TST=ESTABLISHED', 'TQR=0', 'TQS=5',
  'p502', 'cnode',
  'f0', 'ar', 'tCHR', 'G0x1;0x0', 'd0x10000003', 'o0t0', 'i332', 'n/dev/null',
  'f3', 'au', 'tIPv4', 'G0x7;0x0', 'd0xab12cd34', 'o0t0', 'PTCP', 'n127.0.0.1:41234', 'TST=LISTEN', 'TQR=2', 'TQS=0',
  '',
].join('\n');

describe('lsof -F backend (macOS)', () => {
  const parsed = parseLsofFields(lsofOutput);

  it('parses processes and numeric fds only', () => {
    expect(parsed.map((p) => p.pid)).toEqual([501, 502]);
    expect(parsed[0].files.map((f) => f.fd)).toEqual([0, 3, 5, 6]);
    expect(parsed[0].files[1]).toMatchObject({ type: 'IPv4', protocol: 'TCP', device: '0xab12cd34', tcp: { ST: 'LISTEN', QR: '2' } });
    expect(parsed[0].files[2].offset).toBe(120);
  });

  it('decodes hex and named file flags', () => {
    expect(decodeLsofFlags('0x7;0x1', 'u')).toEqual({ access: 'rw', nonblock: true, append: false, cloexec: true });
    expect(decodeLsofFlags('0x9;0x0', 'u')).toEqual({ access: 'r', nonblock: false, append: true, cloexec: false });
    expect(decodeLsofFlags('W,NB,AP,CX', 'w')).toEqual({ access: 'w', nonblock: true, append: true, cloexec: true });
    expect(decodeLsofFlags(null, 'u')).toEqual({ access: 'rw', nonblock: null, append: null, cloexec: null });
  });

  it('maps onto the model: a listener shared across processes has one letter, queue from TQR', () => {
    const snap = snapshotFromLsof([501, 502, 503], parsed, 0);
    const listener501 = snap.rows.find((r) => r.pid === 501 && r.fd === 3)!;
    const listener502 = snap.rows.find((r) => r.pid === 502 && r.fd === 3)!;
    expect(listener501).toMatchObject({ type: 'TCP', name: '127.0.0.1:41234 (LISTEN)', identity: 'lsof', cloexec: true });
    expect(listener501.socket).toMatchObject({ state: 'LISTEN', acceptQueue: 2, backlog: null });
    expect(listener502.description).toBe(listener501.description);
    expect(listener502.cloexec).toBe(false);
    // /dev/null in both: same inode, and without kcmp nobody can tell whether it is one description.
    const null501 = snap.rows.find((r) => r.pid === 501 && r.fd === 0)!;
    expect(null501).toMatchObject({ description: '?', identity: 'unknown' });
    expect(snap.rows.find((r) => r.pid === 501 && r.fd === 6)!.name).toBe('127.0.0.1:41234->127.0.0.1:50000 (ESTABLISHED)');
    expect(snap.processes.find((p) => p.pid === 503)).toMatchObject({ status: 'gone' });
  });
});

describe('/proc/net text tables', () => {
  it('decodes little-endian hex addresses, v4 and v6', () => {
    expect(decodeProcAddress('0100007F:1F90')).toBe('127.0.0.1:8080');
    expect(decodeProcAddress('00000000000000000000000001000000:0050')).toBe('[::1]:80');
  });

  it('reads a listener queue from rx_queue and leaves its backlog unknown', () => {
    const text = [
      '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
      '   0: 0100007F:A0D2 00000000:0000 0A 00000000:00000003 00:00000000 00000000     0        0 4242 1 0000000000000000 100 0 0 10 0',
      '   1: 0100007F:A0D2 0100007F:C350 01 00000000:00000000 00:00000000 00000000     0        0 4243 1 0000000000000000 20 4 30 10 -1',
    ].join('\n');
    const index: SocketIndex = new Map();
    parseProcNetInet(text, 'TCP', index);
    expect(index.get(4242)).toMatchObject({ state: 'LISTEN', local: '127.0.0.1:41170', remote: null, rqueue: 3, wqueue: null });
    expect(index.get(4243)).toMatchObject({ state: 'ESTABLISHED', remote: '127.0.0.1:50000' });
  });

  it('reads unix listeners from the ACCEPTCON flag', () => {
    const text = [
      'Num       RefCount Protocol Flags    Type St Inode Path',
      '0000000000000000: 00000002 00000000 00010000 0001 01 5555 /tmp/x.sock',
      '0000000000000000: 00000003 00000000 00000000 0001 03 5556',
    ].join('\n');
    const index: SocketIndex = new Map();
    parseProcNetUnix(text, index);
    expect(index.get(5555)).toMatchObject({ state: 'LISTEN', local: '/tmp/x.sock', unixType: 'STREAM' });
    expect(index.get(5556)).toMatchObject({ state: 'CONNECTED', local: '' });
  });
});

describe('description letters', () => {
  it('counts A..Z, AA, AB ...', () => {
    expect([0, 25, 26, 27, 51, 52, 701, 702].map(letterName)).toEqual(['A', 'Z', 'AA', 'AB', 'AZ', 'BA', 'ZZ', 'AAA']);
  });

  it('keeps letters across refreshes and never hands a vanished letter to a newcomer', () => {
    const row = (pid: number, fd: number, key: string) => ({ pid, fd, inodeKey: key, descriptionKey: key, known: true });
    const first = assignLetters([row(1, 3, 'x'), row(1, 4, 'y'), row(2, 3, 'x')]);
    expect(first).toEqual(['A', 'B', 'A']);
    const previous = new Map([
      ['1:3', { letter: 'A', inodeKey: 'x' }],
      ['1:4', { letter: 'B', inodeKey: 'y' }],
      ['2:3', { letter: 'A', inodeKey: 'x' }],
    ]);
    // fd 1:3 closed, a new description z appeared first in order: x keeps A (through 2:3), z gets C.
    expect(assignLetters([row(1, 2, 'z'), row(1, 4, 'y'), row(2, 3, 'x')], previous)).toEqual(['C', 'B', 'A']);
  });
});
