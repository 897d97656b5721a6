/**
 * The few protobuf bodies kubectl's typed clients send that this API reads: Kubernetes' envelope
 * (`k8s\0` + runtime.Unknown{typeMeta 1 {apiVersion 1, kind 2}, raw 2}) around an
 * authorization.k8s.io/v1 SelfSubjectAccessReview (`kubectl auth can-i`) or the core/v1 objects of
 * `kubectl create namespace|configmap|secret|serviceaccount`, with the field numbers of k8s.io/api's
 * generated.proto: SelfSubjectAccessReview{spec 2}, its spec {resourceAttributes 1,
 * nonResourceAttributes 2}, ResourceAttributes {namespace 1, verb 2, group 3, version 4, resource 5,
 * subresource 6, name 7}, NonResourceAttributes {path 1, verb 2}; ObjectMeta {name 1, generateName 2,
 * namespace 3, labels 11, annotations 12}; ConfigMap {metadata 1, data 2, binaryData 3}; Secret
 * {metadata 1, data 2 (bytes), type 3, stringData 4}; Namespace {metadata 1}; ServiceAccount
 * {metadata 1}; a map is repeated {key 1, value 2}. Pure.
 * @module
 */
import { CredlessError } from '@credless/core';

export const PROTOBUF_TYPE = 'application/vnd.kubernetes.protobuf';
const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

const malformed = () =>
  new CredlessError('kube_request_invalid', {
    reason: 'the body of the request is not a valid protobuf message',
  });

/** The length-delimited fields of a message (field number → values); other wire types are skipped. */
function fields(message: Buffer): Map<number, Buffer[]> {
  const out = new Map<number, Buffer[]>();
  let at = 0;
  const varint = () => {
    let value = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      if (at >= message.length) throw malformed();
      const byte = message[at++] as number;
      value += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return value;
    }
    throw malformed();
  };
  while (at < message.length) {
    const tag = varint();
    const wire = tag & 7;
    if (wire === 0) varint();
    else if (wire === 1) at += 8;
    else if (wire === 5) at += 4;
    else if (wire === 2) {
      const length = varint();
      if (at + length > message.length) throw malformed();
      const list = out.get(Math.floor(tag / 8)) ?? [];
      list.push(message.subarray(at, at + length));
      out.set(Math.floor(tag / 8), list);
      at += length;
    } else throw malformed();
  }
  return out;
}

const first = (message: Buffer | undefined, field: number) =>
  message === undefined ? undefined : fields(message).get(field)?.[0];

function strings(message: Buffer | undefined, names: string[]): Record<string, string> | undefined {
  if (message === undefined) return undefined;
  const all = fields(message);
  return Object.fromEntries(
    names.flatMap((name, index) => {
      const value = all.get(index + 1)?.[0];
      return value === undefined ? [] : [[name, value.toString('utf8')]];
    }),
  );
}

/** A protobuf SelfSubjectAccessReview as its JSON form (spec only: what a review reads). */
export function decodeAccessReview(body: Buffer): unknown {
  if (!body.subarray(0, 4).equals(MAGIC)) throw malformed();
  const unknown = body.subarray(4);
  const kind = first(first(unknown, 1), 2)?.toString('utf8');
  if (kind !== 'SelfSubjectAccessReview')
    throw new CredlessError('kube_request_invalid', {
      reason: `expected a SelfSubjectAccessReview, got ${kind}`,
    });
  const spec = first(first(unknown, 2), 2);
  const resourceAttributes = strings(first(spec, 1), [
    'namespace',
    'verb',
    'group',
    'version',
    'resource',
    'subresource',
    'name',
  ]);
  const nonResourceAttributes = strings(first(spec, 2), ['path', 'verb']);
  return {
    apiVersion: 'authorization.k8s.io/v1',
    kind,
    spec: {
      ...(resourceAttributes ? { resourceAttributes } : {}),
      ...(nonResourceAttributes ? { nonResourceAttributes } : {}),
    },
  };
}

/** A map<string, string|bytes> field: its entries, values as text or base64. */
function map(entries: Buffer[] | undefined, bytes = false): Record<string, string> | undefined {
  if (!entries) return undefined;
  return Object.fromEntries(
    entries.map((entry) => {
      const parts = fields(entry);
      const value = parts.get(2)?.[0] ?? Buffer.alloc(0);
      return [
        parts.get(1)?.[0]?.toString('utf8') ?? '',
        bytes ? value.toString('base64') : value.toString('utf8'),
      ];
    }),
  );
}

function objectMeta(message: Buffer | undefined): Record<string, unknown> {
  const all = message ? fields(message) : new Map<number, Buffer[]>();
  const text = (field: number) => all.get(field)?.[0]?.toString('utf8');
  const name = text(1);
  const generateName = text(2);
  const namespace = text(3);
  const labels = map(all.get(11));
  const annotations = map(all.get(12));
  return {
    ...(name ? { name } : {}),
    ...(generateName ? { generateName } : {}),
    ...(namespace ? { namespace } : {}),
    ...(labels ? { labels } : {}),
    ...(annotations ? { annotations } : {}),
  };
}

/** The kinds `kubectl create <kind>` sends in protobuf that this API decodes. */
export const PROTOBUF_KINDS = new Set(['Namespace', 'ConfigMap', 'Secret', 'ServiceAccount']);

/** A protobuf core/v1 object (one of PROTOBUF_KINDS) as its JSON form. */
export function decodeObject(body: Buffer, expectedKind: string): Record<string, unknown> {
  if (!body.subarray(0, 4).equals(MAGIC)) throw malformed();
  const unknown = body.subarray(4);
  const kind = first(first(unknown, 1), 2)?.toString('utf8');
  if (kind !== expectedKind || !PROTOBUF_KINDS.has(kind))
    throw new CredlessError('kube_request_invalid', { reason: `expected a ${expectedKind}, got ${kind}` });
  const raw = fields(first(unknown, 2) ?? Buffer.alloc(0));
  const object: Record<string, unknown> = { apiVersion: 'v1', kind, metadata: objectMeta(raw.get(1)?.[0]) };
  if (kind === 'ConfigMap') {
    const data = map(raw.get(2));
    const binaryData = map(raw.get(3), true);
    if (data) object['data'] = data;
    if (binaryData) object['binaryData'] = binaryData;
  }
  if (kind === 'Secret') {
    const data = map(raw.get(2), true);
    const type = raw.get(3)?.[0]?.toString('utf8');
    const stringData = map(raw.get(4));
    if (data) object['data'] = data;
    if (type) object['type'] = type;
    if (stringData) object['stringData'] = stringData;
  }
  return object;
}
