// The env op: what a successor looks at first when it starts — its own pid and the variables its parent
// set (HOT_RESTART, LISTEN_FDS, LISTEN_PID). Node makes these calls for us, so the lines say so:
// process.pid is the getpid(2) Node made at start-up (a pid never changes), and process.env.X calls
// getenv(3) through uv_os_getenv each time it is read.
import type { OpTable } from './puppet-op.js';
import { OpError } from './puppet-state.js';
import { quote } from './trace.js';

const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const MAX_NAMES = 16;

export const envOps: OpTable<'env'> = {
  env({ names }, { trace }) {
    if (!Array.isArray(names) || names.length === 0 || names.length > MAX_NAMES) throw new OpError(`env needs 1 to ${MAX_NAMES} variable names.`);
    const bad = names.find((name) => typeof name !== 'string' || !NAME.test(name));
    if (bad !== undefined) throw new OpError(`${JSON.stringify(bad)} is not an environment variable name.`);
    const pid = process.pid;
    trace.note(`getpid() = ${pid} (by Node at start-up: process.pid)`);
    const vars: Record<string, string | null> = {};
    for (const name of names) {
      const value = process.env[name];
      vars[name] = value ?? null;
      trace.note(`getenv(${JSON.stringify(name)}) = ${value === undefined ? 'NULL' : quote(value, 64)} (by Node: process.env.${name})`);
    }
    return { pid, vars };
  },
};
