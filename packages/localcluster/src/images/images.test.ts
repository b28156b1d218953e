// Unit tests of the image tooling's pure parts: layout references, apt's mirror, bake groups, the SBOM.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { aptMirror, dpkgStanzas } from './base-images.js';
import { expandTargets } from './build-images.js';
import { layoutRef } from './oci-layout.js';
import { debianPackages, npmPackages, spdxDocument } from './sbom.js';

describe('layoutRef', () => {
  for (const [image, want] of [
    ['app', 'app:latest'],
    ['app:v1.0.1', 'app:v1.0.1'],
    ['docker.io/library/app:v1', 'app:v1'],
    ['ghcr.io/acme/x@sha256:abcd', 'x:latest'],
    ['localhost:5000/team/op:1.2', 'op:1.2'],
  ]) {
    test(`${image} -> ${want}`, () => assert.equal(layoutRef(image!), want));
  }
});

describe('aptMirror', () => {
  test('deb822 and one-line sources; security archives skipped', () => {
    assert.equal(aptMirror(['Types: deb\nURIs: http://mirror.example/debian\nSuites: bookworm\n']), 'http://mirror.example/debian');
    assert.equal(aptMirror(['deb [arch=amd64] http://m.example/debian bookworm main\n']), 'http://m.example/debian');
    assert.equal(
      aptMirror(['URIs: http://deb.debian.org/debian-security\n', 'deb http://x.example/debian bookworm main']),
      'http://x.example/debian',
    );
    assert.equal(aptMirror(['# nothing\n']), undefined);
  });
});

describe('expandTargets', () => {
  test('groups expand in order, each target once; a cycle is an error', () => {
    assert.deepEqual(expandTargets({ default: ['a', 'ops'], ops: ['b', 'a'] }, ['default']), ['a', 'b']);
    assert.deepEqual(expandTargets({}, ['x']), ['x']);
    assert.throws(() => expandTargets({ a: ['b'], b: ['a'] }, ['a']), /group cycle/);
  });
});

describe('SBOM', () => {
  test('npm packages of an unpacked image (scoped, nested; system folders skipped) and distroless-style Debian records', () => {
    const root = mkdtempSync(join(tmpdir(), 'capstan-sbom-'));
    const write = (path: string, json: object) => {
      mkdirSync(join(root, path), { recursive: true });
      writeFileSync(join(root, path, 'package.json'), JSON.stringify(json));
    };
    write('app/node_modules/yaml', { name: 'yaml', version: '2.9.1', license: 'ISC' });
    write('app/node_modules/@kubernetes/client-node', { name: '@kubernetes/client-node', version: '1.4.0', license: 'Apache-2.0' });
    write('app/node_modules/@kubernetes/client-node/node_modules/ws', { name: 'ws', version: '8.0.0' });
    write('usr/lib/node_modules/npm', { name: 'npm', version: '11.0.0' });
    mkdirSync(join(root, 'var/lib/dpkg/status.d'), { recursive: true });
    writeFileSync(join(root, 'var/lib/dpkg/status.d/libc6'), 'Package: libc6\nStatus: install ok installed\nVersion: 2.36-9\n');
    const npm = npmPackages(root)
      .map((p) => `${p.name}@${p.version}`)
      .sort();
    assert.deepEqual(npm, ['@kubernetes/client-node@1.4.0', 'ws@8.0.0', 'yaml@2.9.1']);
    const deb = debianPackages(root);
    assert.deepEqual(
      deb.map((p) => `${p.name}@${p.version}`),
      ['libc6@2.36-9'],
    );
    const doc = spdxDocument({
      image: 'app:latest',
      digest: 'sha256:ab',
      packages: [...deb, ...npmPackages(root)],
      created: '2026-01-01T00:00:00Z',
    });
    const refs = (doc.packages as { externalRefs: { referenceLocator: string }[] }[]).map((p) => p.externalRefs[0]?.referenceLocator);
    assert.ok(refs.includes('pkg:deb/debian/libc6@2.36-9?distro=debian-12'));
    assert.ok(refs.includes('pkg:npm/%40kubernetes/client-node@1.4.0'));
    rmSync(root, { recursive: true, force: true });
  });

  test('dpkgStanzas picks the named packages out of a status file', () => {
    const status = 'Package: a\nVersion: 1\n\nPackage: libc6\nVersion: 2\n\nPackage: tzdata\nVersion: 3\n';
    assert.deepEqual([...dpkgStanzas(status, ['libc6', 'tzdata']).keys()], ['libc6', 'tzdata']);
  });
});
