// The full-state check every fault test ends with: each AgeSecret has exactly its Secret with the right value,
// no orphaned or duplicate Secrets, and every running labelled pod is handshaken.
import { ApiClient, type KubeObject } from 'capstan';
import { AGESECRETS, b64, PODS, SECRETS, type Declared } from './workload.js';
import { waitUntil } from 'capstan/testing';

interface Condition {
  type: string;
  status: string;
  reason?: string;
  observedGeneration?: number;
}
type AgeSecretObj = KubeObject & { spec?: { secretName?: string }; status?: { conditions?: Condition[]; secretName?: string } };
type SecretObj = KubeObject & { data?: Record<string, string> };
type PodObj = KubeObject & { status?: { phase?: string; containerStatuses?: { ready?: boolean; restartCount?: number }[] } };

export interface StateExpectation {
  namespaces: string[];
  declared: Declared[];
  /** Namespaces whose labelled, running pods must all be handshaken. */
  podNamespaces?: string[];
}

export interface StateSummary {
  ageSecrets: number;
  secrets: number;
  pods: number;
  problems: string[];
}

const readyOf = (obj: AgeSecretObj) => obj.status?.conditions?.find((c) => c.type === 'Ready');
const ownerUid = (s: KubeObject) => s.metadata.ownerReferences?.find((o) => o.kind === 'AgeSecret' && o.controller)?.uid;

export async function inspectState(client: ApiClient, expect: StateExpectation): Promise<StateSummary> {
  const problems: string[] = [];
  let ageSecretCount = 0;
  let secretCount = 0;
  let podCount = 0;
  for (const namespace of expect.namespaces) {
    const [ageSecrets, secrets] = await Promise.all([
      client.list<AgeSecretObj>(AGESECRETS, { namespace, limit: 500 }),
      client.list<SecretObj>(SECRETS, { namespace, limit: 500 }),
    ]);
    const byName = new Map(ageSecrets.items.map((a) => [a.metadata.name, a]));
    const byUid = new Map(ageSecrets.items.map((a) => [a.metadata.uid, a]));
    const owned = secrets.items.filter((s) => ownerUid(s) !== undefined);
    ageSecretCount += ageSecrets.items.length;
    secretCount += owned.length;
    const ownedBy = new Map<string, SecretObj[]>();
    for (const s of owned) ownedBy.set(ownerUid(s)!, [...(ownedBy.get(ownerUid(s)!) ?? []), s]);
    for (const d of expect.declared.filter((x) => x.namespace === namespace)) {
      const obj = byName.get(d.name);
      if (d.deleted) {
        if (obj)
          problems.push(`${namespace}/${d.name}: deleted but still there (finalizers ${JSON.stringify(obj.metadata.finalizers ?? [])})`);
        continue;
      }
      if (!obj) {
        problems.push(`${namespace}/${d.name}: missing`);
        continue;
      }
      const ready = readyOf(obj);
      if (ready?.status !== 'True' || ready.observedGeneration !== obj.metadata.generation) {
        problems.push(
          `${namespace}/${d.name}: not Ready for generation ${obj.metadata.generation} (${ready ? `${ready.status} ${ready.reason} gen ${ready.observedGeneration}` : 'no condition'})`,
        );
      }
      const mine = ownedBy.get(obj.metadata.uid!) ?? [];
      if (mine.length !== 1)
        problems.push(`${namespace}/${d.name}: owns ${mine.length} Secrets (${mine.map((s) => s.metadata.name).join(', ')})`);
      const secret = secrets.items.find((s) => s.metadata.name === d.secretName);
      if (!secret) problems.push(`${namespace}/${d.name}: Secret ${d.secretName} missing`);
      else if (ownerUid(secret) !== obj.metadata.uid) problems.push(`${namespace}/${d.name}: Secret ${d.secretName} not owned by it`);
      else if (secret.data?.[d.key] !== b64(d.value)) problems.push(`${namespace}/${d.name}: Secret ${d.secretName} has a wrong value`);
    }
    for (const s of owned) {
      const owner = byUid.get(ownerUid(s)!);
      if (!owner) problems.push(`${namespace}/${s.metadata.name}: orphan (its AgeSecret is gone)`);
      else if (owner.spec?.secretName !== s.metadata.name)
        problems.push(`${namespace}/${s.metadata.name}: stale (owner ${owner.metadata.name} now wants ${owner.spec?.secretName})`);
    }
  }
  for (const namespace of expect.podNamespaces ?? []) {
    const pods = await client.list<PodObj>(PODS, { namespace, labelSelector: 'secret-handshake=true' });
    for (const pod of pods.items) {
      if (pod.metadata.deletionTimestamp || pod.status?.phase !== 'Running') {
        problems.push(`pod ${namespace}/${pod.metadata.name}: not running (${pod.status?.phase})`);
        continue;
      }
      podCount++;
      const a = pod.metadata.annotations ?? {};
      const restarts = String(pod.status?.containerStatuses?.[0]?.restartCount ?? 0);
      if (a['secret-handshake-done'] !== 'true' || a['secret-handshake.pyvo.io/restart-count'] !== restarts) {
        problems.push(`pod ${namespace}/${pod.metadata.name}: not handshaken at restart ${restarts}`);
      }
    }
  }
  return { ageSecrets: ageSecretCount, secrets: secretCount, pods: podCount, problems };
}

/** Waits until the full state holds; returns how long it took and the final summary. */
export async function waitConverged(
  client: ApiClient,
  expect: StateExpectation,
  options: { timeoutMs?: number; failFast?: () => boolean } = {},
): Promise<{ ms: number; summary: StateSummary }> {
  const started = Date.now();
  let last: StateSummary | undefined;
  const summary = await waitUntil(
    async () => {
      last = await inspectState(client, expect);
      return last.problems.length === 0 ? last : undefined;
    },
    {
      timeoutMs: options.timeoutMs ?? 600_000,
      intervalMs: 1000,
      message: 'the full state (every AgeSecret with its Secret, no orphans, pods handshaken)',
      ...(options.failFast ? { failFast: options.failFast } : {}),
      progress: () => (last ? `${last.problems.length} problems, e.g. ${last.problems.slice(0, 5).join('; ')}` : 'nothing yet'),
    },
  );
  return { ms: Date.now() - started, summary };
}
