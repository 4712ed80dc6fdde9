// A queue consumer that drains on exit (lesson 12): stop fetching, finish the messages in hand, ack each
// only once done, then close. The fetch in progress when the drain begins is aborted or awaited, so no
// message fetched after onExit began is left unhandled.
import { Upgrader } from 'hotrestart-tutor/restart';

const up = await Upgrader.create();
const queue = { fetch: async () => null, close: async () => {} }; // a broker client: Kafka, RabbitMQ, SQS
const handle = async () => {};

// [drain]
const stop = new AbortController()
const inFlight = new Set()
async function consume() {
  while (!stop.signal.aborted) {
    const msg = await queue.fetch({ signal: stop.signal }).catch(() => null) // null once aborted | zh: 中止后得到 null
    if (!msg) continue
    const job = handle(msg).then(() => msg.ack()) // ack only once done | zh: 处理完才确认
    inFlight.add(job)
    job.finally(() => inFlight.delete(job))
  }
}
const consuming = consume()
up.onExit(async () => {
  stop.abort()                // stop fetching | zh: 停止拉取
  await consuming             // a fetch in progress ends; its message, if any, joins inFlight | zh: 进行中的拉取结束；拉到的消息也会进入 inFlight
  await Promise.all(inFlight) // finish what is in hand | zh: 处理完手头的消息
  await queue.close()
})
// [/drain]
