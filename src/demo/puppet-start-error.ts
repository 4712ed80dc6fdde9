// A puppet that did not come up. The supervisor's callers include the lessons, whose learner reads the
// reason as "This step failed: …" in English or Chinese, so the reason is kept in both languages here
// (the { en, zh } shape of the lessons' Text; src/demo does not depend on src/lesson).

/** How it failed: it ended (by a signal or with a code) before it was ready, or never checked in. */
export type PuppetEnding = { signal: string } | { code: number | null } | { timeoutMs: number };

export class PuppetStartError extends Error {
  /** The reason in both languages; `message` is the English. */
  readonly text: { en: string; zh: string };

  /** detail: the puppet's last stderr line, or why its hello was refused, as it is. */
  constructor(readonly puppet: string, readonly ending: PuppetEnding, readonly detail?: string) {
    const [en, zh] =
      'timeoutMs' in ending
        ? [`puppet ${puppet} did not check in within ${ending.timeoutMs} ms`, `演示进程 ${puppet} 在 ${ending.timeoutMs} 毫秒内没有报到`]
        : 'signal' in ending
          ? [`puppet ${puppet} was killed by ${ending.signal} before it was ready`, `演示进程 ${puppet} 在就绪之前被 ${ending.signal} 杀死了`]
          : [`puppet ${puppet} exited with code ${ending.code} before it was ready`, `演示进程 ${puppet} 在就绪之前退出了，退出码 ${ending.code}`];
    const text = !detail ? { en, zh } : 'timeoutMs' in ending ? { en: `${en} (${detail})`, zh: `${zh}（${detail}）` } : { en: `${en}: ${detail}`, zh: `${zh}：${detail}` };
    super(text.en);
    this.name = 'PuppetStartError';
    this.text = text;
  }
}
