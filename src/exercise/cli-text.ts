// What the exercise commands say, in English and Simplified Chinese.
import type { Text } from './types.js';

export const cliText = {
  unknownExercise: { en: 'There is no exercise "{name}"; hotrestart-tutor exercise list shows them.', zh: '没有练习 “{name}”；hotrestart-tutor exercise list 会列出所有练习。' },
  nameOne: { en: 'Name an exercise (e.g. 1 or close-dup), or run this inside an exercise workspace.', zh: '请指定一个练习（如 1 或 close-dup），或在练习工作区里运行。' },
  noWorkspace: { en: 'There is no workspace of exercise {n} at {dir}; create it with hotrestart-tutor exercise start {n}.', zh: '{dir} 下没有练习 {n} 的工作区；请用 hotrestart-tutor exercise start {n} 创建。' },
  exists: { en: '{dir} already exists: it is left as it is (use another --dir, or hotrestart-tutor exercise reset {n} to restore the starter).', zh: '{dir} 已经存在：保持原样不动（换一个 --dir，或用 hotrestart-tutor exercise reset {n} 恢复初始代码）。' },
  badCode: { en: 'Unknown language "{code}": use --code node or --code go.', zh: '未知语言 “{code}”：请用 --code node 或 --code go。' },
  created: { en: 'Created {dir} ({code}):', zh: '已创建 {dir}（{code}）：' },
  nextSteps: { en: 'Read README.md, edit the TODO, then run: hotrestart-tutor verify {n} --dir {root}', zh: '阅读 README.zh-CN.md，完成 TODO，然后运行：hotrestart-tutor verify {n} --dir {root}' },
  listHeader: { en: 'Exercises (✔ passed, ◐ attempted, · not yet):', zh: '练习（✔ 已通过，◐ 尝试过，· 尚未开始）：' },
  afterLesson: { en: 'after lesson {n}', zh: '基于第 {n} 课' },
  listFooter: { en: 'Start one: hotrestart-tutor exercise start N [--code node|go]; check it: hotrestart-tutor verify N', zh: '开始：hotrestart-tutor exercise start N [--code node|go]；检查：hotrestart-tutor verify N' },
  progressNotSaved: { en: 'The result was not saved: {path} cannot be written.', zh: '结果未保存：无法写入 {path}。' },
  watching: { en: 'Watching {dir}: verifies again when a file changes; Enter verifies now, q quits.', zh: '正在监视 {dir}：文件一改就重新验证；回车立即验证，q 退出。' },
  watchKeysOnly: { en: 'File changes cannot be watched here: press Enter to verify again, q to quit.', zh: '这里无法监视文件变化：按回车重新验证，按 q 退出。' },
  waitingForSlot: { en: 'Other verifies are running on this machine: waiting for a free slot (one per CPU core).', zh: '本机上正有其他验证在运行：正在等待空闲的验证名额（每个 CPU 核一个）。' },
  noWorkspaces: { en: 'No exercise workspaces under {dir}.', zh: '{dir} 下没有练习工作区。' },
  hintOf: { en: 'Hint {i} of {total} for exercise {n}:', zh: '练习 {n} 的提示 {i}/{total}：' },
  hintsAllShown: { en: 'That was the last hint; the hints of failed checks appear under each ✘ of verify.', zh: '这是最后一条提示；失败检查的提示会出现在 verify 的每个 ✘ 下面。' },
  solutionAsk: { en: 'You have not passed exercise {n} yet. Show the reference solution anyway? [y/N] ', zh: '你还没有通过练习 {n}。仍然显示参考答案吗？[y/N] ' },
  solutionNeedsYes: { en: 'Exercise {n} is not passed yet: showing its solution needs --yes when there is no terminal to ask at.', zh: '练习 {n} 尚未通过：没有终端可以询问时，显示答案需要 --yes。' },
  solutionKept: { en: 'Solution not shown.', zh: '未显示答案。' },
  resetAsk: { en: 'Put the starter files of exercise {n} back into {dir} (your changes to them are lost) and erase its record? [y/N] ', zh: '把练习 {n} 的初始文件放回 {dir}（你对它们的修改会丢失）并清除它的记录吗？[y/N] ' },
  resetNeedsYes: { en: 'Resetting exercise {n} needs --yes when there is no terminal to ask at.', zh: '没有终端可以询问时，重置练习 {n} 需要 --yes。' },
  resetDone: { en: 'Exercise {n} is back to its starter in {dir}; its record is erased.', zh: '练习 {n} 已恢复为 {dir} 中的初始代码；记录已清除。' },
  resetKept: { en: 'Nothing changed.', zh: '没有改动。' },
  learner: { en: 'learner', zh: '学员' },
  classUnreadable: { en: '{who}: cannot read {path} ({reason}).', zh: '{who}：无法读取 {path}（{reason}）。' },
  classMissing: { en: '{who}: no progress file at {path}.', zh: '{who}：{path} 没有进度文件。' },
  classNoHomes: { en: 'No home directories given or found under /home.', zh: '没有指定家目录，/home 下也没有找到。' },
} satisfies Record<string, Text>;

/** The exercises in the table of contents and in a lesson's summary. */
export const tocText = {
  exercise: { en: 'ex', zh: '练习' },
  offer: { en: 'Now write it yourself — exercise {n}, {title}: hotrestart-tutor exercise start {n}', zh: '现在自己动手写——练习 {n}「{title}」：hotrestart-tutor exercise start {n}' },
} satisfies Record<string, Text>;

export const exerciseMarkWords = {
  passed: { en: 'passed', zh: '已通过' },
  attempted: { en: 'attempted', zh: '尝试过' },
  none: { en: 'not yet', zh: '未开始' },
} satisfies Record<string, Text>;
