// Starting mini-nginx (lessons/servers/mini-nginx.ts) the way lesson 14 starts nginx, and reading what the
// kernel shows about its processes, for the tests. A socket bound here to 127.0.0.1:0 is handed over at fd 3
// with NGINX="3;"; a shell starts the program in the background, waits for its pid file and exits, so the
// master is no longer its starter's child (nginx ignores USR2 until then). Every process carries the run
// marker of `runId`.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeCommand } from '../../src/demo/entry.js';
import { RUN_MARKER } from '../../src/demo/sweep.mjs';
import * as sys from '../../src/sys/index.js';
import { isAlive } from '../helpers/process.js';

export const MINI_NGINX_URL = new URL('../../lessons/servers/mini-nginx.ts', import.meta.url).href;

export interface ConfOptions {
  dir: string;
  port: number;
  text: string;
  workers?: number;
  /** Extra lines in the server block (a bad directive, for instance). */
  extra?: string;
}

/** The config lesson 14 writes (src/lesson/nginx.ts of that lesson), with access_log off as for nginx. */
export function miniConf(o: ConfOptions): string {
  return [
    `worker_processes ${o.workers ?? 2};`,
    `pid ${join(o.dir, 'nginx.pid')};`,
    `error_log ${join(o.dir, 'error.log')} notice;`,
    'events {}',
    'http {',
    '    access_log off;',
    '    server {',
    `        listen 127.0.0.1:${o.port};`,
    ...(o.extra ? [`        ${o.extra}`] : []),
    '        location / {',
    '            add_header x-pid $pid;',
    `            return 200 "${o.text}";`,
    '        }',
    '    }',
    '}',
    '',
  ].join('\n');
}

export interface Started {
  dir: string;
  port: number;
  master: number;
  confPath: string;
}

/** A listening socket on 127.0.0.1:0 made by hand (no FD_CLOEXEC, as a tutor's puppet hands one over). */
export function bindLoopback(): { fd: number; port: number } {
  const fd = sys.socket(sys.AF_INET, sys.SOCK_STREAM);
  sys.bind(fd, { family: 'inet', address: '127.0.0.1', port: 0 });
  sys.listen(fd, 511);
  return { fd, port: (sys.getsockname(fd) as { port: number }).port };
}

/** The command line, as lesson 14 runs either program: PROGRAM -p DIR/ -c CONF -e ERRLOG. */
export function miniCommand(dir: string): string[] {
  const { file, args } = nodeCommand(MINI_NGINX_URL);
  return [file, ...args, '-p', `${dir}/`, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log')];
}

/** Starts mini-nginx (or, with `command`, another program taking nginx's options: nginx itself) on a socket
 *  handed over at fd 3. Resolves once the pid file names a master whose starter has exited. */
export async function startInherited(runId: string, text: string, command?: (dir: string) => string[], workers = 2): Promise<Started> {
  const dir = mkdtempSync(join(tmpdir(), 'mini-nginx-'));
  const { fd, port } = bindLoopback();
  const confPath = join(dir, 'nginx.conf');
  writeFileSync(confPath, miniConf({ dir, port, text, workers }));
  const pidPath = join(dir, 'nginx.pid');
  const script = `"$@" >/dev/null 2>&1 & i=0; while [ ! -s "${pidPath}" ] && [ $i -lt 750 ]; do sleep 0.02; i=$((i+1)); done`;
  const shell = spawn('/bin/sh', ['-c', script, 'sh', ...(command ?? miniCommand)(dir)], {
    cwd: dir,
    stdio: ['ignore', 'ignore', 'ignore', fd],
    env: { ...process.env, NGINX: '3;', [RUN_MARKER]: runId },
  });
  await new Promise((resolve) => shell.once('exit', resolve));
  // From now on only the started program holds the socket.
  sys.close(fd);
  const master = pidIn(dir, 'nginx.pid');
  if (!master) throw new Error(`no master wrote ${pidPath}: ${readText(join(dir, 'error.log'))}`);
  return { dir, port, master, confPath };
}

export function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/** The pid in a pid file of dir, if the file exists and the process lives. */
export function pidIn(dir: string, name: 'nginx.pid' | 'nginx.pid.oldbin'): number | undefined {
  const pid = Number(readText(join(dir, name)).trim());
  return Number.isInteger(pid) && pid > 0 && isAlive(pid) ? pid : undefined;
}

export function parentOf(pid: number): number {
  const stat = readText(`/proc/${pid}/stat`);
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}

export function cmdline(pid: number): string {
  return readText(`/proc/${pid}/cmdline`).replace(/\0+/g, ' ').trim();
}

/** Live children of `master` that are workers by their title (`mini-nginx: worker process`, `nginx: worker process`). */
export function workersOf(master: number): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || parentOf(pid) !== master || !isAlive(pid)) continue;
    if (/^(mini-)?nginx: worker process/.test(cmdline(pid))) pids.push(pid);
  }
  return pids.sort((a, b) => a - b);
}

/** True when fd of pid and fd of each other pid are one open file description (kcmp). */
export function sameDescription(fd: number, pids: number[]): boolean {
  return pids.every((pid) => sys.kcmpFile(pids[0], fd, pid, fd) === 0);
}

/** Log lines of dir's error.log that contain `text`. */
export function logLines(dir: string, text: string): string[] {
  return readText(join(dir, 'error.log')).split('\n').filter((line) => line.includes(text));
}

/** One GET / on its own connection. */
export function get(port: number): Promise<{ status: number; body: string; pid: number; server: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/', agent: false, timeout: 3000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, pid: Number(res.headers['x-pid']), server: String(res.headers.server) }));
    });
    req.on('timeout', () => req.destroy(new Error('no answer within 3 s')));
    req.on('error', reject);
  });
}
