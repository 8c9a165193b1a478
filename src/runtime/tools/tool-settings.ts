import type { Config } from '../../config.ts';

/** What the worker (not the org, not the model) decides about tools: where callouts may go and where secrets live. */
export interface ToolSettings {
  /** Hosts HttpCallout tools may reach, exact match; empty or absent = callouts refused (fail closed). */
  calloutAllowlist?: readonly string[];
  /** The only source of `env:NAME` header values; absent = no secrets, so a tool that needs one is refused. */
  env?: Readonly<Record<string, string | undefined>>;
}

export function toolSettingsFromConfig(
  config: Pick<Config, 'LOOM_CALLOUT_ALLOWLIST'>,
  env: Readonly<Record<string, string | undefined>>,
): ToolSettings {
  return { calloutAllowlist: config.LOOM_CALLOUT_ALLOWLIST, env };
}
