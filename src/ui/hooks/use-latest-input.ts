// Keys for screens that come and go. Ink's useInput subscribes its handler in an effect that React may
// run after the frame shows, again after every render that passes a new handler. Until then a key goes
// to an older render's handler (stale state), or, on a screen just opened, to no handler at all: the
// first key typed after Enter opened a lesson was lost.
//
// So the app mounts one KeyRouter for its whole life, the only Ink subscription; each screen's
// useLatestInput registers with it in a layout effect, which runs in the same commit as the screen's
// first render, before any later key can arrive. Every key then goes to the latest render's handler,
// with isActive asked when the key arrives. Without a router (the fd watch, a screen rendered alone)
// the hook subscribes to Ink itself, with the same latest-handler rule.
import { createContext, createElement, useCallback, useContext, useLayoutEffect, useMemo, useRef, type ReactNode } from 'react';
import { useInput, type Key } from 'ink';
import { splitKeys } from '../app/keys.js';

export type KeyHandler = (input: string, key: Key) => void;

const Router = createContext<Set<KeyHandler> | null>(null);

/** One subscription to Ink that hands every key to the screens' useLatestInput. */
export function KeyRouter({ children }: { children: ReactNode }) {
  const listeners = useMemo(() => new Set<KeyHandler>(), []);
  const deliver = useMemo(() => keyQueue(() => [...listeners]), [listeners]);
  useInput(deliver);
  return createElement(Router.Provider, { value: listeners }, children);
}

/**
 * Hands keys to the listeners one at a time, each after the render of what the one before changed:
 * React renders an update in a task its scheduler posts (setImmediate) from a microtask queued during
 * the key, and the next key is posted the same way, after it. So z then q in one read closes the zoom z
 * opened instead of leaving the lesson, and n n n walk three steps. Several plain keys read at once
 * (typing fast, a paste) are split back into keys (see splitKeys).
 */
function keyQueue(listeners: () => readonly KeyHandler[]): KeyHandler {
  const queue: Array<[string, Key]> = [];
  let draining = false;
  const drain = () => {
    const next = queue.shift();
    if (!next) return void (draining = false);
    for (const listener of listeners()) listener(...next);
    queueMicrotask(() => setImmediate(drain));
  };
  return (chunk, chunkKey) => {
    queue.push(...splitKeys(chunk, chunkKey));
    if (draining) return;
    draining = true;
    drain();
  };
}

export function useLatestInput(handler: KeyHandler, isActive = true): void {
  const latest = useRef({ handler, isActive });
  latest.current = { handler, isActive };
  const listener = useCallback<KeyHandler>((input, key) => {
    if (latest.current.isActive) latest.current.handler(input, key);
  }, []);
  const router = useContext(Router);
  useLayoutEffect(() => {
    if (!router) return;
    router.add(listener);
    return () => void router.delete(listener);
  }, [router, listener]);
  const deliver = useMemo(() => keyQueue(() => [listener]), [listener]);
  useInput(deliver, { isActive: router === null });
}
