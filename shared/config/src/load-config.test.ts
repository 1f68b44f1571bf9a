import { ConfigError, devIssuerEnabled, loadConfig, PROCESS_SETTINGS } from './index';

const schema = {
  port: { env: 'PORT', type: 'integer', default: 8081, min: 0, max: 65535, doc: 'port' },
  level: { env: 'LOG_LEVEL', type: 'string', default: 'info', oneOf: ['info', 'debug'], doc: 'l' },
  issuers: { env: 'ISSUERS', type: 'list', default: ['a'], doc: 'issuers' },
  lenient: { env: 'LENIENT', type: 'boolean', default: false, doc: 'lenient' },
  jwks: { env: 'JWKS', type: 'string', doc: 'optional' },
} as const;

describe('loadConfig', () => {
  it('uses the defaults when nothing is set', () => {
    const config = loadConfig(schema, {});

    expect(config).toEqual({ port: 8081, level: 'info', issuers: ['a'], lenient: false });
    expect(config.jwks).toBeUndefined();
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('parses integers, enumerations, lists and booleans from the environment', () => {
    const config = loadConfig(schema, {
      PORT: '9000',
      LOG_LEVEL: 'debug',
      ISSUERS: 'x, y,,z',
      LENIENT: 'TRUE',
      JWKS: '/k.json',
    });

    expect(config).toEqual({
      port: 9000,
      level: 'debug',
      issuers: ['x', 'y', 'z'],
      lenient: true,
      jwks: '/k.json',
    });
  });

  it('names every bad variable at once and fails', () => {
    const load = () => loadConfig(schema, { PORT: '80a', LOG_LEVEL: 'loud', LENIENT: 'maybe' });

    expect(load).toThrow(ConfigError);
    try {
      load();
    } catch (error) {
      expect((error as ConfigError).problems).toEqual([
        'PORT: must be an integer',
        'LOG_LEVEL: must be one of info, debug',
        'LENIENT: must be true or false',
      ]);
    }
  });

  it('enforces integer bounds', () => {
    expect(() => loadConfig(schema, { PORT: '70000' })).toThrow('PORT: must be at most 65535');
  });
});

describe('devIssuerEnabled', () => {
  it.each([
    [{}, true],
    [{ nodeEnv: 'development' }, true],
    [{ nodeEnv: 'production' }, false],
    [{ nodeEnv: 'production', devIssuer: true }, true],
    [{ devIssuer: false }, false],
  ])('%j → %s', (config, expected) => {
    expect(devIssuerEnabled(config)).toBe(expected);
  });

  it('is unset unless AUTH_DEV_ISSUER says', () => {
    const unset = loadConfig(PROCESS_SETTINGS, { NODE_ENV: 'production' });
    expect(devIssuerEnabled(unset)).toBe(false);
    const forced = loadConfig(PROCESS_SETTINGS, {
      NODE_ENV: 'production',
      AUTH_DEV_ISSUER: 'true',
    });
    expect(devIssuerEnabled(forced)).toBe(true);
  });
});
