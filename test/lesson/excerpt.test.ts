// Excerpts read from real files: a region's pieces join up without their markers or the code between
// them, tabs become spaces, and a comment's Chinese rendering appears only in Chinese.
import { describe, expect, it } from 'vitest';
import { excerpt } from '../../src/lesson/excerpt.js';

describe('code excerpts from files', () => {
  it('joins the pieces of a region and drops what lies between them', () => {
    const { en } = excerpt('go/handover.go', 'close-hangs');
    expect(en).toContain('conn, err := ln.Accept()');
    expect(en).toContain('ln.Close()');
    expect(en).not.toContain('say("parent: close called")'); // between two pieces
    expect(en).not.toMatch(/\/\/ \[\/?close-hangs\]/);
    expect(en).not.toContain('\t');
  });
  it('dedents each piece on its own: one at the top level of the file, the next inside a function', () => {
    const { en } = excerpt('go/reuseport.go', 'listen');
    expect(en).toMatch(/^var lc = net\.ListenConfig/m);
    expect(en).toMatch(/^ln, err := lc\.Listen/m);
    expect(en).toMatch(/^ {4}var setErr error$/m); // a piece's own nesting stays
  });
  it("ends at the region's last line of code, not at the blank line gofmt wants after a declaration", () => {
    expect(excerpt('go/nonblock.go', 'keep').en).toMatch(/^}$(?![\s\S])/m);
  });
  it('translates comments, and only comments', () => {
    const { en, zh } = excerpt('go/handover.go', 'start');
    expect(en).toContain("// ExtraFiles[0] is the child's fd 3");
    expect(zh).toContain('// ExtraFiles[0] 就是子进程的 fd 3');
    expect(zh).not.toContain('| zh:');
    expect(zh.replace(/\/\/.*$/gm, '')).toBe(en.replace(/\/\/.*$/gm, ''));
  });
  it('reads C with the same markers and bilingual comments (C99 `//`)', () => {
    const { en, zh } = excerpt('c/fork-demo.c', 'fork');
    expect(en).toMatch(/^pid_t returned = fork\(\); +\/\/ one call, two returns$/m);
    expect(en).not.toContain('dprintf'); // between two pieces
    expect(zh).toContain('// 一次调用，两次返回');
    expect(zh.replace(/\/\/.*$/gm, '')).toBe(en.replace(/\/\/.*$/gm, ''));
  });
  it('names the file and region that are missing', () => {
    expect(() => excerpt('go/handover.go', 'no-such-region')).toThrow(/handover\.go has no region \[no-such-region\]/);
  });
});
