// fd, open file description, inode (lesson 3), in Node: a file opened, dup'ed, opened again and passed to
// a child. Node has no dup(), lseek() nor fcntl(): those go through the FFI (koffi). Prints what each read
// returns; works in a temporary directory. Usage: node fd-description.mjs (the child: this file with `child`).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import koffi from 'koffi';

const libc = koffi.load('libc.so.6');
const dup = libc.func('int dup(int)');
const lseek = libc.func('long lseek(int, long, int)');
const fcntlVariadic = libc.func('int fcntl(int, int, ...)');
/** fcntl(fd, cmd[, arg]): koffi wants a variadic argument's C type spelled out. */
const fcntl = (fd, cmd, arg) => (arg === undefined ? fcntlVariadic(fd, cmd) : fcntlVariadic(fd, cmd, 'int', arg));
const [SEEK_SET, SEEK_CUR, F_GETFD, F_SETFD, F_GETFL, F_SETFL, FD_CLOEXEC] = [0, 1, 1, 2, 3, 4, 1];
const { O_NONBLOCK } = fs.constants;
const buf = Buffer.alloc(16);

if (process.argv[2] === 'child') {
  // [child]
  fs.readSync(3, buf, 0, 4, null) // "5678"
  // [/child]
  console.log(`child read ${JSON.stringify(buf.toString('latin1', 0, 4))} through fd 3`);
  process.exit(0);
}
const dir = fs.mkdtempSync(join(tmpdir(), 'fd-description-'));
process.chdir(dir);

// [open]
const x = fs.openSync('data.txt', fs.constants.O_RDWR | fs.constants.O_CREAT) // libuv adds O_CLOEXEC | zh: libuv 会加上 O_CLOEXEC
fs.writeSync(x, '0123456789abcdefghij')
lseek(x, 0, SEEK_SET) // Node has no lseek(): through the FFI (koffi) | zh: Node 没有 lseek()：通过 FFI（koffi）调用
// [/open]

// [dup]
// Node has no dup(); through the FFI (koffi): | zh: Node 没有 dup()；通过 FFI（koffi）调用：
const y = dup(x)
fs.readSync(x, buf, 0, 5, null) // position null: use and move the file offset | zh: position 为 null：使用并移动文件偏移量
// [/dup]
console.log(`read ${JSON.stringify(buf.toString('latin1', 0, 5))} through x`);

// [flags]
// through the FFI (koffi): | zh: 通过 FFI（koffi）调用：
fcntl(y, F_SETFL, fcntl(y, F_GETFL) | O_NONBLOCK)
fcntl(y, F_SETFD, FD_CLOEXEC)
fcntl(x, F_SETFD, 0)
// [/flags]
console.log(`FD_CLOEXEC: x ${fcntl(x, F_GETFD) & FD_CLOEXEC}, y ${fcntl(y, F_GETFD) & FD_CLOEXEC}`);

// [reopen]
const z = fs.openSync('data.txt', 'r')
fs.readSync(z, buf, 0, 3, null) // "012": z has its own offset | zh: "012"：z 有自己的偏移量
// [/reopen]
console.log(`read ${JSON.stringify(buf.toString('latin1', 0, 3))} through z`);

// [inherit]
const child = spawn(process.execPath, [process.argv[1], 'child'], { stdio: ['ignore', 'inherit', 'inherit', y] })
// [/inherit]
await once(child, 'exit');
console.log(`x's offset is now ${lseek(x, 0, SEEK_CUR)}: the child moved it`);
fs.rmSync(dir, { recursive: true });
