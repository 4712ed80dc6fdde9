// Lesson 3 end to end in plain mode: every expectation must hold on this kernel. Then the last table is
// read back as the learner sees it: the child's fd 3 and p1's x and y carry one DESC letter and one
// OFFSET, the second open of the same file another letter and its own offset; and no process is left.
import { describe, expect, it } from 'vitest';
import { lesson } from '../../lessons/03-fd-description-inode.js';
import { isAlive } from '../helpers/process.js';
import { playChecked } from '../helpers/lesson-output.js';

/** Table rows of data.txt: command, fd, DESC letter, OFFSET, NODE. */
function fileRows(table: string) {
  return [...table.matchAll(/^ {2}[> ] +(\d+) +(p1|child) +(\d+) +REG +(\S+) +(\S+) +(\S+) +(\d+) +(\d+) .*data\.txt$/gm)].map((m) => ({
    pid: Number(m[1]),
    command: m[2],
    fd: Number(m[3]),
    desc: m[4],
    offset: Number(m[7]),
    inode: Number(m[8]),
  }));
}

describe('lesson 3: fd, open file description, inode', () => {
  for (const lang of ['en', 'zh'] as const) {
    it(`plays in ${lang} with every expectation holding`, async () => {
      const { text } = await playChecked(lesson, lang, 13);

      const [, x, y] = text.match(/dup\((\d+)\) = (\d+)/)!.map(Number);
      const z = Number(text.match(/open\("data\.txt", O_RDONLY\|O_CLOEXEC\) = (\d+)/)![1]);
      expect(text).toMatch(/child: read\(3, "5678", 4\) = 4/);

      // The last table, as printed: one inode; x, y and the child's fd 3 one description at offset 9.
      const last = fileRows(text.slice(text.lastIndexOf('── ')));
      const row = (command: string, fd: number) => last.find((r) => r.command === command && r.fd === fd)!;
      expect(last).toHaveLength(4);
      expect(new Set(last.map((r) => r.inode)).size).toBe(1);
      for (const shared of [row('p1', x), row('p1', y), row('child', 3)]) expect(shared).toMatchObject({ desc: row('p1', x).desc, offset: 9 });
      expect(row('p1', z).desc).not.toBe(row('p1', x).desc);
      expect(row('p1', z).offset).toBe(3);

      expect([...new Set(last.map((r) => r.pid))].filter(isAlive)).toEqual([]);
    }, 60_000);
  }
});
