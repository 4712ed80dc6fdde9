// The verifier's own sentences, in English and Simplified Chinese: faults (one sentence each) and the
// words of a report. Exercise-specific text lives in each exercise's folder.
import type { ExitRecord } from './program.js';
import type { Text } from './types.js';

const seconds = (ms: number) => Math.round(ms / 100) / 10;

function exitWords(exit: ExitRecord | undefined): Text {
  if (!exit) return { en: 'ended', zh: '已结束' };
  if (exit.signal) return { en: `was killed by ${exit.signal}`, zh: `被 ${exit.signal} 杀死` };
  return { en: `exited with code ${exit.code}`, zh: `以退出码 ${exit.code} 退出` };
}

export const faultText = {
  crashed(exit: ExitRecord | undefined, lastLine: string): Text {
    const how = exitWords(exit);
    const said = lastLine ? { en: `; its last line: ${lastLine}`, zh: `；最后一行输出：${lastLine}` } : { en: '', zh: '' };
    return {
      en: `The program ${how.en} before it listened${said.en}.`,
      zh: `程序在监听之前就${how.zh}${said.zh}。`,
    };
  },
  noListener: (ms: number): Text => ({
    en: `The program ran for ${seconds(ms)} s without a TCP listening socket on 127.0.0.1 (listen on 127.0.0.1 port 0; the verifier finds the port in the kernel's tables).`,
    zh: `程序运行了 ${seconds(ms)} 秒，仍没有 127.0.0.1 上的 TCP 监听 socket（请监听 127.0.0.1 的 0 号端口；验证器从内核的表里找到端口）。`,
  }),
  notLoopback: (address: string): Text => ({
    en: `The program listens on ${address}, not on 127.0.0.1: listen on 127.0.0.1 port 0 so that nothing outside this machine can reach it.`,
    zh: `程序监听在 ${address} 而不是 127.0.0.1：请监听 127.0.0.1 的 0 号端口，这样本机以外什么都连不到它。`,
  }),
  forkLoop: (count: number): Text => ({
    en: `The program ran ${count} processes at once, more than the verifier allows (a fork loop?): every one of them was killed.`,
    zh: `程序同时运行了 ${count} 个进程，超过验证器允许的上限（fork 循环？）：它们全部已被杀死。`,
  }),
  output: (bytes: number): Text => ({
    en: `The program printed more than ${Math.floor(bytes / 1024)} KiB (endless output?): it was stopped.`,
    zh: `程序输出超过 ${Math.floor(bytes / 1024)} KiB（无休止的输出？）：已被停止。`,
  }),
  timeout: (ms: number): Text => ({
    en: `The verify did not finish within ${seconds(ms)} s (the program hangs?): every process it started was killed.`,
    zh: `验证没有在 ${seconds(ms)} 秒内完成（程序卡住了？）：它启动的每个进程都已被杀死。`,
  }),
  build: (firstLines: string): Text => ({
    en: `go build failed: ${firstLines}`,
    zh: `go build 失败：${firstLines}`,
  }),
  startFailed: (message: string): Text => ({
    en: `The program could not be started: ${message}.`,
    zh: `无法启动程序：${message}。`,
  }),
  stopped: { en: 'The verify was stopped before it finished: every process it started was killed.', zh: '验证在完成前被停止：它启动的每个进程都已被杀死。' } as Text,
  notReached: (fault: Text): Text => ({
    en: `Not checked: ${fault.en}`,
    zh: `未检查：${fault.zh}`,
  }),
};

export const reportText = {
  exercise: { en: 'Exercise', zh: '练习' },
  passed: { en: 'passed: every check held.', zh: '通过：每项检查都成立。' },
  failed: { en: 'not yet: {failed} of {total} checks failed.', zh: '尚未通过：{total} 项检查中有 {failed} 项失败。' },
  hint: { en: 'hint: ', zh: '提示：' },
  output: { en: 'last lines the program printed:', zh: '程序最后输出的几行：' },
  took: { en: 'verified in {s} s ({code})', zh: '验证用时 {s} 秒（{code}）' },
} satisfies Record<string, Text>;
