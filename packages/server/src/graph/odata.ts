/**
 * The OData query subset the Graph-compatible API understands: `$filter` with `eq` (and `and`) or
 * `startswith` on declared string properties, `$select` of declared properties, `$top`, and the
 * `@odata.context` URL. Anything else in a query option is a 400, never silently ignored.
 * @module
 */
import { CredlessError } from '@credless/core';

export interface ODataQuery {
  filter: Array<{ property: string; op: 'eq' | 'startswith'; value: string }>;
  select: string[] | undefined;
  top: number | undefined;
}

const bad = (reason: string) => new CredlessError('graph_bad_request', { reason });
/** A quoted OData string: '' stands for one quote. */
const STRING = "'((?:[^']|'')*)'";
const EQ = new RegExp(`^([A-Za-z][A-Za-z0-9]*)\\s+eq\\s+${STRING}$`);
const STARTS_WITH = new RegExp(`^startswith\\(\\s*([A-Za-z][A-Za-z0-9]*)\\s*,\\s*${STRING}\\s*\\)$`, 'i');
const MAX_TOP = 999;

function parseClause(clause: string, filterable: readonly string[]): ODataQuery['filter'][number] {
  const eq = EQ.exec(clause);
  const startsWith = eq ? null : STARTS_WITH.exec(clause);
  const match = eq ?? startsWith;
  if (!match) throw bad(`Invalid filter clause: '${clause}' is not supported; use property eq 'value'.`);
  const property = match[1] as string;
  if (!filterable.includes(property)) {
    throw bad(
      `Invalid filter clause: filtering on '${property}' is not supported (${filterable.join(', ')}).`,
    );
  }
  return { property, op: eq ? 'eq' : 'startswith', value: (match[2] as string).replaceAll("''", "'") };
}

/** Reads $filter, $select and $top; `properties` are the entity's, `filterable` its string keys. */
export function parseODataQuery(
  query: Record<string, unknown>,
  properties: readonly string[],
  filterable: readonly string[],
): ODataQuery {
  const result: ODataQuery = { filter: [], select: undefined, top: undefined };
  const filter = query['$filter'];
  if (filter !== undefined) {
    if (typeof filter !== 'string' || filter.trim() === '') throw bad('Invalid filter clause.');
    // ' and ' inside a quoted value would split wrongly; values with it are rare enough to refuse.
    result.filter = filter.split(/\s+and\s+/).map((clause) => parseClause(clause.trim(), filterable));
  }
  const select = query['$select'];
  if (select !== undefined) {
    if (typeof select !== 'string' || select.trim() === '') throw bad("Invalid '$select'.");
    result.select = select.split(',').map((name) => name.trim());
    for (const name of result.select) {
      if (!properties.includes(name)) throw bad(`Could not find a property named '${name}' on this type.`);
    }
  }
  const top = query['$top'];
  if (top !== undefined) {
    const value = Number(top);
    if (typeof top !== 'string' || !/^\d+$/.test(top) || value < 1 || value > MAX_TOP) {
      throw bad(`Invalid value for '$top': an integer from 1 to ${MAX_TOP} is required.`);
    }
    result.top = value;
  }
  for (const key of Object.keys(query)) {
    if (key.startsWith('$') && !['$filter', '$select', '$top'].includes(key)) {
      throw bad(`Query option '${key}' is not supported.`);
    }
  }
  return result;
}

export function matchesFilter(entity: Record<string, unknown>, filter: ODataQuery['filter']): boolean {
  return filter.every(({ property, op, value }) => {
    const actual = entity[property];
    if (typeof actual !== 'string') return false;
    // Graph compares these properties case-insensitively.
    return op === 'eq'
      ? actual.toLowerCase() === value.toLowerCase()
      : actual.toLowerCase().startsWith(value.toLowerCase());
  });
}

export function project<T extends Record<string, unknown>>(
  entity: T,
  select: string[] | undefined,
): Record<string, unknown> {
  if (!select) return entity;
  return Object.fromEntries(select.map((name) => [name, entity[name] ?? null]));
}

/** `<graph base>/$metadata#<path>[(selected)][/$entity]`, as Graph writes @odata.context. */
export function contextUrl(
  graphBaseUrl: string,
  path: string,
  options: { select?: string[] | undefined; entity?: boolean } = {},
): string {
  const selected = options.select ? `(${options.select.join(',')})` : '';
  return `${graphBaseUrl}/$metadata#${path}${selected}${options.entity ? '/$entity' : ''}`;
}

/** A collection response: filtered, limited, projected, with its context. */
export function collection<T extends Record<string, unknown>>(
  graphBaseUrl: string,
  path: string,
  items: readonly T[],
  query: ODataQuery,
): { '@odata.context': string; value: Record<string, unknown>[] } {
  const matching = items.filter((item) => matchesFilter(item, query.filter));
  const limited = query.top === undefined ? matching : matching.slice(0, query.top);
  return {
    '@odata.context': contextUrl(graphBaseUrl, path, { select: query.select }),
    value: limited.map((item) => project(item, query.select)),
  };
}

/** A single entity response with its context. */
export function entity<T extends Record<string, unknown>>(
  graphBaseUrl: string,
  path: string,
  item: T,
  select?: string[],
): Record<string, unknown> {
  return {
    '@odata.context': contextUrl(graphBaseUrl, path, { select, entity: true }),
    ...project(item, select),
  };
}
