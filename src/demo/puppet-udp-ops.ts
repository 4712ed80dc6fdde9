// UDP by hand: a bound datagram socket (the kind of fd a DNS or QUIC server hands its successor), and a
// client that asks it one question. The client connects its socket, so plain send/recv work and only
// datagrams from that server are accepted; recv is preceded by poll(2), so the puppet always answers.
import * as sys from '../sys/index.js';
import { assertPort, type OpContext, type OpTable, loopbackAddress, waitReadable } from './puppet-op.js';
import { addrText, domainText, quote, socketTypeText } from './trace.js';

const DGRAM = sys.SOCK_DGRAM | sys.SOCK_CLOEXEC;
const MSG_DONTWAIT = 0x40;

function datagramSocket(addr: sys.SockAddr, { trace, state }: OpContext): number {
  const domain = addr.family === 'inet6' ? sys.AF_INET6 : sys.AF_INET;
  const fd = trace.call(`socket(${domainText(domain)}, ${socketTypeText(DGRAM)}, 0)`, () => sys.socket(domain, DGRAM, 0));
  state.adopt(fd);
  return fd;
}

export const udpOps: OpTable<'udp-bind' | 'udp-ask'> = {
  'udp-bind'({ address }, context) {
    const addr = loopbackAddress(address, 0);
    const fd = datagramSocket(addr, context);
    context.trace.call(`bind(${fd}, ${addrText(addr)})`, () => sys.bind(fd, addr));
    const bound = sys.getsockname(fd) as { port: number; address: string };
    return { fd, port: bound.port, address: bound.address };
  },

  'udp-ask'({ port, data, address, timeoutMs = 1000 }, context) {
    const { trace, state } = context;
    const addr = loopbackAddress(address, assertPort(port));
    const fd = datagramSocket(addr, context);
    try {
      trace.call(`connect(${fd}, ${addrText(addr)})`, () => sys.connect(fd, addr));
      const bytes = Buffer.from(String(data));
      trace.call(`send(${fd}, ${quote(String(data))}, ${bytes.length}, MSG_DONTWAIT)`, () => sys.send(fd, bytes, MSG_DONTWAIT));
      waitReadable(trace, fd, timeoutMs, `recv(${fd})`, 'no datagram came back');
      const buffer = Buffer.alloc(2048);
      const n = trace.callWith(`recv(${fd}, …, ${buffer.length}, MSG_DONTWAIT)`, () => sys.recv(fd, buffer, MSG_DONTWAIT),
        (count) => `recv(${fd}, ${quote(buffer.subarray(0, count).toString(), 64)}, ${buffer.length}, MSG_DONTWAIT) = ${count}`);
      return { fd, data: buffer.subarray(0, n).toString() };
    } finally {
      // One question per socket: the client leaves nothing behind in its table.
      trace.call(`close(${fd})`, () => sys.close(fd));
      state.forget(fd);
    }
  },
};
