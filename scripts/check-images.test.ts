// Checks the images without a Docker engine: docker-bake.hcl parses, its Dockerfiles exist and are sound
// (COPY sources in the context and not ignored, non-root runtime, no dev deps), and deploy/ uses its images.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, posix, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { readBakeFile } from '@capstan/localcluster';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const EXPECTED_TARGETS = ['app', 'legacy-mock', 'agesecret-operator', 'legacy-handshake-operator'];

// ---- A Dockerfile reader: stages and the instructions the checks need.

interface Instruction {
  op: string;
  args: string;
  flags: Record<string, string>;
  words: string[];
}
interface Stage {
  name?: string;
  base: string;
  instructions: Instruction[];
}

function readDockerfile(text: string): Stage[] {
  const lines = text
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  const args: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const line of lines) {
    const [, op = '', rest = ''] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    const flags: Record<string, string> = {};
    let argText = rest;
    for (let m = /^--([\w-]+)(?:=(\S+))?\s*/.exec(argText); m; m = /^--([\w-]+)(?:=(\S+))?\s*/.exec(argText)) {
      flags[m[1] ?? ''] = m[2] ?? 'true';
      argText = argText.slice(m[0].length);
    }
    const words = argText.startsWith('[') ? (JSON.parse(argText) as string[]) : argText.split(/\s+/).filter(Boolean);
    const instruction = { op: op.toUpperCase(), args: argText, flags, words };
    if (instruction.op === 'FROM') {
      const base = (words[0] ?? '').replace(/\$\{(\w+)\}|\$(\w+)/g, (_, a?: string, b?: string) => args[a ?? b ?? ''] ?? '');
      stages.push({ base, instructions: [], ...(words[1]?.toUpperCase() === 'AS' && words[2] ? { name: words[2] } : {}) });
    } else if (instruction.op === 'ARG' && stages.length === 0) {
      const [name = '', value = ''] = argText.split('=');
      args[name] = value;
    } else {
      const stage = stages.at(-1);
      if (!stage) throw new Error(`${instruction.op} before the first FROM`);
      stage.instructions.push(instruction);
    }
  }
  return stages;
}

// .dockerignore semantics, simplified: patterns relative to the context, `**` crosses directories, a
// matching directory excludes its contents, later `!` patterns re-include.
function ignoredBy(patterns: string[]): (path: string) => boolean {
  const rules = patterns.map((raw) => {
    const negate = raw.startsWith('!');
    const glob = posix.normalize(negate ? raw.slice(1) : raw).replace(/^\/+/, '');
    const source = glob
      .split(/(\*\*\/|\*\*|\*|\?)/)
      .map((part) => ({ '**/': '(?:.*/)?', '**': '.*', '*': '[^/]*', '?': '[^/]' })[part] ?? part.replace(/[.+^${}()|[\]\\]/g, '\\$&'))
      .join('');
    return { negate, regex: new RegExp(`^${source}$`) };
  });
  return (path) => {
    const prefixes = path.split('/').map((_, idx, parts) => parts.slice(0, idx + 1).join('/'));
    let ignored = false;
    for (const rule of rules) if (prefixes.some((p) => rule.regex.test(p))) ignored = !rule.negate;
    return ignored;
  };
}

// ---- What deploy/ asks for: every container of every workload in every YAML file.

interface WorkloadContainer {
  file: string;
  image: string;
  hasArgs: boolean;
  hasCommand: boolean;
  ports: number[];
}

function deployContainers(): WorkloadContainer[] {
  const out: WorkloadContainer[] = [];
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? walk(join(dir, n)) : /\.ya?ml$/.test(n) ? [join(dir, n)] : []));
  const deployDir = join(ROOT, 'deploy');
  for (const file of existsSync(deployDir) ? walk(deployDir) : []) {
    for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) {
      const obj = doc.toJS() as { spec?: { template?: { spec?: { containers?: unknown[] } }; containers?: unknown[] } } | null;
      const containers = (obj?.spec?.template?.spec?.containers ?? obj?.spec?.containers ?? []) as Array<Record<string, unknown>>;
      for (const c of containers) {
        const ports = ((c.ports ?? []) as Array<{ containerPort?: number }>).map((p) => p.containerPort ?? 0);
        out.push({ file: relative(ROOT, file), image: String(c.image ?? ''), hasArgs: 'args' in c, hasCommand: 'command' in c, ports });
      }
    }
  }
  return out;
}

// The package in `dir` and the workspace packages it needs at run time (dependencies, transitively).
function workspaceClosure(dir: string): Array<{ name: string; dir: string }> {
  const read = (d: string): { name: string; dependencies?: Record<string, string> } =>
    JSON.parse(readFileSync(join(ROOT, d, 'package.json'), 'utf8'));
  const rootManifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { workspaces: string[] };
  const byName = new Map(rootManifest.workspaces.map((d) => [read(d).name, d]));
  const out = new Map<string, string>();
  const visit = (d: string): void => {
    const manifest = read(d);
    if (out.has(manifest.name)) return;
    out.set(manifest.name, d);
    for (const dep of Object.keys(manifest.dependencies ?? {})) {
      const depDir = byName.get(dep);
      if (depDir) visit(depDir);
    }
  };
  visit(dir);
  return [...out].map(([name, d]) => ({ name, dir: d }));
}

