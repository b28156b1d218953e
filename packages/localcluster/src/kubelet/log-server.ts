// The kubelet's HTTPS endpoint for `kubectl logs`: the apiserver proxies pods/log to /containerLogs/<ns>/<pod>/<container>.
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { podLogPath } from './layout.js';

export interface LogServer {
  port: number;
  close(): Promise<void>;
}

/** The last `n` lines of `text` (kubelet's tailLines). */
export function tailLines(text: string, n: number): string {
  if (n <= 0) return '';
  const lines = text.split('\n');
  const trailing = lines[lines.length - 1] === '' ? lines.pop() : undefined;
  return lines.slice(-n).join('\n') + (trailing === '' ? '\n' : '');
}

/**
 * Any certificate will do: kube-apiserver does not verify kubelet serving certs unless
 * --kubelet-certificate-authority is set, so this reuses the apiserver's own key pair.
 */
export async function startLogServer(options: { clusterDir: string; cert: string; key: string }): Promise<LogServer> {
  const server: Server = createServer({ cert: options.cert, key: options.key }, (req, res) => {
    const url = new URL(req.url ?? '/', 'https://kubelet');
    const m = /^\/containerLogs\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(url.pathname);
    if (!m) {
      res.writeHead(404).end('the capstan kubelet simulator serves only /containerLogs\n');
      return;
    }
    const [ns, pod, container] = m.slice(1).map(decodeURIComponent) as [string, string, string];
    const file = podLogPath(options.clusterDir, ns, pod, container);
    if (!existsSync(file)) {
      res.writeHead(404).end(`no logs for container ${container} of pod ${ns}/${pod}\n`);
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain' });
    const tail = url.searchParams.get('tailLines');
    const follow = url.searchParams.get('follow') === 'true';
    if (!follow && tail === null) {
      createReadStream(file).pipe(res);
      return;
    }
    const text = readFileSync(file, 'utf8');
    res.write(tail === null ? text : tailLines(text, Number(tail)));
    let offset = Buffer.byteLength(text);
    if (!follow) {
      res.end();
      return;
    }
    // follow: poll the file for growth until the client goes away
    const timer = setInterval(() => {
      let size: number;
      try {
        size = statSync(file).size;
      } catch {
        clearInterval(timer);
        res.end();
        return;
      }
      if (size > offset) {
        createReadStream(file, { start: offset, end: size - 1 }).pipe(res, { end: false });
        offset = size;
      }
    }, 250);
    res.on('close', () => clearInterval(timer));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
