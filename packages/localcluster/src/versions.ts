// The Kubernetes versions the local control plane can run: the supported minors, each pinned to one patch release.
import { UnsupportedVersionError } from './errors.js';

/** Upstream's support window: the three newest minors. Each is built from Go modules on first use. */
export const SUPPORTED_KUBERNETES: Readonly<Record<string, string>> = Object.freeze({
  '1.35': '1.35.4',
  '1.36': '1.36.3',
  '1.37': '1.37.2',
});

/** The Kubernetes version local clusters run unless told otherwise (the newest supported). */
export const DEFAULT_KUBERNETES_VERSION = '1.37.2';
/** etcd 3.6: a current kube-apiserver needs RequestWatchProgress (consistent reads, streaming lists). */
export const ETCD_VERSION = '3.6.16';

/** The oldest supported minor: CI's matrix runs the operators, examples and the demo on it too. */
export const OLDEST_SUPPORTED_MINOR = Object.keys(SUPPORTED_KUBERNETES).sort(compareMinor)[0] as string;

function compareMinor(a: string, b: string): number {
  const [am = 0, an = 0] = a.split('.').map(Number);
  const [bm = 0, bn = 0] = b.split('.').map(Number);
  return am - bm || an - bn;
}

/**
 * "1.35", "v1.35", "1.35.4" or "v1.35.4" -> "1.35.4". A minor maps to its pinned patch; a full version must be
 * a supported minor's (another patch of a supported minor is accepted: the Go module proxy may serve it).
 */
export function resolveKubernetesVersion(requested: string | undefined): string {
  if (!requested) return DEFAULT_KUBERNETES_VERSION;
  const text = requested.trim().replace(/^v/, '');
  const match = /^(\d+)\.(\d+)(?:\.(\d+))?$/.exec(text);
  const minor = match ? `${match[1]}.${match[2]}` : undefined;
  const pinned = minor ? SUPPORTED_KUBERNETES[minor] : undefined;
  if (!match || !pinned) {
    throw new UnsupportedVersionError(
      `unsupported Kubernetes version "${requested}": supported minors are ${Object.keys(SUPPORTED_KUBERNETES).join(', ')} (e.g. --kubernetes 1.35)`,
    );
  }
  return match[3] === undefined ? pinned : text;
}
