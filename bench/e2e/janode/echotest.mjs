// The echotest cycle with janode (Meetecho's Node.js Janus client), same interface as the
// other end-to-end clients:
//   node echotest.mjs --transport ws --url ws://127.0.0.1:8188 --cycles N [--warmup W]
// prints one JSON line: {"client":"janode","transport":"ws","cycles":N,"seconds":S,
// "cpu_user_s":U,"cpu_sys_s":Y}, time and CPU (process.cpuUsage) around the measured cycles.
// janode has no HTTP transport (WebSocket and Unix datagram sockets only): --transport http
// exits with status 3.
import Janode from 'janode';
import EchoTestPlugin from 'janode/plugins/echotest';

const usage = 'usage: echotest.mjs --transport ws|http --url URL --cycles N [--warmup W]';

function parseArgs(argv) {
  const args = { warmup: 0 };
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    if (flag === '--transport') args.transport = value;
    else if (flag === '--url') args.url = value;
    else if (flag === '--cycles') args.cycles = Number.parseInt(value, 10);
    else if (flag === '--warmup') args.warmup = Number.parseInt(value, 10);
    else throw new Error(`unknown argument ${flag}`);
  }
  if (!['ws', 'http'].includes(args.transport)) throw new Error('--transport ws|http is required');
  if (!args.url) throw new Error('--url is required');
  if (!Number.isInteger(args.cycles) || !Number.isInteger(args.warmup)) throw new Error('--cycles N is required');
  return args;
}

// Create, attach, message → ack + event, detach, destroy. janode's handle.message() settles
// when the plugin's event closes the transaction (the ack only marks it, in either order).
async function cycle(connection) {
  const session = await connection.create();
  const handle = await session.attach(EchoTestPlugin);
  const answer = await handle.message({ audio: true, video: true });
  if (answer.janus !== 'event') throw new Error(`echotest answered ${JSON.stringify(answer)}`);
  await handle.detach();
  await session.destroy();
}

async function main() {
  let args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error(`${e.message}\n${usage}`);
    process.exit(2);
  }
  if (args.transport === 'http') {
    console.error('janode has no HTTP transport (WebSocket and Unix sockets only)');
    process.exit(3);
  }
  // The default level (info) logs every request to stdout, and at warn janode logs each ack
  // that comes after its event (a third of the cycles here): keep only errors, as a
  // benchmark must not measure the console.
  Janode.Logger.setLevel('error');
  const connection = await Janode.connect({ address: { url: args.url }, max_retries: 1 });
  for (let i = 0; i < args.warmup; i++) await cycle(connection);
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < args.cycles; i++) await cycle(connection);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  console.log(JSON.stringify({
    client: 'janode',
    transport: args.transport,
    cycles: args.cycles,
    seconds: Number(seconds.toFixed(6)),
    cpu_user_s: cpu.user / 1e6,
    cpu_sys_s: cpu.system / 1e6,
  }));
  await connection.close();
}

main().then(() => process.exit(0), (e) => {
  console.error(`janode: ${e.stack || e}`);
  process.exit(1);
});
