// Ops that involve a Node server in the puppet: a hand-made listener handed to Node (listen serve=http),
// the Node way of listening (listen-node), and server.close(). Calls libuv makes for us are logged
// "(by libuv)"; their sequence was checked with strace on Node 20 / libuv 1.46.
import http from 'node:http';
import type { AddressInfo, ListenOptions } from 'node:net';
import type { OpContext, OpTable } from './puppet-op.js';
import { OpError, type PuppetState } from './puppet-state.js';

export const DEFAULT_BACKLOG = 511; // Node's default, so hand-made and Node listeners compare evenly

export function backlogOf(backlog: number | undefined): number {
  const value = backlog ?? DEFAULT_BACKLOG;
  if (!Number.isInteger(value) || value < 0 || value > 65535) throw new OpError(`a backlog is 0 to 65535, not ${value}.`);
  return value;
}

/** An HTTP server answering "ok"; the X-Puppet header tells which process answered (reuseport splits). */
function puppetServer(state: PuppetState): http.Server {
  return http.createServer((_request, response) => {
    response.setHeader('X-Puppet', `${state.name} ${process.pid}`);
    response.end('ok\n');
  });
}

/** Node also takes { fd, backlog } here (a "handle" in its docs), which its types leave out. */
function listening(server: http.Server, options: ListenOptions | { fd: number; backlog: number }): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (error) => reject(new OpError(`Node could not listen: ${error.message}.`)));
    server.listen(options as ListenOptions, () => resolve());
  });
}

/** Hands an already listening fd to a Node HTTP server, which from then on accepts on it. */
export async function serveHttp(fd: number, backlog: number, { trace, state }: OpContext): Promise<void> {
  const server = puppetServer(state);
  // The backlog is passed on because libuv calls listen(2) again, which would otherwise reset it to 511.
  await listening(server, { fd, backlog });
  trace.note(`ioctl(${fd}, FIONBIO, [1]) = 0 (by libuv: server.listen({fd: ${fd}}))`);
  trace.note(`listen(${fd}, ${backlog}) = 0 (by libuv)`);
  state.servers.set(fd, server);
}

export const serverOps: OpTable<'listen-node' | 'server-close'> = {
  async 'listen-node'({ backlog }, { trace, state }) {
    const limit = backlogOf(backlog);
    const server = puppetServer(state);
    await listening(server, { port: 0, host: '127.0.0.1', backlog: limit });
    // Node keeps the fd in its handle; there is no public accessor.
    const fd = (server as unknown as { _handle: { fd: number } })._handle.fd;
    const { port } = server.address() as AddressInfo;
    state.servers.set(fd, server);
    state.adopt(fd);
    trace.note(`socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC|SOCK_NONBLOCK, 0) = ${fd} (by libuv: server.listen(0, '127.0.0.1'))`);
    trace.note(`setsockopt(${fd}, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0 (by libuv)`);
    trace.note(`bind(${fd}, 127.0.0.1:0) = 0 (by libuv)`);
    trace.note(`listen(${fd}, ${limit}) = 0 (by libuv)`);
    return { fd, port, address: '127.0.0.1' };
  },

  'server-close'({ fd }, { trace, state }) {
    const server = state.servers.get(fd);
    if (!server) throw new OpError(`fd ${fd} is not the listener of a Node server in this puppet.`);
    // Closes the listening fd at once (libuv closes it synchronously); the callback would only fire once
    // every open connection ended, which a lesson does not want to wait for.
    server.close();
    state.servers.delete(fd);
    state.forget(fd);
    trace.note(`close(${fd}) = 0 (by libuv: server.close())`);
    return { fd };
  },
};
