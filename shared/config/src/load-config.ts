/**
 * Typed, validated configuration from environment variables. Each setting declares its
 * variable, default and meaning; `loadConfig` fails fast with every bad value named. Only a
 * service's `main.ts` calls it (nothing else reads `process.env`).
 */

interface SettingBase {
  /** Environment variable name. */
  env: string;
  /** One line for the README configuration table. */
  doc: string;
}

export interface StringSetting extends SettingBase {
  type: 'string';
  default?: string;
  /** Allowed values, when the setting is an enumeration. */
  oneOf?: readonly string[];
}
export interface IntegerSetting extends SettingBase {
  type: 'integer';
  default?: number;
  min?: number;
  max?: number;
}
export interface BooleanSetting extends SettingBase {
  type: 'boolean';
  default?: boolean;
}
export interface ListSetting extends SettingBase {
  type: 'list';
  default?: readonly string[];
}

export type Setting = StringSetting | IntegerSetting | BooleanSetting | ListSetting;

type ValueOf<S extends Setting> = S extends StringSetting
  ? string
  : S extends IntegerSetting
    ? number
    : S extends BooleanSetting
      ? boolean
      : readonly string[];

type HasDefault<S extends Setting> = S extends { default: unknown } ? true : false;

export type ConfigOf<Schema extends Record<string, Setting>> = {
  readonly [K in keyof Schema]: HasDefault<Schema[K]> extends true
    ? ValueOf<Schema[K]>
    : ValueOf<Schema[K]> | undefined;
};

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n- ${problems.join('\n- ')}`);
    this.name = 'ConfigError';
  }
}

type Env = Readonly<Record<string, string | undefined>>;

export function loadConfig<Schema extends Record<string, Setting>>(
  schema: Schema,
  env: Env,
): ConfigOf<Schema> {
  const problems: string[] = [];
  const values: Record<string, unknown> = {};
  for (const [key, setting] of Object.entries(schema)) {
    const raw = env[setting.env];
    if (raw === undefined || raw === '') {
      values[key] = setting.default;
      continue;
    }
    const parsed = parseSetting(setting, raw);
    if (typeof parsed === 'object' && parsed !== null && 'problem' in parsed) {
      problems.push(`${setting.env}: ${parsed.problem}`);
    } else {
      values[key] = parsed;
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(values) as ConfigOf<Schema>;
}

type Parsed = string | number | boolean | readonly string[] | { problem: string };

function parseSetting(setting: Setting, raw: string): Parsed {
  switch (setting.type) {
    case 'string':
      if (setting.oneOf && !setting.oneOf.includes(raw)) {
        return { problem: `must be one of ${setting.oneOf.join(', ')}` };
      }
      return raw;
    case 'integer': {
      if (!/^-?\d+$/.test(raw.trim())) return { problem: 'must be an integer' };
      const value = Number(raw);
      if (setting.min !== undefined && value < setting.min) {
        return { problem: `must be at least ${setting.min}` };
      }
      if (setting.max !== undefined && value > setting.max) {
        return { problem: `must be at most ${setting.max}` };
      }
      return value;
    }
    case 'boolean':
      if (/^(true|1|yes)$/i.test(raw)) return true;
      if (/^(false|0|no)$/i.test(raw)) return false;
      return { problem: 'must be true or false' };
    case 'list':
      return Object.freeze(
        raw
          .split(',')
          .map((item) => item.trim())
          .filter((item) => item.length > 0),
      );
  }
}

/** Rows of the README configuration table, for the test that keeps README complete. */
export function describeSettings(schema: Record<string, Setting>): { env: string; doc: string }[] {
  return Object.values(schema).map(({ env, doc }) => ({ env, doc }));
}
