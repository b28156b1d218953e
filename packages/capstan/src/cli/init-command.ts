// `capstan init <dir> [--name N] [--group G] [--kind K]`: a new operator project on the published packages.
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { exitCodes, parseCommandArgs, type Command } from './command.js';
import { projectFiles } from './init-templates.js';
import { ownVersion } from './own-version.js';

export const initUsage = `usage: capstan init <dir> [--name NAME] [--group GROUP] [--kind KIND]
  Writes a standalone operator project into <dir> (new or empty): a typed custom resource and its
  reconciler, a test against a local Kubernetes, a Dockerfile and a README. Then: cd <dir> && npm install && npm test
  --name NAME    package and operator name (default: the directory's name)
  --group GROUP  API group of the custom resource (default: <name>.example.com)
  --kind KIND    kind of the custom resource, CamelCase (default: Widget)
`;

const dnsLabel = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;
const dnsSubdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$/;

export const initCommand: Command = {
  summary: 'start a new operator project',
  async run(argv, io) {
    const parsed = parseCommandArgs(argv, io, {
      command: 'init',
      usage: initUsage,
      options: { name: { type: 'string' }, group: { type: 'string' }, kind: { type: 'string' } },
    });
    if (typeof parsed === 'number') return parsed;
    const { values, positionals } = parsed;
    const usage = (message: string) => (io.err(`capstan init: ${message}\n${initUsage}`), exitCodes.usage);
    if (positionals.length !== 1) return usage('which directory?');
    const dir = resolve(positionals[0]!);
    if (existsSync(dir) && readdirSync(dir).length > 0) return usage(`${positionals[0]} exists and is not empty: nothing written`);
    const name = values.name ?? basename(dir).toLowerCase();
    if (!dnsLabel.test(name)) return usage(`--name ${JSON.stringify(name)} must be a DNS label (lower case, digits, -)`);
    const group = values.group ?? `${name}.example.com`;
    if (!dnsSubdomain.test(group)) return usage(`--group ${JSON.stringify(group)} must be a DNS subdomain with a dot (example.com)`);
    const kind = values.kind ?? 'Widget';
    if (!/^[A-Z][A-Za-z0-9]*$/.test(kind)) return usage(`--kind ${JSON.stringify(kind)} must be CamelCase (Widget)`);
    const files = projectFiles({ name, group, kind, version: ownVersion() });
    for (const [path, text] of Object.entries(files)) {
      const target = join(dir, path);
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, text);
    }
    io.out(`wrote ${Object.keys(files).length} files to ${dir}\nnext: cd ${positionals[0]} && npm install && npm test\n`);
    return exitCodes.ok;
  },
};
