// The few fields of core and apps objects the operator reads (metadata is capstan's ObjectMeta).
import type { ObjectMeta } from 'capstan';

export type { ObjectMeta };

export interface ContainerPort {
  name?: string;
  containerPort: number;
  protocol?: string;
}

export interface Container {
  name: string;
  image?: string;
  ports?: ContainerPort[];
}

export interface PodCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
  lastProbeTime?: string | null;
}

export interface ContainerStatus {
  name: string;
  ready?: boolean;
  restartCount?: number;
  state?: Record<string, unknown>;
}

export interface PodSpec {
  containers: Container[];
  readinessGates?: { conditionType: string }[];
  hostNetwork?: boolean;
  [key: string]: unknown;
}

export interface Pod {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  spec?: PodSpec;
  status?: {
    phase?: string;
    podIP?: string;
    conditions?: PodCondition[];
    containerStatuses?: ContainerStatus[];
  };
}

export interface Deployment {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  spec?: {
    template?: { metadata?: ObjectMeta; spec?: PodSpec };
    [key: string]: unknown;
  };
}

export interface Secret {
  metadata?: ObjectMeta;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}
