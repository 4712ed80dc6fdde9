// Every lesson, in order. Add one import and one entry per lesson file (lessons/NN-id.ts).
import type { Lesson } from '../src/lesson/types.js';
import { orderQuizzes } from '../src/lesson/quiz.js';
import { lesson as whatIsHotRestart } from './01-what-is-hot-restart.js';
import { lesson as fork } from './02-fork.js';
import { lesson as fdDescriptionInode } from './03-fd-description-inode.js';
import { lesson as inheritanceCloexec } from './04-inheritance-cloexec.js';
import { lesson as dupLeak } from './05-dup-leak.js';
import { lesson as nonblockOnDescription } from './06-nonblock-on-description.js';
import { lesson as reuseportPitfalls } from './07-reuseport-pitfalls.js';
import { lesson as passByInheritance } from './08-pass-by-inheritance.js';
import { lesson as scmRights } from './09-scm-rights.js';
import { lesson as rebuildListener } from './10-rebuild-listener.js';
import { lesson as signalsReadiness } from './11-signals-readiness.js';
import { lesson as gracefulDrain } from './12-graceful-drain.js';
import { lesson as wholeHotRestart } from './13-whole-hot-restart.js';
import { lesson as nginxBinaryUpgrade } from './14-nginx-binary-upgrade.js';
import { lesson as reloadNotRestart } from './15-reload-not-restart.js';
import { lesson as supervisors } from './16-supervisors.js';
import { lesson as containers } from './17-containers.js';
import { lesson as versionSkew } from './18-version-skew.js';

export const lessons: Lesson[] = [whatIsHotRestart, fork, fdDescriptionInode, inheritanceCloexec, dupLeak, nonblockOnDescription, reuseportPitfalls, passByInheritance, scmRights, rebuildListener, signalsReadiness, gracefulDrain, wholeHotRestart, nginxBinaryUpgrade, reloadNotRestart, supervisors, containers, versionSkew]
  .sort((a, b) => a.number - b.number)
  // As the learner sees them: each quiz's choices in their own order, not the right one first.
  .map((lesson: Lesson) => orderQuizzes(lesson));
