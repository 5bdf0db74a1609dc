// Entry point of the EMQX stand-in: `emqx foreground` starts the broker from etc/emqx.conf; `emqx ctl status`
// asks the running broker, as EMQX's own command does (exit 0 and "Node '<name>' <version> is started").
import { readFileSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';

// the broker's modules (aedes, mqtt, the config parser) are loaded only by the commands that use them: `ctl status`
// is the container's healthcheck, run every interval, and loading them made each check cost a second of CPU
const broker = () => import('./broker.mjs');
const config = () => import('./config.mjs');

const CONFIG = process.env.EMQX_CONF ?? '/opt/emqx/etc/emqx.conf';
const CONTROL = process.env.EMQX_CTL_SOCKET ?? '/tmp/emqx-standin.sock';
const [command, ...rest] = process.argv.slice(2);

if (command === 'check') {
  // `emqx check FILE`: the config checks alone (what `foreground` refuses to start with), printing the config
  try {
    const { Broker } = await broker();
    const checked = await (await config()).loadConfig(readFileSync(rest[0], 'utf8'), process.env);
    await new Broker(checked).close(); // checks the placeholders too
    console.log(JSON.stringify(checked, (_, value) => (value === Infinity ? 'infinity' : value)));
  } catch (error) {
    console.error(error.message);
    process.exit(1);
  }
} else if (command === 'ctl') {
  if (rest[0] !== 'status') {
    console.error(`emqx ctl ${rest.join(' ')}: only "emqx ctl status" is implemented by the stand-in`);
    process.exit(1);
  }
  const socket = createConnection(CONTROL);
  let answer = '';
  socket.setTimeout(5000, () => { console.error('Node is not responding'); process.exit(1); });
  socket.on('data', (chunk) => { answer += chunk; });
  socket.on('end', () => { process.stdout.write(answer); process.exit(answer.includes('is started') ? 0 : 1); });
  socket.on('error', () => { console.error('Node is not running!'); process.exit(1); });
} else if (command === 'foreground' || command === 'start' || command === undefined) {
  let running;
  try {
    const { Broker } = await broker();
    running = new Broker(await (await config()).loadConfig(readFileSync(CONFIG, 'utf8'), process.env));
    await running.start();
  } catch (error) {
    // one line, then a non-zero exit: what EMQX does with a configuration it cannot load
    console.error(`EMQX stand-in refused to start: ${error.message}`);
    process.exit(1);
  }
  rmSync(CONTROL, { force: true });
  const control = createServer((socket) => socket.end(running.statusLine())).listen(CONTROL);
  const stop = async () => { control.close(); await running.close(); process.exit(0); };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
} else {
  console.error(`emqx ${command}: the stand-in runs "emqx foreground" and "emqx ctl status"`);
  process.exit(1);
}
