// Every process a run starts ends when the run ends, however the tutor ends: stop(), SIGTERM with the
// exit handlers, process.exit, or SIGKILL (then the warden does it). Checked against /proc.
import { existsSync, statSync } from 'node:fs';
import { execa, type ResultPromise } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { nodeCommand } from '../../src/demo/entry.js';
import { isAlive } from '../../src/demo/marker.js';
import { Supervisor } from '../../src/demo/supervisor.js';
import { waitFor } from '../helpers/wait.js';
import { listeningPorts } from './procfs.js';
import { hotRestart, type ScenarioInfo } from './scenario.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

function expectRunning(info: ScenarioInfo): void {
  const [p1, ...survivors] = info.pids;
  expect(isAlive(p1)).toBe(false);
  expect(survivors.every(isAlive)).toBe(true);
  // The hot restart worked: p1 is gone, yet its port still listens through p2's inherited fd 3.
  const listening = listeningPorts();
  expect(info.ports.every((port) => listening.has(port))).toBe(true);
  expect(existsSync(info.dir)).toBe(true);
}

async function expectAllGone(info: ScenarioInfo, timeout = 2000): Promise<void> {
  await waitFor(
    () => {
      const listening = listeningPorts();
      return info.pids.every((pid) => !isAlive(pid)) && info.ports.every((port) => !listening.has(port)) && !existsSync(info.dir) && !isAlive(info.wardenPid);
    },
    { timeout, message: `every process, port and the directory of run ${info.runId} to be gone` },
  );
}

/** Starts the stand-in tutor in its own process and waits for its report. */
async function startTutor(mode: 'plain' | 'handlers'): Promise<{ tutor: ResultPromise; info: ScenarioInfo }> {
  const { file, args } = nodeCommand(new URL('./fixtures/tutor.ts', import.meta.url).href);
  const tutor = execa(file, [...args, mode], { stdin: 'pipe', stdout: 'pipe', stderr: 'pipe', buffer: false, reject: false });
  cleanups.push(() => tutor.kill('SIGKILL'));
  let output = '';
  tutor.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  let errors = '';
  tutor.stderr!.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  const line = await waitFor(() => (output.includes('\n') ? output.split('\n')[0] : undefined), {
    timeout: 15_000,
    message: 'the tutor fixture to report',
  }).catch((error: Error) => {
    throw new Error(`${error.message}\n${errors}`);
  });
  return { tutor, info: JSON.parse(line) as ScenarioInfo };
}

describe('the end of a run', () => {
  it('stop() ends the successor and the stray program too, frees the ports, removes the directory', async () => {
    const supervisor = await Supervisor.start();
    cleanups.push(() => supervisor.stop());
    expect(statSync(supervisor.dir).mode & 0o777).toBe(0o700);
    const info = await hotRestart(supervisor);
    expectRunning(info);
    // pids() finds processes no longer below the tutor: p2 and sleep were re-parented when p1 exited.
    expect(supervisor.pids().sort()).toEqual(info.pids.slice(1).sort());
    expect(supervisor.pids()).not.toContain(info.wardenPid);
    await supervisor.stop();
    await expectAllGone(info, 500);
  });

  it('SIGKILL of the tutor: the warden ends everything within about a second', async () => {
    const { tutor, info } = await startTutor('plain');
    expectRunning(info);
    tutor.kill('SIGKILL');
    await expectAllGone(info);
  });

  it('SIGTERM of the tutor with the exit handlers installed', async () => {
    const { tutor, info } = await startTutor('handlers');
    tutor.kill('SIGTERM');
    expect((await tutor).exitCode).toBe(143);
    await expectAllGone(info);
  });

  it('process.exit with the exit handlers installed (the synchronous path)', async () => {
    const { tutor, info } = await startTutor('handlers');
    tutor.stdin!.write('exit\n');
    expect((await tutor).exitCode).toBe(3);
    await expectAllGone(info);
  });
});

describe('two supervisors at once', () => {
  it('get separate directories and never see each other’s processes', async () => {
    const [a, b] = await Promise.all([Supervisor.start(), Supervisor.start()]);
    cleanups.push(() => a.stop(), () => b.stop());
    expect(a.dir).not.toBe(b.dir);
    expect(a.runId).not.toBe(b.runId);
    const [pa, pb] = await Promise.all([a.spawnPuppet('p1'), b.spawnPuppet('p1')]);
    expect(a.pids()).toEqual([pa.pid]);
    expect(b.pids()).toEqual([pb.pid]);
    await a.stop();
    expect(isAlive(pb.pid)).toBe(true);
    expect(existsSync(b.dir)).toBe(true);
  });
});
