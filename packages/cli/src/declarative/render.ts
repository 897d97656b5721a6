/**
 * The plan as people read it: `+ create …`, `~ update …: subject "a" → "b"`, `- delete …`, and a
 * summary line. Color only when asked (the command asks when stdout is a TTY).
 * @module
 */
import type { Action, Change, Plan } from './actions.ts';
import { summarize } from './actions.ts';

const COLORS = { '+': '\u001b[32m', '~': '\u001b[33m', '-': '\u001b[31m' } as const;
const RESET = '\u001b[0m';

const show = (value: unknown): string => JSON.stringify(value) ?? 'null';

/** `subject "a" → "b"`, `appRoles + "Writer"`, `appRoles - "Old"`. */
export function renderChange(change: Change): string {
  if (change.before === undefined) return `${change.path} + ${show(change.after)}`;
  if (change.after === undefined) return `${change.path} - ${show(change.before)}`;
  return `${change.path} ${show(change.before)} → ${show(change.after)}`;
}

function describe(action: Action): { sign: '+' | '~' | '-'; head: string; changes: string[] } {
  const verb = { create: 'create', update: 'update', delete: 'delete' }[action.op];
  const sign = ({ create: '+', update: '~', delete: '-' } as const)[action.op];
  switch (action.kind) {
    case 'group':
      return {
        sign,
        head: `${verb} group "${action.name}"`,
        changes:
          action.op === 'create'
            ? [`mailNickname + ${show(action.body.mailNickname)}`]
            : action.op === 'update'
              ? action.changes.map(renderChange)
              : [],
      };
    case 'application':
      return {
        sign,
        head: `${verb} application "${action.name}"`,
        changes: action.op === 'delete' ? [] : action.changes.map(renderChange),
      };
    case 'servicePrincipal':
      return { sign, head: `${verb} service principal of "${action.app}"`, changes: [] };
    case 'federatedCredential': {
      const head = `${verb} federated credential "${action.name}" (application "${action.app}")`;
      if (action.op === 'update') return { sign, head, changes: action.changes.map(renderChange) };
      if (action.op === 'delete') return { sign, head, changes: [] };
      const { body } = action;
      return {
        sign,
        head,
        changes: [
          `issuer + ${show(body.issuer)}`,
          body.subject !== null
            ? `subject + ${show(body.subject)}`
            : `claimsMatchingExpression + ${show(body.claimsMatchingExpression?.value)}`,
        ],
      };
    }
    case 'appRoleAssignment':
      return {
        sign,
        head:
          action.op === 'create'
            ? `grant ${action.resourceName} ${action.role} to "${action.app}" (admin consent)`
            : `revoke ${action.resourceName} ${action.role} from "${action.app}"`,
        changes: [],
      };
    case 'groupMember':
      return {
        sign,
        head:
          action.op === 'create'
            ? `add "${action.member}" to group "${action.group}"`
            : `remove "${action.member}" from group "${action.group}"`,
        changes: [],
      };
  }
}

export function renderAction(action: Action, color = false): string {
  const { sign, head, changes } = describe(action);
  const paint = (line: string) => (color ? `${COLORS[sign]}${line}${RESET}` : line);
  if (changes.length === 1 && action.op === 'update') return paint(`${sign} ${head}: ${changes[0]}`);
  return [paint(`${sign} ${head}`), ...changes.map((line) => `    ${line}`)].join('\n');
}

export function renderSummary(plan: Plan): string {
  const counts = summarize(plan);
  return `Plan: ${counts.create} to create, ${counts.update} to update, ${counts.delete} to delete.`;
}

/** The whole plan, ending with a newline. */
export function renderPlan(plan: Plan, options: { color?: boolean; prune?: boolean } = {}): string {
  const lines: string[] = [];
  if (plan.actions.length === 0) lines.push('No changes: the directory matches the file.');
  else {
    for (const action of plan.actions) lines.push(renderAction(action, options.color));
    lines.push('', renderSummary(plan));
  }
  const kept = plan.keptPlatformIdentities ?? [];
  if (kept.length > 0 && options.prune) {
    lines.push(
      `Kept (created by credless's local platforms, never pruned): ${kept.map((name) => `"${name}"`).join(', ')}.`,
    );
  }
  if (plan.unmanaged > 0 && !options.prune) {
    lines.push(
      `${plan.unmanaged} object${plan.unmanaged === 1 ? '' : 's'} in the directory not in the file ${
        plan.unmanaged === 1 ? 'is' : 'are'
      } left alone (--prune deletes ${plan.unmanaged === 1 ? 'it' : 'them'}).`,
    );
  }
  return `${lines.join('\n')}\n`;
}
