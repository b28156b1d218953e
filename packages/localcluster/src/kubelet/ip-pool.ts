// Pod IPs on loopback: one random 127.x.y.0/24 per cluster (Linux routes all of 127/8 to lo), one address per pod.
import { randomInt } from 'node:crypto';

export class IpPool {
  readonly prefix: string;
  private readonly used = new Set<number>();
  private next = 2;

  /** 127.0.x.x is left alone (127.0.0.1 is everyone's localhost); random subnets keep parallel clusters apart. */
  constructor(prefix?: string) {
    this.prefix = prefix ?? `127.${randomInt(1, 255)}.${randomInt(0, 256)}`;
  }

  allocate(): string {
    for (let i = 0; i < 253; i++) {
      const n = this.next;
      this.next = this.next >= 254 ? 2 : this.next + 1;
      if (!this.used.has(n)) {
        this.used.add(n);
        return `${this.prefix}.${n}`;
      }
    }
    throw new Error(`no free pod IP left in ${this.prefix}.0/24`);
  }

  release(ip: string | undefined): void {
    if (!ip?.startsWith(`${this.prefix}.`)) return;
    this.used.delete(Number(ip.slice(this.prefix.length + 1)));
  }
}
