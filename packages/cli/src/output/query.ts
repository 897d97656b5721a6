/**
 * az's `--query`: a JMESPath expression applied to a command's result before it is printed. The
 * expression is compiled before the command runs, so a syntax error changes nothing (exit 2).
 * @module
 */
import { compile, type JSONValue, TreeInterpreter } from '@jmespath-community/jmespath';
import { UsageError } from '../exit-codes.ts';

export interface CompiledQuery {
  expression: string;
  apply(value: unknown): unknown;
}

/** Checks the syntax now; throws UsageError naming the problem. */
export function compileQuery(expression: string): CompiledQuery {
  let compiled: ReturnType<typeof compile>;
  try {
    compiled = compile(expression);
  } catch (error) {
    throw new UsageError(
      `--query: '${expression}' is not a valid JMESPath expression: ${(error as Error).message}`,
    );
  }
  return {
    expression,
    apply(value: unknown) {
      try {
        // JMESPath has no undefined: a command that printed nothing is queried as null. A command's
        // result is JSON by construction (it is what -o json prints).
        return TreeInterpreter.search(compiled, (value === undefined ? null : value) as JSONValue);
      } catch (error) {
        throw new UsageError(`--query: '${expression}' failed on the result: ${(error as Error).message}`);
      }
    },
  };
}
