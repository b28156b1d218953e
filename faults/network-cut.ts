// A cut or lossy network between one operator process and the API server: its packets silently dropped (nftables, by cgroup).
import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { startReaper, type Reaper } from '@capstan/localcluster';

const run = promisify(execFile);
const NFT = '/usr/sbin/nft';
// nft resolves a `socket cgroupv2` path under this directory (its compiled-in cgroup root).
const NFT_CGROUP_ROOT = '/sys/fs/cgroup';
const PREFIX = 'capstan-net';

/** What a cut drops (default: every packet, both ways). */
export interface CutOptions {
  /** The share of packets dropped, at random (1-100; default 100: all). */
  lossPercent?: number;
  /** `both` (default); `in`: only the API server's packets to the operator; `out`: only the operator's packets. */
  direction?: 'both' | 'in' | 'out';
}

/**
 * How it works: the operator runs in a cgroup v2 of its own (`OperatorProcess` `cgroups`, joined before node
 * starts, so every socket it opens belongs there). `cut(port)` adds an nftables table that drops, in the output
 * hook, packets of that cgroup's sockets to the port and, in the input hook, packets to those sockets from it:
 * both directions of every connection between it and the API server are lost, nothing is refused (no RST, no
 * ICMP), exactly as on a dead link. Connections already open stay open and retransmit; everyone else (the test's
 * own client, other replicas, the kubelet) is untouched. `restore()` deletes the table. A reaper deletes the
 * table and the cgroup if this process dies first; `sweepStale()` removes what a killed run of another process left.
 * Needs root, nftables with `socket cgroupv2` (Linux 5.13+) and a mounted cgroup v2 hierarchy.
 */
export class NetworkCut {
  /** The cgroup directory the operator process must join (`OperatorProcess` option `cgroups`). */
  readonly cgroup: string;
  readonly #table: string;
  readonly #nftPath: string;
  readonly #reaper: Reaper;
  #cutAt: number | undefined;
  /** Packets dropped by the cuts so far (both directions). */
  dropped = 0;

  private constructor(cgroup: string, table: string, nftPath: string, reaper: Reaper) {
    this.cgroup = cgroup;
    this.#table = table;
    this.#nftPath = nftPath;
    this.#reaper = reaper;
  }

  /** A cgroup for one process (`name`: a-z, 0-9, -), its cleanup script in `workDir` and a reaper for it. */
  static create(name: string, workDir: string): NetworkCut {
    const root = cgroup2Root();
    const nftPath = relative(NFT_CGROUP_ROOT, root);
    if (nftPath.startsWith('..')) throw new Error(`the cgroup v2 hierarchy (${root}) is not under ${NFT_CGROUP_ROOT}, where nft looks`);
    const base = `${PREFIX}-${process.pid}-${name}`;
    const cgroup = join(root, base);
    mkdirSync(cgroup, { recursive: true });
    const table = tableOf(base);
    const script = join(workDir, `${base}-cleanup.sh`);
    writeFileSync(script, cleanupScript(table, cgroup));
    // pgidFile: none to kill (the operator dies with us by its parent-death signal); the script undoes the rest.
    const reaper = startReaper({ watchPid: process.pid, pgidFile: join(workDir, `${base}-none`), cleanupFile: script, paths: [] });
    return new NetworkCut(cgroup, table, nftPath ? `${nftPath}/${base}` : base, reaper);
  }

  /** Whether the cut is in place. */
  get active(): boolean {
    return this.#cutAt !== undefined;
  }

