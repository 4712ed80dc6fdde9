// Exit hooks: what the application wants done after the drain and before the process exits (flush a
// log, close a database pool). They run one after another in the order added; each one is bounded, so
// a hook that hangs cannot keep a drained process, and its port-less copy of the program, alive for ever.
export class ExitHooks {
  private readonly hooks: Array<() => unknown> = [];

  constructor(
    private readonly timeoutMs: number,
    private readonly log: (line: string) => void,
  ) {}

  add(hook: () => unknown): void {
    this.hooks.push(hook);
  }

  async run(): Promise<void> {
    for (const hook of this.hooks.splice(0)) await this.runOne(hook);
  }

  private async runOne(hook: () => unknown): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const limit = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), this.timeoutMs)));
    try {
      if ((await Promise.race([Promise.resolve().then(hook), limit])) === 'timeout') this.log(`an exit hook took longer than ${this.timeoutMs} ms; going on`);
    } catch (error) {
      this.log(`an exit hook failed: ${(error as Error).message}`);
    } finally {
      clearTimeout(timer);
    }
  }
}
