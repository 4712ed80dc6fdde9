// Starting an upgrade with this project's restart module (lesson 11): SIGUSR2 is the module's trigger;
// any other signal, or an admin endpoint, may call upgrade() too. A successor that crashes or never says
// ready is a failed outcome: the old process goes on serving.
import { Upgrader } from 'hotrestart-tutor/restart';

const up = await Upgrader.create({ trigger: 'SIGUSR2' });

// [outcome]
process.on('SIGHUP', async () => {
  const outcome = await up.upgrade()
  if (!outcome.ok) console.log(outcome.reason) // still serving | zh: 仍在提供服务
})
// [/outcome]
