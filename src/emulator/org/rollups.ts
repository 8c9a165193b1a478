/**
 * Roll-up summary fields (metadata type `Summary`): COUNT, SUM, MIN or MAX over the live master-detail children of a
 * record. Like Salesforce they are read-only and ignore sharing; unlike Salesforce (which stores the value and
 * recalculates it on every child save) the emulator computes the value when it is read, from the store's index of
 * children by parent, so it can never drift from the rows that exist.
 */
import { FieldSpecError } from './custom-fields.ts';
import type { FieldDef, FieldType, ObjectDef, RollupDef, SObjectRecord } from './model.ts';

/** Live children of `parentId` through `childObject.lookupField` (system context: no sharing). */
export type ChildLookup = (childObject: string, lookupField: string, parentId: string) => readonly SObjectRecord[];

const SUM_TYPES = new Set<FieldType>(['double', 'int', 'currency', 'percent']);
const MIN_MAX_TYPES = new Set<FieldType>([...SUM_TYPES, 'date', 'datetime']);

/**
 * Checks a roll-up against the detail object and settles its result type: count is a double (18, 0); sum, min and
 * max take the summarized field's type, precision and scale. Throws FieldSpecError naming what is wrong.
 */
export function resolveRollup(
  masterName: string,
  field: FieldDef,
  objectByName: (name: string) => ObjectDef | undefined,
): void {
  const rollup = field.rollup;
  if (!rollup) return;
  const where = `field ${field.name}`;
  const child = objectByName(rollup.childObject);
  if (!child) throw new FieldSpecError(`${where}: summaryForeignKey names unknown object '${rollup.childObject}'`);
  const fk = child.fields.find((f) => f.name.toLowerCase() === rollup.foreignKey.toLowerCase());
  if (!fk)
    throw new FieldSpecError(`${where}: summaryForeignKey names unknown field ${child.name}.${rollup.foreignKey}`);
  if (!fk.masterDetail || !fk.referenceTo.some((t) => t.toLowerCase() === masterName.toLowerCase())) {
    throw new FieldSpecError(
      `${where}: summaryForeignKey ${child.name}.${fk.name} must be a MasterDetail field to ${masterName} (roll-ups summarize master-detail children only)`,
    );
  }
  rollup.childObject = child.name;
  rollup.foreignKey = fk.name;
  if (rollup.operation === 'count') {
    field.type = 'double';
    field.precision = 18;
    field.scale = 0;
    return;
  }
  const name = rollup.summarizedField ?? '';
  const summarized = child.fields.find((f) => f.name.toLowerCase() === name.toLowerCase());
  if (!summarized) throw new FieldSpecError(`${where}: summarizedField names unknown field ${child.name}.${name}`);
  const allowed = rollup.operation === 'sum' ? SUM_TYPES : MIN_MAX_TYPES;
  if (!allowed.has(summarized.type)) {
    throw new FieldSpecError(
      `${where}: cannot ${rollup.operation} ${child.name}.${summarized.name} of type ${summarized.type} (${rollup.operation === 'sum' ? 'number, currency or percent' : 'number, currency, percent, date or date/time'} fields only)`,
    );
  }
  if (summarized.calculated) {
    throw new FieldSpecError(
      `${where}: summarizedField ${child.name}.${summarized.name} is a formula or roll-up field, which the emulator does not evaluate`,
    );
  }
  rollup.summarizedField = summarized.name;
  field.type = summarized.type === 'int' ? 'double' : summarized.type;
  field.precision = SUM_TYPES.has(summarized.type) ? summarized.precision : 0;
  field.scale = SUM_TYPES.has(summarized.type) ? summarized.scale : 0;
}

/** Resolves every roll-up of these objects; errors name `Object.Field`. */
export function resolveRollups(
  objects: readonly ObjectDef[],
  objectByName: (name: string) => ObjectDef | undefined,
): void {
  for (const def of objects) {
    for (const field of def.fields) {
      if (!field.rollup) continue;
      try {
        resolveRollup(def.name, field, objectByName);
      } catch (error) {
        if (error instanceof FieldSpecError)
          throw new FieldSpecError(`${def.name}.${error.message.replace(/^field /, '')}`);
        throw error;
      }
    }
  }
}

function rank(type: FieldType, value: unknown): number | null {
  if (value === null || value === undefined || value === '') return null;
  const n = type === 'date' || type === 'datetime' ? Date.parse(String(value)) : Number(value);
  return Number.isFinite(n) ? n : null;
}

/**
 * The roll-up's value on `master`: count and sum are 0 without children, min and max null (a blank field), as on
 * Salesforce. Null child values are skipped; sums are rounded to the field's scale.
 */
export function rollupValue(
  field: FieldDef,
  rollup: RollupDef,
  master: SObjectRecord,
  children: ChildLookup,
): number | string | null {
  const rows = children(rollup.childObject, rollup.foreignKey, master.Id);
  if (rollup.operation === 'count') return rows.length;
  const name = rollup.summarizedField ?? '';
  if (rollup.operation === 'sum') {
    let total = 0;
    for (const row of rows) total += rank(field.type, row[name]) ?? 0;
    return Number(total.toFixed(Math.min(Math.max(field.scale, 0), 18)));
  }
  let best: unknown = null;
  let bestRank: number | null = null;
  for (const row of rows) {
    const r = rank(field.type, row[name]);
    if (r === null) continue;
    if (bestRank === null || (rollup.operation === 'min' ? r < bestRank : r > bestRank)) {
      best = row[name];
      bestRank = r;
    }
  }
  return best === null ? null : typeof best === 'number' || typeof best === 'string' ? best : Number(best);
}
