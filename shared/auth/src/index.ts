export type { AccessMode, Actor, ActorKind, Attestation } from './actor';
export { scopeInsufficientError, tokenInvalidError } from './auth-errors';
export {
  actorFromClaims,
  type DmpTokenClaims,
  type FrDmpClaims,
  type IheIuaClaims,
} from './claims';
export {
  ACCESS_MODE_SYSTEM,
  ACT_REASON_SYSTEM,
  ALLOWED_ALGORITHMS,
  DEFAULT_AUDIENCE,
  DEV_ISSUER,
  G15_PROFESSION_SYSTEM,
  INS_NIR_SYSTEM,
} from './constants';
export { openDevIssuer, type DevIssuer } from './dev-issuer';
export { buildClaimsFromOptions, UsageError } from './cli/token-options';
export {
  hasScope,
  IUA_TRANSACTION_SCOPES,
  parseSmartScope,
  requireScope,
  type Interaction,
  type ScopeGrant,
} from './scopes';
export {
  createTokenVerifier,
  type JwksSource,
  type TokenVerifier,
  type TokenVerifierOptions,
} from './token-verifier';
export { createIssuerRouter, type IssuerRoute } from './issuer-router';
export { isServiceClient, requireServiceClient } from './service-clients';
