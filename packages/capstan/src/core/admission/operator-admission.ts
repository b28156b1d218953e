// An operator's admission, started with it: the handlers of every registration served once the caches synced.
import type { KubeClient } from '../../client/surface.js';
import { ConfigurationError } from '../../structs/errors.js';
import type { ResolvedResource, ResourceRef } from '../../structs/objects.js';
import type { ResourceRegistration } from '../engine/registry.js';
import { describeError, type Logger } from '../logging.js';
import type { AdmissionHandle } from '../types.js';
import { AdmissionService } from './admission-service.js';
import type { Convertible } from './conversion.js';
import type { AdmissionSettings } from './types.js';

export interface OperatorAdmissionInput {
  name: string;
  client: KubeClient;
  settings: AdmissionSettings | false | undefined;
  registrations: readonly ResourceRegistration[];
  /** The operator's namespaces (none: all). */
  namespaces: readonly string[];
  /** Custom resources whose conversion the operator serves (`operator.converts()`). */
  conversions: readonly Convertible[];
  resolve(ref: ResourceRef): Promise<ResolvedResource | undefined>;
  logger: Logger;
  /**
   * The server could not start (its port taken, its certificates unusable): the operator stops with this error,
   * as a controller-runtime manager does, so that its pod restarts visibly rather than running without webhooks.
   */
  onFatal(error: ConfigurationError): void;
}

/** The running admission side of an operator. */
export interface RunningAdmission {
  handle: AdmissionHandle;
  /** Resolves once serving (or failed to start: logged). */
  started: Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts serving the registered admission handlers after `ready` (handlers may read caches). Undefined when
 * there are none, or no settings (then a warning says they are not served).
 */
export function startOperatorAdmission(input: OperatorAdmissionInput, ready: Promise<boolean>): RunningAdmission | undefined {
  const regs = input.registrations.filter((r) => r.admission.length > 0);
  if (!regs.length && !input.conversions.length) return undefined;
  if (!input.settings) {
    input.logger.info('admission handlers or conversions registered but no admission settings: they are not served', {
      handlers: regs.flatMap((r) => r.admission.map((a) => a.id)),
      conversions: input.conversions.map((c) => c.crd.metadata.name),
    });
    return undefined;
  }
  const settings = input.settings;
  let service: AdmissionService | undefined;
  let stopped = false;
  const started = (async () => {
    if (!(await ready) || stopped) return;
    const handlers = [];
    for (const reg of regs) {
      const resource = await input.resolve(reg.ref);
      if (!resource) return;
      const target = { group: resource.group, version: resource.version, plural: resource.plural };
      for (const a of reg.admission) handlers.push({ ...a, resource: target, namespaced: resource.namespaced });
    }
    if (stopped) return;
    service = new AdmissionService({
      name: input.name,
      client: input.client,
      settings,
      handlers,
      namespaces: input.namespaces,
      conversions: input.conversions,
      logger: input.logger,
    });
    await service.start();
  })().catch((error: unknown) => {
    input.logger.error('the admission server did not start', { error: describeError(error) });
    if (!stopped) input.onFatal(new ConfigurationError(`the admission server did not start: ${describeError(error)}`, { cause: error }));
  });
  return {
    handle: {
      get url() {
        return service?.url;
      },
      get caBundle() {
        return service?.caBundle;
      },
      refresh: (options) => service?.refresh(options) ?? Promise.resolve(false),
    },
    started,
    async stop() {
      stopped = true;
      await started;
      await service?.stop();
    },
  };
}
