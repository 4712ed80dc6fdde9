// Runs a lesson's steps on real processes for the app: one demo (a supervisor and the lesson context
// over it) at a time, steps in order (player.nextToRun), an fd-table sample every interval, and the two
// ways to end a demo — stop (Ctrl-C) and re-run. Real processes cannot be rewound, so a re-run ends the
// demo and runs every step up to the current one again on fresh processes. Everything it learns goes
// through the lesson reducer; views only read that state. Used by useLessonRunner.
import { diff } from '../fdtable/diff.js';
import type { Snapshot } from '../fdtable/model.js';
import { onCleanup } from '../demo/cleanup.js';
import type { SupervisorApi } from '../demo/types.js';
import { createLessonContext } from './context.js';
import { nextToRun, type PlayerAction } from './player.js';
import { errorText, runStep, type StepRunResult } from './runner.js';
import type { Lang, Lesson, LessonContext } from './types.js';
import { initialLessonState, lessonReducer, type LessonAction, type LessonState, type ViewAction } from './lesson-state.js';
import { observationAt, observedChanges, observeSafely } from './observation.js';
import { createStore, type Store } from './store.js';

export interface DriverOptions {
  lesson: Lesson;
  lang: Lang;
  startSupervisor: () => Promise<SupervisorApi>;
  /** fd-table refresh (default 250 ms: four a second). */
  intervalMs?: number;
  /** How long a change stays highlighted when nothing else changes. */
  holdMs?: number;
}

/** One demo: its processes, and how many steps have run in it (the processes are as after that step). */
interface Demo {
  abort: AbortController;
  ready: Promise<LessonContext>;
  supervisor?: SupervisorApi;
  /** The context once ready: a table refresh then needs no wait. */
  ctx?: LessonContext;
  ranThrough: number;
}

const STOPPED = 'the demo was stopped';

export class LessonDriver {
  readonly store: Store<LessonState, LessonAction>;
  private demo: Demo | null = null;
  private driving: Promise<void> | null = null;
  private timer: NodeJS.Timeout | undefined;
  private previous: Snapshot | undefined;
  /** The step `previous` was sampled for: a diff across two steps' tables would mark every row. */
  private sampledIndex = -1;
  private disposed = false;
  private readonly intervalMs: number;
  private readonly holdMs: number;

  constructor(private readonly options: DriverOptions) {
    this.store = createStore(lessonReducer, initialLessonState(options.lesson, options.lang));
    this.intervalMs = options.intervalMs ?? 250;
    this.holdMs = options.holdMs ?? 2000;
  }

  start(): void {
    const tick = () => {
      this.sample();
      if (!this.disposed) this.timer = setTimeout(tick, this.intervalMs);
    };
    this.timer = setTimeout(tick, this.intervalMs);
    this.drive();
  }

  /** A learner's action on the player (next, back, answer, hint, language, help, scroll). */
  dispatch(action: PlayerAction | ViewAction): void {
    if (action.type === 'rerun') return void this.rerun();
    if (action.type === 'restart') return void this.rerun('start');
    const before = this.store.get().player.index;
    this.store.dispatch(action);
    // The new step's table at once, not a refresh later, and before its action runs: that first
    // table is what the step's changes (an fd it closes) are measured against.
    if (this.store.get().player.index !== before) this.sample();
    this.drive();
  }

  /** True while a Ctrl-C has something to stop. */
  get active(): boolean {
    const { demo, player } = this.store.get();
    return demo === 'starting' || demo === 'live' || demo === 'restarting' || player.steps.some((s) => s.status === 'running');
  }

  /** Ctrl-C: abort the running step and end every process; the screen says how to start again. */
  async stopDemo(): Promise<void> {
    this.store.dispatch({ type: 'demo', status: 'stopped' });
    await this.endDemo();
  }

  /** r: end the demo, reset the steps up to the current one, and let the loop replay them afresh.
   *  `from: 'start'` (r in the summary) begins the lesson again at step 1 with no quiz answered. */
  async rerun(from: 'here' | 'start' = 'here'): Promise<void> {
    if (this.store.get().demo === 'restarting') return;
    this.store.dispatch({ type: 'demo', status: 'restarting' });
    await this.endDemo();
    // A Ctrl-C while the old demo was ending means: no demo at all.
    if (this.store.get().demo === 'stopped' || this.disposed) return;
    this.store.dispatch({ type: from === 'start' ? 'restart' : 'rerun' });
    this.store.dispatch({ type: 'demo', status: 'idle' });
    this.drive();
  }

  /** Unmount: stop sampling and end the demo. The CLI's cleanup run waits for the processes to end. */
  dispose(): Promise<void> {
    this.disposed = true;
    clearTimeout(this.timer);
    const ended = this.endDemo();
    const unregister = onCleanup(() => ended);
    return ended.finally(unregister);
  }

