/**
 * What a successful exchange hands back: the signed access token and the figures its response carries.
 * Its own module so that the exchange's ports and the reuse window can name it without importing the exchange.
 * @module
 */
import type { AccessTokenVersion } from '../directory/types.ts';

export interface IssuedAccessToken {
  accessToken: string;
  tokenVersion: AccessTokenVersion;
  expiresIn: number;
  expiresOn: number;
  notBefore: number;
  /** The resource as resolved (for the v1 `resource` response field). */
  resource: string;
}
