// Lesson 15's plain programs (the Go and Node reload servers): the launcher puppet binds 127.0.0.1:0 and
// starts the program with that socket at fd 3, as a service manager would, and steps aside (closes its
// copy). A shell in between sends the program's stderr to a file in the run's private directory and then
// execs it, so the pid it reports is the program's. The program carries the run marker (spawn op).
import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { basename, join } from 'node:path';
import { listenersOn } from './kit.js';
import type { LessonContext } from './types.js';

export interface Started {
  name: string;
  pid: number;
  port: number;
  /** The listening socket's inode when the program started. */
  inode: number | null;
  /** Where its stderr goes. */
  stderr: string;
}

const quote = (word: string) => `'${word.replace(/'/g, "'\\''")}'`;

export async function startWithSocket(ctx: LessonContext, name: string, command: string[], launcher = 'launcher'): Promise<Started> {
  if (!ctx.supervisor.puppet(launcher)) await ctx.start(launcher);
  const listening = await ctx.call(launcher, { op: 'listen', port: 0, serve: 'none' });
  const stderr = join(ctx.supervisor.dir, `${name}.stderr`);
  const spawned = await ctx.call(launcher, { op: 'spawn', name, command: ['/bin/sh', '-c', `exec ${command.map(quote).join(' ')} 2>${quote(stderr)}`], fds: { 3: listening.result.fd } });
  const pid = spawned.result.pid;
  ctx.name(pid, name);
  await ctx.call(launcher, { op: 'close', fd: listening.result.fd });
  const port = listening.result.port;
  return { name, pid, port, inode: listenersOn(port)[0]?.inode ?? null, stderr };
}

/** The body of GET / (trimmed), or the error's code: a check shows either. */
export function fetchText(port: number): Promise<string> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/', agent: false, timeout: 2000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve(body.trim()));
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
    req.on('error', (error: NodeJS.ErrnoException) => resolve(`(${error.code ?? error.message})`));
  });
}

/** A file's text, empty when it does not exist (yet). */
export function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

export interface Reload {
  started: Started;
  /** The program's config file (it answers what the file says). */
  config: string;
  /** The answer after the file changed but before the signal, and after the signal. */
  before: string;
  after: string;
}

/** The reload a step shows: the program starts answering "<label> v1" from its config file; the file is
 *  changed to "<label> v2" (the answer stays "<label> v1": nothing reads the file by itself); then the
 *  launcher sends `signal`, and the answer is awaited (3 s at most) until it reads "<label> v2". */
export async function showReload(ctx: LessonContext, name: string, label: string, command: (config: string) => string[], signal: NodeJS.Signals): Promise<Reload> {
  const config = join(ctx.supervisor.dir, `${label}-config.txt`);
  writeFileSync(config, `${label} v1\n`);
  const started = await startWithSocket(ctx, name, command(config));
  const answer = () => fetchText(started.port);
  await ctx.until(async () => (await answer()) === `${label} v1`, 5000);
  ctx.log(`GET / → "${await answer()}"`, 'event', 'tutor');
  writeFileSync(config, `${label} v2\n`);
  const before = await answer();
  ctx.log({ en: `${basename(config)} now says "${label} v2"; GET / → "${before}"`, zh: `${basename(config)} 现在是「${label} v2」；GET / → 「${before}」` });
  await ctx.call('launcher', { op: 'kill', pid: started.pid, signal });
  const after = (await ctx.until(async () => ((await answer()) === `${label} v2` ? `${label} v2` : undefined), 3000)) ?? (await answer());
  ctx.log(`GET / → "${after}"`, 'event', 'tutor');
  return { started, config, before, after };
}
