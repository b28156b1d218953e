// Which port of a pod the handshake talks to: annotation, else the container port named `http`, else 3000.
import { DEFAULT_PORT, HTTP_PORT_NAME, PORT_ANNOTATION } from './names.js';
import { PortError } from './errors.js';
import type { Pod } from './kube-types.js';

export interface ResolvedPort {
  port: number;
  source: 'annotation' | 'container-port' | 'default';
}

/** Resolves the handshake port; throws PortError when the annotation is present but unusable. */
export function resolvePort(pod: Pod): ResolvedPort {
  const annotated = pod.metadata?.annotations?.[PORT_ANNOTATION];
  if (annotated !== undefined) return { port: parsePort(annotated), source: 'annotation' };
  for (const container of pod.spec?.containers ?? []) {
    for (const port of container.ports ?? []) {
      if (port.name === HTTP_PORT_NAME && Number.isInteger(port.containerPort)) {
        return { port: port.containerPort, source: 'container-port' };
      }
    }
  }
  return { port: DEFAULT_PORT, source: 'default' };
}

/** Strictly a decimal 1..65535: no signs, spaces, paths, hex or names, so the value cannot steer the URL. */
export function parsePort(value: string): number {
  const shown = JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
  if (!/^[0-9]{1,5}$/.test(value)) {
    throw new PortError(`annotation ${PORT_ANNOTATION}=${shown} is not a port number (expected digits only, 1-65535)`, { value });
  }
  const port = Number(value);
  if (port < 1 || port > 65535) {
    throw new PortError(`annotation ${PORT_ANNOTATION}=${shown} is out of range (expected 1-65535)`, { value });
  }
  return port;
}
