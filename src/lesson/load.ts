// A small, bounded HTTP load against one loopback port, counting what each request ended as: a
// response (ok), ECONNREFUSED (nothing listening), ECONNRESET (the connection was torn down under
// the request), or no answer in time. Lessons use it to make downtime visible as numbers; the restart
// lab reuses it to compare strategies. It runs in the tutor's own process, never leaves loopback, and
// always ends by itself: after maxRequests, after maxDurationMs, on stop(), or when `signal` aborts.
import http from 'node:http';

export type OutcomeKind = 'ok' | 'refused' | 'reset' | 'timeout' | 'other';
export const OUTCOME_KINDS: readonly OutcomeKind[] = ['ok', 'refused', 'reset', 'timeout', 'other'];

/**
 * The request timeout of a load whose checks say "none failed": a loopback request counts as lost only
 * when no answer came in this long. Shorter limits turned a starved machine into a failed check: CI's
 * 2-core box once ran lesson 14 at 21 requests/s and one answer from nginx took over 3 s (none was lost).
 * A request a server really drops (a connection left in a queue nobody accepts from) still never answers.
 */
export const LOST_AFTER_MS = 10_000;

/** Hard limits, whatever the caller asks: a lesson's load stays light. */
export const LOAD_LIMITS = { maxRequests: 100_000, maxDurationMs: 60_000, concurrency: 16 } as const;

export interface LoadOptions {
  port: number;
  /** Loopback only. */
  host?: '127.0.0.1' | '::1';
  path?: string;
  /** true: each worker reuses one connection (HTTP keep-alive); false (default): one connection per request. */
  keepAlive?: boolean;
  /** Workers, each with one request in flight at a time (default 2). */
  concurrency?: number;
  /** Each worker waits this long between requests (default 5 ms), which keeps the rate modest. */
  pauseMs?: number;
  /** A request without a complete response after this long counts as a timeout (default 1000 ms). */
  requestTimeoutMs?: number;
  maxRequests: number;
  maxDurationMs: number;
  /** onTick is called every tickMs (default 250) with the counts so far. */
  tickMs?: number;
  onTick?: (stats: LoadStats) => void;
  /** Tally ok responses by this response header's value, e.g. which process answered. */
  countHeader?: string;
  signal?: AbortSignal;
}

export interface LoadStats {
  /** Requests started. */
  sent: number;
  ok: number;
  refused: number;
  reset: number;
  timeout: number;
  other: number;
  /** Everything but ok. */
  failed: number;
  elapsedMs: number;
  /** Finished requests per second since the previous tick (over the whole run in the final stats). */
  perSecond: number;
  /** Milliseconds since the start of the first and the last failure; null when none failed. */
  firstFailureMs: number | null;
  lastFailureMs: number | null;
  /** ok responses by the value of countHeader. */
  byHeader: Record<string, number>;
  /** The first error message of each failing kind, for a log line. */
  examples: Partial<Record<OutcomeKind, string>>;
  /** True once the load has ended. */
  finished: boolean;
}

export interface Load {
  /** Resolves with the final counts when the load has ended by itself or by stop(). */
  readonly done: Promise<LoadStats>;
  stats(): LoadStats;
  /** No new requests; resolves once the ones in flight have ended (at most requestTimeoutMs). */
  stop(): Promise<LoadStats>;
}

/** What a failed request's error means for a client. */
export function classify(error: NodeJS.ErrnoException | undefined): OutcomeKind {
  switch (error?.code) {
    case 'ECONNREFUSED':
      return 'refused';
    case 'ECONNRESET': // also Node's "socket hang up": the connection closed before a response
    case 'EPIPE':
      return 'reset';
    case 'ETIMEDOUT':
      return 'timeout';
    default:
      return 'other';
  }
}

function checkOptions(options: LoadOptions): void {
  const host = options.host ?? '127.0.0.1';
  if (host !== '127.0.0.1' && host !== '::1') throw new Error(`load goes to loopback only (127.0.0.1 or ::1), not ${String(host)}`);
  if (!Number.isInteger(options.port) || options.port < 1 || options.port > 65535) throw new Error(`${options.port} is not a port number`);
  const bounded = (value: number, max: number) => Number.isFinite(value) && value > 0 && value <= max;
  if (!bounded(options.maxRequests, LOAD_LIMITS.maxRequests)) throw new Error(`maxRequests must be 1 to ${LOAD_LIMITS.maxRequests}`);
  if (!bounded(options.maxDurationMs, LOAD_LIMITS.maxDurationMs)) throw new Error(`maxDurationMs must be 1 to ${LOAD_LIMITS.maxDurationMs}`);
  const concurrency = options.concurrency ?? 2;
  if (!Number.isInteger(concurrency) || !bounded(concurrency, LOAD_LIMITS.concurrency)) throw new Error(`concurrency must be 1 to ${LOAD_LIMITS.concurrency}`);
}

