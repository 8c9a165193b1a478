import { BIRTH_KEY, isWholeDate } from './dates.ts';
import { BUILTIN_DETECTORS, PATTERN_CATEGORIES, customDetector, detectAll } from './detectors.ts';
import type { Detector } from './detectors.ts';
import { PiiMaskingError } from './errors.ts';
import { TYPE_NAME, escapeLiteral, formatToken, restoreTokens } from './tokens.ts';
import type { TokenVault, VaultEntry, VaultState } from './vault.ts';

export { PiiMaskingError } from './errors.ts';
export { FileTokenVault, MemoryTokenVault, RedisTokenVault, VaultStateSchema, emptyVaultState } from './vault.ts';
export type { TokenVault, VaultEntry, VaultState } from './vault.ts';
export { PATTERN_CATEGORIES } from './detectors.ts';
export { decodeHtmlEntities } from './views.ts';

export type PiiMode = 'off' | 'pattern' | 'schema' | 'hybrid';
/**
 * `alreadyMasked`: the text is this conversation's masked text (audit rows replayed as history, runtime messages built
 * from masked arguments). Token-like text in it is left as it is instead of escaped again, so masking it twice is a
 * no-op; values the detectors still find are masked as usual.
 */
export type MaskOptions = { alreadyMasked?: boolean };
export type PiiEntity = { type: string; token: string };

export interface PiiMaskerOptions {
  mode: PiiMode;
  /** Pattern categories (`identity`, `financial`, `contact`, `network`) or single types (`SSN`); default all. */
  categories?: string[];
  customPatterns?: Array<{ type: string; regex: string }>;
  /** Data classifications (SecurityClassification or compliance categories) masked in schema mode. */
  sensitiveClassifications?: string[];
  vault: TokenVault;
  conversationId: string;
}

export const DEFAULT_SENSITIVE_CLASSIFICATIONS: readonly string[] = [
  'Confidential',
  'Restricted',
  'MissionCritical',
  'PII',
  'PCI',
  'HIPAA',
  'GDPR',
  'CCPA',
  'GLBA',
  'COPPA',
];

function selectDetectors(options: PiiMaskerOptions): Detector[] {
  const byType = new Map(BUILTIN_DETECTORS.map((detector) => [detector.type, detector]));
  let selected: Detector[] = [...BUILTIN_DETECTORS];
  if (options.categories !== undefined) {
    const types = new Set<string>();
    for (const name of options.categories) {
      const category = PATTERN_CATEGORIES[name.toLowerCase()];
      if (category) category.forEach((type) => types.add(type));
      else if (byType.has(name.toUpperCase())) types.add(name.toUpperCase());
      else throw new PiiMaskingError(`Unknown PII pattern category "${name}"`);
    }
    selected = BUILTIN_DETECTORS.filter((detector) => types.has(detector.type));
  }
  for (const pattern of options.customPatterns ?? []) {
    if (!TYPE_NAME.test(pattern.type))
      throw new PiiMaskingError(`Custom PII type "${pattern.type}" must match ${TYPE_NAME}`);
    try {
      selected.push(customDetector(pattern.type, pattern.regex));
    } catch (error) {
      throw new PiiMaskingError(`Custom PII pattern for ${pattern.type} is not a valid regex`, { cause: error });
    }
  }
  return selected;
}

/** Token type for a whole field value in schema mode: `Risk_Tier__c` → `RISK_TIER`. */
export function fieldTokenType(field: string): string {
  const base = field
    .replace(/__c$/i, '')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .toUpperCase();
  const name = /^[A-Z]/.test(base) ? base : `FIELD_${base}`;
  return name.slice(0, 32);
}

function asMaskingError(error: unknown): PiiMaskingError {
  if (error instanceof PiiMaskingError) return error;
  return new PiiMaskingError(`PII masking failed: ${error instanceof Error ? error.message : String(error)}`, {
    cause: error,
  });
}

