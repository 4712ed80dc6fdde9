// The handover reads four private fields of Node's HTTP server: `socket.parser` (is a request arriving?),
// `socket._httpMessage` (the response in flight), `socket._handle` (the fd, and read stop/start) and
// `server._connections` (the count net.Server keeps, raised for an adopted connection). They exist on
// Node 20 to 24. A future Node may rename them, and then the old process would believe every connection
// busy and hold it until the drain deadline. So they are probed once, at create(), on a real loopback
// request; when one is missing, the module falls back to what public APIs allow: idle connections are
// closed between requests (Connection: close on responses in flight) instead of being handed over.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type InternalField = 'socket.parser' | 'socket._httpMessage' | 'socket._handle' | 'server._connections';

export interface InternalsProbe {
  /** The fields this Node lacks (empty when the handover can rely on all of them). */
  missing: InternalField[];
  /** Set when the probe itself could not run (no loopback); the fields are then treated as missing. */
  error?: string;
}

const ALL: InternalField[] = ['socket.parser', 'socket._httpMessage', 'socket._handle', 'server._connections'];
const PROBE_TIMEOUT_MS = 3000;

/** What this Node's HTTP server offers, checked on one request over 127.0.0.1. */
export async function probeInternals(): Promise<InternalsProbe> {
  const server = http.createServer();
  let timer: NodeJS.Timeout | undefined;
  try {
    const seen = await Promise.race([
      new Promise<InternalField[]>((resolve, reject) => {
        let missing: InternalField[] = [];
        server.once('request', (request, response) => {
          missing = missingOn(server, request.socket, response);
          response.end();
        });
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => {
          const { port } = server.address() as AddressInfo;
          // Resolved once the client's socket is closed too: the probe leaves no fd behind.
          http
            .get({ host: '127.0.0.1', port, agent: false, headers: { connection: 'close' } }, (answer) => answer.resume())
            .on('error', reject)
            .on('close', () => resolve(missing));
        });
      }),
      new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${PROBE_TIMEOUT_MS} ms`)), PROBE_TIMEOUT_MS))),
    ]);
    return { missing: seen };
  } catch (error) {
    return { missing: ALL, error: (error as Error).message };
  } finally {
    clearTimeout(timer);
    server.closeAllConnections();
    server.close();
  }
}

/** The fields missing on a live server socket with a request in flight; exported for the unit test. */
export function missingOn(server: object, socket: object, response: unknown): InternalField[] {
  const s = socket as { parser?: unknown; _httpMessage?: unknown; _handle?: { fd?: unknown; readStop?: unknown; readStart?: unknown } | null };
  const missing: InternalField[] = [];
  if (!s.parser || typeof s.parser !== 'object') missing.push('socket.parser');
  if (s._httpMessage !== response) missing.push('socket._httpMessage');
  const handle = s._handle;
  if (!handle || typeof handle.fd !== 'number' || typeof handle.readStop !== 'function' || typeof handle.readStart !== 'function') missing.push('socket._handle');
  if (typeof (server as { _connections?: unknown })._connections !== 'number') missing.push('server._connections');
  return missing;
}
