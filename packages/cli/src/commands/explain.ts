/**
 * `credless explain --app <appId> --token <file|->`: dry-runs a token against an application's
 * federated identity credentials — which one matches, or the nearest misses with a field-by-field
 * diff — and checks the signature with the issuer's published keys when they can be fetched, by the
 * API's `POST /{tenant}/explain`. Issues nothing and records nothing. Exit code 0 when the token would
 * be accepted, 5 (EXIT.noMatch) when not.
 * @module
 */
import { readFile } from 'node:fs/promises';
import type { FieldDiff } from '@credless/core';
import type { DryRunReport } from '@credless/server';
import { NoMatchError, UsageError } from '../exit-codes.ts';
import { type GraphApi, graphError } from '../session/graph-api.ts';
import { parseJsonBody } from '../session/https-json.ts';

/** A token is at most 16 KiB by default; refuse to buffer much more than that from a file or a pipe. */
const MAX_TOKEN_INPUT_BYTES = 1024 * 1024;

export interface ExplainOptions {
  app: string;
  /** A file holding the token, or '-' for standard input. */
  token: string;
  /** Default true: the API fetches the issuer's keys (only issuers the app's credentials name) and verifies. */
  verifySignature?: boolean;
  /** Test seam: where '-' reads from. */
  stdin?: NodeJS.ReadableStream;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += bytes.length;
    if (size > MAX_TOKEN_INPUT_BYTES) throw new UsageError('--token: the input is larger than 1 MiB');
    chunks.push(bytes);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function readToken(options: ExplainOptions): Promise<string> {
  let text: string;
  if (options.token === '-') {
    text = await readAll(options.stdin ?? process.stdin);
  } else {
    try {
      text = await readFile(options.token, 'utf8');
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code ?? 'unreadable';
      throw new UsageError(`--token: cannot read '${options.token}' (${reason})`);
    }
    if (text.length > MAX_TOKEN_INPUT_BYTES) throw new UsageError('--token: the file is larger than 1 MiB');
  }
  const token = text.trim();
  if (token.length === 0) throw new UsageError('--token: the input is empty');
  return token;
}

/** The dry run itself, by the API's `POST /{tenant}/explain`; returns the report (the command prints it). */
export async function explainCommand(api: GraphApi, options: ExplainOptions): Promise<DryRunReport> {
  const token = await readToken(options);
  const { session } = api;
  const path = `/${session.tenantId}/explain`;
  const answer = await api.send(
    'POST',
    `${new URL(session.graphUrl).origin}${path}`,
    JSON.stringify({ appId: options.app, token, verifySignature: options.verifySignature !== false }),
    { 'content-type': 'application/json' },
  );
  if (answer.status !== 200) throw graphError(answer, `POST ${path}`);
  return parseJsonBody(answer) as DryRunReport;
}

const mark = (diff: FieldDiff) => (diff.ok ? '✔' : '✘');

/** The report as text for a terminal. */
export function formatExplainReport(report: DryRunReport): string {
  const { explanation, signature, application } = report;
  const lines: string[] = [];
  lines.push(`application  ${application.displayName} (appId ${application.appId})`);
  const { token } = explanation;
  lines.push(`token        iss ${token.issuer ?? '(none)'}`);
  lines.push(`             sub ${token.subject ?? '(none)'}`);
  lines.push(`             aud ${token.audiences.join(', ') || '(none)'}`);
  for (const problem of token.problems) lines.push(`             ✘ ${problem}`);
  if (report.structureProblem) lines.push(`structure    ✘ ${report.structureProblem}`);
  const signatureText =
    signature.status === 'verified'
      ? 'verified'
      : `${signature.status === 'invalid' ? 'INVALID' : 'not verified'} (${signature.reason ?? 'unknown'})`;
  lines.push(`signature    ${signatureText}`);
  lines.push(`time         ${explanation.time.status === 'valid' ? '' : '✘ '}${explanation.time.summary}`);
  const { issuerPolicy } = report;
  for (const check of issuerPolicy.checks) {
    const status = check.status === 'refused' ? '✘ ' : check.status === 'audit' ? '! ' : '';
    lines.push(`policy       ${status}${check.check.replace('_', ' ')} (${check.step}): ${check.summary}`);
  }
  const refusal = issuerPolicy.refusedBy
    ? `refused by the issuer policy (${issuerPolicy.refusedBy.step}, AADSTS${issuerPolicy.refusedBy.refusal?.aadsts}); `
    : '';
  lines.push(
    `result       ${report.verdict === 'match' ? 'MATCH' : 'NO MATCH'}: ${refusal}${explanation.summary}`,
  );
  if (explanation.nearestMisses.length > 0) {
    const shown = explanation.nearestMisses.length;
    const of = `${explanation.credentialsCompared}${explanation.truncated ? '+' : ''}`;
    lines.push('', `nearest misses (${shown} of ${of} credentials compared):`);
    explanation.nearestMisses.forEach((miss, index) => {
      lines.push(`  ${index + 1}. ${miss.name} (${miss.kind} credential, closeness ${miss.score}/100)`);
      for (const field of miss.fields) lines.push(`     ${mark(field)} ${field.summary}`);
    });
  }
  if (explanation.truncated) {
    lines.push('', 'note: the application has more credentials than were compared');
  }
  return `${lines.join('\n')}\n`;
}

/** After printing: a token the token endpoint would refuse ends with EXIT.noMatch. */
export function settleExplanation(report: DryRunReport): void {
  if (report.verdict === 'match') return;
  const refusedBy = report.issuerPolicy.refusedBy;
  throw new NoMatchError(
    refusedBy
      ? `the token endpoint would refuse this token: ${refusedBy.summary}`
      : 'no credential accepts this token (see the report)',
  );
}
