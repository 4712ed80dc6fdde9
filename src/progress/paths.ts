// Where progress lives. A visible file in the XDG state directory (not a cache: losing it loses the
// learner's record, and not config: nothing in it is a setting), overridable as a whole for tests,
// classrooms and portable installs with HOTRESTART_TUTOR_HOME.
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';

export const PROGRESS_FILE = 'progress.json';

/** $HOTRESTART_TUTOR_HOME/progress.json, else $XDG_STATE_HOME/hotrestart-tutor/progress.json,
 *  else ~/.local/state/hotrestart-tutor/progress.json. */
export function progressPath(env: NodeJS.ProcessEnv): string {
  if (env.HOTRESTART_TUTOR_HOME) return join(env.HOTRESTART_TUTOR_HOME, PROGRESS_FILE);
  // The XDG spec says a relative XDG_STATE_HOME is invalid and must be ignored.
  const xdg = env.XDG_STATE_HOME && isAbsolute(env.XDG_STATE_HOME) ? env.XDG_STATE_HOME : undefined;
  const state = xdg ?? join(env.HOME || homedir(), '.local', 'state');
  return join(state, 'hotrestart-tutor', PROGRESS_FILE);
}
