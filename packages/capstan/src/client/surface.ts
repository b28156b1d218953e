// The client layer's surface for the layers above (core) and the public API.
export {
  ApiClient,
  type ApiClientOptions,
  type CallOptions,
  type DeleteOptions,
  type JsonPatchOp,
  type ListOptions,
  type ListPage,
  type PatchOptions,
  type PatchType,
  type WatchOptions,
  type WriteOptions,
} from './api-client.js';
export type { KubeClient, ObjectBody } from './kube-client.js';
export { MemoryClient, type MemoryClientOptions, type MemoryRequest } from './memory-client.js';
export { loadCredentials, type KubeConfigSource } from './kubeconfig.js';
export type { Credentials, TlsSettings } from './credentials.js';
export type { KubeConfigLike } from './client-node-credentials.js';
export type { InClusterSource } from './in-cluster.js';
export type { WatchEvent, WatchEventType } from './watch-stream.js';
export type { RequestObserver } from './transport.js';
