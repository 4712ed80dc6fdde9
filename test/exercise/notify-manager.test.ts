// Exercise 12's notification reader: the sender is what the kernel says (SCM_CREDENTIALS), and a
// MAINPID= moves the main pid only to a process of the service, as systemd's service_notify_message() does.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import * as sys from '../../src/sys/index.js';
import { NotifyManager, type Notification } from '../../exercises/12-tell-the-supervisor/notify-manager.js';

const cleanups: Array<() => void> = [];
afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

function send(path: string, text: string): void {
  const fd = sys.socket(sys.AF_UNIX, sys.SOCK_DGRAM | sys.SOCK_CLOEXEC);
  try {
    sys.sendTo(fd, Buffer.from(text), { family: 'unix', path });
  } finally {
    sys.close(fd);
  }
}

function manager(members: number[]): { manager: NotifyManager; seen: Notification[] } {
  const dir = mkdtempSync(join(tmpdir(), 'notify-manager-'));
  const seen: Notification[] = [];
  const created = new NotifyManager(dir, 1, () => members, async (message) => void seen.push(message));
  cleanups.push(() => {
    created.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { manager: created, seen };
}

describe.skipIf(!sys.ffiAvailable())('the notification reader of exercise 12', () => {
  it('takes the sender from the kernel, whatever the message claims, and applies MAINPID= of a member', async () => {
    const { manager: reader, seen } = manager([process.pid]);
    send(reader.path, 'MAINPID=999999\nREADY=1'); // not a process of the service: refused
    send(reader.path, `MAINPID=${process.pid}\nREADY=1`);
    await reader.pump();
    expect(seen.map((message) => [message.sender, message.mainBefore, message.mainAfter])).toEqual([
      [process.pid, 1, 1],
      [process.pid, 1, process.pid],
    ]);
    expect(seen[1].fields.get('READY')).toBe('1');
  });
});