/** `registry/path/name:tag@digest` -> `name` */
function imageName(ref: string): string {
  return (
    (ref.split('@')[0] ?? '')
      .replace(/:[^/:]+$/, '')
      .split('/')
      .at(-1) ?? ''
  );
}

// ---- The checks.

const bakeText = readFileSync(join(ROOT, 'docker-bake.hcl'), 'utf8');
const bake = readBakeFile(bakeText);
const ignored = ignoredBy(
  readFileSync(join(ROOT, '.dockerignore'), 'utf8')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#')),
);

describe('docker-bake.hcl', () => {
  test('parses, and defines exactly the four deployables, all in the default group', () => {
    assert.deepEqual([...bake.targets.keys()].filter((t) => !t.startsWith('_')).sort(), [...EXPECTED_TARGETS].sort());
    assert.deepEqual([...(bake.groups.default ?? [])].sort(), [...EXPECTED_TARGETS].sort());
  });

  test('TAG defaults to latest and the seed command (TAG=v1.0.0 docker buildx bake app) tags app:v1.0.0 and app:latest', () => {
    assert.deepEqual(bake.targets.get('app')?.tags, ['app:latest', 'app:latest']);
    const seeded = readBakeFile(bakeText, { TAG: 'v1.0.0' });
    assert.deepEqual(seeded.targets.get('app')?.tags, ['app:v1.0.0', 'app:latest']);
    for (const target of seeded.targets.values()) {
      if (target.name.startsWith('_')) continue;
      assert.deepEqual(target.tags.map(imageName), [target.name, target.name], `tags of ${target.name} name the image after the target`);
    }
  });

  test('the reader rejects what it does not understand instead of guessing', () => {
    assert.throws(() => readBakeFile('target "x" { tags = ["${NOPE}"] }'), /unknown variable NOPE/);
    assert.throws(() => readBakeFile('target "x" {'), /unexpected end of file/);
    assert.throws(() => readBakeFile('target "x" { a = 1 \n a = 2 }'), /set twice/);
    assert.throws(() => readBakeFile('target "a" { inherits = ["b"] }\ntarget "b" { inherits = ["a"] }'), /inherits cycle/);
  });
});

describe('.dockerignore', () => {
  test('keeps dependencies, builds, git history and key material out of the build context', () => {
    for (const path of [
      'node_modules/x',
      'apps/numbers/node_modules/y',
      'apps/numbers/dist/main.js',
      '.git/HEAD',
      'test-artifacts/a.png',
      'key.txt',
      'deploy/demo/local.key',
      'app/manifests/age.secret.yaml',
    ]) {
      assert.equal(ignored(path), true, path);
    }
    for (const path of ['package.json', 'apps/numbers/src/main.ts', 'packages/capstan/src/index.ts'])
      assert.equal(ignored(path), false, path);
  });
});

