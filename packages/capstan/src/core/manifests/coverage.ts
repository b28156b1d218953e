// Sufficient and minimal: which generated rules the requests of a run used, and which requests were forbidden.
import type { DerivedRbac, ExplainedRule, RuleScope } from './rbac.js';
import { ruleAllows } from './rbac.js';

/** One API request as the audit log records it (Metadata level: no bodies). */
export interface ApiRequestRecord {
  user: string;
  verb: string;
  apiGroup: string;
  /** `<plural>` or `<plural>/<subresource>`. */
  resource: string;
  namespace?: string;
  name?: string;
  /** The response's HTTP status code. */
  code?: number;
}

interface AuditEvent {
  stage?: string;
  verb?: string;
  user?: { username?: string };
  objectRef?: { resource?: string; subresource?: string; apiGroup?: string; namespace?: string; name?: string };
  responseStatus?: { code?: number };
}

/** The resource requests in an audit log (JSON lines) made by `user`, one per request (its final stage). */
export function requestsFromAuditLog(text: string, user: string): ApiRequestRecord[] {
  const out: ApiRequestRecord[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    let e: AuditEvent;
    try {
      e = JSON.parse(line) as AuditEvent;
    } catch {
      continue; // a line cut by rotation
    }
    // A watch logs ResponseStarted and ResponseComplete; count each request once.
    if (e.stage === 'ResponseStarted' && e.verb !== 'watch') continue;
    if (e.stage === 'ResponseComplete' && e.verb === 'watch') continue;
    if (e.user?.username !== user || !e.objectRef?.resource || !e.verb) continue;
    const ref = e.objectRef;
    out.push({
      user,
      verb: e.verb,
      apiGroup: ref.apiGroup ?? '',
      resource: ref.subresource ? `${ref.resource}/${ref.subresource}` : (ref.resource as string),
      ...(ref.namespace ? { namespace: ref.namespace } : {}),
      ...(ref.name ? { name: ref.name } : {}),
      ...(e.responseStatus?.code !== undefined ? { code: e.responseStatus.code } : {}),
    });
  }
  return out;
}

/** One verb of one generated rule that no request used. */
export interface UnusedGrant {
  scope: RuleScope;
  rule: ExplainedRule;
  verb: string;
}

/** The verdict on a run's requests against generated RBAC. */
export interface Coverage {
  /** Requests the API server refused with 403 Forbidden: the RBAC is not sufficient. */
  forbidden: ApiRequestRecord[];
  /** Granted verbs no request used: the RBAC is more than the run needed. */
  unused: UnusedGrant[];
  /** Granted verbs no request used that the generator documents as needed on a path the run did not take. */
  conditional: (UnusedGrant & { path: string })[];
}

/** Whether a request could have been granted by a rule in this scope (Roles only cover their namespace). */
function inScope(scope: RuleScope, request: ApiRequestRecord): boolean {
  return 'cluster' in scope || request.namespace === scope.namespace;
}

/**
 * Whether a request used a verb. A server-side apply that creates its object is a PATCH answered 201 Created:
 * the API server authorised it as a create too (without `create` it is refused), so it counts for both.
 */
function usesVerb(request: ApiRequestRecord, verb: string): boolean {
  return request.verb === verb || (verb === 'create' && request.verb === 'patch' && request.code === 201);
}

/** Which grants of `rbac` the requests used (verb by verb), and which requests were forbidden. */
export function ruleCoverage(rbac: DerivedRbac, requests: readonly ApiRequestRecord[]): Coverage {
  const scoped: { scope: RuleScope; rule: ExplainedRule }[] = [
    ...rbac.cluster.map((rule) => ({ scope: { cluster: true } as RuleScope, rule })),
    ...rbac.namespaced.flatMap((n) => n.rules.map((rule) => ({ scope: { namespace: n.namespace } as RuleScope, rule }))),
  ];
  const unused: UnusedGrant[] = [];
  const conditional: (UnusedGrant & { path: string })[] = [];
  for (const { scope, rule } of scoped) {
    for (const verb of rule.rule.verbs) {
      const used = requests.some(
        (r) => usesVerb(r, verb) && inScope(scope, r) && ruleAllows({ ...rule.rule, verbs: [verb] }, { ...r, verb }) && r.code !== 403,
      );
      if (used) continue;
      const path = rule.conditional?.[verb as keyof typeof rule.conditional];
      if (path) conditional.push({ scope, rule, verb, path });
      else unused.push({ scope, rule, verb });
    }
  }
  return { forbidden: requests.filter((r) => r.code === 403), unused, conditional };
}
