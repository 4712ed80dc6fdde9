// `fds` arguments: pids and options, validated into one sentence per mistake (exit 2).
import { UserError } from './errors.js';
import { parseOptions } from './parse.js';
import { chooseLang } from './tutor.js';

export const DEFAULT_WATCH_MS = 250;
/** Below this a refresh loop costs more than it shows: the eye cannot follow 50 tables a second. */
export const MIN_WATCH_MS = 20;
export const MIN_WIDTH = 20;

export interface FdsOptions {
  pids: number[];
  /** Refresh interval for --watch; null for a single table. */
  watchMs: number | null;
  json: boolean;
  /** Fit the table to this many columns; null = the terminal's width, or no limit when not a terminal. */
  width: number | null;
}

const HELP = 'hotrestart-tutor fds';

export function parseFdsArgs(args: readonly string[]): FdsOptions {
  const normalized = args.map((arg) => {
    // parseArgs has no optional values: a bare --watch becomes --watch= (the default interval), so that
    // `--watch 500` keeps meaning "watch pid 500" as the usage line --watch[=MS] says.
    if (arg === '--watch') return '--watch=';
    // A negative number would otherwise be reported as an unknown option.
    if (/^-\d+$/.test(arg)) throw new UserError(`Invalid pid ${arg}: a pid is a whole number greater than 0.`);
    return arg;
  });
  const { values, positionals } = parseOptions(
    normalized,
    {
      watch: { type: 'string' },
      json: { type: 'boolean' },
      width: { type: 'string' },
      'no-color': { type: 'boolean' },
      // Accepted like on every command (`hotrestart-tutor --lang zh fds ...`); the table itself is in English.
      lang: { type: 'string' },
    },
    HELP,
  );
  // The table is in English whatever --lang says, but a language that does not exist is still a mistake.
  if (values.lang !== undefined) chooseLang(values.lang, {});
  if (positionals.length === 0) {
    throw new UserError(`fds needs at least one pid, e.g. ${HELP} ${process.pid}; see ${HELP} --help.`);
  }
  return {
    pids: [...new Set(positionals.map(parsePid))],
    watchMs: values.watch === undefined ? null : parseInterval(values.watch),
    json: values.json === true,
    width: values.width === undefined ? null : parseWidth(values.width),
  };
}

export function parsePid(text: string): number {
  const pid = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(pid) || pid <= 0 || pid > 2 ** 31 - 1) {
    throw new UserError(`Invalid pid "${text}": a pid is a whole number greater than 0.`);
  }
  return pid;
}

function parseInterval(text: string): number {
  if (text === '') return DEFAULT_WATCH_MS;
  const ms = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(ms >= MIN_WATCH_MS && ms <= 3_600_000)) {
    throw new UserError(`Invalid --watch interval "${text}": give milliseconds from ${MIN_WATCH_MS}, e.g. --watch=500.`);
  }
  return ms;
}

function parseWidth(text: string): number {
  const width = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(width >= MIN_WIDTH && width <= 10_000)) {
    throw new UserError(`Invalid --width "${text}": give a number of columns from ${MIN_WIDTH}.`);
  }
  return width;
}
