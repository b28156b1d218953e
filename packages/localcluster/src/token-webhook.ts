// The authentication webhook kube-apiserver calls for tokens it does not know itself (minted user tokens).
import { createServer, type Server } from 'node:http';
import { verifyUserToken } from './tokens.js';

export interface TokenWebhook {
  url: string;
  close(): Promise<void>;
}

/** Plain HTTP on loopback: only the local apiserver talks to it, and it only says yes to correctly signed tokens. */
export async function startTokenWebhook(options: { secret: string; port: number }): Promise<TokenWebhook> {
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let token = '';
      let apiVersion = 'authentication.k8s.io/v1';
      try {
        const review = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { apiVersion?: string; spec?: { token?: string } };
        token = review.spec?.token ?? '';
        apiVersion = review.apiVersion ?? apiVersion;
      } catch {
        // an unparsable review is simply not authenticated
      }
      const identity = token ? verifyUserToken(options.secret, token) : undefined;
      const status = identity
        ? {
            authenticated: true,
            user: {
              username: identity.user,
              uid: identity.uid || identity.user,
              groups: [...(identity.groups ?? []), 'system:authenticated'],
            },
          }
        : { authenticated: false };
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ apiVersion, kind: 'TokenReview', status }));
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  return {
    url: `http://127.0.0.1:${options.port}/authenticate`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
