import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { V1Container } from '@kubernetes/client-node';
import type { PodObject } from '../../src/runtime/manifests/objects.ts';
import { containerEnvironment, mapServiceUrl } from '../../src/runtime/pods/container-env.ts';
import { containerMounts, mapPath } from '../../src/runtime/volumes/pod-volumes.ts';

const podDir = '/data/clusters/c/pods/default/p';
const container: V1Container = {
  name: 'app',
  image: 'r.azurecr.io/a:1',
  volumeMounts: [
    { name: 'azure-identity-token', mountPath: '/var/run/secrets/azure/tokens', readOnly: true },
    { name: 'config', mountPath: '/etc/app/', subPath: 'nested' },
    { name: 'outer', mountPath: '/var/run' },
  ],
  env: [
    { name: 'AZURE_FEDERATED_TOKEN_FILE', value: '/var/run/secrets/azure/tokens/azure-identity-token' },
    { name: 'CONFIG', value: '/etc/app' },
    { name: 'OTHER', value: '/etc/application' },
    { name: 'NS', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
    { name: 'API', value: 'http://backend.default.svc.cluster.local:8080/orgs' },
  ],
};
const pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', namespace: 'default' },
  spec: { containers: [container] },
} as PodObject;
const services = [{ namespace: 'default', name: 'backend', ports: new Map([[8080, 41001]]) }];

describe('container paths and URLs as a local process sees them', () => {
  test('a path inside a mount maps under the volume directory; the longest mount wins; others stay', () => {
    const mounts = containerMounts(container, podDir);
    assert.equal(
      mapPath('/var/run/secrets/azure/tokens/azure-identity-token', mounts),
      `${podDir}/volumes/azure-identity-token/azure-identity-token`,
    );
    assert.equal(mapPath('/var/run/other', mounts), `${podDir}/volumes/outer/other`);
    assert.equal(mapPath('/etc/app', mounts), `${podDir}/volumes/config/nested`);
    assert.equal(mapPath('/etc/application', mounts), '/etc/application');
    assert.equal(mapPath('relative/var/run', mounts), 'relative/var/run');
  });

  test('in-cluster Service URLs point at the Service localhost port', () => {
    assert.equal(mapServiceUrl('http://backend', 'default', services), 'http://backend');
    assert.equal(mapServiceUrl('http://backend:8080', 'default', services), 'http://127.0.0.1:41001');
    assert.equal(
      mapServiceUrl('http://backend.default:8080/x?y=1', 'default', services),
      'http://127.0.0.1:41001/x?y=1',
    );
    assert.equal(
      mapServiceUrl('http://backend.other:8080', 'default', services),
      'http://backend.other:8080',
    );
    assert.equal(mapServiceUrl('http://example.com:8080', 'default', services), 'http://example.com:8080');
  });

  test('the environment: host basics, CA, fieldRefs, mapped paths and URLs, service variables, PORT', () => {
    const env = containerEnvironment({
      pod,
      container,
      mounts: containerMounts(container, podDir),
      imageEnv: { FROM_IMAGE: '1', CONFIG: 'overridden' },
      hostEnv: { PATH: '/usr/bin', NODE_EXTRA_CA_CERTS: '/data/tls/ca.crt' },
      configMap: () => undefined,
      services,
      port: 39999,
    });
    assert.equal(
      env['AZURE_FEDERATED_TOKEN_FILE'],
      `${podDir}/volumes/azure-identity-token/azure-identity-token`,
    );
    assert.equal(env['CONFIG'], `${podDir}/volumes/config/nested`);
    assert.equal(env['OTHER'], '/etc/application');
    assert.equal(env['NS'], 'default');
    assert.equal(env['API'], 'http://127.0.0.1:41001/orgs');
    assert.equal(env['BACKEND_SERVICE_HOST'], '127.0.0.1');
    assert.equal(env['BACKEND_SERVICE_PORT'], '41001');
    assert.equal(env['PORT'], '39999');
    assert.equal(env['HOSTNAME'], 'p');
    assert.equal(env['FROM_IMAGE'], '1');
    assert.equal(env['NODE_EXTRA_CA_CERTS'], '/data/tls/ca.crt');
  });

  test('a Secret reference is refused, not silently empty', () => {
    const withSecret = {
      ...container,
      env: [{ name: 'S', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }],
    };
    assert.throws(
      () =>
        containerEnvironment({
          pod,
          container: withSecret,
          mounts: [],
          imageEnv: {},
          hostEnv: {},
          configMap: () => undefined,
          services: [],
        }),
      /only value, configMapKeyRef and fieldRef/,
    );
  });
});
