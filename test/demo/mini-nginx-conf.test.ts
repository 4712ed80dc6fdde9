// mini-nginx's config reader (lessons/servers/mini-nginx/conf.ts), in process: what it takes from a config
// lesson 14 writes, and its error lines for broken configs, each compared with what `nginx -t` says about
// the same file where nginx is installed.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfError, expand, loadConf } from '../../lessons/servers/mini-nginx/conf.js';
import { parseInheritedFds } from '../../lessons/servers/mini-nginx/listeners.js';
import { miniConf } from './mini-nginx-harness.js';

const NGINX = '/usr/sbin/nginx';
const dir = mkdtempSync(join(tmpdir(), 'mini-nginx-conf-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
function confFile(text: string): string {
  const file = join(dir, `case${++n}.conf`);
  writeFileSync(file, text);
  return file;
}

/** The error line mini-nginx gives for the file, or 'ok'. */
function miniSays(file: string): string {
  try {
    loadConf(file, `${dir}/`);
    return 'ok';
  } catch (error) {
    if (error instanceof ConfError) return error.message;
    throw error;
  }
}

/** What `nginx -t` says about the file: its [emerg] message, or 'ok'. */
function nginxSays(file: string): string {
  const result = spawnSync(NGINX, ['-t', '-q', '-p', `${dir}/`, '-c', file, '-e', join(dir, 'error.log')], { encoding: 'utf8' });
  if (result.status === 0) return 'ok';
  return /nginx: \[emerg\] (.*)/.exec(result.stderr)?.[1] ?? result.stderr;
}

// The frame of a valid config, around the broken part.
const head = `pid ${dir}/nginx.pid;\nerror_log ${dir}/error.log;\n`;
const http = (inside: string) => `${head}events {}\nhttp {\n    access_log off;\n    server {\n        listen 127.0.0.1:8;\n${inside}\n    }\n}\n`;

const BROKEN: Array<[string, string]> = [
  ['unknown directive', http('        foo bar;')],
  ['directive in the wrong context', `${head}listen 80;\nevents {}\n`],
  ['too many arguments', `${head}worker_processes 1 2;\nevents {}\n`],
  ['not a number', `${head}worker_processes x;\nevents {}\n`],
  ['duplicate', `${head}worker_processes 1;\nworker_processes 2;\nevents {}\n`],
  ['unclosed block', `${head}events {\n`],
  ['stray }', `${head}events {}\n}\n`],
  ['unclosed quote', `${head}worker_processes "1;\n`],
  ['block without {', `${head}events;\n`],
  ['no events', `${head}worker_processes 1;\n`],
  ['unknown variable', http('        location / { return 200 "$foo"; }')],
  ['bad log level', `pid ${dir}/nginx.pid;\nerror_log ${dir}/error.log loud;\nevents {}\n`],
  ['bad return code', http('        location / { return abc; }')],
  ['missing ;', http('        location / { return 200 "x" }')],
];

// Valid for nginx, beyond the stand-in: refused in a line that names mini-nginx, never silently ignored.
const BEYOND: Array<[string, string]> = [
  ['a listen parameter', http('        listen 127.0.0.1:9 reuseport;')],
  ['an exact location', http('        location = / { return 200; }')],
  ['an access log file', http(`        access_log ${dir}/access.log;`)],
  ['a second error_log', `${head}error_log ${dir}/other.log;\nevents {}\n`],
];

describe('mini-nginx config', () => {
  it("reads the config lesson 14 writes: workers, pid file, log, listen, the location's answer and header", () => {
    const file = confFile(miniConf({ dir, port: 8080, text: 'hello $pid', workers: 3 }));
    const conf = loadConf(file, `${dir}/`);
    expect(conf).toMatchObject({ workerProcesses: 3, pidFile: join(dir, 'nginx.pid'), errorLog: { file: join(dir, 'error.log'), level: 'notice' } });
    expect(conf.servers).toHaveLength(1);
    expect(conf.servers[0].listen).toEqual([{ address: '127.0.0.1', port: 8080 }]);
    expect(conf.servers[0].locations[0]).toMatchObject({ prefix: '/', answer: { code: 200, text: 'hello $pid' }, headers: [{ name: 'x-pid', value: '$pid', always: false }] });
    expect(expand('hello $pid ${pid}', 42)).toBe('hello 42 42');
  });

  it('parses NGINX as nginx does (";" or ":" after each fd; a bad number ends the list)', () => {
    const warnings: string[] = [];
    expect(parseInheritedFds('3;4:5;', (line) => warnings.push(line))).toEqual([3, 4, 5]);
    expect(parseInheritedFds('3;x;4;', (line) => warnings.push(line))).toEqual([3]);
    expect(warnings).toEqual(['invalid socket number "x;4;" in NGINX environment variable, ignoring the rest of the variable']);
  });

  for (const [what, text] of BROKEN) {
    it(`refuses a broken config (${what}) with nginx's line${existsSync(NGINX) ? ', the same nginx -t gives' : ''}`, () => {
      const file = confFile(text);
      const mini = miniSays(file);
      expect(mini).not.toBe('ok');
      if (existsSync(NGINX)) expect(mini).toBe(nginxSays(file));
    });
  }

  for (const [what, text] of BEYOND) {
    it(`refuses ${what}, which nginx takes, saying the stand-in does not do it`, () => {
      const file = confFile(text);
      expect(miniSays(file)).toMatch(/^mini-nginx /);
      if (existsSync(NGINX)) expect(nginxSays(file)).toBe('ok');
    });
  }

  it('refuses a missing file as nginx does', () => {
    const file = join(dir, 'absent.conf');
    expect(miniSays(file)).toBe(`open() "${file}" failed (2: No such file or directory)`);
    if (existsSync(NGINX)) expect(miniSays(file)).toBe(nginxSays(file));
  });
});
