// Free loopback ports for the servers we start, chosen below the kernel's ephemeral range.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

// Why below the ephemeral range: a server restarted on its old port (the API server in the fault suite, an
// operator's health port) is down for a moment, and any outgoing connection on the machine may be given
// that port as its source port meanwhile ("bind: address already in use"). connect() only ever picks from the
// ephemeral range, so ports below it stay ours.
const LOWEST = 10_000;
const ATTEMPTS = 64;

/** The first port of the kernel's ephemeral range (32768 when it cannot be read). */
export function ephemeralRangeStart(file = '/proc/sys/net/ipv4/ip_local_port_range'): number {
  try {
    const first = Number(readFileSync(file, 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(first) && first > 0 ? first : 32_768;
  } catch {
    return 32_768;
  }
}

/** Whether a server can listen on host:port right now. */
export function canListen(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** A port the kernel assigns (from the ephemeral range): the fallback when nothing lies below it. */
function kernelPort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('no port assigned'))));
    });
  });
}

/** A free port for a server: random below the ephemeral range, checked by listening on it once. */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  const highest = ephemeralRangeStart() - 1;
  if (highest - LOWEST >= 1000) {
    for (let i = 0; i < ATTEMPTS; i++) {
      const port = LOWEST + Math.floor(Math.random() * (highest - LOWEST + 1));
      if (await canListen(port, host)) return port;
    }
  }
  return kernelPort(host);
}
