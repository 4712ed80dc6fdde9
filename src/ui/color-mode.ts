// Decides once, before any colour library is loaded, whether output may carry colour.
// chalk (loaded by ink) reads the environment when it is first imported, so the decision must be
// written into the environment (FORCE_COLOR=0) before cli.ts imports anything that pulls chalk in.

export interface ColorInputs {
  argv: readonly string[];
  env: NodeJS.ProcessEnv;
  stdoutIsTTY: boolean;
}

/** Why colour is off, or null when it is on. Exposed for tests and for `--help` debugging. */
export function colorOffReason({ argv, env, stdoutIsTTY }: ColorInputs): string | null {
  const flags = argv.slice(0, argv.includes('--') ? argv.indexOf('--') : argv.length);
  if (flags.includes('--no-color')) return '--no-color';
  if (flags.includes('--json')) return '--json';
  // no-color.org: any non-empty value turns colour off.
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return 'NO_COLOR';
  if (env.TERM === 'dumb') return 'TERM=dumb';
  if (isCI(env)) return 'CI';
  if (!stdoutIsTTY) return 'stdout is not a terminal';
  return null;
}

/** CI is "set" when present and not explicitly false, as most CI detectors read it. */
export function isCI(env: NodeJS.ProcessEnv): boolean {
  return env.CI !== undefined && env.CI !== '' && env.CI !== '0' && env.CI.toLowerCase() !== 'false';
}

/**
 * Returns whether colour is on and, when off, pins FORCE_COLOR=0 in `env` so that chalk and
 * everything built on it (ink) agree with us instead of re-deciding from the terminal.
 */
export function applyColorDecision(inputs: ColorInputs): boolean {
  const off = colorOffReason(inputs) !== null;
  if (off) inputs.env.FORCE_COLOR = '0';
  return !off;
}
