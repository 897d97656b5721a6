/**
 * Rule: identity bindings, which namespaces and ServiceAccounts may use which client ids. Without it any
 * namespace can annotate a ServiceAccount with any client id and borrow that application's identity
 * (the seed's closing worry). With a policy loaded, a client id may be used only by the ServiceAccounts
 * its binding names; a client id no binding names is refused.
 *
 * Policy file (YAML):
 *   bindings:
 *     - clientId: 11111111-2222-3333-4444-555555555555
 *       serviceAccounts: [payments/api, payments/worker]   # namespace/name
 *       namespaces: [reporting]                            # any ServiceAccount in these namespaces
 * @module
 */
import { CredlessError } from '@credless/core';
import { parse } from 'yaml';
import { isObject } from './types.ts';

export interface IdentityBindingPolicy {
  /** Lower-cased client id -> who may use it. */
  readonly byClientId: ReadonlyMap<
    string,
    { serviceAccounts: ReadonlySet<string>; namespaces: ReadonlySet<string> }
  >;
}

const NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

/** Parses and checks a policy document; every mistake names the binding it is in. */
export function parseIdentityBindingPolicy(text: string): IdentityBindingPolicy {
  const invalid = (reason: string) =>
    new CredlessError('webhook_config_invalid', { reason: `identity bindings: ${reason}` });
  let document: unknown;
  try {
    document = parse(text);
  } catch (error) {
    throw invalid(`not valid YAML (${(error as Error).message.split('\n')[0]})`);
  }
  if (!isObject(document) || !Array.isArray(document['bindings']))
    throw invalid('expected a top-level "bindings" list');
  const byClientId = new Map<string, { serviceAccounts: Set<string>; namespaces: Set<string> }>();
  document['bindings'].forEach((binding: unknown, index: number) => {
    const where = `bindings[${index}]`;
    if (!isObject(binding)) throw invalid(`${where} is not a mapping`);
    const clientId = binding['clientId'];
    if (typeof clientId !== 'string' || clientId.trim() === '') throw invalid(`${where}.clientId is missing`);
    const entry = byClientId.get(clientId.trim().toLowerCase()) ?? {
      serviceAccounts: new Set(),
      namespaces: new Set(),
    };
    for (const sa of stringList(binding['serviceAccounts'], `${where}.serviceAccounts`, invalid)) {
      const [namespace, name, extra] = sa.split('/');
      if (extra !== undefined || !namespace || !name || !NAME.test(namespace) || !NAME.test(name))
        throw invalid(`${where}.serviceAccounts: '${sa}' is not namespace/name`);
      entry.serviceAccounts.add(`${namespace}/${name}`);
    }
    for (const namespace of stringList(binding['namespaces'], `${where}.namespaces`, invalid)) {
      if (!NAME.test(namespace)) throw invalid(`${where}.namespaces: '${namespace}' is not a namespace name`);
      entry.namespaces.add(namespace);
    }
    if (entry.serviceAccounts.size === 0 && entry.namespaces.size === 0)
      throw invalid(`${where} names no serviceAccounts or namespaces`);
    byClientId.set(clientId.trim().toLowerCase(), entry);
  });
  return { byClientId };
}

function stringList(value: unknown, where: string, invalid: (reason: string) => Error): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string'))
    throw invalid(`${where} must be a list of strings`);
  return value.map((item: string) => item.trim());
}

/** Throws a denial unless the ServiceAccount may use the client id. No policy: everything is allowed. */
export function checkIdentityBinding(
  policy: IdentityBindingPolicy | undefined,
  subject: { namespace: string; name: string; clientId: string },
): void {
  if (!policy) return;
  const binding = policy.byClientId.get(subject.clientId.toLowerCase());
  const deny = (reason: string) =>
    new CredlessError('webhook_identity_binding_denied', {
      namespace: subject.namespace,
      name: subject.name,
      clientId: subject.clientId,
      reason,
    });
  if (!binding) throw deny('no binding names this client id');
  if (binding.namespaces.has(subject.namespace)) return;
  if (binding.serviceAccounts.has(`${subject.namespace}/${subject.name}`)) return;
  throw deny('its binding names other ServiceAccounts');
}
