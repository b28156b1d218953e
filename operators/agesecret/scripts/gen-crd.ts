// Writes deploy/agesecret/crd.yaml from the CRD defined in src/resource.ts.
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { crdYaml } from '../src/resource.js';

const target = resolve(import.meta.dirname, '../../../deploy/agesecret/crd.yaml');
writeFileSync(target, crdYaml());
console.log(`wrote ${target}`);
