// httpGet, tcpSocket and exec probes against a pod's loopback IP, and the periodic loop with kubelet's thresholds.
import { execFile } from 'node:child_process';
import { request } from 'node:http';
import { connect } from 'node:net';
import type { ContainerPort, Probe } from './types.js';

export interface ProbeTarget {
  podIP: string;
  ports: ContainerPort[];
  env: Record<string, string>;
  /** Runs an exec probe's command inside the container (image runtime: `runc exec ID`); default: on the host. */
  execPrefix?: string[];
}

function resolvePort(port: number | string, ports: ContainerPort[]): number {
  if (typeof port === 'number') return port;
  const named = ports.find((p) => p.name === port)?.containerPort;
  return named ?? Number(port);
}

export function runProbe(probe: Probe, target: ProbeTarget): Promise<boolean> {
  const timeoutMs = (probe.timeoutSeconds ?? 1) * 1000;
  if (probe.httpGet) {
    const action = probe.httpGet;
    return new Promise((resolve) => {
      const req = request(
        {
          host: action.host || target.podIP,
          port: resolvePort(action.port, target.ports),
          path: action.path ?? '/',
          timeout: timeoutMs,
          headers: Object.fromEntries((action.httpHeaders ?? []).map((h) => [h.name, h.value])),
        },
        (res) => {
          res.resume();
          resolve((res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 400);
        },
      );
      req.on('timeout', () => req.destroy());
      req.on('error', () => resolve(false));
      req.end();
    });
  }
  if (probe.tcpSocket) {
    const { port, host } = probe.tcpSocket;
    return new Promise((resolve) => {
      const socket = connect({ host: host || target.podIP, port: resolvePort(port, target.ports), timeout: timeoutMs });
      socket.on('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('timeout', () => {
        socket.destroy();
        resolve(false);
      });
      socket.on('error', () => resolve(false));
    });
  }
  if (probe.exec) {
    const [cmd, ...args] = [...(target.execPrefix ?? []), ...probe.exec.command];
    if (!cmd) return Promise.resolve(false);
    return new Promise((resolve) => {
      execFile(cmd, args, { env: target.env, timeout: timeoutMs }, (err) => resolve(!err));
    });
  }
  return Promise.resolve(true);
}

/** Calls `onChange(ok)` when the probe's thresholded result flips (kubelet's successThreshold/failureThreshold). */
export class ProbeLoop {
  private timer: NodeJS.Timeout | undefined;
  private successes = 0;
  private failures = 0;
  private result: boolean | undefined;
  private stopped = false;

  /**
   * `eager`: probe every 500 ms while not succeeding (readiness shows up soon after start). Liveness
   * must not be eager: its failures kill the container, and an app needs its periods to start.
   */
  constructor(
    private readonly probe: Probe,
    private readonly target: ProbeTarget,
    private readonly onChange: (ok: boolean) => void,
    private readonly eager = false,
  ) {}

  start(): void {
    this.schedule((this.probe.initialDelaySeconds ?? 0) * 1000);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.tick(), ms);
  }

  private async tick(): Promise<void> {
    const ok = await runProbe(this.probe, this.target);
    if (this.stopped) return;
    if (ok) {
      this.successes++;
      this.failures = 0;
      if (this.result !== true && this.successes >= (this.probe.successThreshold ?? 1)) this.flip(true);
    } else {
      this.failures++;
      this.successes = 0;
      if (this.result !== false && this.failures >= (this.probe.failureThreshold ?? 3)) this.flip(false);
    }
    const period = (this.probe.periodSeconds ?? 10) * 1000;
    this.schedule(this.eager && this.result !== true ? Math.min(period, 500) : period);
  }

  private flip(ok: boolean): void {
    this.result = ok;
    this.onChange(ok);
  }
}
