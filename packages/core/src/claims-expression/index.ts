/**
 * Entra's flexible federated identity credential language (languageVersion 1): parse once when a
 * credential is created, evaluate per exchange in linear-bounded time.
 * @module
 */
export {
  type ClaimsClauseResult,
  type ClaimsExpressionResult,
  evaluateClaimsExpression,
} from './evaluate.ts';
export { matchesGlob } from './glob.ts';
export {
  CLAIMS_EXPRESSION_LANGUAGE_VERSION,
  CLAIMS_EXPRESSION_LIMITS,
  type ClaimsClause,
  type ClaimsExpression,
  type ClaimsOperator,
  parseClaimsExpression,
} from './parser.ts';
