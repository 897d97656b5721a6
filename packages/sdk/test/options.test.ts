import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { resolveOptions } from '../src/credentials/options.ts';
import { CredlessSdkError, WorkloadIdentityCredential } from '../src/index.ts';

const ENV = {
  AZURE_TENANT_ID: 'contoso.onmicrosoft.com',
  AZURE_CLIENT_ID: '11111111-2222-3333-4444-555555555555',
  AZURE_FEDERATED_TOKEN_FILE: '/var/run/secrets/azure/tokens/azure-identity-token',
  AZURE_AUTHORITY_HOST: 'https://127.0.0.1:8443/',
};

describe('credential options', () => {
  test('defaults come from the webhook-injected environment', () => {
    const resolved = resolveOptions({ env: ENV });
    assert.equal(resolved.tenantId, ENV.AZURE_TENANT_ID);
    assert.equal(resolved.clientId, ENV.AZURE_CLIENT_ID);
    assert.equal(resolved.tokenFilePath, ENV.AZURE_FEDERATED_TOKEN_FILE);
    assert.equal(resolved.tokenEndpoint, 'https://127.0.0.1:8443/contoso.onmicrosoft.com/oauth2/v2.0/token');
    assert.equal(resolved.refreshMarginMs, 300_000);
  });

  test('options win over the environment; Entra is the default authority', () => {
    const { AZURE_AUTHORITY_HOST: _host, ...env } = ENV;
    const resolved = resolveOptions({ env, tenantId: 'fabrikam.example', refreshMarginMs: 0 });
    assert.equal(
      resolved.tokenEndpoint,
      'https://login.microsoftonline.com/fabrikam.example/oauth2/v2.0/token',
    );
    assert.equal(resolved.refreshMarginMs, 0);
  });

  test('missing configuration is ERR_CREDENTIAL_UNAVAILABLE naming every missing variable', () => {
    assert.throws(
      () => new WorkloadIdentityCredential({ env: { AZURE_TENANT_ID: ENV.AZURE_TENANT_ID } }),
      (error: unknown) => {
        assert.ok(error instanceof CredlessSdkError);
        assert.equal(error.code, 'ERR_CREDENTIAL_UNAVAILABLE');
        assert.match(
          error.message,
          /clientId \(AZURE_CLIENT_ID\), tokenFilePath \(AZURE_FEDERATED_TOKEN_FILE\)/,
        );
        assert.doesNotMatch(error.message, /AZURE_TENANT_ID/);
        return true;
      },
    );
  });

  test('a tenant that is not one path segment, or a non-http authority, is refused', () => {
    assert.throws(() => resolveOptions({ env: { ...ENV, AZURE_TENANT_ID: '../admin' } }), {
      code: 'ERR_CREDENTIAL_UNAVAILABLE',
    });
    assert.throws(() => resolveOptions({ env: { ...ENV, AZURE_AUTHORITY_HOST: 'file:///etc' } }), {
      code: 'ERR_CREDENTIAL_UNAVAILABLE',
      message: /not an https URL/,
    });
  });

  test('misuse is a TypeError', async () => {
    assert.throws(() => resolveOptions({ env: ENV, timeoutMs: -1 }), TypeError);
    const credential = new WorkloadIdentityCredential({ env: ENV });
    await assert.rejects(credential.getToken([]), TypeError);
    await assert.rejects(credential.getToken(''), TypeError);
  });
});
