/**
 * The OData query subset the Graph-compatible API understands: `$filter` (see odata-filter.ts),
 * `$select` of declared properties, `$top`, and the `@odata.context` URL. Anything else in a query
 * option is a 400, never silently ignored.
 * @module
 */
import { CredlessError } from '@credless/core';
import { evaluateFilter, type FilterNode, parseFilter } from './odata-filter.ts';

export interface ODataQuery {
  filter: FilterNode | undefined;
  select: string[] | undefined;
  top: number | undefined;
}

const bad = (reason: string) => new CredlessError('graph_bad_request', { reason });
const MAX_TOP = 999;

/**
 * Reads $filter, $select and $top. `properties` are the entity's; `filterable` its string properties
 * that take eq/ne/startswith; `collections` its string collections that take `any`.
 */
export function parseODataQuery(
  query: Record<string, unknown>,
  properties: readonly string[],
  filterable: readonly string[],
  collections: readonly string[] = [],
): ODataQuery {
  const result: ODataQuery = { filter: undefined, select: undefined, top: undefined };
  const filter = query['$filter'];
  if (filter !== undefined) {
    if (typeof filter !== 'string') throw bad('Invalid filter clause.');
    result.filter = parseFilter(filter, { properties, strings: filterable, collections });
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
  return filter === undefined || evaluateFilter(filter, entity);
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
