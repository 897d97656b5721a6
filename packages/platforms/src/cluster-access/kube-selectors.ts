/**
 * Label and field selectors as kube-apiserver reads them (`-l app=web,tier!=db,env in (a,b),!legacy`;
 * `--field-selector metadata.name=x,status.phase!=Running`). Pure; a malformed selector is a
 * BadRequest with kube's wording.
 * @module
 */
import { CredlessError } from '@credless/core';

type Requirement = (value: (key: string) => string | undefined) => boolean;

const KEY = /^([a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?\/)?[a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?$/;

/** Splits on commas outside parentheses. */
function terms(selector: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of selector) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(current.trim());
      current = '';
    } else current += ch;
  }
  if (current.trim() !== '') out.push(current.trim());
  return out;
}

function badSelector(kind: 'label' | 'field', selector: string, reason: string): CredlessError {
  return new CredlessError('kube_request_invalid', {
    reason: `unable to parse requirement: ${kind} selector "${selector}": ${reason}`,
  });
}

function labelRequirement(term: string, selector: string): Requirement {
  const set = /^(\S+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(term);
  if (set) {
    const [, key = '', op, list = ''] = set;
    const values = list.split(',').map((v) => v.trim());
    if (!KEY.test(key)) throw badSelector('label', selector, `invalid label key "${key}"`);
    return op === 'in'
      ? (get) => values.includes(get(key) ?? '\u0000')
      : (get) => !values.includes(get(key) ?? '\u0000');
  }
  const compare = /^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(term);
  if (compare) {
    const [, key = '', op, want = ''] = compare;
    if (!KEY.test(key)) throw badSelector('label', selector, `invalid label key "${key}"`);
    return op === '!=' ? (get) => get(key) !== want : (get) => get(key) === want;
  }
  const exists = /^(!?)([^=!\s()]+)$/.exec(term);
  if (exists) {
    const [, not, key = ''] = exists;
    if (!KEY.test(key)) throw badSelector('label', selector, `invalid label key "${key}"`);
    return not ? (get) => get(key) === undefined : (get) => get(key) !== undefined;
  }
  throw badSelector('label', selector, `found '${term}', expected: key, !key, key=value, key in (…)`);
}

/** A predicate on an object's labels (everything matches an empty or absent selector). */
export function labelSelector(
  selector: string | null,
): (labels: Record<string, string> | undefined) => boolean {
  if (!selector) return () => true;
  const requirements = terms(selector).map((t) => labelRequirement(t, selector));
  return (labels) => requirements.every((r) => r((key) => labels?.[key]));
}

/** A predicate on an object's fields by dotted path (`metadata.name`, `involvedObject.uid`, `status.phase`). */
export function fieldSelector(selector: string | null): (object: Record<string, unknown>) => boolean {
  if (!selector) return () => true;
  const requirements = terms(selector).map((term) => {
    const match = /^([A-Za-z0-9_.]+)\s*(==|=|!=)\s*(.*)$/.exec(term);
    if (!match)
      throw badSelector('field', selector, `invalid selector: '${term}'; can't understand '${term}'`);
    const [, path = '', op, want = ''] = match;
    return { path: path.split('.'), negate: op === '!=', want };
  });
  return (object) =>
    requirements.every(({ path, negate, want }) => {
      let value: unknown = object;
      for (const part of path) value = (value as Record<string, unknown> | undefined)?.[part];
      const text = value === undefined || value === null ? '' : String(value);
      return negate ? text !== want : text === want;
    });
}
