// Exercise 11 — reload, don't restart. A server that answers GET / with the greeting of its config file
// and should, on SIGHUP, read the file again: same process, same listening socket, connections untouched.
// Usage: node server.mjs CONFIG-FILE (JSON: { "greeting": "..." }).
import http from 'node:http';
import { readFileSync } from 'node:fs';

const path = process.argv[2];
if (!path) {
  console.error('usage: node server.mjs CONFIG-FILE');
  process.exit(2);
}

/** Reads the config. TODO: a file that does not parse, or has no greeting, must never become the config. */
function readConfig() {
  return JSON.parse(readFileSync(path, 'utf8'));
}

let config = readConfig(); // at start a bad file is fatal: there is no old config to keep

// TODO: reload on SIGHUP (what `systemctl reload` and `kill -HUP` send). With no handler, SIGHUP ends
//       the process. Not SIGUSR1: in Node that one starts the inspector (lesson 15).

http.createServer((req, res) => res.end(`${config.greeting}\n`)).listen(0, '127.0.0.1');
