/**
 * Graph's `$filter` subset: a tokenizer and a recursive-descent parser for `eq`, `ne`,
 * `startswith(p,'…')`, `and`, `or`, parentheses and the lambda `any` on string collections
 * (`servicePrincipalNames/any(c:c eq '…')`), and its evaluation against Graph-shaped objects.
 * Every property is checked against the type's schema while parsing, so evaluation only reads
 * declared properties. Anything outside the subset is Graph's error, never ignored.
 * @module
 */
import { CredlessError } from '@credless/core';

/** Longer filters are refused before parsing (Graph's clients send a few hundred characters at most). */
export const MAX_FILTER_LENGTH = 2048;
/** Nesting of parentheses and lambdas; bounds the parser's recursion. */
const MAX_DEPTH = 16;

/** What a type allows in `$filter`. */
export interface FilterSchema {
  /** Every property of the type: naming another one is "Could not find a property". */
  properties: readonly string[];
  /** String properties that take `eq`, `ne` and `startswith`. */
  strings: readonly string[];
  /** String collections that take `any` (`p/any(x: x eq '…')`). */
  collections: readonly string[];
}

export type FilterNode =
  | { kind: 'and' | 'or'; left: FilterNode; right: FilterNode }
  /** `property` undefined: the lambda's range variable, one element of the collection. */
  | { kind: 'eq' | 'ne' | 'startswith'; property: string | undefined; value: string }
  | { kind: 'any'; property: string; predicate: FilterNode };

type Token =
  | { type: 'name'; text: string; at: number }
  | { type: 'string'; value: string; at: number }
  | { type: '(' | ')' | ',' | ':' | '/' | 'end'; at: number };

/** OData operators and functions Graph knows but this subset does not serve: unsupported, not malformed. */
const OTHER_OPERATORS = new Set([
  'gt',
  'ge',
  'lt',
  'le',
  'has',
  'in',
  'not',
  'add',
  'sub',
  'mul',
  'div',
  'mod',
]);
const OTHER_FUNCTIONS = new Set([
  'endswith',
  'contains',
  'substringof',
  'tolower',
  'toupper',
  'length',
  'not',
]);

const badRequest = (reason: string) => new CredlessError('graph_bad_request', { reason });
const unsupported = (subject: string) => new CredlessError('graph_unsupported_query', { subject });

function tokenize(text: string, syntaxError: (at: number) => CredlessError): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (c === ' ' || c === '\t') {
      i++;
    } else if ('(),:/'.includes(c)) {
      tokens.push({ type: c as '(' | ')' | ',' | ':' | '/', at: i++ });
    } else if (c === "'") {
      // A quoted string: '' stands for one quote; anything else, ` and ` included, is literal text.
      const start = i++;
      let value = '';
      for (;;) {
        if (i >= text.length) throw syntaxError(start);
        if (text[i] === "'") {
          if (text[i + 1] !== "'") break;
          value += "'";
          i += 2;
        } else {
          value += text[i++];
        }
      }
      i++;
      tokens.push({ type: 'string', value, at: start });
    } else {
      const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i))?.[0];
      if (!name) throw syntaxError(i);
      tokens.push({ type: 'name', text: name, at: i });
      i += name.length;
    }
  }
  tokens.push({ type: 'end', at: text.length });
  return tokens;
}

class FilterParser {
  #tokens: Token[];
  #next = 0;
  readonly #schema: FilterSchema;
  readonly #text: string;

  constructor(text: string, schema: FilterSchema) {
    this.#text = text;
    this.#schema = schema;
    this.#tokens = tokenize(text, (at) => this.#syntaxError(at));
  }

  parse(): FilterNode {
    const node = this.#or(undefined, 0);
    this.#expect('end');
    return node;
  }

