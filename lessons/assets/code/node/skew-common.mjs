// What every version of lesson 18's server shares; the versions (skew-v1.mjs ... skew-v4.mjs) differ only
// in their listeners and in the format of the state they hand to their successor. Each is started as
// `node current.mjs`, where current.mjs is a symlink the tutor re-points at a version before an upgrade,
// as a deploy re-points a `current` release: the module starts the successor with the very same command
// line, so the symlink is what decides which code generation N+1 runs.
// Like a daemon it runs with stdout and stderr on /dev/null and tells the tutor what it does in JSON lines
// appended to REPORT_FILE. Its knobs (KNOB_FILE, rewritten by the tutor before each upgrade):
//   port, adminPort  where to listen (0: the kernel picks; the tutor then writes down the port it got)
//   holdUntil        a successor waits for this file after listening and before ready(), so that both
//                    generations' fd tables can be read at leisure
//   label            the tutor's name for this process in every report
import { appendFileSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { ENV, Upgrader } from '@hotrestart-tutor/restart';

export const knobs = process.env.KNOB_FILE && existsSync(process.env.KNOB_FILE) ? JSON.parse(readFileSync(process.env.KNOB_FILE, 'utf8')) : {};
// Read before Upgrader.create takes the variables out of the environment.
let generation = Number(process.env[ENV.generation]) || 1;
/** The state a successor finds: a file in the private directory (the tutor's, the servers' working directory). */
const STATE_FILE = 'skew-state.json';

export function report(event, fields = {}) {
  if (!process.env.REPORT_FILE) return;
  appendFileSync(process.env.REPORT_FILE, JSON.stringify({ event, pid: process.pid, at: Date.now(), generation, label: knobs.label, ...fields }) + '\n');
}
const log = (text) => report('log', { text });
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Starts one version: the upgrader, the state the predecessor left (read with this version's readState,
 * which throws on a format it does not know: then this process exits before ready() and the old one
 * serves on), and the HTTP server whose answers say which version and pid gave them.
 */
export async function boot(version, { readState, writeState }) {
  const up = await Upgrader.create({ trigger: null, startupTimeoutMs: 15_000, drainTimeoutMs: 5000, log });
  generation = up.generation;
  log(`${version} started${up.parentPid ? ` by pid ${up.parentPid}` : ''}`);
  const state = { hits: 0 };
  if (up.hasParent) {
    try {
      Object.assign(state, readState(JSON.parse(readFileSync(STATE_FILE, 'utf8'))));
      log(`read the state pid ${up.parentPid} left: hits ${state.hits}`);
    } catch (error) {
      log(`cannot start: ${error.message}; exit(1) before ready()`);
      process.exit(1);
    }
  }
  // An upgrade: save the state in this version's format first, then start the successor.
  process.on('SIGUSR2', () => {
    const blob = writeState(state);
    writeFileSync(`${STATE_FILE}.tmp`, JSON.stringify(blob));
    renameSync(`${STATE_FILE}.tmp`, STATE_FILE);
    log(`SIGUSR2: saved the state as format ${blob.format} (hits ${state.hits}), upgrading`);
    void up.upgrade();
  });
  const server = http.createServer((_request, response) => {
    state.hits++;
    response.setHeader('x-version', version);
    response.setHeader('x-pid', String(process.pid));
    response.setHeader('x-hits', String(state.hits));
    response.end(`${version} ${process.pid} hit ${state.hits}\n`);
  });
  return {
    up,
    server,
    /** Reports every listener, waits for the tutor's gate when told to, then says ready. */
    async ready() {
      for (const listener of up.listeners()) report('listening', { ...listener, port: Number(listener.address.split(':').pop()) });
      if (knobs.holdUntil && up.hasParent) {
        report('holding');
        while (!existsSync(knobs.holdUntil)) await sleep(10);
      }
      await up.ready();
      report('ready', { listeners: up.listeners() });
    },
  };
}

/** A second, tiny HTTP server for an admin port (health, metrics). */
export function adminServer(version) {
  return http.createServer((_request, response) => response.end(`${version} admin ${process.pid}\n`));
}
