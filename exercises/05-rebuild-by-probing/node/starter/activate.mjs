// Given, not part of the exercise: socket activation, the way systemd does it. Started with
// ACTIVATION_SOCKET (by the verifier), this process receives the sockets the verifier made, in an
// order of its choosing and with no names, starts the real server with them as fds 3, 4, 5 and
// LISTEN_FDS=3, and stays beside it until it exits. Imported first by server.mjs: in the activator the
// import never finishes, so the rest of server.mjs runs only in the server.
import net from 'node:net';
import { spawn } from 'node:child_process';
import * as sys from './hotrestart-sys.mjs';

async function receiveFds(path) {
  const conn = net.connect(path);
  conn.pause(); // a plain read would take the bytes and drop the fds riding on them
  await new Promise((resolve, reject) => {
    conn.once('connect', resolve);
    conn.once('error', reject);
  });
  try {
    for (;;) {
      try {
        return sys.recvFds(sys.fdOf(conn), 8).fds;
      } catch (error) {
        if (error.code !== 'EAGAIN') throw error;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    }
  } finally {
    conn.destroy();
  }
}

if (process.env.ACTIVATION_SOCKET && !process.env.LISTEN_FDS) {
  const fds = await receiveFds(process.env.ACTIVATION_SOCKET);
  const env = { ...process.env, LISTEN_FDS: String(fds.length) };
  delete env.ACTIVATION_SOCKET;
  const server = spawn(process.execPath, process.argv.slice(1), { stdio: ['ignore', 'inherit', 'inherit', ...fds], env });
  for (const fd of fds) sys.close(fd); // the server has them now
  process.on('SIGTERM', () => server.kill('SIGTERM'));
  server.on('exit', (code) => process.exit(code ?? 1));
  await new Promise(() => {}); // the activator never goes on to serve
}
