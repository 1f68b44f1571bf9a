import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ActorKind } from '../actor';
import { DEFAULT_AUDIENCE, DEV_ISSUER, INS_NIR_SYSTEM } from '../constants';
import { openDevIssuer } from '../dev-issuer';
import { createTokenVerifier } from '../token-verifier';
import { buildClaimsFromOptions, mintToken, UsageError, wantsHelp } from './token-options';

async function verifierFor(dataDir: string) {
  const { jwksPath } = await openDevIssuer(dataDir);
  return createTokenVerifier({ jwks: jwksPath, issuers: [DEV_ISSUER], audience: DEFAULT_AUDIENCE });
}

describe('buildClaimsFromOptions', () => {
  it('builds a practitioner token by default', () => {
    const { claims, ttlSeconds } = buildClaimsFromOptions([]);
    expect(ttlSeconds).toBe(900);
    expect(claims).toMatchObject({
      sub: '810000000001',
      aud: DEFAULT_AUDIENCE,
      client_id: 'dmp-dev-cli',
      scope: 'user/*.cruds',
      extensions: {
        ihe_iua: {
          subject_role: [{ system: 'urn:oid:1.2.250.1.71.1.2.7', code: '10' }],
          national_provider_identifier: '810000000001',
        },
        fr_dmp: { actor_kind: 'practitioner', access_mode: 'normal', attestation: 'care_team' },
      },
    });
  });

  it.each<[ActorKind, string]>([
    ['practitioner', 'user/*.cruds'],
    ['patient', 'patient/*.rs'],
    ['system', 'system/*.cruds'],
    ['auditor', 'system/AuditEvent.rs'],
  ])('gives a %s the default scope %s', (kind, scope) => {
    expect(buildClaimsFromOptions(['--kind', kind]).claims.scope).toBe(scope);
  });

  it('binds a patient token to its own INS', () => {
    const { claims } = buildClaimsFromOptions(['--kind', 'patient']);
    expect(claims.extensions.ihe_iua?.person_id).toEqual({
      system: INS_NIR_SYSTEM,
      value: claims.sub,
    });
  });

  it('mints a professional who declares no basis of access with --attest none', () => {
    const { claims } = buildClaimsFromOptions(['--attest', 'none']);
    expect(claims.extensions.fr_dmp).toEqual({ actor_kind: 'practitioner', access_mode: 'normal' });
  });

  it('adds BTG purposes for break-glass', () => {
    const { claims } = buildClaimsFromOptions(['--mode', 'bris_de_glace', '--reason', 'Coma']);
    const codes = claims.extensions.ihe_iua?.purpose_of_use?.map((c) => c.code);
    expect(codes).toEqual(['ETREAT', 'BTG', 'bris_de_glace']);
    expect(claims.extensions.fr_dmp).toEqual({
      actor_kind: 'practitioner',
      access_mode: 'bris_de_glace',
      access_reason: 'Coma',
    });
  });

  it.each([
    [['--kind', 'robot']],
    [['--mode', 'panic']],
    [['--attest', 'nope']],
    [['--ttl', '0']],
    [['--ttl', '1.5']],
    [['--patient', '12345']],
    [['--unknown']],
    [['positional']],
    [['--sub']],
  ])('rejects %j with a UsageError', (argv) => {
    expect(() => buildClaimsFromOptions(argv)).toThrow(UsageError);
  });

  it('names each professional after their --sub unless --name is given, so that two differ', () => {
    const nameOf = (argv: string[]) => buildClaimsFromOptions(argv).claims.extensions.ihe_iua;
    const authorized = nameOf(['--sub', '810000000011'])?.subject_name;
    const blocked = nameOf(['--sub', '810000000666'])?.subject_name;

    expect(authorized).toBe('Dr 810000000011');
    expect(blocked).toBe('Dr 810000000666');
    expect(nameOf([])?.subject_name).toBe('Dr 810000000001');
    expect(nameOf(['--sub', '810000000011', '--name', 'Dr Jeanne Martin'])?.subject_name).toBe(
      'Dr Jeanne Martin',
    );
  });

  it.each<[ActorKind, string, string | undefined]>([
    ['patient', '255081416802538', 'Patient 255081416802538'],
    ['auditor', 'auditeur-2', 'Auditeur auditeur-2'],
    ['system', 'chu-demo-dpi', undefined],
  ])('derives the default name of a %s from its subject', (kind, sub, name) => {
    const { claims } = buildClaimsFromOptions(['--kind', kind, '--sub', sub]);
    expect(claims.extensions.ihe_iua?.subject_name).toBe(name);
  });

  it('recognises --help and -h', () => {
    expect(wantsHelp(['--kind', 'system', '--help'])).toBe(true);
    expect(wantsHelp(['-h'])).toBe(true);
    expect(wantsHelp([])).toBe(false);
  });
});

describe('mintToken round trip through createTokenVerifier', () => {
  it('a practitioner token with organisation and patient becomes the expected Actor', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'dmp-token-cli-'));
    const argv = [
      '--sub',
      '810001234567',
      '--name',
      'Dr Durand',
      '--profession',
      '21',
      '--org',
      '1130000001',
    ];
    const token = await mintToken(
      [...argv, '--patient', '255081416802538', '--ttl', '300'],
      dataDir,
    );
    const actor = await (await verifierFor(dataDir)).verify(`Bearer ${token}`);
    expect(actor).toMatchObject({
      kind: 'practitioner',
      id: '810001234567',
      name: 'Dr Durand',
      clientId: 'dmp-dev-cli',
      organizationId: '1130000001',
      profession: '21',
      accessMode: 'normal',
      attestation: 'care_team',
      patient: { system: INS_NIR_SYSTEM, value: '255081416802538' },
      scopes: ['user/*.cruds'],
      issuer: DEV_ISSUER,
    });
    expect(actor.expiresAt).toBeGreaterThan(Date.now() / 1000);
  });

  it.each<ActorKind>(['patient', 'system', 'auditor'])(
    'a default %s token verifies',
    async (kind) => {
      const dataDir = await mkdtemp(join(tmpdir(), 'dmp-token-cli-'));
      const token = await mintToken(['--kind', kind], dataDir);
      await expect((await verifierFor(dataDir)).verify(`Bearer ${token}`)).resolves.toMatchObject({
        kind,
      });
    },
  );

  it('a break-glass token minted for a system is refused by the verifier', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'dmp-token-cli-'));
    const token = await mintToken(
      ['--kind', 'system', '--mode', 'bris_de_glace', '--reason', 'x'],
      dataDir,
    );
    await expect((await verifierFor(dataDir)).verify(`Bearer ${token}`)).rejects.toMatchObject({
      status: 401,
      code: 'DMP-AUTH-TOKEN-INVALID',
    });
  });
});
