/**
 * Issue 4 item 6: the official Microsoft Graph JavaScript client (@microsoft/microsoft-graph-client),
 * pointed at credless (baseUrl + customHosts so it attaches the token), with a token a workload got
 * from credless by federation: creates an application and a federated credential, reads
 * /organization, and sees Graph's errors as GraphError.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Client, GraphError } from '@microsoft/microsoft-graph-client';
import { FEDERATION_AUDIENCE, type GraphFixture, startGraphFixture } from './graph-fixture.ts';

describe('@microsoft/microsoft-graph-client against credless', () => {
  let fixture: GraphFixture;
  let client: Client;

  before(async () => {
    fixture = await startGraphFixture();
    const token = await fixture.workloadToken(['Application.ReadWrite.All', 'Organization.Read.All']);
    const url = new URL(fixture.credless.url);
    client = Client.init({
      authProvider: (done) => done(null, token),
      baseUrl: `${url.origin}/`,
      defaultVersion: 'v1.0',
      // The client only sends the token to Microsoft's hosts unless told otherwise.
      customHosts: new Set([url.hostname]),
      // Trust the local CA: global fetch takes an undici dispatcher.
      fetchOptions: { dispatcher: fixture.agent } as unknown as RequestInit,
    });
  });
  after(async () => fixture.close());

  test('creates an application and a federated credential on it', async () => {
    const application = await client.api('/applications').post({ displayName: 'made-by-graph-sdk' });
    assert.equal(application.displayName, 'made-by-graph-sdk');
    assert.match(application.appId, /^[0-9a-f-]{36}$/);
    const credential = await client.api(`/applications/${application.id}/federatedIdentityCredentials`).post({
      name: 'sdk-credential',
      issuer: fixture.issuer.issuer,
      subject: 'system:serviceaccount:sdk:worker',
      audiences: [FEDERATION_AUDIENCE],
    });
    assert.equal(credential.name, 'sdk-credential');
    assert.deepEqual(credential.audiences, [FEDERATION_AUDIENCE]);

    const listed = await client
      .api(`/applications(appId='${application.appId}')/federatedIdentityCredentials`)
      .select(['name', 'subject'])
      .get();
    assert.deepEqual(
      listed.value.map((c: { name: string; subject: string }) => [c.name, c.subject]),
      [['sdk-credential', 'system:serviceaccount:sdk:worker']],
    );
    const found = await client.api('/applications').filter(`appId eq '${application.appId}'`).get();
    assert.equal(found.value[0].id, application.id);
  });

  test('reads /organization', async () => {
    const organization = await client.api('/organization').get();
    assert.equal(organization.value.length, 1);
    assert.equal(organization.value[0].id, fixture.credless.tenantId);
    assert.equal(typeof organization.value[0].displayName, 'string');
  });

  test("Graph's errors reach the client as GraphError with Graph's code", async () => {
    const application = await client.api('/applications').post({ displayName: 'duplicate-test' });
    const body = { name: 'twice', issuer: fixture.issuer.issuer, subject: 'system:serviceaccount:sdk:twice' };
    const path = `/applications/${application.id}/federatedIdentityCredentials`;
    await client.api(path).post(body);
    await assert.rejects(
      client.api(path).post({ ...body, subject: 'system:serviceaccount:sdk:other' }),
      (error: unknown) => {
        assert.ok(error instanceof GraphError, String(error));
        assert.equal(error.statusCode, 409);
        assert.equal(error.code, 'Request_MultipleObjectsWithSameKeyValue');
        return true;
      },
    );
  });
});