  #syntaxError(at: number): CredlessError {
    return badRequest(`Invalid filter clause: Syntax error at position ${at} in '${this.#text}'.`);
  }

  #peek(): Token {
    return this.#tokens[this.#next] as Token;
  }

  #take(): Token {
    const token = this.#peek();
    if (token.type !== 'end') this.#next++;
    return token;
  }

  #expect<T extends Token['type']>(type: T): Extract<Token, { type: T }> {
    const token = this.#take();
    if (token.type !== type) throw this.#syntaxError(token.at);
    return token as Extract<Token, { type: T }>;
  }

  #keyword(word: string): boolean {
    const token = this.#peek();
    if (token.type !== 'name' || token.text.toLowerCase() !== word) return false;
    this.#next++;
    return true;
  }

  #or(variable: string | undefined, depth: number): FilterNode {
    let left = this.#and(variable, depth);
    while (this.#keyword('or')) left = { kind: 'or', left, right: this.#and(variable, depth) };
    return left;
  }

  #and(variable: string | undefined, depth: number): FilterNode {
    let left = this.#primary(variable, depth);
    while (this.#keyword('and')) left = { kind: 'and', left, right: this.#primary(variable, depth) };
    return left;
  }

  #primary(variable: string | undefined, depth: number): FilterNode {
    if (depth > MAX_DEPTH) throw badRequest(`Invalid filter clause: nested deeper than ${MAX_DEPTH} levels.`);
    const token = this.#take();
    if (token.type === '(') {
      const inner = this.#or(variable, depth + 1);
      this.#expect(')');
      return inner;
    }
    if (token.type !== 'name') throw this.#syntaxError(token.at);
    const word = token.text.toLowerCase();
    if (this.#peek().type === '(') {
      if (word === 'startswith') return this.#startsWith(variable);
      if (OTHER_FUNCTIONS.has(word)) throw unsupported(`the function '${token.text}'`);
      throw this.#syntaxError(token.at);
    }
    if (word === 'not') throw unsupported("the operator 'not'");
    if (this.#peek().type === '/') return this.#lambda(token, variable, depth);
    const property = this.#operand(token, variable);
    const operator = this.#expect('name');
    const op = operator.text.toLowerCase();
    if (op !== 'eq' && op !== 'ne') {
      if (OTHER_OPERATORS.has(op)) throw unsupported(`the operator '${operator.text}'`);
      throw this.#syntaxError(operator.at);
    }
    return { kind: op, property, value: this.#literal() };
  }

  /** `startswith(operand, 'prefix')`, the opening parenthesis next. */
  #startsWith(variable: string | undefined): FilterNode {
    this.#expect('(');
    const property = this.#operand(this.#expect('name'), variable);
    this.#expect(',');
    const value = this.#literal();
    this.#expect(')');
    return { kind: 'startswith', property, value };
  }

  /** `collection/any(x: predicate on x)`, the slash next. */
  #lambda(
    collection: Extract<Token, { type: 'name' }>,
    variable: string | undefined,
    depth: number,
  ): FilterNode {
    this.#expect('/');
    const operator = this.#expect('name');
    if (operator.text.toLowerCase() !== 'any') {
      if (operator.text.toLowerCase() === 'all') throw unsupported("the lambda operator 'all'");
      throw this.#syntaxError(operator.at);
    }
    this.#known(collection.text);
    if (variable !== undefined || !this.#schema.collections.includes(collection.text)) {
      throw unsupported(`property '${collection.text}'`);
    }
    this.#expect('(');
    const name = this.#expect('name').text;
    this.#expect(':');
    const predicate = this.#or(name, depth + 1);
    this.#expect(')');
    return { kind: 'any', property: collection.text, predicate };
  }

  /** A compared operand: the lambda variable inside a lambda, a string property outside one. */
  #operand(token: Extract<Token, { type: 'name' }>, variable: string | undefined): string | undefined {
    if (variable !== undefined) {
      if (token.text === variable) return undefined;
      this.#known(token.text);
      throw unsupported(`property '${token.text}' inside a lambda`);
    }
    this.#known(token.text);
    if (!this.#schema.strings.includes(token.text)) throw unsupported(`property '${token.text}'`);
    return token.text;
  }

  #known(property: string): void {
    if (!this.#schema.properties.includes(property)) {
      throw badRequest(`Could not find a property named '${property}' on this type.`);
    }
  }

  #literal(): string {
    const token = this.#take();
    if (token.type === 'string') return token.value;
    if (token.type === 'name') throw unsupported(`the literal '${token.text}' (only quoted strings)`);
    throw this.#syntaxError(token.at);
  }
}

/** Parses a `$filter` value against a type's schema; Graph's 400 errors for anything else. */
export function parseFilter(text: string, schema: FilterSchema): FilterNode {
  if (text.length > MAX_FILTER_LENGTH) {
    throw badRequest(
      `Invalid filter clause: the filter has ${text.length} characters; at most ${MAX_FILTER_LENGTH} are supported.`,
    );
  }
  if (text.trim() === '') throw badRequest('Invalid filter clause.');
  return new FilterParser(text, schema).parse();
}

/** Whether an object matches; strings compare case-insensitively, as Graph's directory does. */
export function evaluateFilter(node: FilterNode, entity: Record<string, unknown>, element?: string): boolean {
  switch (node.kind) {
    case 'and':
      return evaluateFilter(node.left, entity, element) && evaluateFilter(node.right, entity, element);
    case 'or':
      return evaluateFilter(node.left, entity, element) || evaluateFilter(node.right, entity, element);
    case 'any': {
      const items = entity[node.property];
      return (
        Array.isArray(items) &&
        items.some((item) => typeof item === 'string' && evaluateFilter(node.predicate, entity, item))
      );
    }
    default: {
      const raw = node.property === undefined ? element : entity[node.property];
      const actual = typeof raw === 'string' ? raw.toLowerCase() : null;
      const value = node.value.toLowerCase();
      if (node.kind === 'eq') return actual === value;
      if (node.kind === 'ne') return actual !== value;
      return actual?.startsWith(value) ?? false;
    }
  }
}