for (const name of EXPECTED_TARGETS) {
  describe(`image ${name}`, () => {
    const target = bake.targets.get(name);
    const context = resolve(ROOT, target?.context ?? '.');
    const dockerfilePath = resolve(context, target?.dockerfile ?? '');
    const stages = existsSync(dockerfilePath) ? readDockerfile(readFileSync(dockerfilePath, 'utf8')) : [];
    const runtime = stages.at(-1);
    const instructions = (op: string, stage?: Stage): Instruction[] =>
      (stage ? stage.instructions : stages.flatMap((s) => s.instructions)).filter((i) => i.op === op);

    test('its Dockerfile exists in the context, builds on node:24-bookworm-slim and runs on distroless nodejs24 (Node 24 LTS)', () => {
      assert.ok(existsSync(dockerfilePath), `${target?.dockerfile} does not exist`);
      assert.ok(stages.length >= 2, 'multi-stage: build and runtime');
      assert.equal(stages[0]?.base, 'node:24-bookworm-slim');
      assert.equal(
        runtime?.base,
        'gcr.io/distroless/nodejs24-debian12:nonroot',
        'a runtime on a supported Node (20 is past its end of life)',
      );
      assert.ok(
        instructions('RUN', stages[0]).some((i) => /npm ci\b/.test(i.args)),
        'the build stage installs with npm ci (the lockfile)',
      );
      assert.ok(
        instructions('RUN', stages[0]).some((i) => /tsc -p \S*tsconfig\.build\.json/.test(i.args)),
        'the build stage compiles with tsc',
      );
    });

    test('every COPY source exists in the context and is not excluded by .dockerignore; --from names an earlier stage', () => {
      stages.forEach((stage, index) => {
        for (const copy of instructions('COPY', stage)) {
          const sources = copy.words.slice(0, -1);
          assert.ok(sources.length > 0, `COPY ${copy.args} has a source and a destination`);
          if (copy.flags.from !== undefined) {
            const earlier = stages.slice(0, index).map((s) => s.name);
            assert.ok(earlier.includes(copy.flags.from), `COPY --from=${copy.flags.from} names an earlier stage (${earlier.join(', ')})`);
            continue;
          }
          for (const source of sources) {
            assert.ok(existsSync(join(context, source)), `COPY source ${source} exists in the build context`);
            assert.equal(ignored(posix.normalize(source)), false, `COPY source ${source} is excluded by .dockerignore`);
          }
        }
      });
    });

    test('the runtime stage runs as a numeric non-root user, exposes a port and has an exec-form ENTRYPOINT', () => {
      assert.ok(runtime, 'has a runtime stage');
      const user = instructions('USER', runtime).at(-1)?.words[0] ?? '';
      assert.match(user, /^[1-9]\d*(:\d+)?$/, `USER ${user || '(none)'}: numeric and not root, so runAsNonRoot can verify it`);
      assert.ok(instructions('EXPOSE', runtime).length > 0, 'EXPOSE the port');
      const entrypoint = instructions('ENTRYPOINT', runtime).at(-1);
      assert.ok(entrypoint?.args.startsWith('['), 'ENTRYPOINT in exec form (signals reach node)');
      assert.match(entrypoint?.words.at(-1) ?? '', /^dist\/[\w-]+\.js$/);
    });

    test('no dev dependencies reach the runtime stage', () => {
      for (const run of instructions('RUN', runtime)) assert.doesNotMatch(run.args, /npm (ci|install)(?!.*--omit=dev)/, run.args);
      for (const copy of instructions('COPY', runtime)) {
        if (!copy.words.some((w) => /node_modules/.test(w))) continue;
        const from = stages.find((s) => s.name === copy.flags.from);
        const installs = from ? instructions('RUN', from).filter((i) => /npm (ci|install)/.test(i.args)) : [];
        assert.ok(
          installs.length > 0 && installs.every((i) => /--omit=dev/.test(i.args)),
          `node_modules copied from ${copy.flags.from} are production-only`,
        );
      }
    });

    test('the build stage copies, installs and compiles the package and every workspace package it depends on', () => {
      const build = stages[0];
      const packages = workspaceClosure(relative(ROOT, dirname(dockerfilePath)));
      const sources = build
        ? instructions('COPY', build)
            .filter((i) => i.flags.from === undefined)
            .flatMap((i) => i.words.slice(0, -1))
        : [];
      const copied = (path: string): boolean => sources.some((s) => s === '.' || s === path || path.startsWith(`${s.replace(/\/$/, '')}/`));
      const runs = build
        ? instructions('RUN', build)
            .map((i) => i.args)
            .join('\n')
        : '';
      const runtimeCopies = instructions('COPY', runtime)
        .filter((i) => i.flags.from !== undefined)
        .flatMap((i) => i.words.slice(0, -1));
      for (const { name: pkg, dir } of packages) {
        for (const file of ['package.json', 'tsconfig.build.json', 'src'])
          assert.ok(copied(`${dir}/${file}`), `${dir}/${file} is copied into the build stage`);
        assert.match(runs, new RegExp(`--workspace ${pkg.replace(/[/@]/g, '\\$&')}(\\s|$)`), `npm ci installs the workspace ${pkg}`);
        assert.ok(runs.includes(`tsc -p ${dir}/tsconfig.build.json`), `the build compiles ${dir}`);
        assert.ok(
          runtimeCopies.some((s) => s.endsWith(`/${dir}/dist`)),
          `the runtime stage gets ${dir}/dist`,
        );
      }
    });

    test('the entrypoint is compiled from a source file of the package', (t) => {
      const script = instructions('ENTRYPOINT', runtime).at(-1)?.words.at(-1) ?? '';
      const source = join(dirname(dockerfilePath), script.replace(/^dist\//, 'src/').replace(/\.js$/, '.ts'));
      // An operator whose entry point is still being written is reported, not failed.
      if (!existsSync(source) && !dockerfilePath.includes(`${join(ROOT, 'apps')}/`)) {
        t.todo(`${relative(ROOT, source)} does not exist yet`);
        return;
      }
      assert.ok(existsSync(source), `${relative(ROOT, source)} exists`);
    });

    test('Deployments using this image match it (ports, args with an ENTRYPOINT)', () => {
      for (const c of deployContainers().filter((x) => imageName(x.image) === name)) {
        const exposed = instructions('EXPOSE', runtime).flatMap((i) => i.words.map((w) => Number.parseInt(w, 10)));
        for (const port of c.ports) assert.ok(exposed.includes(port), `${c.file}: containerPort ${port} is EXPOSEd by the image`);
        if (c.hasArgs && !c.hasCommand) assert.ok(instructions('ENTRYPOINT', runtime).length > 0, `${c.file}: args need an ENTRYPOINT`);
      }
    });
  });
}

test('every image a manifest in deploy/ runs is built by a bake target', () => {
  const built = new Set([...bake.targets.values()].flatMap((t) => t.tags.map(imageName)));
  for (const c of deployContainers())
    assert.ok(built.has(imageName(c.image)), `${c.file}: image ${c.image} is not built by docker-bake.hcl`);
});
