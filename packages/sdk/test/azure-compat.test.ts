import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TokenCredential } from '@azure/core-auth';
import { WorkloadIdentityCredential } from '../src/index.ts';

test("the credential has @azure/identity's TokenCredential shape (checked by tsc)", () => {
  // Assignability is the assertion: tsc (npm run typecheck) fails if the shapes drift apart.
  const credential: TokenCredential = new WorkloadIdentityCredential({
    env: {},
    tenantId: 'contoso.example',
    clientId: 'client',
    tokenFilePath: '/var/run/secrets/azure/tokens/azure-identity-token',
  });
  assert.equal(typeof credential.getToken, 'function');
});
