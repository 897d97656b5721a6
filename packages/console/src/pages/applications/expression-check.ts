/**
 * A claims-matching expression checked as the operator types, by the same parser the server runs
 * (@credless/core's claims-expression: pure, bundled alone), so the form shows the error and its
 * position before anything is sent. Pure.
 * @module
 */
import { parseClaimsExpression } from '@credless/core/claims-expression';

export interface ExpressionProblem {
  /** The parser's reason, e.g. "expected 'matches' or 'eq' at position 17". */
  message: string;
  /** 1-based column the reason names. */
  position: number;
}

const AT_POSITION = / at position (\d+)$/;

/** What is wrong with `text`, or undefined when the server would accept it. */
export function expressionProblem(text: string): ExpressionProblem | undefined {
  try {
    parseClaimsExpression(text);
    return undefined;
  } catch (error) {
    // The parser throws invalid_value whose `reason` ends with the position (parser.ts: syntaxError).
    const reason = (error as { params?: { reason?: unknown } }).params?.reason;
    const message = typeof reason === 'string' ? reason : String(error);
    return { message, position: Number(AT_POSITION.exec(message)?.[1] ?? 1) };
  }
}

/** Characters of context shown on each side of the position (the caret stays on screen). */
const CONTEXT = 40;

/**
 * Two lines for a monospace block: the part of `text` around `position` and a caret under that
 * column (an ellipsis marks what was cut; a position just past the end points after the last character).
 */
export function caretLines(text: string, position: number): { line: string; caret: string } {
  const index = Math.min(Math.max(position - 1, 0), text.length);
  const start = Math.max(0, index - CONTEXT);
  const end = Math.min(text.length, index + CONTEXT);
  const before = start > 0 ? '…' : '';
  const after = end < text.length ? '…' : '';
  // Tabs and newlines would misalign the caret: shown as one space each.
  const line = `${before}${text.slice(start, end)}${after}`.replace(/[\t\r\n]/g, ' ');
  return { line, caret: `${' '.repeat(before.length + index - start)}^` };
}
