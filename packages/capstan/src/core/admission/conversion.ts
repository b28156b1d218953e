// ConversionReview v1: objects of one version of a custom resource turned into another, through its hub version.
import type { KubeObject } from '../../structs/objects.js';
import type { CustomResource } from '../../structs/schema/custom-resource.js';

/** The parts of a defined custom resource conversion needs. */
export type Convertible = Pick<CustomResource<unknown, unknown>, 'crd' | 'conversions'>;

/** A conversion that cannot be made: its message goes back as a Failure result (never quoting the object). */
export class ConversionFailure extends Error {}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Reads a ConversionReview v1 body; throws ConversionFailure for anything else. */
export function parseConversionReview(body: unknown): { uid: string; desiredAPIVersion: string; objects: KubeObject[] } {
  if (!isObject(body) || body['apiVersion'] !== 'apiextensions.k8s.io/v1' || body['kind'] !== 'ConversionReview')
    throw new ConversionFailure('expected an apiextensions.k8s.io/v1 ConversionReview');
  const req = body['request'];
  if (!isObject(req) || typeof req['uid'] !== 'string' || typeof req['desiredAPIVersion'] !== 'string' || !Array.isArray(req['objects']))
    throw new ConversionFailure('the ConversionReview request needs uid, desiredAPIVersion and objects');
  if (!req['objects'].every((o) => isObject(o) && typeof o['apiVersion'] === 'string'))
    throw new ConversionFailure('every object needs an apiVersion');
  return { uid: req['uid'], desiredAPIVersion: req['desiredAPIVersion'], objects: req['objects'] as KubeObject[] };
}

/** One object converted to `desiredApiVersion` (group/version): to the hub, then out of it, metadata kept. */
export function convertObject(resource: Convertible, object: KubeObject, desiredApiVersion: string): KubeObject {
  const group = resource.crd.spec.group;
  const versionOf = (apiVersion: string | undefined) => {
    const [g, v] = (apiVersion ?? '').split('/');
    if (g !== group || !v || !resource.crd.spec.versions.some((x) => x.name === v))
      throw new ConversionFailure(`${apiVersion} is not a version of ${resource.crd.metadata.name}`);
    return v;
  };
  const from = versionOf(object.apiVersion);
  const to = versionOf(desiredApiVersion);
  if (from === to) return object;
  const { hub, versions } = resource.conversions;
  const withVersion = (o: KubeObject, v: string): KubeObject => ({
    ...o,
    apiVersion: `${group}/${v}`,
    kind: resource.crd.spec.names.kind,
    metadata: object.metadata,
  });
  const hubObject = from === hub ? object : withVersion(versions.get(from)!.toHub(structuredClone(object)), hub);
  return to === hub ? hubObject : withVersion(versions.get(to)!.fromHub(structuredClone(hubObject)), to);
}

/** The ConversionReview answer for a request: every object converted, or a Failure naming why. */
export function answerConversion(resource: Convertible, body: unknown): Record<string, unknown> {
  let uid = '';
  try {
    const request = parseConversionReview(body);
    uid = request.uid;
    const convertedObjects = request.objects.map((o) => convertObject(resource, o, request.desiredAPIVersion));
    return {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'ConversionReview',
      response: { uid, convertedObjects, result: { status: 'Success' } },
    };
  } catch (error) {
    // A conversion function's own error text may quote the object: only ConversionFailures are returned as they are.
    const message =
      error instanceof ConversionFailure ? error.message : `converting ${resource.crd.metadata.name} failed (see the operator's log)`;
    return {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'ConversionReview',
      response: { uid, convertedObjects: [], result: { status: 'Failure', message } },
    };
  }
}