  /**
   * Drops packets between this cgroup's sockets and `port` on this machine (the API server's): by default every packet,
   * both ways (a dead link). `lossPercent` drops that share of them at random instead (a lossy link: TCP retransmits,
   * requests are slow but get through); `direction` `in` drops only the server's packets to the operator (its
   * requests arrive and are carried out, their answers never come back), `out` only the operator's.
   */
  async cut(port: number, options: CutOptions = {}): Promise<void> {
    if (this.#cutAt !== undefined) return;
    const { lossPercent = 100, direction = 'both' } = options;
    if (!(lossPercent > 0 && lossPercent <= 100)) throw new Error(`lossPercent must be in (0, 100], got ${lossPercent}`);
    const match = `socket cgroupv2 level 1 "${this.#nftPath}"`;
    const loss = lossPercent < 100 ? ` numgen random mod 100 < ${Math.round(lossPercent)}` : '';
    const chains = [
      direction !== 'in'
        ? `  chain out { type filter hook output priority filter; policy accept; ${match} tcp dport ${port}${loss} counter drop; }`
        : '',
      direction !== 'out'
        ? `  chain in { type filter hook input priority filter; policy accept; ${match} tcp sport ${port}${loss} counter drop; }`
        : '',
    ];
    await nft([`table inet ${this.#table} {`, ...chains.filter(Boolean), '}'].join('\n'));
    this.#cutAt = Date.now();
  }

  /** Deletes the rules (the link is back); resolves with how long it was cut. */
  async restore(): Promise<number> {
    if (this.#cutAt === undefined) return 0;
    this.dropped += await this.#counted().catch(() => 0);
    await nft(`delete table inet ${this.#table}`);
    const ms = Date.now() - this.#cutAt;
    this.#cutAt = undefined;
    return ms;
  }

  /** Restores the link and removes the cgroup (its processes must have exited); the reaper stays if either fails. */
  async close(): Promise<void> {
    await this.restore();
    removeCgroup(this.cgroup);
    this.#reaper.dismiss();
  }

  async #counted(): Promise<number> {
    const { stdout } = await run(NFT, ['-j', 'list', 'table', 'inet', this.#table]);
    const rules = (JSON.parse(stdout) as { nftables: { rule?: { expr: { counter?: { packets: number } }[] } }[] }).nftables;
    return rules.flatMap((r) => r.rule?.expr ?? []).reduce((n, e) => n + (e.counter?.packets ?? 0), 0);
  }

  /** Tables and cgroups of runs whose process is gone (killed before its reaper could run). */
  static async sweepStale(): Promise<void> {
    const alive = (pid: number) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    const owner = (name: string) => Number(/^capstan[-_]net[-_](\d+)[-_]/.exec(name)?.[1]);
    const { stdout } = await run(NFT, ['list', 'tables']);
    for (const [, table] of stdout.matchAll(/^table inet (capstan_net_\S+)$/gm)) {
      if (table && !alive(owner(table))) await nft(`delete table inet ${table}`).catch(() => {});
    }
    const root = cgroup2Root();
    for (const dir of readdirSync(root)) {
      if (dir.startsWith(`${PREFIX}-`) && !alive(owner(dir))) removeCgroup(join(root, dir));
    }
  }
}

/** Where the cgroup v2 hierarchy is mounted (/sys/fs/cgroup, or /sys/fs/cgroup/unified on a hybrid machine). */
function cgroup2Root(): string {
  const line = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .find((l) => l.split(' - ')[1]?.startsWith('cgroup2 '));
  const mount = line?.split(' ')[4];
  if (!mount) throw new Error('no cgroup v2 hierarchy is mounted: the network cut needs one');
  return mount;
}

const tableOf = (base: string) => base.replaceAll('-', '_');

async function nft(commands: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const child = execFile(NFT, ['-f', '-'], (error, _stdout, stderr) =>
      error ? reject(new Error(`nft failed: ${stderr.trim() || error.message}\n${commands}`)) : resolve(),
    );
    child.stdin?.end(commands);
  });
}

/** Kills what is left in the cgroup and removes it (a cgroup with processes cannot be removed). */
function removeCgroup(dir: string): void {
  try {
    writeFileSync(join(dir, 'cgroup.kill'), '1');
  } catch {
    // gone, or an older kernel without cgroup.kill: rmdir says whether it is empty
  }
  try {
    rmdirSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

function cleanupScript(table: string, cgroup: string): string {
  return [
    `${NFT} delete table inet ${table} 2>/dev/null`,
    `echo 1 > '${cgroup}/cgroup.kill' 2>/dev/null`,
    `for i in 1 2 3 4 5 6 7 8 9 10; do rmdir '${cgroup}' 2>/dev/null && break; [ -d '${cgroup}' ] || break; sleep 0.5; done`,
    '',
  ].join('\n');
}
