/**
 * The hooks through which a process adds to a credless server what is not the token service or the
 * Graph API — the local platforms (emulated issuers, local clusters' Kubernetes API) are one such
 * plugin. The server declares these interfaces and never imports a plugin: whoever starts the process
 * (`credless up`, a test) passes the plugins to startCredless.
 * @module
 */
import type { Logger } from '@credless/common';
import type { FastifyInstance } from 'fastify';
import type { ArmProviderPlatform } from '../arm/arm-providers.ts';
import type { ServerConfig } from '../config.ts';
import type { CachedTokenDirectory } from '../directory/cached-token-directory.ts';
import type { EmulatedIssuerKeys } from '../issuers/issuer-key-chain.ts';
import type { JwksKey } from '../keys/signing-key-manager.ts';
import type { DirectoryStore } from '../store/directory-store.ts';
import type { Closer } from './closers.ts';

/** What the server hands a plugin once its store, directory and keys are open (before it listens). */
export interface PluginHost {
  config: ServerConfig;
  /** The observed store: writes through it invalidate the token path's caches. */
  store: DirectoryStore;
  /** onInvalidate: called on every directory change (here or, through the change feed, on a replica). */
  directory: Pick<CachedTokenDirectory, 'findTenant' | 'onInvalidate'>;
  /** The key-encryption key that seals private keys at rest. */
  kek: Uint8Array;
  /** A tenant's published signing keys (verifying credless-issued tokens). */
  getJwks: (tenantId: string) => Promise<{ keys: JwksKey[] }>;
  /** Read per call: with port 0 the public URL is known only once the server listens. */
  baseUrl: () => string;
  now: () => number;
  logger: Logger;
  /** The server's certificate and key, and the CA that signed them; undefined with plain HTTP. */
  https: { key: string; cert: string; caCertPem: string } | undefined;
}

/** What an opened plugin adds; every part is optional. */
export interface PluginParts {
  /** Issuers it emulates: the token path takes their keys from here before pinned or fetched keys. */
  issuerKeys?: EmulatedIssuerKeys;
  /** Registered on the main listener (encapsulated: hooks and parsers stay inside). */
  routes?: (app: FastifyInstance) => Promise<void>;
  /** The Resource Manager providers it backs (managed clusters, registries), served on the ARM host names. */
  armProviders?: ArmProviderPlatform;
  /** Runs once the server listens (the public URL is known); returns how to stop what it started. */
  listening?: () => Promise<Closer | undefined>;
  /** Closes what open() opened (after the app stopped serving). */
  close?: Closer;
}

export interface ServerPlugin {
  /** For logs and errors. */
  name: string;
  open(host: PluginHost): Promise<PluginParts>;
}
