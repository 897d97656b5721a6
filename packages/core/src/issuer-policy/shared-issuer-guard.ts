/**
 * The shared-issuer guard. GitHub Actions, gitlab.com and HCP Terraform sign every customer's tokens
 * with one issuer, so a credential that names only the issuer (or a subject like `repo:*`) trusts
 * every repository on the platform. A credential for such an issuer must pin an owner: a subject whose
 * owner part is literal, or an expression clause on an owner claim with a literal owner. Clauses are
 * joined by `and`, so one pinning clause pins the whole expression.
 * @module
 */
import { type ClaimsClause, parseClaimsExpression } from '../claims-expression/index.ts';
import { CredlessError } from '../errors/index.ts';
import { GITHUB_ACTIONS_ISSUER_PATH } from '../local-issuers/issuer-urls.ts';

/** How an owner is read from a claim value: the whole value, or the part before the first '/'. */
export type OwnerPart = 'whole' | 'beforeSlash' | 'beforeRequiredSlash';

export interface SharedIssuerRule {
  issuer: string;
  platform: string;
  /** Subjects must start with `${subjectPrefix}<owner>${ownerEnd}`. */
  subjectPrefix: string;
  ownerEnd: string;
  /** Claims whose value names (or starts with) the owner. */
  ownerClaims: Readonly<Record<string, OwnerPart>>;
  /** What to pin, with an example; shown when creation is refused. */
  hint: string;
}

export const SHARED_ISSUER_RULES: readonly SharedIssuerRule[] = Object.freeze<SharedIssuerRule[]>([
  {
    issuer: 'https://token.actions.githubusercontent.com',
    platform: 'GitHub Actions',
    subjectPrefix: 'repo:',
    ownerEnd: '/',
    ownerClaims: {
      repository_owner: 'whole',
      repository_owner_id: 'whole',
      repository: 'beforeRequiredSlash',
    },
    hint: "Use a subject starting with 'repo:<owner>/' (e.g. 'repo:contoso/web:ref:refs/heads/main') or an expression with a clause on repository_owner, repository_owner_id or repository (e.g. claims['repository_owner'] eq 'contoso').",
  },
  {
    issuer: 'https://gitlab.com',
    platform: 'gitlab.com',
    subjectPrefix: 'project_path:',
    ownerEnd: '/',
    ownerClaims: {
      namespace_path: 'beforeSlash',
      namespace_id: 'whole',
      project_path: 'beforeRequiredSlash',
    },
    hint: "Use a subject starting with 'project_path:<group>/' (e.g. 'project_path:contoso/web:ref_type:branch:ref:main') or an expression with a clause on namespace_path, namespace_id or project_path (e.g. claims['namespace_path'] eq 'contoso').",
  },
  {
    issuer: 'https://app.terraform.io',
    platform: 'HCP Terraform',
    subjectPrefix: 'organization:',
    ownerEnd: ':',
    ownerClaims: { terraform_organization_name: 'whole', terraform_organization_id: 'whole' },
    hint: "Use a subject starting with 'organization:<org>:' (e.g. 'organization:contoso:project:default:workspace:prod:run_phase:apply') or an expression with a clause on terraform_organization_name or terraform_organization_id (e.g. claims['terraform_organization_name'] eq 'contoso').",
  },
]);

