// The soak's churn: AgeSecret creates, value updates and deletes across namespaces, key rotations (a namespace's
// key Secret gains a new identity, its AgeSecrets are re-encrypted, the old identity goes) and legacy pod
// replacements, paced by timers (load shaping); each namespace's writes run one at a time so none races a rotation.
import type { ApiClient, KubeObject } from 'capstan';
import { runAtRate } from '../bench/src/pool.js';
import {
  AGESECRETS,
  ageSecretFor,
  createNamespaceWithKey,
  createPlainNamespace,
  KEY_FIELD,
  KEY_SECRET,
  legacyPod,
  newKeys,
  PODS,
  retrying,
  SECRETS,
  secretValue,
  type Declared,
  type Keys,
} from './workload.js';

export const SOAK_MARKER = 'PLAINTEXT-SOAK';

export interface ChurnOptions {
  /** Namespaces of AgeSecrets, each with its own key Secret. */
  namespaces: number;
  /** AgeSecrets per namespace: created at the start, kept between min and max by the churn. */
  initial: number;
  min: number;
  max: number;
  /** Labelled legacy pods kept running (each a real process of the kubelet simulator: keep it small). */
  pods: number;
  /** AgeSecret writes per second, over all namespaces. */
  writesPerSec: number;
  /** A key rotation (the next namespace in turn) every this many ms. */
  rotateEveryMs: number;
  /** A legacy pod replaced (the oldest deleted, a new one created) every this many ms. */
  podEveryMs: number;
}

export interface ChurnCounts {
  creates: number;
  updates: number;
  deletes: number;
  rotations: number;
  reencrypted: number;
  podReplacements: number;
}

interface Space {
  namespace: string;
  keys: Keys;
  live: Declared[];
  /** The tail of this namespace's writes: each new one starts after it. */
  tail: Promise<unknown>;
}

export class SoakChurn {
  readonly counts: ChurnCounts = { creates: 0, updates: 0, deletes: 0, rotations: 0, reencrypted: 0, podReplacements: 0 };
  /** Every AgeSecret ever written, deleted ones marked: what the full-state check expects. */
  readonly declared: Declared[] = [];
  podNamespace = '';
  #spaces: Space[] = [];
  #pods: string[] = [];
  #next = 0;
  #nextPod = 0;

  constructor(
    private readonly client: ApiClient,
    private readonly options: ChurnOptions,
  ) {}

  get namespaces(): string[] {
    return this.#spaces.map((s) => s.namespace);
  }

  /** The namespaces with their keys and first AgeSecrets, and the pods. */
  async setup(): Promise<void> {
    for (let i = 0; i < this.options.namespaces; i++) {
      const keys = await newKeys();
      const namespace = await createNamespaceWithKey(this.client, 'soak', keys);
      const space: Space = { namespace, keys, live: [], tail: Promise.resolve() };
      this.#spaces.push(space);
      for (let j = 0; j < this.options.initial; j++) await this.#create(space);
    }
    this.podNamespace = await createPlainNamespace(this.client, 'soak-pods');
    for (let i = 0; i < this.options.pods; i++) await this.#addPod();
  }

