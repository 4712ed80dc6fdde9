// Passing listeners to a child by inheritance (lesson 8), in Node: the parent lists its two listening
// sockets in spawn's stdio array (index = the child's fd), and lets go once the child is ready; the child
// (this same file, run with `child`) serves the one at fd 3. Prints which process answered.
// Usage: node pass-listeners.mjs (access.log goes into a private directory removed at the end).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';

const handler = (request, response) => response.end(`answered by ${process.pid}\n`);
const adminHandler = (socket) => socket.end('admin\n');

if (process.argv[2] === 'child') {
  // [child]
  // fd 3: stdio[3] in the parent's spawn | zh: fd 3：父进程 spawn 时的 stdio[3]
  http.createServer(handler).listen({ fd: 3 })
  // [/child]
  process.send?.('ready');
  process.on('SIGTERM', () => process.exit(0));
} else {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pass-listeners-'));
  process.chdir(dir);
  // [open]
  const logs = fs.openSync('access.log', 'a')
  const server = http.createServer(handler).listen(0, '127.0.0.1') // fd: whatever is free right now | zh: fd：此刻空着的最小编号
  const admin = net.createServer(adminHandler).listen(0, '127.0.0.1')
  // [/open]
  await Promise.all([once(server, 'listening'), once(admin, 'listening')]);
  const { port } = server.address();
  // [spawn]
  const child = spawn(process.execPath, [process.argv[1], 'child'], {
    // index = the child's fd: fd 3 and fd 4 | zh: 下标就是子进程的 fd：fd 3 和 fd 4
    stdio: ['inherit', 'inherit', 'inherit', server._handle.fd, admin._handle.fd, 'ipc'],
    env: { ...process.env, LISTEN_FDS: '2' },
  })
  // [/spawn]
  await once(child, 'message');
  // [let-go]
  // ... once the child says it is ready: | zh: ……等子进程说它已就绪：
  server.close(); admin.close()
  // [/let-go]
  const response = await fetch(`http://127.0.0.1:${port}/`);
  console.log(`parent ${process.pid}, ${(await response.text()).trim()}`);
  child.kill('SIGTERM');
  await once(child, 'exit');
  fs.closeSync(logs);
  process.chdir(os.tmpdir());
  fs.rmSync(dir, { recursive: true });
}
