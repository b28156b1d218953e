// createOperator(): registration, then run() wires discovery, reflectors, the queue and leadership.
import { setMaxListeners } from 'node:events';
import { ApiClient, type KubeClient } from '../client/surface.js';
import { backoffDelay } from '../structs/backoff.js';
import { ConfigurationError } from '../structs/errors.js';
import { resourceId, type KubeObject, type ObjectKey, type ResolvedResource, type ResourceRef } from '../structs/objects.js';
import { KeyedQueue } from '../kits/keyed-queue.js';
import { linkedAbort, sleep, untilAborted } from '../kits/sleep.js';
import {
  checkDeclaration,
  describeRegistration,
  type ApiVerb,
  type OperatorDescription,
  type PermissionDeclaration,
  type PermissionOptions,
} from './description.js';
import type { Convertible } from './admission/conversion.js';
import { startOperatorAdmission } from './admission/operator-admission.js';
import { safely } from './hooks.js';
import { consoleLogger, describeError } from './logging.js';
import { ObjectWatch } from './engine/object-watch.js';
import { decodeQueueKey, encodeQueueKey } from './engine/queue-key.js';
import { ResourceController } from './engine/resource-controller.js';
import type { EngineServices, Session } from './engine/services.js';
import type { ProbeAddress } from './production/probes.js';
import { ProductionServices } from './production/production-services.js';
import { ResourceRegistration } from './engine/registry.js';
import type {
  AdmissionHandle,
  Operator,
  OperatorSettings,
  ResourceHandle,
  ResourceOptions,
  RunOptions,
  WatchedObjects,
  WatchedObjectsOptions,
} from './types.js';

/** A DNS-label form of the operator name, for annotation and finalizer prefixes. */
function dnsLabel(name: string): string {
  return (
    name
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 63) || 'capstan'
  );
}

/**
 * How long one processing round of a resource's objects may legitimately take: the sum of the timeouts its
 * handlers declare (a round may run each once) plus a minute for the writes. 0 when none declares one.
 */
