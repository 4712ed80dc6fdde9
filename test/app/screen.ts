// Rendering the app's views in a fake terminal of a chosen size, and reading frames as a person would.
import type { ReactElement } from 'react';
import { render } from 'ink-testing-library';
import { vi } from 'vitest';
import type { SupervisorApi } from '../../src/demo/types.js';
import { readable, waitFor } from '../ui/wait-for.js';

const ANSI = /\x1b\[[0-9;?]*[ -/]*[@-~]/g;

/** A frame without escape codes. */
export const plain = (frame: string | undefined) => (frame ?? '').replace(ANSI, '');
/** Without escape codes and with every digit masked: pids, fds, inodes and ports differ every run. */
export const masked = readable;

export type Screen = ReturnType<typeof render> & { resize(columns: number, rows: number): void };

/** Renders at columns×rows; resize() changes the size as a terminal's SIGWINCH would. */
export function renderAt(element: ReactElement, columns: number, rows: number): Screen {
  const view = render(element);
  const resize = (c: number, r: number) => {
    Object.defineProperty(view.stdout, 'columns', { value: c, configurable: true });
    Object.defineProperty(view.stdout, 'rows', { value: r, configurable: true });
    view.stdout.emit('resize');
  };
  resize(columns, rows);
  return Object.assign(view, { resize });
}

export async function frameWith(view: Screen, text: string | RegExp, what = String(text)): Promise<string> {
  return waitFor(() => {
    const frame = plain(view.lastFrame());
    return (typeof text === 'string' ? frame.includes(text) : text.test(frame)) && frame;
  }, what);
}

/** Types keys one at a time, yielding to the event loop after each so ink and React handle it. */
export async function press(view: Screen, ...keys: string[]): Promise<void> {
  // ink starts reading stdin in an effect after the first frame: keys typed before that are lost.
  await waitFor(() => view.stdin.listenerCount('readable') > 0, 'ink to read the keyboard');
  for (const key of keys) {
    view.stdin.write(key);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** A supervisor that starts nothing: for lessons whose steps run no processes. */
export function fakeSupervisor(): SupervisorApi & { stop: ReturnType<typeof vi.fn> } {
  return {
    runId: 'fake',
    dir: '/nonexistent',
    spawnPuppet: () => Promise.reject(new Error('no puppets in this test')),
    waitForPuppet: () => Promise.reject(new Error('no puppets in this test')),
    puppet: () => undefined,
    pids: () => [],
    stopped: new AbortController().signal,
    stop: vi.fn(() => Promise.resolve()),
  };
}

export { waitFor };
