// A routed pod network for the image runtime: a /24 made local to this machine, so pod IPs may stand in EndpointSlices.
import { execFile } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Why not loopback: the API server refuses 127/8 addresses in EndpointSlices, so Services (and so webhooks
 * reached through a Service) cannot route to loopback pods. A `local` route makes every address of a private
 * /24 answer on this machine, as 127/8 does, and needs root, which the image runtime needs anyway.
 */
export interface RoutedPodNetwork {
  /** `10.x.y`: pod IPs are `<prefix>.N`. */
  prefix: string;
  remove(): Promise<void>;
}

/** The `ip route` command that adds (or deletes) the route of a prefix; also used by the reaper. */
export function localRouteArgs(verb: 'add' | 'del', prefix: string): string[] {
  return ['route', verb, 'local', `${prefix}.0/24`, 'dev', 'lo', 'table', 'local'];
}

/** Picks a free 10.200-249.x.0/24 and routes it to this machine; throws with ip's message when that is refused. */
export async function addRoutedPodNetwork(): Promise<RoutedPodNetwork> {
  const { stdout } = await run('ip', ['route', 'show', 'table', 'local']);
  for (let attempt = 0; attempt < 20; attempt++) {
    const prefix = `10.${randomInt(200, 250)}.${randomInt(0, 256)}`;
    if (stdout.includes(`${prefix}.`)) continue;
    try {
      await run('ip', localRouteArgs('add', prefix));
    } catch (error) {
      const detail = (error as { stderr?: string }).stderr?.trim() || (error as Error).message;
      if (/File exists/.test(detail)) continue;
      throw new Error(`the image runtime needs a pod network: ip ${localRouteArgs('add', prefix).join(' ')} failed: ${detail}`, {
        cause: error,
      });
    }
    return {
      prefix,
      remove: () =>
        run('ip', localRouteArgs('del', prefix)).then(
          () => undefined,
          () => undefined,
        ),
    };
  }
  throw new Error('the image runtime found no free 10.200-249.x.0/24 for its pod network');
}
