/**
 * One credless replica for the multi-replica test, in its own process: configured from the environment
 * like a real deployment (CREDLESS_DATABASE_URL, CREDLESS_KEK, CREDLESS_DATA_DIR, …), it prints
 * `{"url","listenUrl","caPath","tenantId"}` as one JSON line once listening.
 *
 * The parent may send directory writes over the IPC channel; they go through this replica's own store
 * (the same one its caches observe), with testkit's directory helpers, and are answered once committed.
 * @module
 */
import { loadConfig, startCredless } from '@credless/server';
import { addFederatedCredential, removeFederatedCredential, servicePrincipalOf } from '@credless/testkit';
import { SigningKeyManager } from '../../src/keys/signing-key-manager.ts';

export type ReplicaCommand =
  | { op: 'createApplication'; displayName: string }
  | { op: 'createServicePrincipal'; appId: string }
  | { op: 'createFederatedCredential'; appId: string; name: string; issuer: string; subject: string }
  | { op: 'deleteFederatedCredential'; appId: string; name: string }
  /** Runs key maintenance as if it were `aheadMs` later (prepublishes the successor when due). */
  | { op: 'maintainKeysAhead'; aheadMs: number };

export interface ReplicaRequest {
  id: number;
  command: ReplicaCommand;
}

export interface ReplicaResponse {
  id: number;
  ok: boolean;
  result?: unknown;
  error?: string;
}

const config = loadConfig(process.env);
const running = await startCredless(config);
const ctx = { store: running.store, tenantId: running.defaultTenantId };
const kek = Buffer.from(process.env['CREDLESS_KEK'] ?? '', 'base64');

async function run(command: ReplicaCommand): Promise<unknown> {
  switch (command.op) {
    case 'createApplication': {
      const application = await ctx.store.createApplication(ctx.tenantId, {
        displayName: command.displayName,
      });
      return { appId: application.appId, id: application.id };
    }
    case 'createServicePrincipal':
      return (await servicePrincipalOf(ctx, command.appId)).id;
    case 'createFederatedCredential':
      return (
        await addFederatedCredential(ctx, command.appId, {
          name: command.name,
          issuer: command.issuer,
          subject: command.subject,
        })
      ).id;
    case 'deleteFederatedCredential':
      await removeFederatedCredential(ctx, command.appId, command.name);
      return null;
    case 'maintainKeysAhead': {
      const ahead = new SigningKeyManager({
        store: running.store,
        kek: new Uint8Array(kek),
        now: () => Date.now() + command.aheadMs,
        rotationPeriodMs: config.signingKeys.rotationPeriodMs,
        prepublishPeriodMs: config.signingKeys.prepublishPeriodMs,
        retentionAfterRetireMs: config.signingKeys.retentionAfterRetireMs,
        maxTokenLifetimeMs: config.tokenLifetimeSeconds.max * 1000,
      });
      await ahead.ensureKeys(running.defaultTenantId);
      return null;
    }
  }
}

process.on('message', (message: ReplicaRequest) => {
  run(message.command).then(
    (result) => process.send?.({ id: message.id, ok: true, result } satisfies ReplicaResponse),
    (error: unknown) =>
      process.send?.({ id: message.id, ok: false, error: String(error) } satisfies ReplicaResponse),
  );
});

const shutdown = () => {
  running.close().finally(() => process.exit(0));
};
process.on('SIGTERM', shutdown);
process.on('disconnect', shutdown);

process.stdout.write(
  `${JSON.stringify({
    url: running.url,
    listenUrl: running.listenUrl,
    caPath: running.caPath,
    tenantId: running.defaultTenantId,
  })}\n`,
);
