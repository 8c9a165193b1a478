import { PiiMasker, type MaskOptions, type TokenVault } from '../governance/pii/index.ts';
import { applySafetyMode, screenText, wrapUntrusted } from '../governance/injection/index.ts';
import type { AgentConfig } from './agent-registry.ts';
import type { ScreenResult, TurnTrust } from './ports.ts';

/** The agent's pattern categories (package picklist) → the masker's category names. */
const CATEGORY_MAP: Record<string, string> = {
  Financial: 'financial',
  Identity: 'identity',
  Contact: 'contact',
  Technical: 'network',
};

/** Builds the masking + screening pipeline for one conversation from the agent's settings. */
export function createTurnTrust(agent: AgentConfig, conversationId: string, vault: TokenVault): TurnTrust {
  const categories = agent.piiCategories
    .map((name) => CATEGORY_MAP[name])
    .filter((name): name is string => name !== undefined);
  const masker = new PiiMasker({
    mode: agent.piiMode,
    ...(categories.length > 0 ? { categories } : {}),
    ...(agent.sensitiveClassifications.length > 0 ? { sensitiveClassifications: agent.sensitiveClassifications } : {}),
    vault,
    conversationId,
  });
  return {
    screen(text: string, source: 'user' | 'tool'): ScreenResult {
      const verdict = screenText(text, { source, threshold: agent.safetyThreshold });
      const applied = applySafetyMode(text, verdict, agent.safetyMode);
      return {
        action: applied.action,
        text: applied.text,
        score: verdict.score,
        flagged: verdict.flagged,
        categories: verdict.categories,
      };
    },
    async mask(text: string, options?: MaskOptions) {
      const { masked, entities } = await masker.mask(text, options);
      return { masked, entityCount: entities.length };
    },
    async maskValue(value: unknown, classifications?: Record<string, string | null>, options?: MaskOptions) {
      if (options?.alreadyMasked) return (await masker.maskValue(value, options)).masked;
      if (classifications && masker.schemaOn && Array.isArray((value as { records?: unknown }).records)) {
        const source = value as { records: Array<Record<string, unknown>> };
        const records = [];
        for (const record of source.records)
          records.push((await masker.maskRecordFields(record, classifications)).masked);
        const { records: _records, ...rest } = source;
        const maskedRest = (await masker.maskValue(rest)).masked as Record<string, unknown>;
        return { ...maskedRest, records };
      }
      return (await masker.maskValue(value)).masked;
    },
    restore: (text: string) => masker.restore(text),
    restoreValue: (value: unknown) => masker.restoreValue(value),
    wrapUntrusted,
  };
}
