/**
 * Operator errors: what a person at a terminal sees from the `credless` command or a server that will
 * not start (arguments, configuration, data directory, keys, database, administrator identity). They
 * carry an exit code instead of a wire shape; `status` only says how one would surface at an HTTP edge.
 * Part of the one catalogue (catalogue.ts spreads them in).
 * @module
 */
import { EXIT, type ExitCode } from './exit.ts';

type Params = Record<string, string | number | undefined>;

export interface OperatorErrorSpec {
  kind: 'operator';
  /** Exit code of the credless command. */
  exit: ExitCode;
  /** 500 unless the error can be a client's fault at an HTTP edge. */
  status: number;
  message: (p: Params) => string;
}

const op = (exit: ExitCode, message: OperatorErrorSpec['message'], status = 500): OperatorErrorSpec => ({
  kind: 'operator',
  exit,
  status,
  message,
});

const OWN_DIRECTORY = 'credless keeps private keys in its data directory and will not start there';

export const OPERATOR_ERRORS = {
  // ---- the command line: arguments and the outcome of a command
  usage_invalid: op(EXIT.invalidInput, (p) => `${p.reason}`, 400),
  object_not_found: op(EXIT.notFound, (p) => `${p.reason}`, 404),
  object_conflict: op(EXIT.conflict, (p) => `${p.reason}`, 409),
  command_failed: op(EXIT.failure, (p) => `${p.reason}`),
  identity_file_invalid: op(
    EXIT.invalidInput,
    (p) => `${p.source} is not a valid identity file:\n${p.problems}`,
    400,
  ),
  plan_invalid: op(EXIT.invalidInput, (p) => `cannot plan:\n${p.problems}`, 400),
  // `credless plan --detailed-exitcode` printed a plan with changes (terraform's 2 is taken by usage).
  plan_changes_pending: op(EXIT.changesPending, () => 'changes are pending'),
  // `credless explain` printed a report saying why no credential matches.
  explain_no_match: op(EXIT.noMatch, (p) => `${p.reason}`),
  // `credless get-token` (kubectl exec credential plugin): the issuer or the token endpoint said no.
  get_token_failed: op(EXIT.failure, (p) => `${p.reason}`),
  // `credless backup|restore`
  backup_not_found: op(EXIT.notFound, (p) => `${p.reason}`),
  backup_conflict: op(EXIT.conflict, (p) => `${p.reason}`),
  backup_invalid: op(EXIT.invalidInput, (p) => `${p.reason}`),
  backup_key_mismatch: op(EXIT.invalidInput, (p) => `${p.reason}`),

  // ---- configuration (CREDLESS_* variables, options): the message names the variable and what is allowed
  config_invalid: op(EXIT.invalidInput, (p) => `${p.reason}`),

  // ---- the data directory
  // A command that only reads never creates a data directory: a mistyped --data-dir is not a new store.
  data_directory_missing: op(
    EXIT.notFound,
    (p) => `no data directory at ${p.dir} (check --data-dir or $CREDLESS_DATA_DIR; credless up creates one)`,
  ),
  data_directory_not_directory: op(EXIT.failure, (p) => `The data directory ${p.dir} is not a directory`),
  data_directory_shared: op(
    EXIT.failure,
    (p) =>
      `The data directory ${p.dir} is a shared directory (mode ${p.mode}, like /tmp); ${OWN_DIRECTORY}. Choose a directory of its own.`,
  ),
  data_directory_foreign_owner: op(
    EXIT.failure,
    (p) =>
      `The data directory ${p.dir} is accessible by group or others (mode ${p.mode}) and is owned by uid ${p.owner}, not by the user credless runs as (uid ${p.uid}); ${OWN_DIRECTORY}. As its owner run: chmod 700 ${p.dir} (or chown it to uid ${p.uid}), or choose another data directory.`,
  ),
  tls_key_insecure: op(
    EXIT.failure,
    (p) => `${p.path} is accessible by group or others; run: chmod 600 ${p.path}`,
  ),

  // ---- the key-encryption key (CREDLESS_KEK or <data dir>/kek) that encrypts the token-signing keys
  kek_invalid: op(
    EXIT.invalidInput,
    (p) =>
      `CREDLESS_KEK must be exactly ${p.bytes} random bytes encoded as base64 or base64url (for example the output of \`openssl rand -base64 32\`).`,
  ),
  kek_file_insecure: op(
    EXIT.failure,
    (p) =>
      `The key-encryption key file ${p.path} is accessible by group or others; restrict it with: chmod 600 ${p.path}`,
  ),
  kek_file_invalid: op(
    EXIT.failure,
    (p) =>
      `The key-encryption key file ${p.path} does not hold ${p.bytes} bytes in base64url; restore it from backup (signing keys encrypted with it cannot be read otherwise)`,
  ),
  kek_mismatch: op(
    EXIT.failure,
    (p) =>
      `The key-encryption key from ${p.source} does not match the one the stored signing keys were encrypted with, so no token could be signed; credless will not start. To fix it, ${p.fix}.`,
  ),

  // ---- the local administrator identity (<data dir>/admin)
  admin_identity_missing: op(
    EXIT.failure,
    (p) => `no administrator identity in ${p.dir}: start credless once with this data directory first`,
  ),
  admin_application_missing: op(
    EXIT.failure,
    (p) =>
      `the administrator application ${p.clientId} no longer exists in the directory; start credless again to recreate it`,
  ),
  admin_key_conflict: op(
    EXIT.failure,
    () => 'could not register the administrator key: concurrent updates; start credless again',
  ),
  admin_token_refused: op(
    EXIT.failure,
    (p) => `the local administrator got no Graph token in-process: ${p.reason}`,
  ),

  // ---- the directory database
  database_url_invalid: op(EXIT.invalidInput, (p) => `invalid database URL: ${p.reason}`),
  database_schema_invalid: op(
    EXIT.invalidInput,
    (p) => `invalid PostgreSQL schema name '${p.schema}': use lowercase letters, digits and '_'`,
  ),
  database_unreachable: op(EXIT.failure, (p) => `cannot connect to PostgreSQL at ${p.url}: ${p.reason}`),
  database_migration_failed: op(EXIT.failure, (p) => `database migration ${p.migration} failed: ${p.reason}`),
  database_search_path_empty: op(EXIT.failure, () => 'PostgreSQL has no current schema: check search_path'),
} as const satisfies Record<string, OperatorErrorSpec>;
