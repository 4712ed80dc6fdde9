// Finding and ending every process of a run by its marker: see sweep.mjs, which holds the code in plain
// JavaScript so the warden can run it without a TypeScript loader.
export { endRunSync, hasTerminal, inRunDir, isAlive, isOfRun, killMarkedSync, markedPids, signalAll, sleepSync } from './sweep.mjs';
