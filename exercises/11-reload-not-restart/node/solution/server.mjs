// Exercise 11 — reload, don't restart. A server that answers GET / with the greeting of its config file
// and, on SIGHUP, reads the file again: same process, same listening socket, connections untouched.
// Usage: node server.mjs CONFIG-FILE (JSON: { "greeting": "..." }).
import http from 'node:http';
import { readFileSync } from 'node:fs';

const path = process.argv[2];
if (!path) {
  console.error('usage: node server.mjs CONFIG-FILE');
  process.exit(2);
}

/** Reads and checks the config; throws with the reason when it is unusable. */
function readConfig() {
  const config = JSON.parse(readFileSync(path, 'utf8'));
  if (typeof config?.greeting !== 'string' || config.greeting === '') throw new Error('"greeting" must be a non-empty string');
  return config;
}

let config = readConfig(); // at start a bad file is fatal: there is no old config to keep

// SIGHUP, not SIGUSR1: Node keeps SIGUSR1 for its inspector (lesson 15).
process.on('SIGHUP', () => {
  try {
    config = readConfig(); // swapped whole, only once it is known to be good
    console.error(`reloaded: "${config.greeting}"`);
  } catch (error) {
    console.error(`reload rejected, keeping "${config.greeting}": ${error.message}`);
  }
});

http.createServer((req, res) => res.end(`${config.greeting}\n`)).listen(0, '127.0.0.1');