  /** Runs pending steps in order until none is due; one loop at a time. */
  private drive(): void {
    if (this.driving || this.disposed) return;
    this.driving = this.loop().finally(() => {
      this.driving = null;
    });
  }

  private async loop(): Promise<void> {
    for (;;) {
      const state = this.store.get();
      if (this.disposed || state.demo === 'stopped' || state.demo === 'restarting') return;
      const index = nextToRun(state.player);
      if (index === null) return;
      await this.runOne(index);
    }
  }

  private async runOne(index: number): Promise<void> {
    const { lesson } = this.options;
    const dispatch = (action: LessonAction) => this.store.dispatch(action);
    dispatch({ type: 'run-started', index });
    // A step before the one on screen runs because of a re-run: say so, the screen shows a later step.
    dispatch({ type: 'replaying', index: index < this.store.get().player.index ? index : null });
    const demo = this.demo ?? this.startDemo();
    let result: StepRunResult;
    try {
      result = await runStep(lesson.steps[index], await demo.ready);
    } catch (error) {
      result = { status: 'failed', error: errorText(error) }; // the demo could not start
    }
    dispatch({ type: 'replaying', index: null });
    // A check that raced the stop may have failed for that reason alone: count it as cancelled.
    if (demo.abort.signal.aborted || result.status === 'cancelled') return void dispatch({ type: 'run-cancelled', index });
    demo.ranThrough = index + 1;
    dispatch({ type: 'ran-through', count: demo.ranThrough });
    if (result.status === 'failed') dispatch({ type: 'run-failed', index, error: result.error });
    else dispatch({ type: 'run-finished', index, expectations: result.expectations });
    this.sample();
  }

  private startDemo(): Demo {
    const abort = new AbortController();
    const demo: Demo = { abort, ranThrough: 0, ready: Promise.resolve(undefined as never) };
    this.demo = demo;
    this.store.dispatch({ type: 'demo', status: 'starting' });
    demo.ready = (async () => {
      const supervisor = await this.options.startSupervisor();
      demo.supervisor = supervisor;
      if (abort.signal.aborted) throw new Error(STOPPED);
      const ctx = createLessonContext({
        supervisor,
        lang: this.options.lang,
        signal: abort.signal,
        // Lines from an ended demo (an action still unwinding) must not land in the fresh one's log.
        onLog: (entry) => {
          if (this.demo === demo) this.store.dispatch({ type: 'log', entry });
        },
      });
      this.store.dispatch({ type: 'demo', status: 'live' });
      demo.ctx = ctx;
      return ctx;
    })();
    // If the supervisor failed to start, the next step that needs a demo starts another.
    demo.ready.catch(() => {
      if (this.demo !== demo) return;
      this.demo = null;
      if (this.store.get().demo === 'starting') this.store.dispatch({ type: 'demo', status: 'idle' });
    });
    return demo;
  }

  /** Aborts the running step, ends every process of the demo and waits for the loop to settle. */
  private async endDemo(): Promise<void> {
    const demo = this.demo;
    this.demo = null;
    if (demo) {
      demo.abort.abort();
      await demo.ready.catch(() => undefined);
      await demo.supervisor?.stop();
    }
    await this.driving;
    this.previous = undefined;
    this.sampledIndex = -1;
    this.store.dispatch({ type: 'clear-table' });
    this.store.dispatch({ type: 'ran-through', count: 0 });
  }

  /** One fd-table refresh of the processes the current step shows. */
  private sample(): void {
    const state = this.store.get();
    const demo = this.demo;
    if (!demo || state.demo !== 'live') return;
    const index = state.player.index;
    const show = observationAt(this.options.lesson, index);
    if (!show) return;
    const refresh = (ctx: LessonContext) => {
      if (this.demo !== demo || demo.abort.signal.aborted || this.store.get().player.index !== index) return;
      try {
        const observed = observeSafely(ctx.snapshot(show.processes), show, ctx);
        if (this.sampledIndex !== index) [this.previous, this.sampledIndex] = [undefined, index];
        const changes = this.previous ? observedChanges(diff(this.previous, observed.snapshot), show) : [];
        this.previous = observed.snapshot;
        this.store.dispatch({ type: 'sample', index, snapshot: observed.snapshot, changes, focus: observed.focus, hidden: observed.hidden, at: Date.now(), holdMs: this.holdMs });
      } catch {
        // A process ended between the listing and the reading; the next refresh shows the outcome.
      }
    };
    if (demo.ctx) refresh(demo.ctx);
    else void demo.ready.then(refresh, () => undefined);
  }
}
