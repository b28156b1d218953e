// capstan/manifests: an operator's install generated from its code (RBAC derived, Deployment) and RBAC coverage.
export { defineInstall, generateInstall } from './core/manifests/install.js';
export type { GeneratedInstall, InstallContext, InstallSpec } from './core/manifests/install.js';
export type { ContainerResources } from './core/manifests/deployment.js';
export { deriveRbac, ruleAllows } from './core/manifests/rbac.js';
export type { DerivedRbac, ExplainedRule, PolicyRule, RbacInput, RuleScope } from './core/manifests/rbac.js';
export { requestsFromAuditLog, ruleCoverage } from './core/manifests/coverage.js';
export type { ApiRequestRecord, Coverage, UnusedGrant } from './core/manifests/coverage.js';
export type {
  OperatorDescription,
  PermissionDeclaration,
  WatchedObjectsDescription,
  WatchedResourceDescription,
} from './core/description.js';
