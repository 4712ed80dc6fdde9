// Lesson 10 end to end in plain mode: every expectation must hold on this kernel. Then the log is read
// back: SO_ACCEPTCONN told the listener from the connection, the file answered ENOTSOCK, Node closed the
// connection's fd after its failed listen, and the datagram came back from new through dgram bind({fd}).
import { describe, expect, it } from 'vitest';
import { lesson } from '../../lessons/10-rebuild-listener.js';
import { isAlive } from '../helpers/process.js';
import { playChecked, startedPids } from '../helpers/lesson-output.js';

describe('lesson 10: rebuilding a listener from an fd', () => {
  for (const lang of ['en', 'zh'] as const) {
    it(`plays in ${lang} with every expectation holding`, async () => {
      const { text } = await playChecked(lesson, lang, 15);

      expect(text).toContain('new: getsockopt(3, SOL_SOCKET, SO_ACCEPTCONN, [1], [4]) = 0');
      expect(text).toContain('new: getsockopt(6, SOL_SOCKET, SO_ACCEPTCONN, [0], [4]) = 0');
      expect(text).toMatch(/new: getpeername\(6, \{127\.0\.0\.1:\d+\}\) = 0/);
      expect(text).toContain('new: getsockopt(7, SOL_SOCKET, SO_DOMAIN) = -1 ENOTSOCK');
      expect(text).toContain('new: listen(6, 511) = -1 EINVAL (Invalid argument) (by libuv)');

      // Node 20 rebuilt the UDP socket: the answer names new's own pid.
      const newPid = /new (?:is up|已就绪) ?[(（]pid (\d+)/.exec(text)?.[1];
      expect(text).toMatch(new RegExp(`client: recv\\(\\d+, "new ${newPid}: ping"`));

      const pids = startedPids(text);
      expect(pids.length).toBe(3); // old, new (forked by old), client
      expect(pids.filter(isAlive)).toEqual([]);
    }, 60_000);
  }
});
