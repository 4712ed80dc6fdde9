// An fd leaked to the tutor by whatever started it (no close-on-exec) must not reach the processes it
// starts: the lessons' fd tables and the verifier's leak checks would show it as the demo's own. The CLI
// calls sealInheritedFds first thing; here a process started with such an fd (100) seals it, and a child it
// starts does not hold it. Without the seal (the negative control) the child holds it: Node itself marks
// only its lowest inherited fds close-on-exec at start-up (libuv's uv_disable_stdio_inheritance stops
// after fd 15), so a high one, as shells and job runners leak, goes through every Node process.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const fixture = fileURLToPath(new URL('./fixtures/seal-fds.ts', import.meta.url));

const LEAKED = 100;

function run(mode: 'seal' | 'no-seal'): { sealed: number[]; childFds: number[] } {
  // bash opens fd 100 without close-on-exec and execs the fixture with it.
  const script = `exec ${LEAKED}</dev/null; exec "$0" --import tsx "$1" "$2"`;
  const result = spawnSync('/bin/bash', ['-c', script, process.execPath, fixture, mode], { encoding: 'utf8' });
  expect(result.stderr).toBe('');
  return JSON.parse(result.stdout);
}

it('marks an inherited fd close-on-exec, so the processes the tutor starts do not get it', () => {
  const { sealed, childFds } = run('seal');
  expect(sealed).toContain(LEAKED);
  expect(childFds).not.toContain(LEAKED);
});

it('without the seal the child holds the leaked fd (negative control)', () => {
  expect(run('no-seal').childFds).toContain(LEAKED);
});
