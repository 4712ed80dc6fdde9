// The configuration mini-nginx understands: a small subset of nginx.conf, checked the way nginx checks it
// (each directive in its context, its number of arguments, its values), with nginx's error wording, so a
// config that the stand-in accepts means the same to the real nginx. Anything else is an error, never
// silently ignored:
//
//   worker_processes N | auto;            pid FILE;            error_log FILE [level];
//   events { worker_connections N; }
//   http {
//     access_log off;   default_type TYPE;   add_header NAME VALUE [always];
//     server {
//       listen [ADDRESS:]PORT;            (IPv4)
//       location PREFIX { add_header NAME VALUE [always]; return CODE ["TEXT"]; }
//     }
//   }
//
// FILE paths are relative to the prefix (-p), as in nginx. The only variable is $pid (the worker's pid),
// in add_header values and return texts.
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import { ConfError, parseStatements, type Statement } from './tokens.js';

export { ConfError };

export const LOG_LEVELS = ['debug', 'info', 'notice', 'warn', 'error', 'crit', 'alert', 'emerg'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Header {
  name: string;
  /** May contain $pid. */
  value: string;
  /** `always`: on every response, not only on 2xx and 3xx ones. */
  always: boolean;
}

export interface LocationConf {
  prefix: string;
  headers: Header[];
  /** `return CODE ["TEXT"]`; without it the location answers 404. */
  answer?: { code: number; text: string };
}

export interface Listen {
  address: string;
  port: number;
}

export interface ServerConf {
  listen: Listen[];
  headers: Header[];
  locations: LocationConf[];
}

export interface Conf {
  file: string;
  prefix: string;
  workerProcesses: number;
  pidFile: string;
  errorLog?: { file: string; level: LogLevel };
  workerConnections: number;
  defaultType: string;
  servers: ServerConf[];
}

type Context = 'main' | 'events' | 'http' | 'server' | 'location';

interface Rule {
  contexts: Context[];
  /** Accepted argument counts (the name not counted). */
  args: [min: number, max: number];
  block?: boolean;
}

const RULES: Record<string, Rule> = {
  worker_processes: { contexts: ['main'], args: [1, 1] },
  pid: { contexts: ['main'], args: [1, 1] },
  error_log: { contexts: ['main'], args: [1, 2] },
  events: { contexts: ['main'], args: [0, 0], block: true },
  worker_connections: { contexts: ['events'], args: [1, 1] },
  http: { contexts: ['main'], args: [0, 0], block: true },
  access_log: { contexts: ['http', 'server', 'location'], args: [1, 1] },
  default_type: { contexts: ['http'], args: [1, 1] },
  add_header: { contexts: ['http', 'server', 'location'], args: [2, 3] },
  server: { contexts: ['http'], args: [0, 0], block: true },
  listen: { contexts: ['server'], args: [1, 20] },
  location: { contexts: ['server'], args: [1, 2], block: true },
  return: { contexts: ['location'], args: [1, 2] },
};

const ONCE = new Set(['worker_processes', 'pid', 'events', 'http', 'worker_connections', 'default_type']);

const KNOWN_VARIABLES = new Set(['pid']);

/** Reads and checks the config file; throws ConfError with the one line nginx would log. */
export function loadConf(file: string, prefix: string): Conf {
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    throw new ConfError(`open() "${file}" failed (${e.errno ? -e.errno : 0}: ${describeErrno(e)})`);
  }
  return buildConf(parseStatements(source, file), file, prefix);
}

function describeErrno(e: NodeJS.ErrnoException): string {
  if (e.code === 'ENOENT') return 'No such file or directory';
  if (e.code === 'EACCES') return 'Permission denied';
  return e.code ?? 'error';
}

