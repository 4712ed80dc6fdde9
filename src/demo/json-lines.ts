// JSON-lines framing for the control connection, used by both ends (supervisor and puppet).
import type { Socket } from 'node:net';

/** Calls onMessage with each parsed line that arrives on socket. A line that is not JSON ends the
 *  connection: the other side is not speaking this protocol. */
export function readJsonLines(socket: Socket, onMessage: (message: unknown) => void): void {
  let buffered = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    buffered += chunk;
    for (let end = buffered.indexOf('\n'); end !== -1; end = buffered.indexOf('\n')) {
      const line = buffered.slice(0, end);
      buffered = buffered.slice(end + 1);
      if (line.trim() === '') continue;
      let message: unknown;
      try {
        message = JSON.parse(line);
      } catch {
        socket.destroy(new Error(`not a JSON line: ${line.slice(0, 80)}`));
        return;
      }
      onMessage(message);
    }
  });
}

export function writeJsonLine(socket: Socket, message: unknown, callback?: () => void): void {
  socket.write(JSON.stringify(message) + '\n', callback);
}
