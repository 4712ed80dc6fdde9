// A server on this project's restart module, as lessons 11 and 13 show it: every generation runs this
// same file. A successor warms up first, listens after (from then on it accepts from the shared queue),
// and says ready last (then its predecessor drains and leaves).
import http from 'node:http';
import { Upgrader } from 'hotrestart-tutor/restart';

const handler = (request, response) => response.end('ok\n');
async function warmUp() {} // load the configuration, fill caches, open database pools

// [create]
const up = await Upgrader.create({ pidFile: '/run/app/app.pid' }) // SIGUSR2 triggers an upgrade | zh: SIGUSR2 触发升级
const server = http.createServer(handler)
// [/create]
// [order]
await warmUp()                                                    // caches, configuration, connections | zh: 缓存、配置、连接
await up.listen(server, 'http', { host: '127.0.0.1', port: 8080 }) // only now accept from the inherited fd 3 | zh: 直到这时才从继承来的 fd 3 上 accept
await up.ready()                                                  // its listeners, then READY, into the pipe at fd 4; close(4) | zh: 往 fd 4 的管道写它的监听 socket 名字和 READY；close(4)
// [/order]
// [then]
// in the old process the module then: | zh: 随后，模块在旧进程里：
//   closes its listener fd (the successor's fd 3 keeps the socket), | zh:   关闭它的监听 fd（后继进程的 fd 3 仍持有这个 socket），
//   sends each idle connection's fd over the socketpair (SCM_RIGHTS), | zh:   把每条空闲连接的 fd 通过 socketpair 发过去（SCM_RIGHTS），
//   waits for requests in flight, runs up.onExit() hooks, exits | zh:   等进行中的请求结束，运行 up.onExit() 钩子，然后退出
// [/then]
