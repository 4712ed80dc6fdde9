// A Node server that reloads its configuration on SIGHUP: the signal makes it read the file again; the
// listener, the process and the connections stay as they are. Not SIGUSR1 as in Go: Node keeps that one
// for its inspector (lesson 15 shows it). Lesson 15 hands it the listening socket at fd 3.
// Usage: node reload.mjs CONFIG-FILE (the file holds the text the server answers).
import { readFileSync } from 'node:fs';
import http from 'node:http';

const path = process.argv[2];
if (!path) {
  console.error('usage: node reload.mjs CONFIG-FILE');
  process.exit(2);
}
let text = '';

// [reload]
function load(first) {
  try {
    text = readFileSync(path, 'utf8').trim();
  } catch (error) {
    console.error(`reload: ${error.message} (keeping the old configuration)`); // a bad file must not stop a running server | zh: 坏掉的配置文件不应让运行中的服务停下
    return;
  }
  if (!first) console.error('Reloaded');
}
load(true);
process.on('SIGHUP', () => load(false)); // SIGUSR1 would start the inspector instead | zh: 换成 SIGUSR1 的话，启动的是调试器（inspector）
// [/reload]

http
  .createServer((req, res) => {
    res.setHeader('x-pid', String(process.pid));
    res.end(`${text}\n`);
  })
  .listen({ fd: 3 });
