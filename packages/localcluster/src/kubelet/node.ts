// The simulated Node: registered Ready, with a Lease renewed every 10 s and status heartbeats, like a kubelet.
import type { KubeApi } from '../api.js';
import { KubeApiError } from '../errors.js';

const LEASE_SECONDS = 40;

function readyConditions(now: string, since: string) {
  const ok = (type: string, reason: string, message: string) => ({
    type,
    status: 'False',
    reason,
    message,
    lastHeartbeatTime: now,
    lastTransitionTime: since,
  });
  return [
    ok('MemoryPressure', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
    ok('DiskPressure', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
    ok('PIDPressure', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
    {
      type: 'Ready',
      status: 'True',
      reason: 'KubeletReady',
      message: 'capstan kubelet simulator is posting ready status',
      lastHeartbeatTime: now,
      lastTransitionTime: since,
    },
  ];
}

export interface NodeHeartbeat {
  stop(): void;
}

export interface RegisterNodeOptions {
  api: KubeApi;
  nodeName: string;
  hostIP: string;
  /** Port of the kubelet endpoint the apiserver proxies `kubectl logs` to. */
  kubeletPort: number;
  /** The control plane's version, reported as the kubelet's ("v1.37.2-capstan"). */
  kubernetesVersion: string;
  log: (line: string) => void;
}

export async function registerNode(options: RegisterNodeOptions): Promise<NodeHeartbeat> {
  const { api, nodeName, hostIP } = options;
  const since = new Date().toISOString();
  try {
    await api.post('/api/v1/nodes', {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name: nodeName,
        labels: {
          'kubernetes.io/hostname': nodeName,
          'kubernetes.io/os': 'linux',
          'kubernetes.io/arch': process.arch === 'x64' ? 'amd64' : process.arch,
          'capstan.dev/simulated': 'true',
        },
      },
      spec: {},
    });
  } catch (err) {
    if (!(err instanceof KubeApiError && err.status === 409)) throw err;
  }
  const postStatus = async () => {
    const now = new Date().toISOString();
    const resources = { cpu: '16', memory: '64Gi', pods: '250', 'ephemeral-storage': '100Gi' };
    await api.patch(
      `/api/v1/nodes/${nodeName}/status`,
      {
        status: {
          conditions: readyConditions(now, since),
          // InternalIP only: the apiserver tries a Hostname address first, and the node name does not resolve.
          addresses: [{ type: 'InternalIP', address: hostIP }],
          daemonEndpoints: { kubeletEndpoint: { Port: options.kubeletPort } },
          capacity: resources,
          allocatable: resources,
          nodeInfo: {
            kubeletVersion: `v${options.kubernetesVersion}-capstan`,
            operatingSystem: 'linux',
            architecture: process.arch === 'x64' ? 'amd64' : process.arch,
            containerRuntimeVersion: 'capstan-local://1',
            osImage: 'local processes',
            kernelVersion: '',
            machineID: '',
            systemUUID: '',
            bootID: '',
          },
        },
      },
      'strategic',
    );
  };
  const renewLease = async () => {
    const path = `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${nodeName}`;
    const spec = {
      holderIdentity: nodeName,
      leaseDurationSeconds: LEASE_SECONDS,
      renewTime: new Date().toISOString().replace('Z', '000Z'),
    };
    try {
      await api.patch(path, { spec }, 'merge');
    } catch (err) {
      if (!(err instanceof KubeApiError && err.status === 404)) throw err;
      await api.post('/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases', {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name: nodeName },
        spec,
      });
    }
  };
  await postStatus();
  await renewLease().catch((err: Error) => options.log(`kubelet: lease: ${err.message}`));
  let ticks = 0;
  const timer = setInterval(() => {
    ticks++;
    renewLease().catch((err: Error) => options.log(`kubelet: lease: ${err.message}`));
    if (ticks % 3 === 0) postStatus().catch((err: Error) => options.log(`kubelet: node status: ${err.message}`));
  }, 10_000);
  return { stop: () => clearInterval(timer) };
}
