// The API a scenario drives the learner's program with (VerifyContext), and its implementation. A
// scenario starts the program, pokes it (signals, clients, load) and records each declared check with
// pass/fail and evidence from the kernel. A fault (crash, fork loop, endless output, no listener,
// timeout) ends the scenario: checks not recorded by then are ✘ with the fault's sentence.
import type { FdRow, Snapshot } from '../fdtable/model.js';
import { ProgramRun } from './program.js';
import { evidenceRows, tcpListeners } from './kernel.js';
import { faultText } from './text.js';
import type { CheckOutcome, Code, ExerciseDefinition, Fault, FaultKind, Lang, Text } from './types.js';

export interface StartOptions {
  /** Extra arguments after the program's own command line. */
  args?: string[];
  /** Extra environment entries (the verifier's own always win: marker, EXERCISE_DIR). */
  env?: Record<string, string>;
}

export interface ListenerFound {
  port: number;
  /** The LISTEN row on 127.0.0.1 (the first one, parents first). */
  row: FdRow;
  snap: Snapshot;
}

export interface VerifyContext {
  readonly lang: Lang;
  readonly code: Code;
  /** This verify's private 0700 directory, also EXERCISE_DIR in the program's environment. */
  readonly dir: string;
  /** Aborted when the verify runs out of time. */
  readonly signal: AbortSignal;
  /** Starts the learner's program under a keeper; several starts make several independent runs. */
  start(options?: StartOptions): Promise<ProgramRun>;
  /** Records a check; the first fail of a check sticks. Unknown ids throw (a typo in a scenario). */
  pass(checkId: string, detail?: Text, evidence?: string[]): void;
  fail(checkId: string, detail: Text, evidence?: string[]): void;
  /** pass when ok, fail otherwise; returns ok. */
  record(checkId: string, ok: boolean, detail: { pass: Text; fail: Text }, evidence?: string[]): boolean;
  /** Ends the scenario with a fault. */
  fault(kind: FaultKind, message: Text): never;
  /** Polls probe (every intervalMs, default 25) until it returns something other than undefined, null or
   *  false; undefined after timeoutMs. Raises the program's fork-loop/output fault as soon as it shows. */
  waitFor<T>(probe: () => T | undefined | null | false | Promise<T | undefined | null | false>, timeoutMs: number, intervalMs?: number): Promise<T | undefined>;
  /** Waits for a TCP LISTEN socket on 127.0.0.1 in the program's fd tables; a crash, or none within
   *  timeoutMs (default 8 s), is a fault. */
  waitForListener(run: ProgramRun, timeoutMs?: number): Promise<ListenerFound>;
  /** Waits until every process of the run has ended; false after timeoutMs. */
  waitForNoProcesses(run: ProgramRun, timeoutMs: number): Promise<boolean>;
  sleep(ms: number): Promise<void>;
  /** Evidence lines for rows of a snapshot. */
  rows(snap: Snapshot, rows: readonly FdRow[]): string[];
}

export class FaultError extends Error {
  constructor(readonly fault: Fault) {
    super(fault.message.en);
    this.name = 'FaultError';
  }
}

export type Starter = (options: StartOptions, dir: string) => Promise<ProgramRun>;

export class Harness implements VerifyContext {
  readonly runs: ProgramRun[] = [];
  private readonly outcomes = new Map<string, CheckOutcome>();
  private readonly controller = new AbortController();
  /** Told of every check as it is recorded (the app shows them as they come). */
  onOutcome: ((outcome: CheckOutcome) => void) | undefined;

  constructor(
    private readonly exercise: ExerciseDefinition,
    readonly lang: Lang,
    readonly code: Code,
    readonly dir: string,
    private readonly starter: Starter,
  ) {}

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  abort(): void {
    this.controller.abort();
  }

  async start(options: StartOptions = {}): Promise<ProgramRun> {
    if (this.signal.aborted) throw new FaultError({ kind: 'timeout', message: faultText.timeout(this.exercise.timeoutMs) });
    const run = await this.starter(options, this.dir);
    this.runs.push(run);
    return run;
  }

  private spec(checkId: string) {
    const spec = this.exercise.checks.find((check) => check.id === checkId);
    if (!spec) throw new Error(`exercise ${this.exercise.id} has no check "${checkId}"`);
    return spec;
  }

