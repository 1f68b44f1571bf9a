/** Issuer of the tokens minted by the local development issuer (`openDevIssuer`, token CLI). */
export const DEV_ISSUER = 'urn:dmp:dev-issuer';

/** Audience every DMP service accepts unless configured otherwise. */
export const DEFAULT_AUDIENCE = 'urn:dmp:services';

/** Signature algorithms a DMP service accepts. Symmetric (HS*) and `none` are never accepted. */
export const ALLOWED_ALGORITHMS: readonly string[] = ['RS256', 'ES256', 'EdDSA'];

/** G15 "professions" code system (ANS NOS TRE_G15-ProfessionSante). */
export const G15_PROFESSION_SYSTEM = 'urn:oid:1.2.250.1.71.1.2.7';

/** TRE_R248 access modes (`normal`, `bris_de_glace`, `centre_15`). */
export const ACCESS_MODE_SYSTEM = 'urn:oid:1.2.250.1.213.1.1.4.248';

/** HL7 v3 ActReason (purpose of use: TREAT, ETREAT, BTG, …). */
export const ACT_REASON_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v3-ActReason';

/** INS-NIR identifier system. */
export const INS_NIR_SYSTEM = 'urn:oid:1.2.250.1.213.1.4.8';
