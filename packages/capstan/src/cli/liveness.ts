// A minimal liveness endpoint for `capstan run --liveness URL` (200 while the process serves requests).
import http from 'node:http';

export interface LivenessServer {
  port: number;
  close(): Promise<void>;
}

export function startLiveness(url: URL, alive: () => boolean): Promise<LivenessServer> {
  const server = http.createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path !== url.pathname) {
      res.writeHead(404).end();
      return;
    }
    const ok = alive();
    res.writeHead(ok ? 200 : 503, { 'Content-Type': 'text/plain' }).end(ok ? 'ok\n' : 'not alive\n');
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(Number(url.port || 80), url.hostname, () => {
      const addr = server.address();
      resolve({
        port: typeof addr === 'object' && addr ? addr.port : 0,
        close: () => new Promise((r) => server.close(() => r())),
      });
    });
  });
}