export function buildConf(statements: Statement[], file: string, prefix: string): Conf {
  const where = (s: Statement) => `in ${file}:${s.line}`;
  const full = (path: string) => (isAbsolute(path) ? path : resolve(prefix, path));
  const conf: Conf = {
    file,
    prefix,
    workerProcesses: 1,
    pidFile: full('logs/nginx.pid'),
    workerConnections: 512,
    defaultType: 'text/plain',
    servers: [],
  };
  const seen = new Set<string>();
  let hasEvents = false;

  /** Checks a statement against its rule; returns its arguments. */
  const check = (s: Statement, context: Context): string[] => {
    const [name, ...args] = s.words;
    const rule = RULES[name];
    if (!rule) throw new ConfError(`unknown directive "${name}" ${where(s)}`);
    if (!rule.contexts.includes(context)) throw new ConfError(`"${name}" directive is not allowed here ${where(s)}`);
    if (rule.block && !s.block) throw new ConfError(`directive "${name}" has no opening "{" ${where(s)}`);
    if (!rule.block && s.block) throw new ConfError(`directive "${name}" is not terminated by ";" ${where(s)}`);
    if (args.length < rule.args[0] || args.length > rule.args[1]) throw new ConfError(`invalid number of arguments in "${name}" directive ${where(s)}`);
    // A directive holding one value may appear once, as nginx's "is duplicate" check says (each of these
    // lives in a context that itself appears once).
    if (ONCE.has(name)) {
      if (seen.has(name)) throw new ConfError(`"${name}" directive is duplicate ${where(s)}`);
      seen.add(name);
    }
    return args;
  };

  const header = (s: Statement, args: string[]): Header => {
    if (args[2] !== undefined && args[2] !== 'always') throw new ConfError(`invalid parameter "${args[2]}" ${where(s)}`);
    checkVariables(args[1]);
    return { name: args[0], value: args[1], always: args[2] === 'always' };
  };

  for (const s of statements) {
    const args = check(s, 'main');
    switch (s.words[0]) {
      case 'worker_processes': {
        const n = args[0] === 'auto' ? availableParallelism() : positiveInteger(args[0]);
        if (n === undefined) throw new ConfError(`"worker_processes" directive invalid value ${where(s)}`);
        conf.workerProcesses = n;
        break;
      }
      case 'pid':
        conf.pidFile = full(args[0]);
        break;
      case 'error_log': {
        // nginx writes to every error_log given; the stand-in has one log.
        if (conf.errorLog) throw new ConfError(`mini-nginx takes one "error_log" ${where(s)}`);
        const level = (args[1] ?? 'error') as LogLevel;
        if (!LOG_LEVELS.includes(level)) throw new ConfError(`invalid log level "${args[1]}" ${where(s)}`);
        conf.errorLog = { file: full(args[0]), level };
        break;
      }
      case 'events':
        hasEvents = true;
        for (const e of s.block!) {
          const [n] = check(e, 'events');
          const connections = positiveInteger(n);
          if (connections === undefined) throw new ConfError(`invalid number "${n}" ${where(e)}`);
          conf.workerConnections = connections;
        }
        break;
      case 'http':
        readHttp(s.block!);
        break;
    }
  }
  if (!hasEvents) throw new ConfError(`no "events" section in configuration`);
  return conf;

  function readHttp(block: Statement[]): void {
    const httpHeaders: Header[] = [];
    for (const s of block) {
      const args = check(s, 'http');
      if (s.words[0] === 'access_log') accessLogOff(s, args);
      else if (s.words[0] === 'default_type') conf.defaultType = args[0];
      else if (s.words[0] === 'add_header') httpHeaders.push(header(s, args));
      else if (s.words[0] === 'server') conf.servers.push(readServer(s, httpHeaders));
    }
  }

  function readServer(server: Statement, inherited: Header[]): ServerConf {
    const conf: ServerConf = { listen: [], headers: [], locations: [] };
    for (const s of server.block!) {
      const args = check(s, 'server');
      if (s.words[0] === 'access_log') accessLogOff(s, args);
      else if (s.words[0] === 'add_header') conf.headers.push(header(s, args));
      else if (s.words[0] === 'listen') {
        // nginx's listen parameters (reuseport, backlog=, ...) change the socket; the stand-in makes plain ones.
        if (args.length > 1) throw new ConfError(`mini-nginx does not support the "${args[1]}" parameter of "listen" ${where(s)}`);
        conf.listen.push(parseListen(args[0], s));
      } else if (s.words[0] === 'location') {
        if (args.length > 1) throw new ConfError(`mini-nginx supports prefix locations only, not "location ${args[0]}" ${where(s)}`);
        const location: LocationConf = { prefix: args[0], headers: [] };
        for (const l of s.block!) {
          const largs = check(l, 'location');
          if (l.words[0] === 'access_log') accessLogOff(l, largs);
          else if (l.words[0] === 'add_header') location.headers.push(header(l, largs));
          // Like nginx's rewrite module, the first return is the one that answers.
          else if (l.words[0] === 'return') location.answer ??= parseReturn(largs, l);
        }
        conf.locations.push(location);
      }
    }
    // nginx's rule: add_header directives are inherited from the level above only when a level has none.
    if (conf.headers.length === 0) conf.headers = inherited;
    for (const location of conf.locations) if (location.headers.length === 0) location.headers = conf.headers;
    // nginx listens on *:80 by default (8000 when not root); the stand-in wants an explicit listen.
    if (conf.listen.length === 0) throw new ConfError(`mini-nginx needs a "listen" directive in every server ${where(server)}`);
    return conf;
  }

  function accessLogOff(s: Statement, args: string[]): void {
    // Requests are not logged by the stand-in; a log path would be a promise it does not keep.
    if (args[0] !== 'off') throw new ConfError(`mini-nginx supports only "access_log off" ${where(s)}`);
  }

  function parseListen(text: string, s: Statement): Listen {
    const match = /^(?:(\d{1,3}(?:\.\d{1,3}){3}|\*):)?(\d+)$/.exec(text);
    if (!match) throw new ConfError(`invalid listen address "${text}" (mini-nginx takes IPv4 ADDRESS:PORT or PORT) ${where(s)}`);
    const port = Number(match[2]);
    if (port < 1 || port > 65535) throw new ConfError(`invalid port in "${text}" of the "listen" directive ${where(s)}`);
    const address = !match[1] || match[1] === '*' ? '0.0.0.0' : match[1];
    if (address.split('.').some((part) => Number(part) > 255)) throw new ConfError(`host not found in "${text}" of the "listen" directive ${where(s)}`);
    return { address, port };
  }

  function parseReturn(args: string[], s: Statement): { code: number; text: string } {
    const code = Number(args[0]);
    if (!/^\d{3}$/.test(args[0]) || code > 999) throw new ConfError(`invalid return code "${args[0]}" ${where(s)}`);
    const text = args[1] ?? '';
    checkVariables(text);
    return { code, text };
  }
}

function positiveInteger(text: string): number | undefined {
  return /^[1-9]\d{0,5}$/.test(text) ? Number(text) : undefined;
}

/** nginx refuses an unknown variable when it reads the config, not when a request uses it. */
function checkVariables(text: string): void {
  for (const match of text.matchAll(/\$(?:\{(\w*)\}|(\w*))/g)) {
    const name = match[1] ?? match[2];
    if (!KNOWN_VARIABLES.has(name)) throw new ConfError(name ? `unknown "${name}" variable` : `invalid variable name in "${text}"`);
  }
}

/** $pid (or ${pid}) replaced by the answering process's pid. */
export function expand(text: string, pid: number): string {
  return text.replace(/\$(?:\{pid\}|pid\b)/g, String(pid));
}
