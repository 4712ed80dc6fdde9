// An anon-inode fd's kind (eventfd, timerfd...) is not re-read with readlink while its fdinfo text
// is unchanged; a new kind at the same fd number changes that text, so the row must show it.
import { describe, expect, it } from 'vitest';
import * as sys from '../../src/sys/index.js';
import { cfunc } from '../../packages/restart/src/sys/libc.js';
import { snapshot } from '../../src/fdtable/index.js';

const CLOCK_MONOTONIC = 1;

describe('anon-inode kinds between snapshots', () => {
  it.skipIf(process.platform !== 'linux' || !sys.ffiAvailable())('an eventfd replaced by a timerfd at the same number shows as a timerfd', () => {
    const eventfd = Number(cfunc('int eventfd(uint, int)')(0, 0));
    const timerfd = Number(cfunc('int timerfd_create(int, int)')(CLOCK_MONOTONIC, 0));
    expect(eventfd).toBeGreaterThanOrEqual(0);
    expect(timerfd).toBeGreaterThanOrEqual(0);
    try {
      for (let i = 0; i < 2; i++) {
        expect(snapshot([process.pid]).rows.find((r) => r.fd === eventfd)).toMatchObject({ type: 'eventfd' });
      }
      sys.dup2(timerfd, eventfd); // same number, another kind of anon fd on the same shared inode
      const row = snapshot([process.pid]).rows.find((r) => r.fd === eventfd);
      expect(row).toMatchObject({ type: 'timerfd', name: '[timerfd]' });
    } finally {
      sys.closeQuietly(eventfd);
      sys.closeQuietly(timerfd);
    }
  });
});
