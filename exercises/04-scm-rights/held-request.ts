// A request the verifier keeps in flight for exactly as long as it needs: the request line and a header
// are sent, the blank line that ends the headers is not. The server has a request in progress on that
// connection (not an idle one), so a draining process waits for it; finish() sends the rest and
// resolves with the response's status code. Exercise 10 uses it too.
import { connect } from 'node:net';

export interface HeldRequest {
  /** Completes the request; the status code, or null without a response within timeoutMs. */
  finish(timeoutMs: number): Promise<number | null>;
}

export function holdRequest(port: number, timeoutMs = 2000): Promise<HeldRequest> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1').slice(0, 256)));
    socket.on('error', () => {});
    const held: HeldRequest = {
      finish: (finishMs) =>
        new Promise((done) => {
          const settle = () => {
            clearTimeout(timer);
            socket.destroy();
            const match = /^HTTP\/1\.[01] (\d{3})/.exec(received);
            done(match ? Number(match[1]) : null);
          };
          const timer = setTimeout(settle, finishMs);
          // Closed before finish() (the server went away), or answered already: no event will come again.
          if (socket.destroyed || socket.readyState === 'closed' || /^HTTP\/1\.[01] \d{3}/.test(received)) return settle();
          socket.on('data', () => {
            if (/^HTTP\/1\.[01] \d{3}/.test(received)) settle();
          });
          socket.on('close', settle);
          if (!socket.destroyed) socket.write('\r\n');
        }),
    };
    const timer = setTimeout(() => resolve(held), timeoutMs);
    socket.once('connect', () => {
      socket.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n');
      clearTimeout(timer);
      resolve(held);
    });
    socket.once('error', () => {
      clearTimeout(timer);
      resolve(held);
    });
  });
}
