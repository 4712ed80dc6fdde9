// mini-nginx: the project's stand-in for nginx, for lessons 14 and 15 where nginx is not installed. A small
// master/worker server in Node that takes nginx's command line, reads a subset of nginx.conf
// (mini-nginx/conf.ts), inherits listening sockets through the NGINX environment variable, and does what
// nginx does on HUP, USR2, WINCH, QUIT, TERM (mini-nginx/master.ts), writing nginx's lines to its error
// log. It is labelled as what it is everywhere it shows: `mini-nginx: master process`, `Server: mini-nginx`.
//
//   node --import tsx lessons/servers/mini-nginx.ts [-t] [-p PREFIX/] [-c CONF] [-e ERRLOG|stderr]
//
// Unlike nginx it never forks into the background: with inherited sockets nginx does not either, and
// without them it behaves like nginx with `daemon off;` (WINCH ignored, USR2 ignored while its starter lives).
import { resolve } from 'node:path';
import * as sys from '../../src/sys/index.js';
import { ConfError, loadConf, type Conf } from './mini-nginx/conf.js';
import { describeInherited, NGINX_VAR, openListeners, parseInheritedFds, type Listener } from './mini-nginx/listeners.js';
import { ErrorLog, STDERR } from './mini-nginx/log.js';
import { Master } from './mini-nginx/master.js';

// nginx reads its parent first thing (ngx_parent): a new binary compares it with getppid() to tell whether
// its old master still runs.
const parentAtStart = process.ppid;

interface Options {
  prefix: string;
  confFile: string;
  errorLog: string;
  test: boolean;
  /** -q: with -t, only errors are printed. */
  quiet: boolean;
}

function fail(line: string): never {
  process.stderr.write(`mini-nginx: ${line}\n`);
  process.exit(1);
}

/** nginx's option syntax: -p X or -pX, flags may be grouped (-tq). */
function parseOptions(argv: string[]): Options {
  let prefix: string | undefined;
  let confFile: string | undefined;
  let errorLog: string | undefined;
  let test = false;
  let quiet = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('-') || arg.length < 2) fail(`invalid option: "${arg}"`);
    for (let j = 1; j < arg.length; j++) {
      const flag = arg[j];
      if (flag === 't') test = true;
      else if (flag === 'q') quiet = true;
      else if (flag === 'p' || flag === 'c' || flag === 'e') {
        const value = arg.length > j + 1 ? arg.slice(j + 1) : argv[++i];
        if (value === undefined) fail(`option "-${flag}" requires ${flag === 'p' ? 'directory name' : 'file name'}`);
        if (flag === 'p') prefix = value;
        else if (flag === 'c') confFile = value;
        else errorLog = value;
        break;
      } else fail(`invalid option: "${flag}"`);
    }
  }
  const base = resolve(prefix ?? process.cwd());
  return {
    prefix: base,
    confFile: resolve(base, confFile ?? 'conf/nginx.conf'),
    errorLog: errorLog === STDERR ? STDERR : resolve(base, errorLog ?? 'logs/error.log'),
    test,
    quiet,
  };
}

const options = parseOptions(process.argv.slice(2));

// Until the config names its own error_log, lines go to the -e log at level notice (nginx's start-up log).
let startLog: ErrorLog;
try {
  startLog = new ErrorLog(options.errorLog, 'notice');
} catch (error) {
  process.stderr.write(`mini-nginx: [alert] could not open error log file: ${(error as Error).message}\n`);
  startLog = new ErrorLog(STDERR, 'notice');
}

/** An [emerg] line, to the log and to the terminal (nginx writes both), then exit 1. */
function emerg(message: string): never {
  startLog.log('emerg', message);
  if (startLog.file !== STDERR) process.stderr.write(`mini-nginx: [emerg] ${message}\n`);
  if (options.test) process.stderr.write(`mini-nginx: configuration file ${options.confFile} test failed\n`);
  process.exit(1);
}

const inherited: Listener[] = [];
const nginxVariable = process.env[NGINX_VAR];
if (nginxVariable !== undefined) {
  startLog.log('notice', `using inherited sockets from "${nginxVariable}"`);
  const warn = (line: string) => startLog.log('emerg', line);
  for (const fd of parseInheritedFds(nginxVariable, warn)) {
    const listener = describeInherited(fd, warn);
    if (listener) inherited.push(listener);
  }
}

const reload = (): Conf => loadConf(options.confFile, options.prefix);
let conf: Conf;
try {
  conf = reload();
} catch (error) {
  if (error instanceof ConfError) emerg(error.message);
  throw error;
}

if (options.test) {
  if (options.quiet) process.exit(0);
  process.stderr.write(`mini-nginx: the configuration file ${options.confFile} syntax is ok\n`);
  process.stderr.write(`mini-nginx: configuration file ${options.confFile} test is successful\n`);
  process.exit(0);
}

let log: ErrorLog;
try {
  log = new ErrorLog(conf.errorLog?.file ?? options.errorLog, conf.errorLog?.level ?? 'error');
} catch (error) {
  emerg((error as Error).message);
}

let listeners: Listener[];
try {
  const opened = openListeners(conf, inherited);
  listeners = opened.listeners;
  // An inherited socket the config does not listen on is closed, as nginx closes it.
  for (const unused of opened.unused) sys.close(unused.fd);
} catch (error) {
  emerg((error as Error).message);
}

// From here on, what anything writes to stderr lands in the error log (nginx's ngx_log_redirect_stderr),
// and every child shares that: the workers' fd 2 is the error log too.
if (log.file !== STDERR) sys.dup2(log.openFd, 2);
startLog.close();

await new Master({ conf, log, listeners, daemonized: nginxVariable !== undefined, parentAtStart, reload }).run();
