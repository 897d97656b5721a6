/**
 * az's `--query`: a JMESPath expression applied to a command's result before it is printed. The
 * expression is compiled before the command runs, so a syntax error changes nothing (exit 2).
 * @module
 */
import jmespath from 'jmespath';
import { UsageError } from '../exit-codes.ts';

// @types/jmespath declares only search(); the library also exports compile().
const compile = (jmespath as unknown as { compile(expression: string): unknown }).compile;

export interface CompiledQuery {
  expression: string;
  apply(value: unknown): unknown;
}

/** Checks the syntax now; throws UsageError naming the problem. */
export function compileQuery(expression: string): CompiledQuery {
  try {
    compile(expression);
  } catch (error) {
    throw new UsageError(
      `--query: '${expression}' is not a valid JMESPath expression: ${(error as Error).message}`,
    );
  }
  return {
    expression,
    apply(value: unknown) {
      try {
        // JMESPath has no undefined: a command that printed nothing is queried as null.
        return jmespath.search(value === undefined ? null : value, expression);
      } catch (error) {
        throw new UsageError(`--query: '${expression}' failed on the result: ${(error as Error).message}`);
      }
    },
  };
}
