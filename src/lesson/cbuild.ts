// Real C, where the machine has a compiler: a lesson compiles a small program from lessons/assets/ into the
// run's private directory with cc, and runs it as one more process. Without cc the build answers
// undefined and the lesson says so in one line and skips the checks that need the program.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { RUN_MARKER } from '../demo/sweep.mjs';
import { DEMO_STOPPED, LessonActionError, type LessonContext } from './types.js';

/** Compiles `source` (a path) into the run's directory; the binary's path, or undefined when there is no cc. */
export async function buildC(ctx: LessonContext, source: string, flags: string[] = []): Promise<string | undefined> {
  const name = basename(source, '.c');
  const binary = join(ctx.supervisor.dir, name);
  if (!existsSync(source)) throw new LessonActionError({ en: `${name}.c should be at ${source}, beside this lesson, but is not`, zh: `${name}.c 应该在 ${source}（这一课旁边），但不在那里` });
  if (ctx.signal.aborted) throw new LessonActionError(DEMO_STOPPED);
  try {
    // The run's marker: a tutor killed mid-build leaves no cc behind (the warden ends it with the run).
    const env = { ...process.env, [RUN_MARKER]: ctx.supervisor.runId };
    await promisify(execFile)('cc', ['-O1', ...flags, '-o', binary, source], { timeout: 60_000, signal: ctx.signal, env });
    return binary;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    const stderr = String((error as { stderr?: string }).stderr ?? '').trim().split('\n')[0];
    throw new LessonActionError({ en: `cc could not build ${name}.c${stderr ? `: ${stderr}` : ''}`, zh: `cc 无法编译 ${name}.c${stderr ? `：${stderr}` : ''}` });
  }
}
