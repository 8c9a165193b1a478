/**
 * Seed declarations of invocable actions (autolaunched flows and invocable Apex) and the small declarative effect
 * language they run: create / update records and query as the caller, with `{!name}` merge fields from the inputs and
 * from earlier effects' `as` bindings. Documented in docs/emulator-seed.md (Actions).
 */
import { z } from 'zod';

const identifier = z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'letters, digits and _ only, starting with a letter');
const objectName = z.string().regex(/^\w+$/, 'an sObject API name');
/** A literal, or a string with `{!input}` / `{!binding.Field}` merge fields. */
const Template = z.union([z.string(), z.number(), z.boolean(), z.null()]);

export const INPUT_TYPES = ['string', 'number', 'boolean', 'id', 'date', 'datetime'] as const;

const InputDecl = z.strictObject({
  name: identifier,
  type: z.enum(INPUT_TYPES).default('string'),
  required: z.boolean().default(false),
  label: z.string().optional(),
  description: z.string().optional(),
});

const CreateEffect = z.strictObject({
  create: objectName,
  set: z.record(z.string(), Template),
  as: identifier.optional(),
});
const UpdateEffect = z.strictObject({
  update: objectName,
  id: z.string().min(1),
  set: z.record(z.string(), Template),
  as: identifier.optional(),
});
/** Binds the first row (or null); `required: true` fails the action when nothing is visible, like Apex's single-row assignment. */
const QueryEffect = z.strictObject({ query: z.string().min(1), as: identifier, required: z.boolean().default(false) });
/** Fails the action with this message (and code), e.g. to model a validation inside a flow; `unless` skips it when truthy. */
const FailEffect = z.strictObject({
  fail: z.string().min(1),
  code: z
    .string()
    .regex(/^[A-Z_]+$/)
    .default('FIELD_CUSTOM_VALIDATION_EXCEPTION'),
  unless: z.string().optional(),
});

export const EffectDecl = z.union([CreateEffect, UpdateEffect, QueryEffect, FailEffect]);
export type EffectDecl = z.infer<typeof EffectDecl>;

export const ActionDecl = z
  .strictObject({
    type: z.enum(['flow', 'apex']),
    name: identifier,
    label: z.string().optional(),
    description: z.string().default(''),
    inputs: z.array(InputDecl).default([]),
    effects: z.array(EffectDecl).default([]),
    outputs: z.record(identifier, Template).default({}),
    /** Who may run it (Apex class access / flow access): any listed profile or permission set; absent = every API user. */
    access: z
      .strictObject({
        profiles: z.array(z.string().min(1)).default([]),
        permissionSets: z.array(z.string().min(1)).default([]),
      })
      .optional(),
  })
  .superRefine((action, ctx) => {
    // Every merge field must name a declared input or an earlier binding, so a typo fails the seed load, not a call.
    const known = new Set(action.inputs.map((input) => input.name));
    const check = (template: unknown, path: Array<string | number>): void => {
      for (const ref of mergeRefs(template)) {
        const root = ref.split('.')[0] ?? '';
        if (!known.has(root))
          ctx.addIssue({
            code: 'custom',
            path,
            message: `unknown merge field {!${ref}}: declare an input or an earlier "as" binding named ${root}`,
          });
      }
    };
    action.effects.forEach((effect, index) => {
      if ('set' in effect)
        for (const [field, value] of Object.entries(effect.set)) check(value, ['effects', index, 'set', field]);
      if ('update' in effect) check(effect.id, ['effects', index, 'id']);
      if ('query' in effect) check(effect.query, ['effects', index, 'query']);
      if ('fail' in effect) {
        check(effect.fail, ['effects', index, 'fail']);
        if (effect.unless !== undefined) check(effect.unless, ['effects', index, 'unless']);
      }
      if ('as' in effect && effect.as) known.add(effect.as);
    });
    for (const [name, value] of Object.entries(action.outputs)) check(value, ['outputs', name]);
  });
export type ActionDecl = z.infer<typeof ActionDecl>;
export type InputDecl = z.infer<typeof InputDecl>;

/** Actions as the seed declares them; names are unique per type (case-insensitive). */
export const ActionsSeed = z.array(ActionDecl).superRefine((actions, ctx) => {
  const seen = new Set<string>();
  actions.forEach((action, index) => {
    const key = `${action.type}:${action.name.toLowerCase()}`;
    if (seen.has(key))
      ctx.addIssue({
        code: 'custom',
        path: [index, 'name'],
        message: `duplicate ${action.type} action ${action.name}`,
      });
    seen.add(key);
  });
});

const MERGE = /\{!([A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)?)\}/g;

/** The merge-field references in a template (`recordId`, `app.Amount__c`). */
export function mergeRefs(template: unknown): string[] {
  if (typeof template !== 'string') return [];
  return [...template.matchAll(MERGE)].map((match) => match[1] ?? '');
}

/**
 * Renders a template against the bindings. A template that is exactly one merge field keeps the value's type (numbers,
 * booleans, null); otherwise values are interpolated as text, each passed through `escape` (SOQL literals).
 */
export function render(
  template: unknown,
  lookup: (ref: string) => unknown,
  escape: (text: string) => string = (text) => text,
): unknown {
  if (typeof template !== 'string') return template;
  const whole = /^\{!([A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)?)\}$/.exec(template);
  if (whole) return lookup(whole[1] ?? '') ?? null;
  return template.replace(MERGE, (_match, ref: string) => {
    const value = lookup(ref);
    return value === null || value === undefined ? '' : escape(String(value));
  });
}
