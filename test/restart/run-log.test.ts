// hotrestart-run's log follows the events. A generation that names its successor (MAINPID=) and exits at
// once is the tightest case: libuv reports generation 1's exit by itself, between two reads of the
// notify socket, and the exit must still be logged after the new main pid that was announced before it.
import { afterEach, describe, expect, it } from 'vitest';
import { killAllFixtures, moduleCommand, poll, startFixture } from './harness.js';

const RUN_URL = new URL('../../packages/restart/src/run.ts', import.meta.url).href;
const NOTIFY_URL = new URL('../../packages/restart/src/notify.ts', import.meta.url).href;

afterEach(async () => {
  await killAllFixtures();
});

describe('hotrestart-run log', { timeout: 30_000 }, () => {
  it('says "main pid is now" before the exit of the generation that announced it', async () => {
    const [node, ...args] = moduleCommand(NOTIFY_URL);
    // Generation 1 starts its successor (a descendant: a shell that sleeps, then exits 3), says MAINPID=, and is gone.
    const script = [
      `const { sdNotify } = await import(${JSON.stringify(NOTIFY_URL)});`,
      `const { spawn } = await import('node:child_process');`,
      `const next = spawn('/bin/sh', ['-c', 'sleep 0.3; exit 3'], { stdio: 'ignore' });`,
      'sdNotify(`MAINPID=${next.pid}\\nREADY=1`);',
      'console.error(`generation 1 is ${process.pid}, its successor ${next.pid}`);',
      // Gone at once, without Node's exit: the exit follows the datagram by well under a millisecond.
      "process.kill(process.pid, 'SIGKILL');",
    ].join('\n');
    const fixture = await startFixture({}, {
      prefix: [...moduleCommand(RUN_URL), '--listen', 'http=127.0.0.1:0', '--'],
      command: [node, ...args.slice(0, -1), '--input-type=module', '-e', script],
      waitFor: null,
    });
    await poll(() => fixture.child.exitCode !== null, 15_000, () => `hotrestart-run to exit\n${fixture.log()}`);
    const log = fixture.log();
    const [, first, next] = /generation 1 is (\d+), its successor (\d+)/.exec(log) ?? [];
    expect(first, log).toBeDefined();
    const lines = log.split('\n');
    const announced = lines.findIndex((line) => line.includes(`main pid is now ${next} (was ${first})`));
    const firstExit = lines.findIndex((line) => line.includes(`pid ${first} was killed by SIGKILL`));
    const nextExit = lines.findIndex((line) => line.includes(`pid ${next} exited with code 3 (the current generation)`));
    expect(announced, log).toBeGreaterThan(-1);
    expect(firstExit, log).toBeGreaterThan(announced);
    expect(nextExit, log).toBeGreaterThan(firstExit);
    expect(lines[firstExit]).not.toContain('the current generation');
    expect(fixture.child.exitCode).toBe(3);
  });
});