function declaredRoundMs(reg: ResourceRegistration): number {
  const timeouts = [
    ...reg.handlers.map((h) => h.options.timeoutMs),
    ...reg.timers.map((t) => t.options.timeoutMs),
    reg.reconciler?.options.timeoutMs,
  ].filter((ms): ms is number => typeof ms === 'number' && ms > 0);
  return timeouts.length ? timeouts.reduce((a, b) => a + b, 0) + 60_000 : 0;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** A new operator named `settings.name` (its field manager and Event source); register resources, then `run()`. */
export function createOperator(settings: OperatorSettings): Operator {
  return new OperatorImpl(settings);
}

class OperatorImpl implements Operator {
  readonly #registrations = new Map<string, ResourceRegistration>();
  readonly #objectWatches: ObjectWatch[] = [];
  readonly #declarations: PermissionDeclaration[] = [];
  readonly #conversions: Convertible[] = [];
  #admission: AdmissionHandle | undefined;
  #client: KubeClient | undefined;
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

  get admission(): AdmissionHandle | undefined {
    return this.#admission;
  }

  get client(): KubeClient | undefined {
    return this.#client;
  }

  watchObjects<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    keys: ObjectKey[],
    options: WatchedObjectsOptions<T> = {},
  ): WatchedObjects<T> {
    if (this.#running) throw new ConfigurationError('cannot watch objects after the operator started');
    if (keys.length === 0) throw new ConfigurationError('watchObjects needs at least one object');
    const watch = new ObjectWatch<T>(ref, keys, options);
    this.#objectWatches.push(watch as unknown as ObjectWatch);
    return watch;
  }

  resource<T extends KubeObject = KubeObject>(ref: ResourceRef, options?: ResourceOptions<T>): ResourceHandle<T> {
    const id = resourceId(ref);
    let reg = this.#registrations.get(id);
    if (!reg) this.#registrations.set(id, (reg = new ResourceRegistration(ref, options as ResourceOptions | undefined)));
    return reg as unknown as ResourceHandle<T>;
  }

  converts(resource: Convertible): void {
    if (this.#running) throw new ConfigurationError('cannot serve conversions after the operator started');
    if (resource.crd.spec.versions.length < 2)
      throw new ConfigurationError(`${resource.crd.metadata.name} has one version: nothing to convert`);
    this.#conversions.push(resource);
  }

  uses(ref: ResourceRef, verbs: ApiVerb[], options: PermissionOptions): void {
    if (this.#running) throw new ConfigurationError('cannot declare permissions after the operator started');
    this.#declarations.push(checkDeclaration({ resource: ref, verbs: [...verbs], ...options }));
  }

  describe(): OperatorDescription {
    const s = this.settings;
    return {
      name: s.name,
      namespaces: s.allNamespaces ? [] : [...(s.namespaces ?? [])],
      resources: [...this.#registrations.values()].filter((r) => r.active).map(describeRegistration),
      watchedObjects: this.#objectWatches.map((w) => ({ resource: w.ref, keys: [...w.keys] })),
      declarations: this.#declarations.map((d) => ({ ...d, verbs: [...d.verbs] })),
      events: s.events !== false,
      admission: [...this.#registrations.values()].flatMap((r) => r.admission.map((a) => ({ kind: a.kind, id: a.id, resource: r.ref }))),
      conversions: this.#conversions.map((c) => c.crd.metadata.name),
    };
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
    const client =
      s.client ??
      (await ApiClient.create(s.kubeconfig ?? 'default', {
        fieldManager: s.name,
        observer: (info) => safely(() => s.hooks?.apiRequest?.(info)),
      }));
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
    const services: EngineServices = {
      name: s.name,
      client: writer,
      logger,
      hooks: s.hooks,
      poster: prod.poster,
      stateAnnotation: s.stateAnnotation ?? `${label}.capstan.dev/last-handled`,
      finalizer: s.finalizer ?? `${label}.capstan.dev/finalizer`,
      backoff: s.backoff,
      now: Date.now,
    };
    if (!s.allNamespaces && !s.namespaces?.length) logger.info('no namespaces given: watching all namespaces');
    const regs = [...this.#registrations.values()].filter((r) => r.active);
    regs.forEach((r) => r.freeze());
    const serves = this.#conversions.length > 0 || [...this.#registrations.values()].some((r) => r.admission.length > 0);
    if (regs.length === 0 && this.#objectWatches.length === 0 && !serves) logger.warn('no handlers registered: nothing to do');

    const [controllers, watched] = await Promise.all([
      this.#resolveAll(regs, services, signal),
      Promise.all(this.#objectWatches.map(async (w) => ({ watch: w, resource: await this.#resolve(w.ref, services, signal) }))),
    ]);
    if (signal.aborted) return this.#finish(ownClient);
    prod.expect(controllers.map((c) => c.id));
    for (const c of controllers) {
      const ms = declaredRoundMs(c.registration);
      if (ms) prod.health.allowWorkerTime(c.id, ms);
    }
    await prod.start();
    if (prod.probeAddress) this.#listeningResolve(prod.probeAddress);

    let unsynced = controllers.length + watched.length;
    let syncedResolve!: () => void;
    const synced = new Promise<void>((resolve) => (syncedResolve = resolve));
    if (unsynced === 0) syncedResolve();
    const onSynced = () => {
      if (--unsynced === 0) syncedResolve();
    };
    const reflectors = controllers.flatMap((c) => {
      const own = c.registration.options;
      const scope = {
        namespaces: own.namespaces?.length ? own.namespaces : s.namespaces,
        allNamespaces: own.namespaces?.length ? false : s.allNamespaces,
        labelSelector: c.registration.serverLabelSelector,
        fieldSelector: own.fieldSelector,
      };
      return c.createReflectors(scope, s.watch, onSynced);
    });
    for (const { watch, resource } of watched) {
      if (resource) reflectors.push(...watch.reflectors({ client: writer, resource, watch: s.watch, logger, hooks: s.hooks, onSynced }));
    }
    const watching = Promise.all(reflectors.map((r) => r.run(signal)));
    logger.info('operator started', { operator: s.name, resources: controllers.map((c) => c.id), server: client.server });
    // Admission serves on every replica, leader or not, once the caches its handlers may read have synced.
    let fatal: Error | undefined;
    const admission = startOperatorAdmission(
      {
        name: s.name,
        client: writer,
        settings: s.admission,
        registrations: [...this.#registrations.values()],
        namespaces: s.allNamespaces ? [] : (s.namespaces ?? []),
        conversions: this.#conversions,
        resolve: (ref) => this.#resolve(ref, services, signal),
        logger,
        onFatal: (error) => {
          fatal = error;
          life.controller.abort(error);
        },
      },
      untilAborted(synced, signal),
    );
    this.#admission = admission?.handle;

    try {
      await this.#lead(controllers, services, synced, signal);
      await watching;
    } finally {
      await admission?.stop();
      this.#admission = undefined;
      await prod.stop();
    }
    logger.info('operator stopped', { operator: s.name });
    life.dispose();
    this.#finish(ownClient);
    if (fatal) throw fatal;
  }

  #finish(ownClient: boolean): void {
    if (ownClient) this.#client?.close();
  }

  /** Resolve every resource (kind, scope, /status) into its controller. */
  async #resolveAll(regs: ResourceRegistration[], services: EngineServices, signal: AbortSignal): Promise<ResourceController[]> {
    const byRegistration = new Map<ResourceRegistration, ResourceController>();
    const resolved = await Promise.all(
      regs.map(async (reg) => {
        const resource = await this.#resolve(reg.ref, services, signal);
        if (!resource) return undefined;
        const controller = new ResourceController({ registration: reg, resource, services, controllerOf: (r) => byRegistration.get(r) });
        byRegistration.set(reg, controller);
        return controller;
      }),
    );
    return resolved.filter((c): c is ResourceController => !!c);
  }

  /** Discovery of one resource; retries a missing CRD until it appears or we stop (then undefined). */
  async #resolve(ref: ResourceRef, services: EngineServices, signal: AbortSignal): Promise<ResolvedResource | undefined> {
    for (let attempt = 0; !signal.aborted; attempt++) {
      try {
        return await services.client.resolve(ref, signal);
      } catch (error) {
        if (signal.aborted) break;
        const delay = backoffDelay(attempt, { baseMs: 1000, capMs: 30_000 });
        services.logger.warn('cannot resolve a resource (CRD not installed yet?); retrying', {
          resource: resourceId(ref),
          error: describeError(error),
          retryInMs: delay,
        });
        await sleep(delay, signal);
      }
    }
    return undefined;
  }

  /** Process while leading (always, without a leadership gate); stop handlers when leadership ends. */
  async #lead(controllers: ResourceController[], services: EngineServices, synced: Promise<void>, signal: AbortSignal): Promise<void> {
    const gate = (this.#effective ?? this.settings).leadership;
    const s = this.#effective ?? this.settings;
    // Workers are held until every cache of the operator has synced (controller-runtime's rule): no handler
    // decides on a partial view, e.g. a child that looks missing only because its list has not arrived yet.
    // Events seen meanwhile only update entries; every entry is queued when the first term starts.
    if (!(await untilAborted(synced, signal))) return;
    services.logger.info('caches synced; starting workers', { resources: controllers.map((c) => c.id) });
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
          const decoded = decodeQueueKey(key);
          const controller = decoded && controllers[decoded.resource];
          const object = decoded && controller?.describe(decoded.uid);
          if (!decoded || !controller || !object) return;
          // Queue-wait metrics and the stuck-worker liveness check both hang on these two hooks.
          safely(() => services.hooks?.workStarted?.({ resource: controller.id, ...object, key, waitMs }));
          const started = Date.now();
          try {
            await controller.process(decoded.uid);
          } finally {
            safely(() => services.hooks?.workFinished?.({ resource: controller.id, key, durationMs: Date.now() - started }));
          }
        },
        onError: (key, error) => services.logger.error('processing crashed (a capstan bug)', { key, error: describeError(error) }),
      });
      const enqueue = (resource: number, uid: string, delayMs?: number) => {
        const key = encodeQueueKey({ resource, uid });
        if (delayMs) queue.addAfter(key, delayMs);
        else queue.add(key);
        safely(() => services.hooks?.queue?.({ resource: controllers[resource]?.id ?? '', depth: queue.size, running: queue.running }));
      };
      controllers.forEach((c, i) =>
        c.start({
          signal: term.signal,
          handlerSignal: handlers.signal,
          enqueue: (uid, delayMs) => enqueue(i, uid, delayMs),
        } satisfies Session),
      );
      if (!term.signal.aborted) this.#readyResolve();
      await new Promise<void>((resolve) => {
        if (term.signal.aborted) resolve();
        term.signal.addEventListener('abort', () => resolve(), { once: true });
      });
      for (const c of controllers) c.stop();
      // On shutdown, running handlers may finish within the grace period before their signal aborts. On a lost
      // lease they stop at once: another instance may take over when the lease expires (leaseDuration after the
      // last renewal, only leaseDuration - renewDeadline after this one gave up), and from then on any write of
      // ours, e.g. by a handler still in its grace period, would race the new leader's.
      const leaseLost = !signal.aborted;
      if (leaseLost) handlers.abort(new Error('leadership lost'));
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
