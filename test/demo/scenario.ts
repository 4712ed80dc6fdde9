// A small hot restart, used by the cleanup tests in-process and inside a separate tutor process:
// p1 listens and serves, starts successor p2 with the listener at fd 3 plus a plain `sleep 600`, then
// exits, leaving p2 and sleep re-parented away from the tutor. p2 also listens on a port of its own.
import type { Supervisor } from '../../src/demo/supervisor.js';

export interface ScenarioInfo {
  runId: string;
  dir: string;
  /** p1 (exited by now), p2 and sleep. */
  pids: number[];
  ports: number[];
  wardenPid: number;
}

export async function hotRestart(supervisor: Supervisor): Promise<ScenarioInfo> {
  const p1 = await supervisor.spawnPuppet('p1');
  const listener = await must(p1.call({ op: 'listen', serve: 'http' }));
  await must(p1.call({ op: 'spawn', name: 'p2', fds: { 3: listener.fd as number } }));
  const p2 = await supervisor.waitForPuppet('p2');
  const own = await must(p2.call({ op: 'listen-node' }));
  const sleeper = await must(p1.call({ op: 'spawn', name: 'sleep', command: ['sleep', '600'] }));
  await must(p1.call({ op: 'exit' }));
  await p1.exited;
  return {
    runId: supervisor.runId,
    dir: supervisor.dir,
    pids: [p1.pid, p2.pid, sleeper.pid as number],
    ports: [listener.port as number, own.port as number],
    wardenPid: supervisor.wardenPid,
  };
}

async function must(reply: Promise<{ ok: boolean; error?: string; result: Record<string, unknown> }>) {
  const { ok, error, result } = await reply;
  if (!ok) throw new Error(error);
  return result;
}