/**
 * A record field's name is context the value lacks: a bare `1984-03-12` under `Birthdate` (or `Geburtsdatum`,
 * `fecha_nacimiento`, `dobFull`...) is a date of birth even though no "born on" precedes it. Keys only; values are
 * still scanned by the detectors.
 */
const DOB_KEY = /birth|(?:^|[^a-z])dob(?:$|[^a-z])/i;
const DATE_VALUE =
  /^\s*(?:\d{4}[./-]\d{1,2}[./-]\d{1,2}|\d{1,2}[./-]\d{1,2}[./-]\d{2,4})(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?\s*$/;

const TOKEN_COUNTER = /:(\d+)\]$/;

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Reversible, deterministic masking for one conversation. The same value always gets the same token (also across
 * restarts, through the vault); tools and users get real values back through `restore`. Any failure throws
 * `PiiMaskingError`, and the caller blocks the turn.
 */
export class PiiMasker {
  readonly mode: PiiMode;
  readonly #vault: TokenVault;
  readonly #conversationId: string;
  readonly #detectors: Detector[];
  readonly #sensitive: Set<string>;
  /** Whether the DOB detector is on, so a date under a birth-date key is masked too. */
  readonly #datesOfBirth: boolean;
  /** Tokens by type, then by value: two lookups, no key string built per finding. */
  readonly #byValue = new Map<string, Map<string, string>>();
  readonly #byToken = new Map<string, string>();
  readonly #counters = new Map<string, number>();
  #entries: VaultEntry[] = [];
  #ready: Promise<void> | undefined;
  #saving: Promise<void> = Promise.resolve();
  #savesInFlight = 0;
  #pending = false;
  #loaded = false;

  constructor(options: PiiMaskerOptions) {
    if (!['off', 'pattern', 'schema', 'hybrid'].includes(options.mode)) {
      throw new PiiMaskingError(`Unknown PII masking mode "${String(options.mode)}"`);
    }
    if (!options.conversationId) throw new PiiMaskingError('PII masking needs a conversation id');
    this.mode = options.mode;
    this.#vault = options.vault;
    this.#conversationId = options.conversationId;
    this.#detectors = this.patternsOn ? selectDetectors(options) : [];
    this.#datesOfBirth = this.#detectors.some((detector) => detector.type === 'DOB');
    const sensitive = options.sensitiveClassifications ?? DEFAULT_SENSITIVE_CLASSIFICATIONS;
    this.#sensitive = new Set(sensitive.map((name) => name.trim().toLowerCase()));
  }

  get patternsOn(): boolean {
    return this.mode === 'pattern' || this.mode === 'hybrid';
  }

  get schemaOn(): boolean {
    return this.mode === 'schema' || this.mode === 'hybrid';
  }

