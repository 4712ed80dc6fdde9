// The naive restart (lesson 1), in Node: serve, stop (close stops accepting at once), listen again as the
// new process would; then the course's way: a successor that takes the listening socket inherited at fd 3
// (this file run with `successor`) and says it is ready.
// Usage: node naive.mjs (the port is picked by the kernel).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import http from 'node:http';

const handler = (req, res) => res.end('ok\n');

if (process.argv[2] === 'successor') {
  // [successor]
  // the new process: the listening socket arrived as fd 3, inherited | zh: 新进程：监听 socket 作为 fd 3 继承而来
  http.createServer(handler).listen({ fd: 3 })
  process.send?.('ready') // the old process may stop accepting and drain | zh: 旧进程可以停止 accept 并排空了
  // [/successor]
  process.on('disconnect', () => process.exit(0));
} else {
  // [serve]
  const server = http.createServer((req, res) => res.end('ok\n')).listen(0, '127.0.0.1')
  // [/serve]
  await once(server, 'listening');
  const { port } = server.address();
  console.log(`answered: ${(await (await fetch(`http://127.0.0.1:${port}/`)).text()).trim()}`);
  // [shutdown]
  server.close()      // stops accepting: the listening fd is closed now | zh: 停止 accept：监听 fd 此刻就关闭了
  server.closeIdleConnections()
  // exit when the last request is done; then the new process starts | zh: 最后一个请求完成后退出；然后新进程启动
  // [/shutdown]
  await once(server, 'close');
  console.log(`stopped: nothing listens on ${port}`);
  // [relisten]
  server.listen(port, '127.0.0.1') // libuv sets SO_REUSEADDR too | zh: libuv 同样会设置 SO_REUSEADDR
  // [/relisten]
  await once(server, 'listening');
  console.log(`listening again on ${port}`);
  const child = spawn(process.execPath, [process.argv[1], 'successor'], { stdio: ['ignore', 'inherit', 'inherit', server._handle.fd, 'ipc'] });
  await once(child, 'message');
  server.close();
  console.log(`the successor answered: ${(await (await fetch(`http://127.0.0.1:${port}/`)).text()).trim()}`);
  child.disconnect();
  await once(child, 'exit');
}
