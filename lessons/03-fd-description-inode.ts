// Lesson 3: fd, open file description, inode. A number in one process's fd table points at a
// system-wide open file description (offset, status flags), which points at an inode (the file).
// dup and inheritance share the description; a second open(2) shares only the inode.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { FdRow } from '../src/fdtable/model.js';
import { excerpt, joinText } from '../src/lesson/excerpt.js';
import { isMain, playLessonMain } from '../src/lesson/main.js';
import { isNodePlumbing } from '../src/lesson/observe.js';
import { rowsTogether, sharing, type FdRef } from '../src/lesson/procview.js';
import type { Lesson, LessonContext } from '../src/lesson/types.js';

const FILE = 'data.txt';
/** The programs the code excerpts come from (lessons/assets/code). */
const GO = 'go/fd-description.go';
const NODE = 'node/fd-description.mjs';
const CONTENT = '0123456789abcdefghij';

/** p1's fds x (first open), y (its dup), z (second open), from one snapshot. */
const p1Rows = (ctx: LessonContext<Vars>): Array<FdRow | undefined> =>
  rowsTogether(ctx, [['p1', ctx.vars.x], ['p1', ctx.vars.y], ['p1', ctx.vars.z ?? -1]]);
const refs = (ctx: LessonContext<Vars>, ...names: Array<'x' | 'y' | 'z'>): FdRef[] => names.map((name) => ['p1', ctx.vars[name]]);
const flagText = (row: FdRow | undefined) => (row ? `fd ${row.fd} ${row.cloexec ? 'cloexec' : '-'}` : 'not open');

const isP1 = (row: FdRow, ctx: LessonContext<Vars>, ...names: Array<'x' | 'y' | 'z'>) =>
  row.command === 'p1' && names.some((name) => ctx.vars[name] === row.fd);

const offsets = (rows: Array<FdRow | undefined>) => rows.map((row) => row?.offset ?? 'closed').join(' / ');

/** What the steps carry from one to the next (ctx.vars): a misspelt name does not compile. */
interface Vars {
  /** p1's fds: x (first open), y (its dup), z (second open), and what z read. */
  x: number;
  y: number;
  z: number;
  zData: string;
}

