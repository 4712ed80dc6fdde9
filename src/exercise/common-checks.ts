// Checks that several exercises share: "the program serves HTTP on its loopback listener".
import type { VerifyContext } from './context.js';
import { httpGet } from './clients.js';
import type { CheckSpec } from './types.js';

/** The check every HTTP exercise starts with; exercises may replace its title or hint. */
export const servesCheck: CheckSpec = {
  id: 'serves',
  title: { en: 'the server answers GET / on its 127.0.0.1 listener', zh: '服务器在 127.0.0.1 的监听 socket 上响应 GET /' },
  hint: { en: 'Listen on 127.0.0.1 port 0 and answer 200 to GET /.', zh: '监听 127.0.0.1 的 0 号端口，对 GET / 回 200。' },
};

/** GETs every path at once and records `serves`: passed when each was answered 200. */
export async function checkServes(ctx: VerifyContext, port: number, paths: string[] = ['/']): Promise<boolean> {
  const answers = await Promise.all(paths.map((path) => httpGet(port, { path })));
  const said = answers.map((answer, i) => `GET ${paths[i]} → ${answer.status ?? answer.error}`).join(', ');
  return ctx.record('serves', answers.every((answer) => answer.status === 200), {
    pass: { en: `${said} on port ${port}.`, zh: `端口 ${port} 上：${said}。` },
    fail: { en: `${said} on port ${port}.`, zh: `端口 ${port} 上：${said}。` },
  });
}
