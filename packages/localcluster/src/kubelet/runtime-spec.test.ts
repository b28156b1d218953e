// Table tests of the image runtime's pure decisions: identity (and the kubelet's refusals), capabilities, spec.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { capabilitySet, ContainerConfigRefusal, memoryBytes, parsePasswd, processIdentity, runtimeSpec } from './runtime-spec.js';
import type { Container, Pod, PodSecurityContext, SecurityContext } from './types.js';

const passwd = parsePasswd('root:x:0:0::/root:/sbin/nologin\nnonroot:x:65532:65532::/home/nonroot:/sbin/nologin\n');
const groups = parsePasswd('root:x:0:\nnonroot:x:65532:\nstaff:x:50:\n');
const pod = (sc?: PodSecurityContext, containerSc?: SecurityContext): { pod: Pod; container: Container } => {
  const container: Container = { name: 'c', image: 'app', ...(containerSc ? { securityContext: containerSc } : {}) };
  return {
    pod: {
      metadata: { name: 'p', namespace: 'ns', uid: 'u-1' },
      spec: { containers: [container], ...(sc ? { securityContext: sc } : {}) },
    },
    container,
  };
};
const where = '(pod: "p_ns(u-1)", container: c)';

describe('processIdentity', () => {
  const cases: {
    name: string;
    imageUser: string;
    pod?: PodSecurityContext;
    container?: SecurityContext;
    want: string | [number, number];
  }[] = [
    { name: 'image USER numeric', imageUser: '65532', want: [65532, 65532] },
    { name: 'image USER uid:gid', imageUser: '65532:50', want: [65532, 50] },
    { name: 'image USER by name', imageUser: 'nonroot', want: [65532, 65532] },
    { name: 'image USER name:group', imageUser: 'nonroot:staff', want: [65532, 50] },
    { name: 'no USER: root', imageUser: '', want: [0, 0] },
    { name: 'pod runAsUser wins over the image', imageUser: '65532', pod: { runAsUser: 1000, runAsGroup: 2000 }, want: [1000, 2000] },
    {
      name: 'container runAsUser wins over the pod',
      imageUser: '65532',
      pod: { runAsUser: 1000 },
      container: { runAsUser: 7 },
      want: [7, 0],
    },
    { name: 'runAsNonRoot with a non-root image', imageUser: '65532', container: { runAsNonRoot: true }, want: [65532, 65532] },
    {
      name: 'runAsNonRoot, root image',
      imageUser: '',
      pod: { runAsNonRoot: true },
      want: `container has runAsNonRoot and image will run as root ${where}`,
    },
    {
      name: 'runAsNonRoot, USER 0',
      imageUser: '0',
      container: { runAsNonRoot: true },
      want: `container has runAsNonRoot and image will run as root ${where}`,
    },
    {
      name: 'runAsNonRoot, named user cannot be verified',
      imageUser: 'nonroot',
      container: { runAsNonRoot: true },
      want: `container has runAsNonRoot and image has non-numeric user (nonroot), cannot verify user is non-root ${where}`,
    },
    {
      name: 'runAsNonRoot with runAsUser 0',
      imageUser: '65532',
      container: { runAsNonRoot: true, runAsUser: 0 },
      want: `container's runAsUser breaks non-root policy ${where}`,
    },
    {
      name: 'runAsNonRoot satisfied by runAsUser over a root image',
      imageUser: '',
      container: { runAsNonRoot: true, runAsUser: 10 },
      want: [10, 0],
    },
    { name: 'unknown user name', imageUser: 'ghost', want: `unable to find user ghost: no matching entries in passwd file ${where}` },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const { pod: p, container } = pod(c.pod, c.container);
      const call = () => processIdentity({ pod: p, container, imageUser: c.imageUser, passwd, groups });
      if (typeof c.want === 'string') {
        assert.throws(
          call,
          (e: unknown) => e instanceof ContainerConfigRefusal && e.reason === 'CreateContainerConfigError' && e.message === c.want,
        );
      } else {
        const got = call();
        assert.deepEqual([got.uid, got.gid], c.want);
      }
    });
  }
  test('fsGroup and supplementalGroups become additional groups', () => {
    const { pod: p, container } = pod({ fsGroup: 2000, supplementalGroups: [3000] });
    assert.deepEqual(processIdentity({ pod: p, container, imageUser: '65532', passwd, groups }).additionalGids, [2000, 3000]);
  });
});

describe('capabilitySet', () => {
  test('the runtime default set, minus drops, plus adds; ALL drops everything', () => {
    assert.equal(capabilitySet({}).length, 14);
    assert.deepEqual(capabilitySet({ capabilities: { drop: ['ALL'] } }), []);
    assert.deepEqual(capabilitySet({ capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] } }), ['CAP_NET_BIND_SERVICE']);
    assert.ok(!capabilitySet({ capabilities: { drop: ['chown'] } }).includes('CAP_CHOWN'));
  });
});

describe('memoryBytes', () => {
  for (const [q, want] of [
    ['128Mi', 134217728],
    ['1Gi', 1073741824],
    ['100M', 100_000_000],
    ['1e9', 1e9],
    [512, 512],
    ['lots', undefined],
    [undefined, undefined],
  ] as const) {
    test(`${String(q)} -> ${String(want)}`, () => assert.equal(memoryBytes(q), want));
  }
});

describe('runtimeSpec', () => {
  test('host network (no network namespace), read-only root, no new privileges, bind mounts with their mode', () => {
    const spec = runtimeSpec({
      rootfs: '/r',
      readOnlyRoot: true,
      args: ['/nodejs/bin/node', 'dist/main.js'],
      env: { A: '1' },
      cwd: '/app',
      identity: { uid: 65532, gid: 65532, additionalGids: [] },
      capabilities: [],
      noNewPrivileges: true,
      hostname: 'p',
      mounts: [{ source: '/s', destination: '/etc/s', readOnly: true }],
      memoryLimit: 1024,
    }) as {
      process: Record<string, unknown>;
      root: unknown;
      mounts: { destination: string; options?: string[] }[];
      linux: Record<string, unknown>;
    };
    assert.deepEqual(spec.root, { path: '/r', readonly: true });
    assert.equal(spec.process.noNewPrivileges, true);
    assert.deepEqual(spec.process.env, ['A=1']);
    assert.deepEqual(
      (spec.linux.namespaces as { type: string }[]).map((n) => n.type),
      ['pid', 'ipc', 'uts', 'mount'],
    );
    assert.deepEqual(spec.mounts.find((m) => m.destination === '/etc/s')?.options, ['rbind', 'nosuid', 'nodev', 'ro']);
    assert.deepEqual(spec.linux.resources, { memory: { limit: 1024, swap: 1024 } });
  });
});
