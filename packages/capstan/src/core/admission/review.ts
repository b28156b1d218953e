// AdmissionReview v1: a request body read defensively, a handler run, its outcome turned into the response.
import { AdmissionError } from '../../structs/errors.js';
import { frozenCopy } from '../../structs/frozen.js';
import { jsonPatchBetween } from '../../structs/json-patch.js';
import type { KubeObject } from '../../structs/objects.js';
import type { Logger } from '../logging.js';
import type {
  AdmissionOperation,
  AdmissionRequest,
  AdmissionUser,
  MutateHandler,
  MutationResult,
  ValidateHandler,
  ValidationResult,
} from './types.js';

/** One registered admission handler. */
export type AdmissionHandlerEntry =
  { kind: 'validate'; id: string; fn: ValidateHandler<KubeObject> } | { kind: 'mutate'; id: string; fn: MutateHandler<KubeObject> };

/** The request part of an AdmissionReview, as far as capstan reads it. */
export interface ParsedAdmissionRequest {
  uid: string;
  operation: AdmissionOperation;
  object: KubeObject | undefined;
  oldObject: KubeObject | undefined;
  namespace: string | undefined;
  name: string;
  subResource: string | undefined;
  user: AdmissionUser;
  dryRun: boolean;
}

/** The response part of an AdmissionReview. */
export interface AdmissionResponse {
  uid: string;
  allowed: boolean;
  status?: { code: number; message: string; reason?: string };
  warnings?: string[];
  patchType?: 'JSONPatch';
  patch?: string;
}

const OPERATIONS = new Set(['CREATE', 'UPDATE', 'DELETE', 'CONNECT']);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** An AdmissionReview the server cannot answer: its message goes back as a 400 (never quoting the body). */
export class BadReviewError extends Error {}

/** Reads an AdmissionReview v1 body; throws BadReviewError for anything else (any JSON value may arrive). */
export function parseAdmissionReview(body: unknown): ParsedAdmissionRequest {
  if (!isObject(body) || body['apiVersion'] !== 'admission.k8s.io/v1' || body['kind'] !== 'AdmissionReview')
    throw new BadReviewError('expected an admission.k8s.io/v1 AdmissionReview');
  const req = body['request'];
  if (!isObject(req)) throw new BadReviewError('the AdmissionReview has no request');
  const uid = str(req['uid']);
  if (!uid) throw new BadReviewError('the request has no uid');
  const operation = str(req['operation']);
  if (!operation || !OPERATIONS.has(operation)) throw new BadReviewError('the request has no known operation');
  const objectOf = (v: unknown): KubeObject | undefined => {
    if (v === undefined || v === null) return undefined;
    if (!isObject(v) || !isObject(v['metadata'] ?? {})) throw new BadReviewError('object and oldObject must be objects');
    return { ...v, metadata: isObject(v['metadata']) ? v['metadata'] : {} } as KubeObject;
  };
  const userInfo = isObject(req['userInfo']) ? req['userInfo'] : {};
  const groups = Array.isArray(userInfo['groups']) ? userInfo['groups'].filter((g): g is string => typeof g === 'string') : undefined;
  const username = str(userInfo['username']);
  const userUid = str(userInfo['uid']);
  return {
    uid,
    operation: operation as AdmissionOperation,
    object: objectOf(req['object']),
    oldObject: objectOf(req['oldObject']),
    namespace: str(req['namespace']) || undefined,
    name: str(req['name']) ?? '',
    subResource: str(req['subResource']) || undefined,
    user: { ...(username ? { username } : {}), ...(userUid ? { uid: userUid } : {}), ...(groups ? { groups } : {}) },
    dryRun: req['dryRun'] === true,
  };
}

/** The AdmissionReview the server sends back. */
export function reviewResponse(response: AdmissionResponse): Record<string, unknown> {
  return { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response };
}

/** Warnings as the API server accepts them: short, one line each, at most a few. */
function cleanWarnings(warnings: readonly unknown[] | undefined): string[] | undefined {
  const list = (warnings ?? [])
    .filter((w): w is string => typeof w === 'string' && w.trim() !== '')
    .map((w) => w.replace(/\s+/g, ' ').trim().slice(0, 120));
  return list.length ? list.slice(0, 16) : undefined;
}

function isMutationResult(v: unknown): v is MutationResult {
  return isObject(v) && !('metadata' in v) && ('object' in v || 'warnings' in v);
}

/**
 * Runs one handler for a request and answers: allowed (with warnings and, for a mutation, the JSON Patch from
 * the object to the returned one), or refused with the AdmissionError's message. Any other error refuses with a
 * generic message: an internal error's text may hold object contents (Secrets), so it is logged, not returned.
 */
export async function answerReview(
  entry: AdmissionHandlerEntry,
  request: ParsedAdmissionRequest,
  context: { signal: AbortSignal; logger: Logger },
): Promise<AdmissionResponse> {
  const admissionRequest: AdmissionRequest<KubeObject> = {
    operation: request.operation,
    object: frozenCopy(request.object),
    oldObject: frozenCopy(request.oldObject),
    namespace: request.namespace,
    name: request.name,
    subResource: request.subResource,
    user: request.user,
    dryRun: request.dryRun,
    signal: context.signal,
    logger: context.logger,
  };
  try {
    if (entry.kind === 'validate') {
      const result = (await entry.fn(admissionRequest)) as ValidationResult | void;
      const warnings = cleanWarnings(result?.warnings);
      return { uid: request.uid, allowed: true, ...(warnings ? { warnings } : {}) };
    }
    const result = await entry.fn(admissionRequest);
    const mutation: MutationResult = isMutationResult(result) ? result : result ? { object: result as KubeObject } : {};
    const warnings = cleanWarnings(mutation.warnings);
    const ops = mutation.object && request.object ? jsonPatchBetween(request.object, mutation.object) : [];
    return {
      uid: request.uid,
      allowed: true,
      ...(warnings ? { warnings } : {}),
      ...(ops.length ? { patchType: 'JSONPatch' as const, patch: Buffer.from(JSON.stringify(ops)).toString('base64') } : {}),
    };
  } catch (error) {
    if (error instanceof AdmissionError) {
      return {
        uid: request.uid,
        allowed: false,
        status: { code: error.code, message: error.message, ...(error.reason ? { reason: error.reason } : {}) },
      };
    }
    context.logger.error('admission handler failed', {
      handler: entry.id,
      error: error instanceof Error ? error.name : typeof error,
    });
    return {
      uid: request.uid,
      allowed: false,
      status: { code: 500, message: `admission handler ${entry.id} failed (see the operator's log)` },
    };
  }
}
