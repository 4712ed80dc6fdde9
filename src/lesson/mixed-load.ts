// A load of two kinds of client at once, as a real server sees: keep-alive workers that reuse one
// connection each, and workers that open a new connection per request (Connection: close). Both go
// through load.ts (loopback only, bounded, ends by itself); this adds the combined counters and the
// longest time during which no request completed at all, the outage a user would notice. Completions are
// sampled every tickMs, so a gap is exact to about ±tickMs.
import { formatLoadStats, startLoad, type Load, type LoadOptions, type LoadStats } from './load.js';

export interface MixedLoadOptions extends Omit<LoadOptions, 'keepAlive' | 'concurrency' | 'tickMs' | 'onTick'> {
  /** Workers on keep-alive connections. */
  keepAlive: number;
  /** Workers opening a connection per request. */
  close: number;
  /** How often onTick gets the combined counters (default 250 ms). */
  reportEveryMs?: number;
  onTick?: (stats: MixedStats) => void;
}

export interface MixedStats extends LoadStats {
  /** The longest time so far between two completed requests (either kind). */
  longestGapMs: number;
}

export interface MixedLoad {
  readonly done: Promise<MixedStats>;
  stats(): MixedStats;
  stop(): Promise<MixedStats>;
}

const TICK_MS = 10;

export function startMixedLoad(options: MixedLoadOptions): MixedLoad {
  const { keepAlive, close, reportEveryMs = 250, onTick, ...common } = options;
  // Measured from the first completion on: the first request also pays for the load's own start-up.
  let lastCompletion: number | undefined;
  let longestGapMs = 0;
  const kinds = [
    { keepAlive: true, concurrency: keepAlive },
    { keepAlive: false, concurrency: close },
  ].filter(({ concurrency }) => concurrency > 0);
  const lastOk = kinds.map(() => 0);
  const loads: Load[] = kinds.map((kind, i) =>
    startLoad({
      ...common,
      ...kind,
      tickMs: TICK_MS,
      onTick: (stats) => {
        if (stats.ok === lastOk[i]) return;
        lastOk[i] = stats.ok;
        const now = Date.now();
        if (lastCompletion !== undefined) longestGapMs = Math.max(longestGapMs, now - lastCompletion);
        lastCompletion = now;
      },
    }),
  );
  const combined = () => ({ ...combineStats(loads.map((load) => load.stats())), longestGapMs });
  const reporter = onTick ? setInterval(() => onTick(combined()), reportEveryMs) : undefined;
  const done = Promise.all(loads.map((load) => load.done)).then((finals) => {
    clearInterval(reporter);
    return { ...combineStats(finals), longestGapMs };
  });
  return { done, stats: combined, stop: () => Promise.all(loads.map((load) => load.stop())).then(() => done) };
}

/** Counters of several loads (or several runs of one) as one. */
export function combineStats(all: LoadStats[]): LoadStats {
  const sum = (key: 'sent' | 'ok' | 'refused' | 'reset' | 'timeout' | 'other' | 'failed' | 'perSecond') => all.reduce((total, stats) => total + stats[key], 0);
  const byHeader: Record<string, number> = {};
  for (const stats of all) for (const [tag, n] of Object.entries(stats.byHeader)) byHeader[tag] = (byHeader[tag] ?? 0) + n;
  const times = (key: 'firstFailureMs' | 'lastFailureMs') => all.map((stats) => stats[key]).filter((ms): ms is number => ms !== null);
  return {
    sent: sum('sent'),
    ok: sum('ok'),
    refused: sum('refused'),
    reset: sum('reset'),
    timeout: sum('timeout'),
    other: sum('other'),
    failed: sum('failed'),
    elapsedMs: Math.max(0, ...all.map((stats) => stats.elapsedMs)),
    perSecond: sum('perSecond'),
    firstFailureMs: times('firstFailureMs').length ? Math.min(...times('firstFailureMs')) : null,
    lastFailureMs: times('lastFailureMs').length ? Math.max(...times('lastFailureMs')) : null,
    byHeader,
    examples: Object.assign({}, ...all.map((stats) => stats.examples)),
    finished: all.every((stats) => stats.finished),
  };
}

/** Runs of a mixed load as one: counters summed, the longest gap of any run. */
export function combineMixed(all: MixedStats[]): MixedStats {
  return { ...combineStats(all), longestGapMs: Math.max(0, ...all.map((stats) => stats.longestGapMs)) };
}

/** `ok 412 · refused 37 · reset 2 · timeout 0 · 196 req/s · longest gap 640 ms` */
export function formatMixedStats(stats: MixedStats, lang: 'en' | 'zh' = 'en'): string {
  return `${formatLoadStats(stats, lang)} · ${lang === 'zh' ? `最长空档 ${stats.longestGapMs} 毫秒` : `longest gap ${stats.longestGapMs} ms`}`;
}
