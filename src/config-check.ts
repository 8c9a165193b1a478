import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ConfigSchema, type Config } from './config.ts';
import { ConfigError } from './errors.ts';

/** One thing wrong with the configuration: which variable, what is wrong, what to do. */
export interface ConfigProblem {
  variable: string;
  message: string;
  fix: string;
}

/** How to fix each variable people get wrong most; anything else points at the reference page. */
const FIXES: Record<string, string> = {
  SF_LOGIN_URL:
    'set it to https://login.salesforce.com, https://test.salesforce.com, your My Domain URL or the emulator URL',
  SF_INSTANCE_URL: 'set it to your My Domain URL (https://<domain>.my.salesforce.com) or unset it',
  SF_CLIENT_ID: "set it to the consumer key of the worker's connected app (JWT bearer flow)",
  SF_INTEGRATION_USERNAME: "set it to the username of the worker's integration user (holds Loom_Worker)",
  SF_PRIVATE_KEY_FILE:
    "point it at the PEM private key (-----BEGIN PRIVATE KEY-----) of the connected app's certificate, or set SF_PRIVATE_KEY",
  REDIS_URL: 'use redis://[user:password@]host:6379[/db], or unset it for one embedded worker',
  LOOM_LLM_BASE_URL:
    'use the provider API base URL with scheme and path, e.g. https://api.openai.com/v1 or http://127.0.0.1:11434/v1',
  LOOM_LLM_API_KEY:
    'set it to the API key of the model endpoint, or LOOM_LLM_ADAPTER=scripted with LOOM_LLM_SCRIPT for the scripted model',
  LOOM_LLM_SCRIPT: 'point it at a script file (YAML or JSON, docs/providers.md)',
};
const fixFor = (variable: string): string => FIXES[variable] ?? 'see docs/configuration.md for the accepted values';

export interface CheckOptions {
  /** The caller brings its own model (`loom dev`, tests): the LOOM_LLM_* variables are not required. */
  provider?: boolean;
}

/**
 * Everything the worker needs before it starts, checked in one pass so every problem is reported at once: the schema,
 * the Salesforce connection variables, a readable PEM private key, and a model (the worker refuses to start without
 * one, so `loom config` and `loom doctor` fail on the same list).
 */
export function checkWorkerConfig(
  env: NodeJS.ProcessEnv,
  options: CheckOptions = {},
): { config: Config | undefined; problems: ConfigProblem[] } {
  const problems: ConfigProblem[] = [];
  const parsed = ConfigSchema.safeParse(env);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const variable = String(issue.path[0] ?? '(environment)');
      problems.push({ variable, message: issue.message, fix: fixFor(variable) });
    }
  }
  const value = (name: string): string | undefined =>
    env[name] === undefined || env[name] === '' ? undefined : env[name];
  for (const name of ['SF_LOGIN_URL', 'SF_CLIENT_ID', 'SF_INTEGRATION_USERNAME']) {
    if (!value(name)) problems.push({ variable: name, message: 'is not set', fix: fixFor(name) });
  }
  const keyProblem = checkPrivateKey(value('SF_PRIVATE_KEY'), value('SF_PRIVATE_KEY_FILE'));
  if (keyProblem) problems.push(keyProblem);
  if (!options.provider) problems.push(...checkModel(value));
  return { config: parsed.success && problems.length === 0 ? Object.freeze(parsed.data) : undefined, problems };
}

function checkPrivateKey(inline: string | undefined, file: string | undefined): ConfigProblem | undefined {
  const variable = inline ? 'SF_PRIVATE_KEY' : 'SF_PRIVATE_KEY_FILE';
  if (!inline && !file)
    return {
      variable,
      message: 'neither SF_PRIVATE_KEY_FILE nor SF_PRIVATE_KEY is set',
      fix: fixFor('SF_PRIVATE_KEY_FILE'),
    };
  let pem: string;
  if (inline) pem = inline.replace(/\\n/g, '\n');
  else {
    try {
      pem = readFileSync(file as string, 'utf8');
    } catch (error) {
      return {
        variable,
        message: `cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
        fix: fixFor('SF_PRIVATE_KEY_FILE'),
      };
    }
  }
  try {
    // The JWT bearer flow signs with RS256: the key must be an RSA private key Node can parse.
    const key = createPrivateKey(pem);
    if (key.asymmetricKeyType !== 'rsa')
      return {
        variable,
        message: `is a ${key.asymmetricKeyType} key; the JWT bearer flow needs RSA`,
        fix: fixFor('SF_PRIVATE_KEY_FILE'),
      };
  } catch {
    const what = inline ? 'SF_PRIVATE_KEY' : file;
    return { variable, message: `${what} is not a PEM private key`, fix: fixFor('SF_PRIVATE_KEY_FILE') };
  }
  return undefined;
}

function checkModel(value: (name: string) => string | undefined): ConfigProblem[] {
  const adapter = value('LOOM_LLM_ADAPTER') ?? 'openai';
  if (adapter === 'scripted') {
    return value('LOOM_LLM_SCRIPT')
      ? []
      : [
          {
            variable: 'LOOM_LLM_SCRIPT',
            message: 'is required when LOOM_LLM_ADAPTER=scripted',
            fix: fixFor('LOOM_LLM_SCRIPT'),
          },
        ];
  }
  if (adapter !== 'openai' && adapter !== 'anthropic') return []; // the schema already named it
  if (value('LOOM_LLM_API_KEY')) return [];
  return [
    {
      variable: 'LOOM_LLM_API_KEY',
      message: `is not set: no model for the ${adapter} adapter (the worker does not start without one)`,
      fix: fixFor('LOOM_LLM_API_KEY'),
    },
  ];
}

/** The problems as one message, one line per variable. */
export function formatProblems(problems: readonly ConfigProblem[]): string {
  const lines = problems.map((problem) => `  ${problem.variable}: ${problem.message}. Fix: ${problem.fix}`);
  return `Invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${lines.join('\n')}`;
}

/** Throws one ConfigError naming every problem (the worker's start-up check). */
export function assertWorkerConfig(env: NodeJS.ProcessEnv, options: CheckOptions = {}): Config {
  const { config, problems } = checkWorkerConfig(env, options);
  if (!config) throw new ConfigError(formatProblems(problems));
  return config;
}