  pass(checkId: string, detail?: Text, evidence: string[] = []): void {
    const spec = this.spec(checkId);
    if (this.outcomes.get(checkId)?.status === 'fail') return;
    this.outcomes.set(checkId, { id: checkId, status: 'pass', title: spec.title, detail: detail ?? null, evidence, hint: null });
    this.onOutcome?.(this.outcomes.get(checkId)!);
  }

  fail(checkId: string, detail: Text, evidence: string[] = []): void {
    const spec = this.spec(checkId);
    if (this.outcomes.get(checkId)?.status === 'fail') return;
    this.outcomes.set(checkId, { id: checkId, status: 'fail', title: spec.title, detail, evidence, hint: spec.hint });
    this.onOutcome?.(this.outcomes.get(checkId)!);
  }

  record(checkId: string, ok: boolean, detail: { pass: Text; fail: Text }, evidence: string[] = []): boolean {
    if (ok) this.pass(checkId, detail.pass, evidence);
    else this.fail(checkId, detail.fail, evidence);
    return ok;
  }

  fault(kind: FaultKind, message: Text): never {
    throw new FaultError({ kind, message });
  }

  /** The keeper's faults, as soon as they happen. */
  private raiseKeeperFault(): void {
    for (const run of this.runs) {
      if (run.fault?.kind === 'fork-loop') this.fault('fork-loop', faultText.forkLoop(run.fault.count));
      if (run.fault?.kind === 'output') this.fault('output', faultText.output(run.fault.count));
    }
    if (this.signal.aborted) this.fault('timeout', faultText.timeout(this.exercise.timeoutMs));
  }

  async waitFor<T>(probe: () => T | undefined | null | false | Promise<T | undefined | null | false>, timeoutMs: number, intervalMs = 25): Promise<T | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      this.raiseKeeperFault();
      const value = await probe();
      if (value !== undefined && value !== null && value !== false) return value;
      if (Date.now() >= deadline) return undefined;
      await this.sleep(Math.min(intervalMs, Math.max(1, deadline - Date.now())));
    }
  }

  async waitForListener(run: ProgramRun, timeoutMs = 8000): Promise<ListenerFound> {
    const found = await this.waitFor(() => {
      const pids = run.pids();
      if (pids.length === 0) return 'ended' as const;
      const snap = run.snapshot(pids);
      const row = tcpListeners(snap).find((candidate) => candidate.socket?.local?.startsWith('127.0.0.1:'));
      if (row) return { port: Number(/:(\d+)$/.exec(row.socket!.local!)![1]), row, snap };
      const elsewhere = tcpListeners(snap)[0];
      if (elsewhere) this.fault('no-listener', faultText.notLoopback(elsewhere.socket?.local ?? elsewhere.name));
      return undefined;
    }, timeoutMs, 40);
    if (found === 'ended') {
      // Let the keeper's exit event arrive, so the sentence can say how the program ended.
      await this.waitFor(() => run.mainExit(), 3000);
      const tail = await run.tail();
      this.raiseKeeperFault();
      this.fault('crash', faultText.crashed(run.mainExit(), lastLine(tail.text)));
    }
    if (!found) this.fault('no-listener', faultText.noListener(timeoutMs));
    return found;
  }

  async waitForNoProcesses(run: ProgramRun, timeoutMs: number): Promise<boolean> {
    return (await this.waitFor(() => run.pids().length === 0, timeoutMs, 30)) === true;
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
  }

  rows(snap: Snapshot, rows: readonly FdRow[]): string[] {
    return evidenceRows(snap, rows);
  }

  /** Every declared check in order; those never recorded are ✘ with `why`. */
  outcomesWith(why: Text): CheckOutcome[] {
    return this.exercise.checks.map(
      (spec) => this.outcomes.get(spec.id) ?? { id: spec.id, status: 'not-run', title: spec.title, detail: why, evidence: [], hint: spec.hint },
    );
  }
}

/** The line that says what went wrong: the last one, skipping stack frames and Node's version footer. */
export function lastLine(text: string): string {
  const lines = text.trim().split('\n').filter((line) => line.trim() !== '' && !/^\s+at /.test(line) && !/^Node\.js v\d/.test(line) && line.trim() !== '^');
  // Node's uncaught errors end with the error object's fields; the "Error: ..." line says it all.
  const error = [...lines].reverse().find((line) => /^(\w*Error|panic)\b/.test(line.trim()));
  return (error ?? lines[lines.length - 1] ?? '').trim().slice(0, 200);
}
