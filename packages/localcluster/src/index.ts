// @capstan/localcluster: a real local Kubernetes control plane (etcd, kube-apiserver, kube-controller-manager, kube-scheduler) and a kubelet simulator.
export { startLocalCluster, LocalCluster, type LocalClusterOptions } from './cluster.js';
export { useTestCluster, startPrivateCluster, type UseTestClusterOptions } from './test-cluster.js';
export type { ClusterHandle, Capabilities } from './handle.js';
export { readClusterInfo, type ClusterInfo } from './cluster-file.js';
export { runClusterCommand } from './cli.js';
export { resolveBinaries, locateBinaries, type Binaries } from './provisioning.js';
export { KubeApi, type ApiConnection } from './api.js';
export type { ImageRegistry, ImageSpec } from './kubelet/images.js';
export { operatorNodeFlags } from './kubelet/images.js';
export type { UserIdentity } from './tokens.js';
export type { ServiceAccountTokenOptions } from './service-accounts.js';
export { LocalClusterError, ProvisioningError, StartupError, KubeApiError, UnsupportedError, UnsupportedVersionError } from './errors.js';
export { ControlPlaneFaults, FaultInjectionError, type FaultTarget, type RestartOptions } from './faults.js';
export { spawnManaged, startReaper, type ManagedProcess, type SpawnOptions, type Exit, type Reaper } from './processes.js';
export { MemoryCgroup, memoryHierarchy, oomKillCount, type MemoryUsage } from './memory-cgroup.js';
export { freePort } from './ports.js';
export { kubectl, kubectlPath, KubectlError, type KubectlOptions } from './kubectl.js';
export {
  SUPPORTED_KUBERNETES,
  DEFAULT_KUBERNETES_VERSION,
  ETCD_VERSION,
  OLDEST_SUPPORTED_MINOR,
  resolveKubernetesVersion,
} from './versions.js';
export { readBakeFile, type BakeFile, type BakeTarget, type Value as BakeValue } from './images/bake-file.js';
export { buildImages, type BuildImagesOptions, type BuildImagesResult, type BuiltImage } from './images/build-images.js';
export { ImageStore, defaultImageStoreDirs, ImageUnpackError, type ImageStoreDirs } from './images/image-store.js';
export { findLayoutImage, layoutRef, layoutRefs, type LayoutImage, type ImageRunConfig } from './images/oci-layout.js';
export { runImagesCommand } from './images/images-cli.js';