export function startLoad(options: LoadOptions): Load {
  checkOptions(options);
  const { port, host = '127.0.0.1', path = '/', keepAlive = false, concurrency = 2, pauseMs = 5, requestTimeoutMs = 1000 } = options;
  const startedAt = Date.now();
  const counts: Record<OutcomeKind, number> = { ok: 0, refused: 0, reset: 0, timeout: 0, other: 0 };
  const byHeader: Record<string, number> = {};
  const examples: LoadStats['examples'] = {};
  let sent = 0;
  let firstFailureMs: number | null = null;
  let lastFailureMs: number | null = null;
  let stopping = false;
  let finished = false;
  let lastTick = { at: startedAt, finished: 0 };
  // keep-alive: one socket per worker, reused; otherwise no agent, so every request opens a connection.
  const agent = keepAlive ? new http.Agent({ keepAlive: true, maxSockets: concurrency }) : false;

  const finishedCount = () => OUTCOME_KINDS.reduce((sum, kind) => sum + counts[kind], 0);
  const snapshot = (perSecond: number): LoadStats => ({
    sent,
    ...counts,
    failed: finishedCount() - counts.ok,
    elapsedMs: Date.now() - startedAt,
    perSecond,
    firstFailureMs,
    lastFailureMs,
    byHeader: { ...byHeader },
    examples: { ...examples },
    finished,
  });
  const overallRate = () => Math.round((finishedCount() * 1000) / Math.max(1, Date.now() - startedAt));

  const record = (kind: OutcomeKind, detail?: string) => {
    counts[kind]++;
    if (kind === 'ok') return;
    const at = Date.now() - startedAt;
    firstFailureMs ??= at;
    lastFailureMs = at;
    if (detail && !examples[kind]) examples[kind] = detail;
  };

  /** One request; resolves when it has been counted, whatever happened. */
  const request = () =>
    new Promise<void>((resolve) => {
      let settled = false;
      const settle = (kind: OutcomeKind, detail?: string) => {
        if (settled) return;
        settled = true;
        record(kind, detail);
        resolve();
      };
      const req = http.request({ host, port, path, agent, headers: keepAlive ? {} : { connection: 'close' } }, (res) => {
        const tag = options.countHeader ? res.headers[options.countHeader.toLowerCase()] : undefined;
        res.resume();
        res.on('end', () => {
          const ok = (res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 300;
          if (ok && typeof tag === 'string') byHeader[tag] = (byHeader[tag] ?? 0) + 1;
          settle(ok ? 'ok' : 'other', ok ? undefined : `HTTP ${res.statusCode}`);
        });
        res.on('error', (error: NodeJS.ErrnoException) => settle(classify(error), error.code ?? error.message));
        // A response cut off by the server's end: no 'end', sometimes no 'error' either.
        res.on('close', () => {
          if (!res.complete) settle('reset', 'response cut short');
        });
      });
      req.setTimeout(requestTimeoutMs, () => {
        settle('timeout', `no response within ${requestTimeoutMs} ms`);
        req.destroy();
      });
      req.on('error', (error: NodeJS.ErrnoException) => settle(classify(error), error.code ?? error.message));
      req.end();
    });

  const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
  const worker = async () => {
    while (!stopping && sent < options.maxRequests) {
      sent++;
      await request();
      if (pauseMs > 0 && !stopping) await pause(pauseMs);
    }
  };

  const stopNow = () => {
    stopping = true;
  };
  const deadline = setTimeout(stopNow, options.maxDurationMs);
  const ticker = setInterval(() => {
    const now = Date.now();
    const done = finishedCount();
    const perSecond = Math.round(((done - lastTick.finished) * 1000) / Math.max(1, now - lastTick.at));
    lastTick = { at: now, finished: done };
    options.onTick?.(snapshot(perSecond));
  }, options.tickMs ?? 250);
  options.signal?.addEventListener('abort', stopNow, { once: true });
  if (options.signal?.aborted) stopNow();

  const done = Promise.all(Array.from({ length: concurrency }, worker)).then(() => {
    clearTimeout(deadline);
    clearInterval(ticker);
    options.signal?.removeEventListener('abort', stopNow);
    if (agent) agent.destroy();
    finished = true;
    return snapshot(overallRate());
  });

  return {
    done,
    stats: () => snapshot(overallRate()),
    stop() {
      stopNow();
      return done;
    },
  };
}

/** One line of counters for a log: `ok 412 · refused 37 · reset 2 · timeout 0 · 196 req/s`. */
export function formatLoadStats(stats: LoadStats, lang: 'en' | 'zh' = 'en'): string {
  const rate = lang === 'zh' ? `${stats.perSecond} 请求/秒` : `${stats.perSecond} req/s`;
  const other = stats.other > 0 ? ` · other ${stats.other}` : '';
  return `ok ${stats.ok} · refused ${stats.refused} · reset ${stats.reset} · timeout ${stats.timeout}${other} · ${rate}`;
}
