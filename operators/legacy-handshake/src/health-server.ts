// /healthz, /readyz (and /metrics when given) for the kubelet probes and scrapers; plain node:http.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HealthServerOptions {
  port: number;
  host?: string;
  /** Liveness: false once the operator is stopping or has failed. */
  isAlive: () => boolean;
  /** Readiness: true once the watches are running. */
  isReady: () => boolean;
  /** Prometheus text exposition, when metrics are available. */
  metrics?: () => Promise<{ contentType: string; body: string }>;
}

export interface HealthServer {
  readonly port: number;
  close(): Promise<void>;
}

export async function startHealthServer(options: HealthServerOptions): Promise<HealthServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const reply = (status: number, body: string, type = 'text/plain; charset=utf-8') => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return reply(405, 'method not allowed\n');
    if (path === '/healthz') return options.isAlive() ? reply(200, 'ok\n') : reply(503, 'stopping\n');
    if (path === '/readyz') return options.isReady() ? reply(200, 'ready\n') : reply(503, 'not ready\n');
    if (path === '/metrics' && options.metrics) {
      options.metrics().then((m) => reply(200, m.body, m.contentType), () => reply(500, 'metrics unavailable\n'));
      return;
    }
    reply(404, 'not found\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '0.0.0.0', () => { server.off('error', reject); resolve(); });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections(); }),
  };
}
