/**
 * Unknown-field detection for custom resources (the chart's ServiceMonitors). kubernetes-models'
 * CRD validators check types, enums and required fields but, like the built-in ones, let any extra
 * property through; @kubernetes/client-node has no models for CRDs. The field tree is therefore read
 * from the package's own type declaration (`<Kind>.d.ts`, one nested type literal generated from the
 * CRD's OpenAPI schema), so a misspelt `intervall` or a field in the wrong place is reported.
 * @module
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** A declared object's fields: a nested tree, `'leaf'` for scalars, lists of scalars and free maps. */
export type FieldTree = { [field: string]: FieldTree | 'leaf' };

const PROPERTY = /^\s*"([^"]+)"\??: (.*)$/;

/** Parses the `export interface I<Kind> { … }` type literal of a kubernetes-models declaration. */
export function parseFieldTree(declaration: string, kind: string): FieldTree {
  const start = declaration.indexOf(`export interface I${kind} {`);
  if (start < 0) throw new Error(`no interface I${kind} in the declaration`);
  const root: FieldTree = {};
  // Each open block: its tree ('free' inside an index signature) and where the tree hangs.
  const stack: Array<{ tree: FieldTree | 'free'; owner?: FieldTree; name?: string }> = [{ tree: root }];
  for (const line of declaration.slice(start).split('\n').slice(1)) {
    const top = stack.at(-1)!;
    if (/^\s*\}/.test(line)) {
      stack.pop();
      if (stack.length === 0) break;
      continue;
    }
    const opensBlock = /\{$/.test(line.trimEnd());
    const property = PROPERTY.exec(line);
    if (top.tree === 'free' || !property) {
      // An index signature (`[key: string]: …`): the object holding it is a free-form map.
      if (top.tree !== 'free' && top.owner && top.name) top.owner[top.name] = 'leaf';
      if (opensBlock) stack.push({ tree: 'free' });
      continue;
    }
    const name = property[1]!;
    if (opensBlock) {
      const child: FieldTree = {};
      top.tree[name] = child;
      stack.push({ tree: child, owner: top.tree, name });
    } else top.tree[name] = 'leaf';
  }
  return root;
}

/** Paths in `value` that the tree does not declare (lists are walked item by item). */
export function unknownCrdFields(value: unknown, tree: FieldTree | 'leaf', path = ''): string[] {
  if (tree === 'leaf' || typeof value !== 'object' || value === null) return [];
  if (Array.isArray(value))
    return value.flatMap((item, index) => unknownCrdFields(item, tree, `${path}[${index}]`));
  return Object.entries(value).flatMap(([key, item]) => {
    const where = path ? `${path}.${key}` : key;
    const child = tree[key];
    return child === undefined ? [where] : unknownCrdFields(item, child, where);
  });
}

/** The field tree of a kubernetes-models CRD kind, e.g. ('@kubernetes-models/prometheus-operator', 'monitoring.coreos.com/v1', 'ServiceMonitor'). */
export function crdFieldTree(pkg: string, groupVersion: string, kind: string): FieldTree {
  const file = fileURLToPath(import.meta.resolve(`${pkg}/${groupVersion}/${kind}`)).replace(/\.js$/, '.d.ts');
  return parseFieldTree(readFileSync(file, 'utf8'), kind);
}
