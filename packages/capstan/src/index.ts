// capstan's public API (adr/0001-public-api.md): everything operators may import from 'capstan'.
export { ApiClient, loadKubeConfig, KubeConfig } from './client/index.js';
export type {
  ApiClientOptions, CallOptions, DeleteOptions, JsonPatchOp, KubeConfigSource, ListOptions, PatchOptions, PatchType,
  WatchEvent, WatchEventType, WatchOptions, WriteOptions,
} from './client/index.js';
export {
  ApiError, BadRequestError, CapstanError, ConfigurationError, ConflictError, ConnectionError, ForbiddenError, GoneError,
  HandlerTimeoutError, InvalidError, NotFoundError, PermanentError, ServerError, TemporaryError, TimeoutError,
  TooManyRequestsError, UnauthorizedError,
} from './structs/errors.js';
export type { KubeList, KubeObject, ListMeta, ObjectKey, ObjectMeta, OwnerReference, ResolvedResource, ResourceRef } from './structs/objects.js';
export { apiVersionOf, objectKeyOf } from './structs/objects.js';
export { ABSENT, PRESENT } from './structs/filters.js';
export type { MetaFilter, ValueFilter } from './structs/filters.js';
export type { DiffItem, DiffOp } from './structs/diff.js';