export const lesson: Lesson<Vars> = {
  id: 'fd-description-inode',
  number: 3,
  chapter: { en: 'Chapter 1 · Foundations and pitfalls', zh: '第一章 · 基础与陷阱' },
  title: { en: 'fd, open file description, inode', zh: 'fd、打开文件描述与 inode' },
  summary: {
    en: 'An fd is an index into a per-process table. It points at an open file description, a system-wide object that holds the offset and the file status flags, which points at the inode, the file itself. dup and inheritance give you another fd on the same description; a second open(2) gives you a new description on the same inode.',
    zh: 'fd（文件描述符）只是进程自己那张表里的一个下标。它指向一个打开文件描述（open file description）——一个全系统范围的对象，保存着读写偏移量（offset）和文件状态标志；打开文件描述再指向 inode，也就是文件本身。dup 和继承得到的是指向同一个打开文件描述的另一个 fd；再调用一次 open(2) 得到的则是指向同一个 inode 的新打开文件描述。',
  },
  recap: [
    { en: "An fd is a number in one process's table; it points at an open file description, which points at an inode.", zh: 'fd 是某个进程 fd 表里的一个编号；它指向打开文件描述，打开文件描述再指向 inode。' },
    { en: 'dup and inheritance add fds on the same description: offset and file status flags (O_NONBLOCK) are shared.', zh: 'dup 和继承只是在同一个打开文件描述上多加 fd：偏移量和文件状态标志（O_NONBLOCK）都是共享的。' },
    { en: 'A second open(2) makes a new description on the same inode, with its own offset.', zh: '再 open(2) 一次，会在同一个 inode 上建一个新的打开文件描述，有自己的偏移量。' },
    { en: 'FD_CLOEXEC is per fd: Node sets it on every fd it inherits at start-up.', zh: 'FD_CLOEXEC 按 fd 区分：Node 启动时会给继承来的每个 fd 设上它。' },
  ],
  steps: [
    {
      id: 'open',
      title: { en: 'Three tables between a number and a file', zh: '从一个数字到一个文件，中间隔着三张表' },
      text: {
        en: [
          'The kernel follows an fd through three tables. The fd table belongs to one process; its entries carry the fd flags (only one exists: FD_CLOEXEC, the FD FLAGS column). The open file descriptions are system-wide; one is made by each open(2) and holds the OFFSET and the FILE FLAGS (access mode, nonblock, append); the DESC column gives each one a letter. The inode is the file itself (NODE).',
          'The picture this lesson builds, fd by fd:',
          'p1 fd x ────┐\np1 fd y ────┼─▶ A (OFFSET, FILE FLAGS) ─▶ inode: data.txt\nchild fd 3 ─┘\np1 fd z ──────▶ B (OFFSET, FILE FLAGS) ─▶ the same inode',
          `First arrow: p1 opens ${FILE} in the tutor's private directory (fd x), writes ${CONTENT.length} bytes and seeks back to 0.`,
        ].join('\n\n'),
        zh: [
          '内核沿着三张表找到 fd 背后的文件。fd 表属于单个进程，表项上带着 fd 标志（只有一个：FD_CLOEXEC，即 FD FLAGS 列）。打开文件描述是全系统范围的：每次 open(2) 生成一个，里面保存 OFFSET（偏移量）和 FILE FLAGS（访问模式、nonblock、append）；DESC 列给每个打开文件描述一个字母。inode 就是文件本身（NODE 列）。',
          '本课会一个 fd 一个 fd 地搭出这张图：',
          'p1 fd x ────┐\np1 fd y ────┼─▶ A（OFFSET、FILE FLAGS）─▶ inode：data.txt\nchild fd 3 ─┘\np1 fd z ──────▶ B（OFFSET、FILE FLAGS）─▶ 同一个 inode',
          `第一条箭头：p1 在 tutor 的私有目录里打开 ${FILE}（fd x），写入 ${CONTENT.length} 个字节，再把偏移量移回 0。`,
        ].join('\n\n'),
      },
      code: {
        go: excerpt(GO, 'open'),
        node: excerpt(NODE, 'open'),
      },
      async run(ctx) {
        await ctx.start('p1');
        ctx.vars.x = (await ctx.call('p1', { op: 'open', path: FILE, mode: 'rw' })).result.fd;
        await ctx.call('p1', { op: 'write', fd: ctx.vars.x, data: CONTENT });
        await ctx.call('p1', { op: 'lseek', fd: ctx.vars.x, offset: 0 });
      },
      show: { processes: ['p1'], focus: (row, ctx) => isP1(row, ctx, 'x') },
      expect: [
        {
          text: { en: `fd x's NODE is the inode stat(2) reports for ${FILE}`, zh: `fd x 的 NODE 就是 stat(2) 给出的 ${FILE} 的 inode` },
          check: (ctx) => {
            const row = ctx.row('p1', ctx.vars.x);
            const inode = statSync(join(ctx.supervisor.dir, FILE)).ino;
            return { ok: row?.type === 'REG' && row.inode === inode, detail: `NODE ${row?.inode ?? '-'}, stat ${inode}` };
          },
        },
        {
          text: { en: `OFFSET is back at 0 although the file holds ${CONTENT.length} bytes`, zh: `文件里已有 ${CONTENT.length} 个字节，而 OFFSET 又回到了 0` },
          check: (ctx) => {
            const offset = ctx.row('p1', ctx.vars.x)?.offset;
            const size = statSync(join(ctx.supervisor.dir, FILE)).size;
            return { ok: offset === 0 && size === CONTENT.length, detail: `OFFSET ${offset ?? '-'}, size ${size}` };
          },
        },
      ],
    },
    {
      id: 'dup',
      title: { en: 'dup: a second fd, the same description', zh: 'dup：第二个 fd，同一个打开文件描述' },
      text: {
        en: "dup(x) adds fd y to p1's fd table, pointing at the same open file description: same DESC letter. Then p1 reads 5 bytes through x. The offset lives in the description, so OFFSET reads 5 on both rows, though y was never used.\n\nNow FD FLAGS: x is cloexec (puppets open with O_CLOEXEC, as Node and Go do), y is not. dup(2) never copies FD_CLOEXEC: the flag lives in the fd table entry, and y is a new entry.",
        zh: 'dup(x) 在 p1 的 fd 表里加了一个 fd y，指向同一个打开文件描述：DESC 字母相同。接着 p1 通过 x 读了 5 个字节。偏移量保存在打开文件描述里，所以两行的 OFFSET 都变成了 5，尽管 y 根本没用过。\n\n再看 FD FLAGS：x 带 cloexec（puppet 打开文件时都带 O_CLOEXEC，和 Node、Go 一样），y 却没有。dup(2) 从不复制 FD_CLOEXEC：这个标志属于 fd 表项，而 y 是一个新表项。',
      },
      code: {
        go: excerpt(GO, 'dup'),
        node: excerpt(NODE, 'dup'),
      },
      async run(ctx) {
        ctx.vars.y = (await ctx.call('p1', { op: 'dup', fd: ctx.vars.x })).result.fd;
        await ctx.call('p1', { op: 'read', fd: ctx.vars.x, length: 5 });
      },
      show: { processes: ['p1'], focus: (row, ctx) => isP1(row, ctx, 'x', 'y') },
      expect: [
        {
          text: { en: 'x and y share one open file description', zh: 'x 和 y 共享同一个打开文件描述' },
          check: (ctx) => {
            const { count, detail } = sharing(ctx, refs(ctx, 'x', 'y'));
            return { ok: count === 1, detail };
          },
        },
        {
          text: { en: 'OFFSET is 5 on both, though only x was read', zh: '两者的 OFFSET 都是 5，尽管只通过 x 读过' },
          check: (ctx) => {
            const [x, y] = p1Rows(ctx);
            return { ok: x?.offset === 5 && y?.offset === 5, detail: `OFFSET ${offsets([x, y])}` };
          },
        },
        {
          text: { en: 'FD FLAGS differ: x is cloexec, its dup y is not', zh: 'FD FLAGS 不同：x 带 cloexec，dup 出来的 y 没有' },
          check: (ctx) => {
            const [x, y] = p1Rows(ctx);
            return { ok: x?.cloexec === true && y?.cloexec === false, detail: `x: ${flagText(x)}, y: ${flagText(y)}` };
          },
        },
      ],
      quiz: {
        question: { en: 'p1 now reads 3 bytes through y. What does it get?', zh: '现在 p1 通过 y 读 3 个字节，会读到什么？' },
        choices: [
          { en: '"567": y continues where x stopped', zh: '"567"：y 从 x 停下的地方接着读' },
          { en: '"012": y has its own offset, still at 0', zh: '"012"：y 有自己的偏移量，仍然是 0' },
          { en: 'EBADF: after a dup only the new fd may read', zh: 'EBADF：dup 之后只有新 fd 能读' },
        ],
        answer: 0,
        explanation: {
          en: 'There is one offset, in the shared description, and it stands at 5. Reading through either fd uses it and moves it for both.',
          zh: '偏移量只有一个，在共享的打开文件描述里，当前是 5。通过任何一个 fd 读，用的都是它，也都会让两个 fd 一起前移。',
        },
      },
    },
    {
      id: 'flags',
      title: { en: 'File flags are shared, fd flags are not', zh: '文件状态标志共享，fd 标志不共享' },
      text: {
        en: 'fcntl(2) has two pairs of commands. F_GETFL/F_SETFL reach the file status flags (O_NONBLOCK, O_APPEND): they live in the description. F_GETFD/F_SETFD reach the fd flags (FD_CLOEXEC): they live in the fd table entry.\n\np1 sets O_NONBLOCK and FD_CLOEXEC on y, then clears FD_CLOEXEC on x. FILE FLAGS of x now read nonblock, though no F_SETFL was made on x. FD FLAGS simply swapped: each fd kept its own.',
        zh: 'fcntl(2) 有两组命令。F_GETFL/F_SETFL 操作文件状态标志（O_NONBLOCK、O_APPEND），它们在打开文件描述里；F_GETFD/F_SETFD 操作 fd 标志（FD_CLOEXEC），它在 fd 表项里。\n\np1 在 y 上设置 O_NONBLOCK 和 FD_CLOEXEC，再清掉 x 上的 FD_CLOEXEC。现在 x 的 FILE FLAGS 也显示 nonblock，尽管从没对 x 调用过 F_SETFL；而 FD FLAGS 只是对调了一下：每个 fd 各管各的。',
      },
      code: {
        go: excerpt(GO, 'flags'),
        node: excerpt(NODE, 'flags'),
      },
      async run(ctx) {
        await ctx.call('p1', { op: 'fcntl', fd: ctx.vars.y, nonblock: true, cloexec: true });
        await ctx.call('p1', { op: 'fcntl', fd: ctx.vars.x, cloexec: false });
      },
      show: { processes: ['p1'], focus: (row, ctx) => isP1(row, ctx, 'x', 'y') },
      expect: [
        {
          text: { en: 'x shows nonblock, set only through y', zh: 'x 也显示 nonblock，而它只是通过 y 设置的' },
          check: (ctx) => {
            const [x, y] = p1Rows(ctx);
            return { ok: x?.nonblock === true && y?.nonblock === true, detail: `FILE FLAGS x ${x?.flagsRaw ?? '-'}, y ${y?.flagsRaw ?? '-'} (fdinfo, octal)` };
          },
        },
        {
          text: { en: 'FD FLAGS swapped: y is cloexec now, x is not', zh: 'FD FLAGS 对调了：现在 y 带 cloexec，x 没有' },
          check: (ctx) => {
            const [x, y] = p1Rows(ctx);
            return { ok: y?.cloexec === true && x?.cloexec === false, detail: `x: ${flagText(x)}, y: ${flagText(y)}` };
          },
        },
      ],
      hint: {
        en: 'cat /proc/PID/fdinfo/FD shows the same: pos is the offset, flags is octal — 02000000 is O_CLOEXEC (per fd); 04000 O_NONBLOCK, 0100000 O_LARGEFILE and the last digit the access mode (2 = O_RDWR) are per description.',
        zh: 'cat /proc/PID/fdinfo/FD 能看到同样的信息：pos 是偏移量，flags 是八进制——02000000 是 O_CLOEXEC（属于 fd）；04000 是 O_NONBLOCK，0100000 是 O_LARGEFILE，最后一位是访问模式（2 = O_RDWR），它们都属于打开文件描述。',
      },
    },
    {
      id: 'reopen',
      title: { en: 'open again: the same inode, a new description', zh: '再 open 一次：同一个 inode，新的打开文件描述' },
      text: {
        en: `p1 opens ${FILE} a second time, read-only: fd z. Every open(2) makes a new open file description, so z gets a new DESC letter, its own OFFSET and its own FILE FLAGS (r, no nonblock). NODE is the same: one file.\n\nReading 3 bytes through z returns "012" again and moves only z's offset; x and y stay at 5.`,
        zh: `p1 以只读方式再次打开 ${FILE}：fd z。每次 open(2) 都会生成一个新的打开文件描述，所以 z 有新的 DESC 字母、自己的 OFFSET 和自己的 FILE FLAGS（r，没有 nonblock）。NODE 却相同：还是同一个文件。\n\n通过 z 读 3 个字节，又读到了 "012"，并且只移动 z 的偏移量；x 和 y 仍停在 5。`,
      },
      code: {
        go: excerpt(GO, 'reopen'),
        node: excerpt(NODE, 'reopen'),
      },
      async run(ctx) {
        ctx.vars.z = (await ctx.call('p1', { op: 'open', path: FILE, mode: 'r' })).result.fd;
        ctx.vars.zData = (await ctx.call('p1', { op: 'read', fd: ctx.vars.z, length: 3 })).result.data;
      },
      show: { processes: ['p1'], focus: (row, ctx) => isP1(row, ctx, 'x', 'y', 'z') },
      expect: [
        {
          text: { en: 'z and x: the same NODE on the same device', zh: 'z 和 x：同一设备上的同一个 NODE' },
          check: (ctx) => {
            const [x, , z] = p1Rows(ctx);
            return { ok: !!z && z.inode !== null && z.inode === x?.inode && z.device === x.device, detail: `NODE ${x?.inode ?? '-'} / ${z?.inode ?? '-'}` };
          },
        },
        {
          text: { en: 'z refers to a description of its own: a new DESC letter', zh: 'z 指向自己的打开文件描述：新的 DESC 字母' },
          check: (ctx) => {
            const { count, detail } = sharing(ctx, refs(ctx, 'x', 'z'));
            return { ok: count === 2, detail };
          },
        },
        {
          text: { en: 'offsets are independent: z at 3, x and y still at 5', zh: '偏移量互不影响：z 在 3，x 和 y 仍在 5' },
          check: (ctx) => {
            const [x, y, z] = p1Rows(ctx);
            return { ok: z?.offset === 3 && x?.offset === 5 && y?.offset === 5, detail: `OFFSET x/y/z ${offsets([x, y, z])}; z read ${JSON.stringify(ctx.vars.zData)}` };
          },
        },
      ],
      quiz: {
        question: { en: 'Why does z not show nonblock, though y set O_NONBLOCK on this file?', zh: 'y 已经在这个文件上设置了 O_NONBLOCK，为什么 z 不显示 nonblock？' },
        choices: [
          { en: 'O_NONBLOCK lives in the description, and z has a description of its own', zh: 'O_NONBLOCK 在打开文件描述里，而 z 有自己的打开文件描述' },
          { en: 'open(2) clears O_NONBLOCK on every fd of the file', zh: 'open(2) 会清掉该文件所有 fd 上的 O_NONBLOCK' },
          { en: 'a read-only fd cannot be non-blocking', zh: '只读的 fd 不能是非阻塞的' },
        ],
        answer: 0,
        explanation: {
          en: 'Status flags belong to one open file description, not to the inode. x and y still show nonblock: nothing cleared it; z simply never had it.',
          zh: '状态标志属于某一个打开文件描述，而不属于 inode。x 和 y 依然显示 nonblock，并没有被清掉；z 只是从来没有设置过。',
        },
      },
    },
    {
      id: 'inherit',
      title: { en: 'Inherited: the same description under another number', zh: '继承：同一个打开文件描述，换了个编号' },
      text: {
        en: "p1 starts a child and hands it y as the child's fd 3 (Node: stdio[3]; Go: ExtraFiles[0]). Between fork and exec, libuv calls dup2(y, 3) in the child: one more fd table entry, in another process, pointing at the very same description — the same DESC letter as x and y, nonblock included.\n\nThe child reads 4 bytes from its fd 3 and gets \"5678\", right where p1 stopped, and p1's OFFSET moves to 9 though p1 did nothing. A listening socket reaches a successor in a hot restart the same way: not a copy of the socket, the same description.\n\nOne detail of the child's row: FD FLAGS says cloexec, though dup2 leaves the new fd without it. The child is a Node program, and Node marks every fd it inherited close-on-exec as it starts, so that it never passes them on to its own children by accident. The flag belongs to the child's fd alone (p1's x and y keep theirs); lesson 4 is about it.",
        zh: 'p1 启动一个子进程，把 y 交给它作为 fd 3（Node：stdio[3]；Go：ExtraFiles[0]）。在 fork 和 exec 之间，libuv 在子进程里调用 dup2(y, 3)：在另一个进程里多了一个 fd 表项，指向的正是同一个打开文件描述——DESC 字母与 x、y 相同，连 nonblock 也一样。\n\n子进程从自己的 fd 3 读 4 个字节，读到 "5678"，正好接着 p1 停下的地方；而 p1 什么也没做，它的 OFFSET 却变成了 9。热重启时监听 socket 也是这样交给后继进程的：不是 socket 的副本，而是同一个打开文件描述。\n\n子进程那一行有个细节：FD FLAGS 显示 cloexec，而 dup2 得到的新 fd 本来是不带它的。子进程是个 Node 程序，Node 启动时会把继承来的每个 fd 都标记为 close-on-exec，免得无意中再传给它自己的子进程。这个标志只属于子进程的这个 fd（p1 的 x 和 y 各有各的）；第 4 课专门讲它。',
      },
      code: {
        go: joinText(excerpt(GO, 'inherit'), { en: '// in the child:', zh: '// 子进程里：' }, excerpt(GO, 'child')),
        node: joinText(excerpt(NODE, 'inherit'), { en: '// in the child:', zh: '// 子进程里：' }, excerpt(NODE, 'child')),
      },
      async run(ctx) {
        await ctx.call('p1', { op: 'spawn', name: 'child', fds: { 3: ctx.vars.y } });
        await ctx.waitFor('child');
        await ctx.call('child', { op: 'read', fd: 3, length: 4 });
      },
      show: {
        processes: ['p1', 'child'],
        // The child's fd 3 was there when it started, so it would count as Node's plumbing: show it anyway.
        only: (row, ctx) => (row.command === 'child' && row.fd === 3) || !isNodePlumbing(row, ctx),
        focus: (row, ctx) => isP1(row, ctx, 'x', 'y') || (row.command === 'child' && row.fd === 3),
      },
      expect: [
        {
          text: { en: "the child's fd 3, p1's x and y: one description", zh: '子进程的 fd 3 与 p1 的 x、y：同一个打开文件描述' },
          check: (ctx) => {
            const { count, detail } = sharing(ctx, [...refs(ctx, 'x', 'y'), ['child', 3]]);
            return { ok: count === 1, detail };
          },
        },
        {
          text: { en: "the child's read moved p1's OFFSET to 9", zh: '子进程的读取让 p1 的 OFFSET 变成了 9' },
          check: (ctx) => {
            const [x, y] = p1Rows(ctx);
            return { ok: x?.offset === 9 && y?.offset === 9, detail: `OFFSET x/y ${offsets([x, y])}` };
          },
        },
        {
          text: { en: "the child's fd 3 shows the nonblock p1 set through y", zh: '子进程的 fd 3 显示 p1 通过 y 设置的 nonblock' },
          check: (ctx) => {
            const row = ctx.row('child', 3);
            return { ok: row?.nonblock === true, detail: row ? `child:3 FILE FLAGS ${row.access},${row.nonblock ? 'nonblock' : 'blocking'}` : 'child:3 not open' };
          },
        },
      ],
      quiz: {
        question: { en: "The child now calls lseek(3, 0, SEEK_SET). What does p1's next 4-byte read through x return?", zh: '子进程接着调用 lseek(3, 0, SEEK_SET)。p1 下一次通过 x 读 4 个字节，会读到什么？' },
        choices: [
          { en: '"0123": the child moved the offset they share', zh: '"0123"：子进程移动的是双方共享的偏移量' },
          { en: '"9abc": p1 keeps its own offset', zh: '"9abc"：p1 有自己的偏移量' },
          { en: "EBADF: the child took p1's fd", zh: 'EBADF：子进程把 p1 的 fd 拿走了' },
        ],
        answer: 0,
        explanation: {
          en: 'Inheritance copies fd table entries, not descriptions. Whatever one process does to the offset or the status flags, the other sees.',
          zh: '继承复制的是 fd 表项，而不是打开文件描述。一方对偏移量或状态标志做的任何改动，另一方都看得到。',
        },
      },
      hint: {
        en: "The child's fd 3 shows cloexec although dup2 cleared it: Node marks the fds it inherits close-on-exec as it starts. Lesson 4 is about that flag.",
        zh: '子进程的 fd 3 显示 cloexec，尽管 dup2 清掉过它：Node 启动时会把继承来的 fd 都标记为 close-on-exec。第 4 课专门讲这个标志。',
      },
    },
  ],
};

if (isMain(import.meta.url)) await playLessonMain(lesson);
