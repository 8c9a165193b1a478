/**
 * Record payload types derived from the generated object constants in ./sobjects.ts (which come from force-app), so
 * a worker payload builder typed with them stops compiling when a field it writes is renamed, removed or changes type.
 * test/package/consistency.test.ts checks the payloads the builders actually produce against the metadata too.
 */

/** What the generated constants carry that the types below need. */
export interface SObjectShape {
  fieldTypes: Readonly<Record<string, string>>;
  picklists: Readonly<Record<string, readonly string[]>>;
}

/** System fields the platform sets: never in a create or update body. */
export type ReadOnlySystemField =
  'Id' | 'CreatedById' | 'CreatedDate' | 'LastModifiedById' | 'LastModifiedDate' | 'SystemModstamp' | 'IsDeleted';

/** Field types the platform calculates (roll-up summaries, auto-numbers): never in a create or update body either. */
export type CalculatedFieldType = 'Summary' | 'AutoNumber';

/** The fields of an object a body may carry: not system-set, not calculated. */
type WritableField<O extends SObjectShape> = Exclude<
  { [K in keyof O['fieldTypes']]: O['fieldTypes'][K] extends CalculatedFieldType ? never : K }[keyof O['fieldTypes']],
  ReadOnlySystemField
>;

/** The JSON value REST takes for a field type: numbers and checkboxes are JSON numbers and booleans, the rest strings. */
export type FieldValue<Type extends string> = Type extends 'Number' | 'Currency' | 'Percent'
  ? number
  : Type extends 'Checkbox'
    ? boolean
    : string;

type Value<
  O extends SObjectShape,
  K extends keyof O['fieldTypes'],
  Picklists extends 'values' | 'text',
> = Picklists extends 'values'
  ? K extends keyof O['picklists']
    ? O['fieldTypes'][K] extends 'Picklist'
      ? O['picklists'][K][number]
      : FieldValue<O['fieldTypes'][K] & string>
    : FieldValue<O['fieldTypes'][K] & string>
  : FieldValue<O['fieldTypes'][K] & string>;

/**
 * A create/update body for one object: only its writable fields (a roll-up such as StepCount__c is not one), each with its JSON type; `null` clears a field and
 * `undefined` leaves it out. With `'values'` (the default) a single-select picklist takes only the values the package
 * defines (they are all restricted); `'text'` accepts any string, for callers that pass values through.
 */
export type SObjectWrite<O extends SObjectShape, Picklists extends 'values' | 'text' = 'values'> = {
  [K in WritableField<O>]?: Value<O, K, Picklists> | null | undefined;
};
