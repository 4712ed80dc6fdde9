// Runs one puppet request: picks the op's handler, collects its syscall log, and turns failures into a
// reply with ok=false and one sentence. Handlers live in puppet-{fd,net,server,spawn}-op(s).ts.
import * as sys from '../sys/index.js';
import { blockingOps } from './puppet-blocking-ops.js';
import { crowdOps } from './puppet-crowd-ops.js';
import type { PuppetFailure, PuppetOp, PuppetReply, PuppetRequest } from './protocol.js';
import { envOps } from './puppet-env-ops.js';
import { fdOps } from './puppet-fd-ops.js';
import { forkOps } from './puppet-fork-ops.js';
import { handoverOps } from './puppet-handover-ops.js';
import { netOps } from './puppet-net-ops.js';
import type { OpContext, OpTable } from './puppet-op.js';
import { probeOps } from './puppet-probe-ops.js';
import { serverOps } from './puppet-server-ops.js';
import { signalOps } from './puppet-signal-ops.js';
import { spawnOps } from './puppet-spawn-op.js';
import { trapOps } from './puppet-trap-ops.js';
import { udpOps } from './puppet-udp-ops.js';
import { OpError, type PuppetState } from './puppet-state.js';
import { Trace } from './trace.js';

const handlers: OpTable<PuppetOp> = { ...fdOps, ...netOps, ...serverOps, ...spawnOps, ...forkOps, ...envOps, ...blockingOps, ...crowdOps, ...signalOps, ...trapOps, ...handoverOps, ...probeOps, ...udpOps };

export async function runOp<K extends PuppetOp>(request: PuppetRequest & { op: K }, state: PuppetState): Promise<PuppetReply<K>> {
  const context: OpContext = { trace: new Trace(), state };
  const op = request?.op;
  if (typeof op !== 'string' || !Object.hasOwn(handlers, op)) return { ok: false, lines: [], result: {} as PuppetFailure<K>, error: `unknown op ${JSON.stringify(request?.op)}.` };
  const handler = handlers[op] as OpTable<K>[K];
  try {
    const result = await handler(request as Parameters<OpTable<K>[K]>[0], context);
    return { ok: true, lines: context.trace.lines, result };
  } catch (error) {
    // What a failed op says besides its sentence is typed in PuppetFailures; OpError carries it untyped.
    const result = (error instanceof OpError ? error.result : {}) as PuppetFailure<K>;
    return { ok: false, lines: context.trace.lines, result, error: sentence(error) };
  }
}

function sentence(error: unknown): string {
  if (error instanceof OpError) return error.message;
  if (error instanceof sys.SysError) return `${error.call.replace(/\(.*/, '')} failed: ${error.description} (${error.code}).`;
  return error instanceof Error ? `${error.message.replace(/\.$/, '')}.` : String(error);
}
