// createOperator(): registration, then run() wires discovery, reflectors, the queue and leadership.
import { setMaxListeners } from 'node:events';
import { ApiClient } from '../client/surface.js';
import { backoffDelay } from '../structs/backoff.js';
import { ConfigurationError } from '../structs/errors.js';
import { resourceId, type KubeObject, type ResourceRef } from '../structs/objects.js';
import { KeyedQueue } from '../kits/keyed-queue.js';
import { linkedAbort, sleep, untilAborted } from '../kits/sleep.js';
import { safely } from './hooks.js';
import { consoleLogger, describeError } from './logging.js';
import { processEntry } from './processing.js';
import type { ProbeAddress } from './probes.js';
import { ProductionServices } from './production.js';
import { ResourceRegistration } from './registry.js';
import { ResourceRuntime } from './resource-runtime.js';
import type { Services, Session } from './runtime-types.js';
import type { Operator, OperatorSettings, ResourceHandle, RunOptions } from './types.js';

/** A DNS-label form of the operator name, for annotation and finalizer prefixes. */
function dnsLabel(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 63) || 'capstan';
}

/**
 * How long one processing round of a resource's objects may legitimately take: the sum of the timeouts its
 * handlers declare (a round may run each once) plus a minute for the writes. 0 when none declares one.
 */
