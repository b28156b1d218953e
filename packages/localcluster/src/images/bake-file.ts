// Reads docker-bake.hcl (the HCL subset bake files use): targets, groups, variables, `inherits`, tags and labels.

/** A value of the HCL subset: strings, numbers, booleans, null, lists and maps. */
export type Value = string | number | boolean | null | Value[] | { [key: string]: Value };
interface Block {
  type: string;
  labels: string[];
  attributes: Record<string, Value>;
  blocks: Block[];
}

function tokenize(text: string): string[] {
  const tokens: string[] = [];
  const pattern = /\s+|#[^\n]*|\/\/[^\n]*|\/\*[\s\S]*?\*\/|"(?:[^"\\\n]|\\.)*"|[A-Za-z_][\w-]*|-?\d+(?:\.\d+)?|[{}[\]=,:]|(.)/gy;
  for (let match = pattern.exec(text); match !== null && match[0] !== ''; match = pattern.exec(text)) {
    if (match[1] !== undefined) throw new Error(`unexpected character ${JSON.stringify(match[1])} at offset ${match.index}`);
    if (!/^(\s|#|\/\/|\/\*)/.test(match[0])) tokens.push(match[0]);
  }
  return tokens;
}

function parseHcl(text: string): Block {
  const tokens = tokenize(text);
  let i = 0;
  const peek = (): string | undefined => tokens[i];
  const next = (): string => {
    const token = tokens[i++];
    if (token === undefined) throw new Error('unexpected end of file');
    return token;
  };
  const expect = (want: string): void => {
    const got = next();
    if (got !== want) throw new Error(`expected ${want} but found ${got} (token ${i})`);
  };
  const isString = (t: string | undefined): t is string => t !== undefined && t.startsWith('"');
  const str = (t: string): string => JSON.parse(t) as string;
  function value(): Value {
    const token = next();
    if (isString(token)) return str(token);
    if (/^-?\d/.test(token)) return Number(token);
    if (token === 'true' || token === 'false') return token === 'true';
    if (token === 'null') return null;
    if (token === '[') {
      const items: Value[] = [];
      while (peek() !== ']') {
        items.push(value());
        if (peek() === ',') next();
      }
      expect(']');
      return items;
    }
    if (token === '{') {
      const map: Record<string, Value> = {};
      while (peek() !== '}') {
        const key = next();
        if (next() !== '=' && tokens[i - 1] !== ':') throw new Error(`expected = or : after map key ${key}`);
        map[isString(key) ? str(key) : key] = value();
        if (peek() === ',') next();
      }
      expect('}');
      return map;
    }
    throw new Error(`unsupported expression starting with ${token}`);
  }
  function body(block: Block, closing: string | undefined): Block {
    while (peek() !== closing) {
      const name = next();
      if (!/^[A-Za-z_]/.test(name)) throw new Error(`expected an attribute or block name, found ${name}`);
      if (peek() === '=') {
        next();
        if (name in block.attributes) throw new Error(`attribute ${name} set twice`);
        block.attributes[name] = value();
        continue;
      }
      const labels: string[] = [];
      while (isString(peek())) labels.push(str(next()));
      expect('{');
      block.blocks.push(body({ type: name, labels, attributes: {}, blocks: [] }, '}'));
      expect('}');
    }
    return block;
  }
  return body({ type: 'file', labels: [], attributes: {}, blocks: [] }, undefined);
}

/** One target of a bake file, its `inherits` resolved and its variables interpolated. */
export interface BakeTarget {
  name: string;
  context: string;
  dockerfile: string;
  tags: string[];
  labels: Record<string, string>;
  args: Record<string, string>;
}
/** A bake file: its variables (after the environment), groups and targets. */
export interface BakeFile {
  variables: Record<string, string>;
  groups: Record<string, string[]>;
  targets: Map<string, BakeTarget>;
}

/** Reads a bake file, resolving variables (environment first, like bake), interpolation and `inherits`. */
export function readBakeFile(text: string, env: Record<string, string> = {}): BakeFile {
  const file = parseHcl(text);
  const variables: Record<string, string> = {};
  for (const block of file.blocks.filter((b) => b.type === 'variable')) {
    const name = block.labels[0] ?? '';
    variables[name] = env[name] ?? String(block.attributes.default ?? '');
  }
  const interpolate = (s: string): string =>
    s.replace(/\$\{([A-Za-z_]\w*)\}/g, (_, name: string) => {
      if (!(name in variables)) throw new Error(`unknown variable ${name} in "${s}"`);
      return variables[name] ?? '';
    });
  const strings = (v: Value | undefined): string[] => (Array.isArray(v) ? v.map((x) => interpolate(String(x))) : []);
  const stringMap = (v: Value | undefined): Record<string, string> =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, interpolate(String(x))]))
      : {};
  const groups: Record<string, string[]> = {};
  for (const block of file.blocks.filter((b) => b.type === 'group')) groups[block.labels[0] ?? ''] = strings(block.attributes.targets);
  const raw = new Map(file.blocks.filter((b) => b.type === 'target').map((b) => [b.labels[0] ?? '', b.attributes]));
  const merged = (name: string, seen: string[] = []): Record<string, Value> => {
    if (seen.includes(name)) throw new Error(`inherits cycle: ${[...seen, name].join(' -> ')}`);
    const own = raw.get(name);
    if (!own) throw new Error(`target ${name} is not defined`);
    const parents = strings(own.inherits).map((p) => merged(p, [...seen, name]));
    const out = Object.assign({}, ...parents, own) as Record<string, Value>;
    // Maps (labels, args) merge with the inherited ones, as bake does; other attributes replace them.
    for (const key of ['labels', 'args']) {
      const maps = [...parents, own].map((a) => a[key]).filter((v) => v && typeof v === 'object' && !Array.isArray(v));
      if (maps.length) out[key] = Object.assign({}, ...maps) as Value;
    }
    return out;
  };
  const targets = new Map<string, BakeTarget>();
  for (const name of raw.keys()) {
    const attrs = merged(name);
    targets.set(name, {
      name,
      context: interpolate(String(attrs.context ?? '.')),
      dockerfile: interpolate(String(attrs.dockerfile ?? 'Dockerfile')),
      tags: strings(attrs.tags),
      labels: stringMap(attrs.labels),
      args: stringMap(attrs.args),
    });
  }
  return { variables, groups, targets };
}
