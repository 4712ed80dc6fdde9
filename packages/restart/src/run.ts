#!/usr/bin/env node
// hotrestart-run: the container entrypoint (see supervisor.ts).
//   hotrestart-run --listen http=0.0.0.0:8080 [--listen admin=/run/admin.sock] -- node server.js
// Bad input gets one sentence on stderr and exit code 2.
import { parseSockAddr } from './sys/sockaddr.js';
import type { ListenAddress } from './listeners.js';
import { Supervisor } from './supervisor.js';

const USAGE = 'usage: hotrestart-run --listen NAME=HOST:PORT|NAME=/path.sock ... -- COMMAND [ARGS...]';

export function parseArguments(argv: string[]): { listeners: Record<string, ListenAddress>; command: { file: string; args: string[] } } {
  const separator = argv.indexOf('--');
  if (separator === -1 || separator === argv.length - 1) throw new Error(`the server's command goes after --; ${USAGE}`);
  const listeners: Record<string, ListenAddress> = {};
  const own = argv.slice(0, separator);
  for (let i = 0; i < own.length; i++) {
    const value = own[i] === '--listen' ? own[++i] : own[i].startsWith('--listen=') ? own[i].slice('--listen='.length) : undefined;
    if (value === undefined) throw new Error(`unknown argument ${JSON.stringify(own[i])}; ${USAGE}`);
    const match = /^([^=]+)=(.+)$/.exec(value);
    if (!match) throw new Error(`--listen wants NAME=ADDRESS, not ${JSON.stringify(value)}`);
    const address = parseSockAddr(match[2]);
    listeners[match[1]] = address.family === 'unix' ? { path: address.path } : address.family === 'other' ? { path: '' } : { host: address.address, port: address.port };
  }
  const [file, ...args] = argv.slice(separator + 1);
  return { listeners, command: { file, args } };
}

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseArguments(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`hotrestart-run: ${(error as Error).message}\n`);
    return 2;
  }
  const supervisor = new Supervisor(parsed);
  try {
    await supervisor.start();
  } catch (error) {
    process.stderr.write(`hotrestart-run: ${(error as Error).message}\n`);
    return 1;
  }
  return supervisor.done;
}

process.exitCode = await main();
process.exit();
