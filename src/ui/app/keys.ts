// Ink hands several plain keys that arrive in one read (fast typing, a paste, a script driving the
// terminal) to useInput as one string. The tutor's keys are single characters, so such a chunk is
// split back into keys; escape sequences (arrows) and control keys are left as Ink parsed them.
import type { Key } from 'ink';

export function splitKeys(input: string, key: Key): Array<[string, Key]> {
  const chars = [...input];
  if (chars.length <= 1 || key.ctrl || key.meta || input.includes('\x1b')) return [[input, key]];
  return chars.map((char) => [char, { ...key, return: char === '\r' || char === '\n' }]);
}
