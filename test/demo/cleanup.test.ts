// The registry alone; the exit handlers are exercised with a real tutor process in lifetime.test.ts.
import { describe, expect, it } from 'vitest';
import { onCleanup, runCleanups, runCleanupsSync } from '../../src/demo/cleanup.js';

describe('the cleanup registry', () => {
  it('runs each cleanup once, newest first, past a failing one', async () => {
    const calls: string[] = [];
    onCleanup(() => void calls.push('first'));
    onCleanup(() => {
      throw new Error('broken');
    });
    onCleanup(async () => void calls.push('third'));
    await runCleanups();
    await runCleanups();
    expect(calls).toEqual(['third', 'first']);
  });

  it('uses the sync variant on the sync path, and forgets unregistered ones', () => {
    const calls: string[] = [];
    onCleanup(async () => void calls.push('async'), () => void calls.push('sync'));
    const unregister = onCleanup(() => void calls.push('unregistered'));
    unregister();
    runCleanupsSync();
    expect(calls).toEqual(['sync']);
  });
});