function declaredRoundMs(reg: ResourceRegistration): number {
  const timeouts = [
    ...reg.handlers.map((h) => h.options.timeoutMs), ...reg.timers.map((t) => t.options.timeoutMs), reg.reconciler?.options.timeoutMs,
  ].filter((ms): ms is number => typeof ms === 'number' && ms > 0);
  return timeouts.length ? timeouts.reduce((a, b) => a + b, 0) + 60_000 : 0;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export function createOperator(settings: OperatorSettings): Operator {
  return new OperatorImpl(settings);
}

class OperatorImpl implements Operator {
  readonly #registrations = new Map<string, ResourceRegistration>();
  #client: ApiClient | undefined;
  #running = false;
  #effective: OperatorSettings | undefined;
  #readyResolve!: () => void;
  readonly ready: Promise<void>;
  #prod: ProductionServices | undefined;
  #listeningResolve!: (address: ProbeAddress | undefined) => void;
  readonly probesListening: Promise<ProbeAddress | undefined>;

  constructor(readonly settings: OperatorSettings) {
    if (!settings?.name) throw new ConfigurationError('createOperator needs a name (used as field manager and Event source)');
    this.ready = new Promise((resolve) => (this.#readyResolve = resolve));
    this.probesListening = new Promise((resolve) => (this.#listeningResolve = resolve));
  }

  get probeAddress(): ProbeAddress | undefined {
    return this.#prod?.probeAddress;
  }

  get name(): string {
    return this.settings.name;
  }

  get client(): ApiClient | undefined {
    return this.#client;
  }

  resource<T extends KubeObject = KubeObject>(ref: ResourceRef): ResourceHandle<T> {
    const id = resourceId(ref);
    let reg = this.#registrations.get(id);
    if (!reg) this.#registrations.set(id, (reg = new ResourceRegistration(ref)));
    return reg as unknown as ResourceHandle<T>;
  }

  async run(options: RunOptions = {}): Promise<void> {
    if (this.#running) throw new ConfigurationError('operator.run() called twice');
    this.#running = true;
    try {
      return await this.#run(options);
    } finally {
      // Without probes, or when run() ended before listening: waiters get undefined rather than hanging.
      this.#listeningResolve(undefined);
    }
  }

  async #run(options: RunOptions): Promise<void> {
    // One internal signal for the operator's life: reflectors and terms listen on it, not on the caller's.
    const life = linkedAbort(options.signal);
    const signal = life.signal;
    setMaxListeners(0, signal);
    const { signal: _signal, ...overrides } = options;
    const s: OperatorSettings = { ...this.settings, ...stripUndefined(overrides) };
    if (overrides.namespaces?.length) s.allNamespaces = false;
    if (overrides.allNamespaces) s.namespaces = [];
    const logger = s.logger ?? consoleLogger();
    const ownClient = !s.client;
    const client = s.client ?? await ApiClient.create(s.kubeconfig ?? 'default', {
      fieldManager: s.name,
      observer: (info) => safely(() => s.hooks?.apiRequest?.(info)),
    });
    this.#client = client;
    this.#effective = s;
    // Every write of the operator (and of its handlers through ctx.client) carries its name as field manager.
    const writer = client.fieldManager ? client : client.withFieldManager(s.name);
    const label = dnsLabel(s.name);
    // Metrics, Events, probes and leader election plug into the hooks, poster and leadership seams.
    const prod = new ProductionServices({ ...s, client: writer, logger });
    this.#prod = prod;
    s.hooks = prod.hooks(s.hooks);
    s.leadership = prod.gate;
    const services: Services = {
      name: s.name, client: writer, logger, hooks: s.hooks,
      poster: prod.poster,
      stateAnnotation: s.stateAnnotation ?? `${label}.capstan.dev/last-handled`,
      finalizer: s.finalizer ?? `${label}.capstan.dev/finalizer`,
      backoff: s.backoff,
    };
    if (!s.allNamespaces && !s.namespaces?.length) logger.info('no namespaces given: watching all namespaces');
    const regs = [...this.#registrations.values()].filter((r) => r.active);
    regs.forEach((r) => r.freeze());
    if (regs.length === 0) logger.warn('no handlers registered: nothing to do');

    const runtimes = await this.#resolveAll(regs, services, signal);
    if (signal.aborted) return this.#finish(ownClient);
    prod.expect(runtimes.map((rt) => rt.id));
    for (const rt of runtimes) {
      const ms = declaredRoundMs(rt.reg);
      if (ms) prod.health.allowWorkerTime(rt.id, ms);
    }
    await prod.start();
    if (prod.probeAddress) this.#listeningResolve(prod.probeAddress);
    const byReg = new Map(runtimes.map((rt) => [rt.reg, rt]));
    for (const rt of runtimes) {
      rt.feedTargets = rt.reg.feeds.flatMap((f) => (byReg.get(f.to) ? [{ to: byReg.get(f.to)!, map: f.map }] : []));
    }

    let unsynced = runtimes.length;
    let syncedResolve!: () => void;
    const synced = new Promise<void>((resolve) => (syncedResolve = resolve));
    if (unsynced === 0) syncedResolve();
    const reflectors = runtimes.flatMap((rt) => rt.createReflectors(s, s.watch, () => {
      if (--unsynced === 0) syncedResolve();
    }));
    const watching = Promise.all(reflectors.map((r) => r.run(signal)));
    logger.info('operator started', { operator: s.name, resources: runtimes.map((r) => r.id), server: client.server });

    try {
      await this.#lead(runtimes, services, synced, signal);
      await watching;
    } finally {
      await prod.stop();
    }
    logger.info('operator stopped', { operator: s.name });
    life.dispose();
    return this.#finish(ownClient);
  }

  #finish(ownClient: boolean): void {
    if (ownClient) this.#client?.close();
  }

  /** Resolve every resource (kind, scope, /status); retries missing CRDs until they appear or we stop. */
  async #resolveAll(regs: ResourceRegistration[], services: Services, signal: AbortSignal): Promise<ResourceRuntime[]> {
    const resolveOne = async (reg: ResourceRegistration, i: number): Promise<ResourceRuntime | undefined> => {
      for (let attempt = 0; !signal.aborted; attempt++) {
        try {
          const resource = await services.client.resolve(reg.ref, signal);
          reg.kind = resource.kind;
          reg.apiVersion = resource.group ? `${resource.group}/${resource.version}` : resource.version;
          return new ResourceRuntime(reg, resource, services, `${i}:`);
        } catch (error) {
          if (signal.aborted) break;
          const delay = backoffDelay(attempt, { baseMs: 1000, capMs: 30_000 });
          services.logger.warn('cannot resolve a resource (CRD not installed yet?); retrying', { resource: resourceId(reg.ref), error: describeError(error), retryInMs: delay });
          await sleep(delay, signal);
        }
      }
      return undefined;
    };
    const resolved = await Promise.all(regs.map(resolveOne));
    return resolved.filter((rt): rt is ResourceRuntime => !!rt);
  }

  /** Process while leading (always, without a leadership gate); stop handlers when leadership ends. */
  async #lead(runtimes: ResourceRuntime[], services: Services, synced: Promise<void>, signal: AbortSignal): Promise<void> {
    const gate = (this.#effective ?? this.settings).leadership;
    const s = this.#effective ?? this.settings;
    const byPrefix = new Map(runtimes.map((rt) => [rt.queuePrefix, rt]));
    // Workers are held until every cache of the operator has synced (controller-runtime's rule): no handler
    // decides on a partial view, e.g. a child that looks missing only because its list has not arrived yet.
    // Events seen meanwhile only update entries; every entry is queued when the first term starts.
    if (!(await untilAborted(synced, signal))) return;
    services.logger.info('caches synced; starting workers', { resources: runtimes.map((rt) => rt.id) });
    while (!signal.aborted) {
      let leaseSignal: AbortSignal | undefined;
      if (gate) {
        try {
          leaseSignal = await gate.acquire(signal);
        } catch (error) {
          if (signal.aborted) break;
          services.logger.warn('acquiring leadership failed; retrying', { error: describeError(error) });
          await sleep(2000, signal);
          continue;
        }
        if (signal.aborted) break;
        safely(() => services.hooks?.leadership?.({ leading: true }));
      }
      const term = linkedAbort(signal, leaseSignal);
      const handlers = new AbortController();
      // Every running handler and daemon listens on these: many at once is expected, not a leak.
      setMaxListeners(0, term.signal, handlers.signal);
      const queue = new KeyedQueue<string>({
        concurrency: s.concurrency ?? 16,
        worker: async (key, { waitMs }) => {
          const sep = key.indexOf(':') + 1;
          const rt = byPrefix.get(key.slice(0, sep));
          const entry = rt?.entries.get(key.slice(sep));
          if (!rt || !entry) return;
          const meta = entry.last.metadata;
          // Queue-wait metrics and the stuck-worker liveness check both hang on these two hooks.
          safely(() => services.hooks?.workStarted?.({ resource: rt.id, namespace: meta.namespace, name: meta.name ?? '', key, waitMs }));
          const started = Date.now();
          try {
            await processEntry(rt, entry, session);
          } finally {
            safely(() => services.hooks?.workFinished?.({ resource: rt.id, key, durationMs: Date.now() - started }));
          }
        },
        onError: (key, error) => services.logger.error('processing crashed (a capstan bug)', { key, error: describeError(error) }),
      });
      const session: Session = {
        signal: term.signal,
        handlerSignal: handlers.signal,
        enqueue: (key, delayMs) => {
          if (delayMs) queue.addAfter(key, delayMs);
          else queue.add(key);
          safely(() => services.hooks?.queue?.({ resource: byPrefix.get(key.slice(0, key.indexOf(':') + 1))?.id ?? '', depth: queue.size, running: queue.running }));
        },
      };
      for (const rt of runtimes) {
        rt.session = session;
        for (const entry of rt.entries.values()) session.enqueue(rt.queuePrefix + entry.uid);
      }
      if (!term.signal.aborted) this.#readyResolve();
      await new Promise<void>((resolve) => {
        if (term.signal.aborted) resolve();
        term.signal.addEventListener('abort', () => resolve(), { once: true });
      });
      for (const rt of runtimes) {
        rt.session = undefined;
        for (const entry of rt.entries.values()) rt.stopDaemons(entry);
      }
      // Let running handlers finish within the grace period, then abort their signal.
      const grace = setTimeout(() => handlers.abort(new Error('shutting down')), s.shutdownGraceMs ?? 10_000);
      await queue.stop();
      clearTimeout(grace);
      handlers.abort();
      term.dispose();
      if (gate) {
        safely(() => services.hooks?.leadership?.({ leading: false }));
        if (signal.aborted) await gate.release?.().catch(() => {});
      }
      if (!gate) break;
    }
  }
}