/** Scheme and host compared case-insensitively, a trailing slash ignored: `https://GitLab.com/` is gitlab.com. */
function canonicalIssuer(issuer: string): string {
  try {
    const url = new URL(issuer);
    return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}`;
  } catch {
    return issuer;
  }
}

/** The guard's rule for this issuer, when it is a known multi-tenant issuer. */
export function sharedIssuerRule(issuer: string): SharedIssuerRule | undefined {
  const canonical = canonicalIssuer(issuer);
  const rule = SHARED_ISSUER_RULES.find((candidate) => candidate.issuer === canonical);
  if (rule) return rule;
  // credless's emulated GitHub Actions issuer (<base>/github-actions) is guarded like the real one, so
  // credentials written against it keep working unchanged when pointed at GitHub.
  if (isEmulatedGitHubActionsIssuer(canonical)) {
    const github = SHARED_ISSUER_RULES[0] as SharedIssuerRule;
    return { ...github, issuer: canonical, platform: 'GitHub Actions (emulated by credless)' };
  }
  return undefined;
}

function isEmulatedGitHubActionsIssuer(canonical: string): boolean {
  try {
    return new URL(canonical).pathname === GITHUB_ACTIONS_ISSUER_PATH;
  } catch {
    return false;
  }
}

/** A literal, non-empty owner: wildcards (meaningful in `matches`, suspicious in `eq`) never pin. */
const isLiteralOwner = (owner: string | undefined): boolean =>
  owner !== undefined && owner.length > 0 && !/[*?]/.test(owner);

/** True when `value` starts with `<prefix><literal owner><ownerEnd>`. */
export function subjectPinsOwner(rule: SharedIssuerRule, value: string): boolean {
  if (!value.startsWith(rule.subjectPrefix)) return false;
  const rest = value.slice(rule.subjectPrefix.length);
  const end = rest.indexOf(rule.ownerEnd);
  if (end <= 0) return false;
  const owner = rest.slice(0, end);
  // A ':' in a GitHub/GitLab owner means the text is not the owner field at all.
  return isLiteralOwner(owner) && (rule.ownerEnd === ':' || !owner.includes(':'));
}

function claimPinsOwner(part: OwnerPart, value: string): boolean {
  if (part === 'whole') return isLiteralOwner(value);
  const slash = value.indexOf('/');
  if (part === 'beforeRequiredSlash' && slash < 0) return false;
  return isLiteralOwner(slash < 0 ? value : value.slice(0, slash));
}

export function clausePinsOwner(rule: SharedIssuerRule, clause: ClaimsClause): boolean {
  if (clause.claim === 'sub') return subjectPinsOwner(rule, clause.expected);
  const part = rule.ownerClaims[clause.claim];
  return part !== undefined && claimPinsOwner(part, clause.expected);
}

export interface SharedIssuerGuardInput {
  issuer: string;
  subject: string | null;
  claimsMatchingExpression: { value: string } | null;
}

export type SharedIssuerVerdict =
  | { pinned: true; rule?: SharedIssuerRule }
  | { pinned: false; rule: SharedIssuerRule; reason: string };

/** Pure check; `pinned` is true for issuers the guard does not cover. */
export function checkSharedIssuerGuard(credential: SharedIssuerGuardInput): SharedIssuerVerdict {
  const rule = sharedIssuerRule(credential.issuer);
  if (!rule) return { pinned: true };
  if (credential.subject !== null) {
    if (subjectPinsOwner(rule, credential.subject)) return { pinned: true, rule };
    return {
      pinned: false,
      rule,
      reason: `the subject does not start with '${rule.subjectPrefix}' and a literal owner followed by '${rule.ownerEnd}'`,
    };
  }
  const text = credential.claimsMatchingExpression?.value;
  if (text !== undefined) {
    // Validated at creation already; an unparsable one pins nothing.
    let clauses: ClaimsClause[] = [];
    try {
      clauses = parseClaimsExpression(text).clauses;
    } catch {}
    if (clauses.some((clause) => clausePinsOwner(rule, clause))) return { pinned: true, rule };
  }
  return {
    pinned: false,
    rule,
    reason: 'no clause of the expression names a literal owner (a wildcard in the owner does not count)',
  };
}

/** Throws `fic_shared_issuer_unpinned` with what to pin, for an unpinned credential of a shared issuer. */
export function enforceSharedIssuerGuard(credential: SharedIssuerGuardInput): void {
  const verdict = checkSharedIssuerGuard(credential);
  if (verdict.pinned) return;
  throw new CredlessError('fic_shared_issuer_unpinned', {
    issuer: credential.issuer,
    platform: verdict.rule.platform,
    reason: verdict.reason,
    hint: verdict.rule.hint,
  });
}
