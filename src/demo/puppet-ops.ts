// Runs one puppet request: picks the op's handler, collects its syscall log, and turns failures into a
// reply with ok=false and one sentence. Handlers live in puppet-{fd,net,server,spawn}-op(s).ts.
import * as sys from '../sys/index.js';
import { blockingOps } from './puppet-blocking-ops.js';
import { crowdOps } from './puppet-crowd-ops.js';
import type { PuppetOp, PuppetReply, PuppetRequest } from './protocol.js';
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

export async function runOp(request: PuppetRequest, state: PuppetState): Promise<PuppetReply> {
  const context: OpContext = { trace: new Trace(), state };
  const op = request?.op;
  if (typeof op !== 'string' || !Object.hasOwn(handlers, op)) return { ok: false, lines: [], result: {}, error: `unknown op ${JSON.stringify(request?.op)}.` };
  const handler = handlers[op] as (request: PuppetRequest, context: OpContext) => ReturnType<OpTable<PuppetOp>[PuppetOp]>;
  try {
    const result = await handler(request, context);
    return { ok: true, lines: context.trace.lines, result };
  } catch (error) {
    return { ok: false, lines: context.trace.lines, result: error instanceof OpError ? error.result : {}, error: sentence(error) };
  }
}

function sentence(error: unknown): string {
  if (error instanceof OpError) return error.message;
  if (error instanceof sys.SysError) return `${error.call.replace(/\(.*/, '')} failed: ${error.description} (${error.code}).`;
  return error instanceof Error ? `${error.message.replace(/\.$/, '')}.` : String(error);
}
