// Lesson 13, strategy 3: fd handover with the project's restart module (packages/restart), written as an
// application would write it. SIGUSR2 starts a successor that inherits the listener at fd 3; once the
// successor calls ready(), this process stops accepting, hands its idle keep-alive connections over
// (SCM_RIGHTS) and exits.
//
// The tutor holds a successor in its start-up until the file READY_GATE appears, standing in for the
// warm-up a real server does before it is ready (configuration, caches, connections): long enough to
// look at both fd tables. Environment: PORT, PID_FILE, READY_GATE, REPORT_FILE.
import { existsSync } from 'node:fs';
import { ENV, Upgrader } from '@hotrestart-tutor/restart';
import { createAppServer, report, reportFields } from './13-common.js';

// Read before Upgrader.create takes the inheritance variables out of the environment, so that even the
// module's first log lines can say which generation wrote them.
reportFields.generation = Number(process.env[ENV.generation] || 1);

const up = await Upgrader.create({
  pidFile: process.env.PID_FILE || undefined,
  // The learner may look at the tables for as long as they like before the gate opens.
  startupTimeoutMs: 600_000,
  drainTimeoutMs: 5000,
  log: (line) => report('log', { text: line }),
});
// Warm up first, listen after: a successor that listened before it was warm would take connections
// from the shared accept queue that it cannot answer well yet. Until listen(), the inherited fd 3 is only
// held, and the old process alone accepts from the queue.
const gate = process.env.READY_GATE;
if (up.hasParent && gate) {
  report('warming-up');
  while (!existsSync(gate)) await new Promise((resolve) => setTimeout(resolve, 10));
}
const server = createAppServer();
const listener = await up.listen(server, 'http', { host: '127.0.0.1', port: Number(process.env.PORT || 0) });
report('listening', { port: Number(listener.address.split(':').pop()), fd: listener.fd, inherited: listener.inherited });
await up.ready();
report('ready');
process.on('SIGTERM', () => void up.stop());
