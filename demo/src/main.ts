// Process entry of `npm run demo`: Ctrl-C once stops gracefully (teardown), twice gives up at once.
import { demoCommand } from './cli.js';

const stop = new AbortController();
let signals = 0;
const onSignal = () => {
  // The cluster's reaper and the operators' pdeathsig still take every process down after a forced exit.
  if (++signals > 1) process.exit(130);
  stop.abort();
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

process.exitCode = await demoCommand(process.argv.slice(2), {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  env: process.env,
  signal: stop.signal,
  isTTY: process.stdout.isTTY === true,
});
process.off('SIGINT', onSignal);
process.off('SIGTERM', onSignal);