  /** Masks free text (user input, history, tool results, the model's tool arguments). */
  async mask(text: string, options: MaskOptions = {}): Promise<{ masked: string; entities: PiiEntity[] }> {
    // Hot path: written out instead of going through #guard to keep per-line overhead low.
    try {
      if (this.#ready === undefined || !this.#loaded) await (this.#ready ??= this.#load());
      const entities: PiiEntity[] = [];
      const masked = this.#maskString(text, entities, options.alreadyMasked === true);
      if (this.#pending) await this.#flush();
      return { masked, entities };
    } catch (error) {
      throw asMaskingError(error);
    }
  }

  /** Replaces this conversation's tokens by their values; unknown tokens stay as they are. */
  async restore(text: string): Promise<string> {
    return this.#guard(async () => {
      if (typeof text !== 'string') throw new TypeError('restore expects a string');
      return this.mode === 'off' ? text : restoreTokens(text, (token) => this.#byToken.get(token));
    });
  }

  /** Masks every string inside a JSON value (object keys untouched). Numbers that contain PII become masked strings. */
  async maskValue(value: unknown, options: MaskOptions = {}): Promise<{ masked: unknown; entities: PiiEntity[] }> {
    return this.#guard(async () => {
      const entities: PiiEntity[] = [];
      const masked = this.#maskDeep(value, entities, options.alreadyMasked === true);
      await this.#flush();
      return { masked, entities };
    });
  }

  /** Restores every string inside a JSON value. */
  async restoreValue(value: unknown): Promise<unknown> {
    return this.#guard(async () => this.#restoreDeep(value));
  }

  /**
   * Schema mode: whole values of fields whose classification (`Confidential`, or `PII;GDPR`) is sensitive become one
   * token; in hybrid mode the other fields get pattern masking. Nested relationship records use `Parent.Field` keys.
   */
  async maskRecordFields(
    record: Record<string, unknown>,
    fieldClassifications: Record<string, string | null>,
  ): Promise<{ masked: Record<string, unknown>; entities: PiiEntity[] }> {
    return this.#guard(async () => {
      const entities: PiiEntity[] = [];
      const masked = this.#maskRecord(record, fieldClassifications, '', entities);
      await this.#flush();
      return { masked, entities };
    });
  }

  isSensitive(classification: string | null | undefined): boolean {
    if (!classification) return false;
    return classification.split(/[;,]/).some((part) => this.#sensitive.has(part.trim().toLowerCase()));
  }

  async #guard<T>(work: () => Promise<T>): Promise<T> {
    try {
      this.#ready ??= this.#load();
      await this.#ready;
      return await work();
    } catch (error) {
      throw asMaskingError(error);
    }
  }

  async #load(): Promise<void> {
    if (this.mode !== 'off') {
      const state = await this.#vault.load(this.#conversationId);
      for (const entry of state.entries) this.#remember(entry);
    }
    this.#loaded = true;
  }

  /** Adds a token; `counter` is the number in it when the caller knows it (a fresh token), else read from the token. */
  #remember(entry: VaultEntry, counter = Number(TOKEN_COUNTER.exec(entry.token)?.[1] ?? 0)): void {
    this.#entries.push(entry);
    let tokens = this.#byValue.get(entry.type);
    if (tokens === undefined) this.#byValue.set(entry.type, (tokens = new Map()));
    tokens.set(entry.value, entry.token);
    this.#byToken.set(entry.token, entry.value);
    if (counter > (this.#counters.get(entry.type) ?? 0)) this.#counters.set(entry.type, counter);
  }

  /** The value's token; a fresh one is remembered and marked for the next save. */
  #tokenFor(type: string, value: string): string {
    const existing = this.#byValue.get(type)?.get(value);
    if (existing !== undefined) return existing;
    const counter = (this.#counters.get(type) ?? 0) + 1;
    const token = formatToken(type, counter);
    this.#remember({ token, type, value }, counter);
    this.#pending = true;
    return token;
  }

  #maskString(text: string, entities: PiiEntity[], alreadyMasked = false): string {
    if (typeof text !== 'string') throw new TypeError('mask expects a string');
    if (this.mode === 'off') return text;
    const literal = alreadyMasked ? (part: string) => part : escapeLiteral;
    if (!this.patternsOn) return literal(text);
    const detections = detectAll(text, this.#detectors);
    if (detections.length === 0) return literal(text);
    let out = '';
    let cursor = 0;
    for (const { start, end, type } of detections) {
      const token = this.#tokenFor(type, text.slice(start, end));
      out += literal(text.slice(cursor, start)) + token;
      entities.push({ type, token });
      cursor = end;
    }
    return out + literal(text.slice(cursor));
  }

  #maskWhole(type: string, value: unknown, entities: PiiEntity[]): string {
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    const token = this.#tokenFor(type, text);
    entities.push({ type, token });
    return token;
  }

  #maskDeep(value: unknown, entities: PiiEntity[], alreadyMasked = false): unknown {
    if (this.mode === 'off') return value;
    if (typeof value === 'string') return this.#maskString(value, entities, alreadyMasked);
    if (typeof value === 'number' && this.patternsOn) {
      const masked = this.#maskString(String(value), entities);
      return masked === String(value) ? value : masked;
    }
    if (Array.isArray(value)) return value.map((item) => this.#maskDeep(item, entities, alreadyMasked));
    if (isPlainObject(value)) {
      return Object.fromEntries(
        Object.entries(value).map(([key, item]) => [key, this.#maskKeyed(key, item, entities, alreadyMasked)]),
      );
    }
    return value;
  }

  /** A value under a key: a date under a birth-date key is a DOB whatever its text says; the rest as usual. */
  #maskKeyed(key: string, value: unknown, entities: PiiEntity[], alreadyMasked = false): unknown {
    if (
      this.#datesOfBirth &&
      typeof value === 'string' &&
      (DOB_KEY.test(key) || BIRTH_KEY.test(key)) &&
      (DATE_VALUE.test(value) || isWholeDate(value))
    )
      return this.#maskWhole('DOB', value, entities);
    return this.#maskDeep(value, entities, alreadyMasked);
  }

  #restoreDeep(value: unknown): unknown {
    if (this.mode === 'off') return value;
    if (typeof value === 'string') return restoreTokens(value, (token) => this.#byToken.get(token));
    if (Array.isArray(value)) return value.map((item) => this.#restoreDeep(item));
    if (isPlainObject(value)) {
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, this.#restoreDeep(item)]));
    }
    return value;
  }

  #maskRecord(
    record: Record<string, unknown>,
    classifications: Record<string, string | null>,
    prefix: string,
    entities: PiiEntity[],
  ): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [field, value] of Object.entries(record)) {
      const path = prefix + field;
      if (field === 'attributes' || value === null || value === undefined) out[field] = value;
      else if (this.schemaOn && this.isSensitive(classifications[path]))
        out[field] = this.#maskWhole(fieldTokenType(field), value, entities);
      else if (isPlainObject(value) && Array.isArray(value.records))
        out[field] = this.#maskChildRows(value, classifications, `${path}.`, entities);
      else if (isPlainObject(value)) out[field] = this.#maskRecord(value, classifications, `${path}.`, entities);
      // Fail closed: text under a key the classifications do not know (an aggregate alias, an unexpected column) is
      // masked whole, since nothing says it is safe. Numbers and booleans cannot carry classified text.
      else if (this.schemaOn && typeof value === 'string' && !(path in classifications))
        out[field] = this.#maskWhole(fieldTokenType(field), value, entities);
      else out[field] = this.#maskKeyed(field, value, entities);
    }
    return out;
  }

  /** A child-relationship subquery result (`{totalSize, done, records}`): each row is classified under `Rel.Field`. */
  #maskChildRows(
    value: Record<string, unknown>,
    classifications: Record<string, string | null>,
    prefix: string,
    entities: PiiEntity[],
  ): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      out[key] =
        key === 'records' && Array.isArray(item)
          ? item.map((row: unknown) =>
              isPlainObject(row)
                ? this.#maskRecord(row, classifications, prefix, entities)
                : this.#maskDeep(row, entities),
            )
          : this.#maskDeep(item, entities);
    }
    return out;
  }

  /** Persists new tokens before the masked text can reach the model, so a restart can always restore. */
  async #flush(): Promise<void> {
    if (!this.#pending) return;
    this.#pending = false;
    const snapshot = { version: 1 as const, entries: this.#entries.slice() };
    // Saves run one after another. With none in flight (the usual case) this one starts now instead of a tick later.
    const idle = this.#savesInFlight === 0;
    this.#savesInFlight++;
    this.#saving = idle
      ? this.#startSave(snapshot)
      : this.#saving.catch(() => undefined).then(() => this.#vault.save(this.#conversationId, snapshot));
    try {
      await this.#saving;
    } catch (error) {
      this.#pending = true; // tokens are only in memory: retry the save next time rather than hand them out unsaved
      throw error;
    } finally {
      this.#savesInFlight--;
    }
  }

  /** The vault's save, with a synchronous throw turned into a rejected save like any other. */
  #startSave(snapshot: VaultState): Promise<void> {
    try {
      return this.#vault.save(this.#conversationId, snapshot);
    } catch (error) {
      return Promise.reject(error);
    }
  }
}
