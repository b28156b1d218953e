// Handshake counters and durations in Prometheus text format (a handful of series; no per-pod labels).
import type { HandshakeFailure, HandshakeStep } from './errors.js';

const BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export class HandshakeMetrics {
  private succeeded = 0;
  private readonly failed = new Map<string, number>();
  private readonly restarts = { count: 0 };
  private readonly buckets = BUCKETS.map(() => 0);
  private durationSum = 0;
  private durationCount = 0;
  private running = 0;

  started(): void {
    this.running += 1;
  }

  succeededAfter(seconds: number): void {
    this.running -= 1;
    this.succeeded += 1;
    this.durationSum += seconds;
    this.durationCount += 1;
    BUCKETS.forEach((bound, i) => {
      if (seconds <= bound) this.buckets[i] = (this.buckets[i] ?? 0) + 1;
    });
  }

  failedAt(step: HandshakeStep, failure: HandshakeFailure): void {
    this.running -= 1;
    const key = `step="${step}",failure="${failure}"`;
    this.failed.set(key, (this.failed.get(key) ?? 0) + 1);
  }

  restartSeen(): void {
    this.restarts.count += 1;
  }

  /** Prometheus text exposition format 0.0.4. */
  render(): string {
    const lines = [
      '# HELP legacy_handshake_succeeded_total Handshakes the legacy app accepted.',
      '# TYPE legacy_handshake_succeeded_total counter',
      `legacy_handshake_succeeded_total ${this.succeeded}`,
      '# HELP legacy_handshake_failed_total Failed handshake attempts (retried with backoff), by step and failure.',
      '# TYPE legacy_handshake_failed_total counter',
      ...[...this.failed].map(([labels, n]) => `legacy_handshake_failed_total{${labels}} ${n}`),
      '# HELP legacy_handshake_restarts_total Container restarts that required a new handshake.',
      '# TYPE legacy_handshake_restarts_total counter',
      `legacy_handshake_restarts_total ${this.restarts.count}`,
      '# HELP legacy_handshake_in_flight Handshakes running now.',
      '# TYPE legacy_handshake_in_flight gauge',
      `legacy_handshake_in_flight ${this.running}`,
      '# HELP legacy_handshake_duration_seconds Duration of successful handshakes.',
      '# TYPE legacy_handshake_duration_seconds histogram',
      ...BUCKETS.map((bound, i) => `legacy_handshake_duration_seconds_bucket{le="${bound}"} ${this.buckets[i] ?? 0}`),
      `legacy_handshake_duration_seconds_bucket{le="+Inf"} ${this.durationCount}`,
      `legacy_handshake_duration_seconds_sum ${this.durationSum}`,
      `legacy_handshake_duration_seconds_count ${this.durationCount}`,
    ];
    return `${lines.join('\n')}\n`;
  }
}