  /** Churns for `durationMs`: writes, rotations and pod replacements each at their own pace; resolves when all landed. */
  async run(durationMs: number): Promise<void> {
    const o = this.options;
    const ticks = (everyMs: number) => Array.from({ length: Math.floor(durationMs / everyMs) }, (_, i) => i);
    await Promise.all([
      runAtRate(ticks(1000 / o.writesPerSec), o.writesPerSec, () => this.#write()),
      runAtRate(ticks(o.rotateEveryMs).slice(1), 1000 / o.rotateEveryMs, (_, i) => this.#rotate(this.#spaces[i % this.#spaces.length]!)),
      runAtRate(ticks(o.podEveryMs).slice(1), 1000 / o.podEveryMs, () => this.#replacePod()),
    ]);
    await Promise.all(this.#spaces.map((s) => s.tail));
  }

  /** Runs `write` after the namespace's earlier writes (a rotation holds its namespace until it is done). */
  #serial(space: Space, write: () => Promise<void>): Promise<void> {
    const done = space.tail.then(write);
    space.tail = done.catch(() => undefined);
    return done;
  }

  #write(): Promise<void> {
    const space = this.#spaces[Math.floor(Math.random() * this.#spaces.length)]!;
    return this.#serial(space, async () => {
      const o = this.options;
      const roll = Math.random();
      if (space.live.length < o.min || (space.live.length < o.max && roll < 0.3)) await this.#create(space);
      else if (space.live.length > o.max || roll > 0.7) await this.#delete(space);
      else await this.#update(space);
    });
  }

  async #body(d: Declared, space: Space): Promise<KubeObject> {
    return ageSecretFor(d, [space.keys.recipient], KEY_SECRET);
  }

  async #create(space: Space): Promise<void> {
    const i = this.#next++;
    const d: Declared = {
      namespace: space.namespace,
      name: `as-${i}`,
      secretName: `s-${i}`,
      key: 'value',
      value: secretValue(SOAK_MARKER, i),
    };
    const body = await this.#body(d, space);
    await retrying(() => this.client.create(AGESECRETS, body, { namespace: d.namespace }), { what: `create ${d.name}` });
    space.live.push(d);
    this.declared.push(d);
    this.counts.creates++;
  }

  async #update(space: Space): Promise<void> {
    const d = space.live[Math.floor(Math.random() * space.live.length)];
    if (!d) return;
    d.value = secretValue(SOAK_MARKER, this.#next++);
    await this.#reencrypt(d, space);
    this.counts.updates++;
  }

  async #reencrypt(d: Declared, space: Space): Promise<void> {
    const { spec } = (await this.#body(d, space)) as KubeObject & { spec: { secret: string } };
    await retrying(() => this.client.patch(AGESECRETS, { namespace: d.namespace, name: d.name }, { spec: { secret: spec.secret } }), {
      what: `update ${d.name}`,
    });
  }

  async #delete(space: Space): Promise<void> {
    const d = space.live.splice(Math.floor(Math.random() * space.live.length), 1)[0];
    if (!d) return;
    await retrying(() => this.client.delete(AGESECRETS, { namespace: d.namespace, name: d.name }), { what: `delete ${d.name}` });
    d.deleted = true;
    this.counts.deletes++;
  }

  /** The key Secret holds old and new identities, every AgeSecret is re-encrypted for the new one, the old one goes. */
  #rotate(space: Space): Promise<void> {
    return this.#serial(space, async () => {
      const next = await newKeys();
      const setKey = (identities: string[]) =>
        retrying(() =>
          this.client.patch(
            SECRETS,
            { namespace: space.namespace, name: KEY_SECRET },
            { stringData: { [KEY_FIELD]: identities.join('\n') } },
          ),
        );
      await setKey([space.keys.identity, next.identity]);
      space.keys = next;
      for (const d of space.live) {
        await this.#reencrypt(d, space);
        this.counts.reencrypted++;
      }
      await setKey([next.identity]);
      this.counts.rotations++;
    });
  }

  async #addPod(): Promise<void> {
    const name = `legacy-${this.#nextPod++}`;
    await retrying(() => this.client.create(PODS, legacyPod(this.podNamespace, name), { namespace: this.podNamespace }));
    this.#pods.push(name);
  }

  /** A pod replaced as a ReplicaSet would: a new one created, the oldest deleted. */
  async #replacePod(): Promise<void> {
    await this.#addPod();
    const oldest = this.#pods.shift();
    if (oldest) await retrying(() => this.client.delete(PODS, { namespace: this.podNamespace, name: oldest }));
    this.counts.podReplacements++;
  }
}
