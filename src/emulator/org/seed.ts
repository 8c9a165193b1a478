/**
 * The emulator's YAML seed format (documented in docs/emulator-seed.md), validated with zod so every mistake is
 * reported with its path, e.g. `users[2].profile: Required`.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { PermanentError } from '../../errors.ts';
import { ActionsSeed } from '../actions/declarations.ts';
import { SUPPORTED_FIELD_TYPES } from './custom-fields.ts';

/** A seed that does not validate or references something that does not exist; the message names it. */
export class SeedError extends PermanentError {
  constructor(message: string) {
    super(message, { category: 'Seed' });
  }
}

const name = z.string().min(1);

/** `"CRED"`-style letters (Create, Read, Edit, Delete, View all, Modify all) or explicit booleans. */
const ObjectAccessSeed = z.union([
  z.string().regex(/^[CREDVM]*$/, 'use the letters C, R, E, D, V (view all), M (modify all)'),
  z.strictObject({
    read: z.boolean().optional(),
    create: z.boolean().optional(),
    edit: z.boolean().optional(),
    delete: z.boolean().optional(),
    viewAll: z.boolean().optional(),
    modifyAll: z.boolean().optional(),
  }),
]);

const PermissionSetSeed = z.strictObject({
  name,
  label: z.string().optional(),
  objects: z.record(z.string(), ObjectAccessSeed).default({}),
  /** Keys `Object.Field`; `Object.*` applies to every field of the object. */
  fields: z
    .record(z.string().regex(/^\w+\.(\w+|\*)$/, 'use Object.Field or Object.*'), z.enum(['read', 'edit', 'none']))
    .default({}),
  userPermissions: z.array(name).default([]),
  /** Custom permissions this set enables: the package's (force-app) or the seed's own `customPermissions`. */
  customPermissions: z.array(name).default([]),
  /** Apex classes the holders may call directly (an Apex REST resource such as LoomPermissionsResource). */
  apexClasses: z.array(name).default([]),
});

/** A permission set group: its users get every permission of its permission sets (force-app or seed). */
const PermissionSetGroupSeed = z.strictObject({
  name: z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,79}$/, 'letters, digits and _ only, starting with a letter'),
  label: z.string().optional(),
  permissionSets: z.array(name).min(1, 'a group needs at least one permission set'),
});

const PicklistValueSeed = z.union([
  z.string(),
  z.strictObject({ value: z.string(), label: z.string().optional(), default: z.boolean().optional() }),
]);

const FieldSeed = z.strictObject({
  type: z.enum(SUPPORTED_FIELD_TYPES as [string, ...string[]]),
  label: z.string().optional(),
  length: z.number().int().positive().optional(),
  precision: z.number().int().positive().optional(),
  scale: z.number().int().nonnegative().optional(),
  required: z.boolean().optional(),
  unique: z.boolean().optional(),
  externalId: z.boolean().optional(),
  caseSensitive: z.boolean().optional(),
  values: z.array(PicklistValueSeed).optional(),
  restricted: z.boolean().optional(),
  referenceTo: z.string().optional(),
  relationshipName: z.string().optional(),
  formula: z.string().optional(),
  defaultValue: z.union([z.string(), z.number(), z.boolean()]).optional(),
  displayFormat: z.string().optional(),
  startingNumber: z.number().int().nonnegative().optional(),
  securityClassification: z.enum(['Public', 'Internal', 'Confidential', 'Restricted', 'MissionCritical']).optional(),
  complianceGroup: z.string().optional(),
  inlineHelpText: z.string().optional(),
  description: z.string().optional(),
  summaryOperation: z.enum(['count', 'sum', 'min', 'max']).optional(),
  summaryForeignKey: z.string().optional(),
  summarizedField: z.string().optional(),
});
export type FieldSeed = z.infer<typeof FieldSeed>;

const ObjectSeed = z.strictObject({
  label: z.string().optional(),
  pluralLabel: z.string().optional(),
  description: z.string().optional(),
  sharingModel: z.enum(['Private', 'Read', 'ReadWrite', 'ControlledByParent']).optional(),
  nameField: z
    .strictObject({
      label: z.string().optional(),
      type: z.enum(['Text', 'AutoNumber']).optional(),
      displayFormat: z.string().optional(),
      startingNumber: z.number().int().nonnegative().optional(),
    })
    .optional(),
  fields: z.record(z.string().regex(/^\w+$/), FieldSeed).default({}),
  /** Metadata ValidationRule: errorConditionFormula → formula, errorMessage → message, errorDisplayField → field. */
  validationRules: z
    .array(
      z.strictObject({
        name: z.string().regex(/^\w+$/),
        formula: z.string().min(1),
        message: z.string().min(1),
        field: z.string().optional(),
        active: z.boolean().default(true),
      }),
    )
    .default([]),
});
export type ObjectSeed = z.infer<typeof ObjectSeed>;

const ConnectedAppSeed = z
  .strictObject({
    name,
    consumerKey: name,
    certificate: z.string().includes('BEGIN CERTIFICATE', { message: 'expected an inline PEM certificate' }).optional(),
    certificateFile: z.string().optional(),
    preAuthorized: z
      .strictObject({ profiles: z.array(name).default([]), permissionSets: z.array(name).default([]) })
      .default({ profiles: [], permissionSets: [] }),
  })
  .refine((app) => (app.certificate === undefined) !== (app.certificateFile === undefined), {
    message: 'give exactly one of certificate (inline PEM) or certificateFile',
  });

/** A public group or queue; members are `@user:key` or `@group:DeveloperName` (nested groups). */
const GroupSeed = z.strictObject({
  developerName: z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,79}$/, 'letters, digits and _ only, starting with a letter'),
  name: z.string().min(1).max(40),
  type: z.enum(['Regular', 'Queue']).default('Regular'),
  email: z.email().optional(),
  members: z.array(z.string().regex(/^@(user|group):[\w-]+$/, 'use @user:key or @group:DeveloperName')).default([]),
});

const UserSeed = z.strictObject({
  key: z.string().regex(/^[\w-]+$/, 'letters, digits, _ and - only'),
  username: z.email(),
  firstName: z.string().optional(),
  lastName: name,
  email: z.email().optional(),
  alias: z.string().max(8).optional(),
  profile: name,
  permissionSets: z.array(name).default([]),
  /** Permission set groups (their `name`) assigned to the user. */
  permissionSetGroups: z.array(name).default([]),
  role: z.string().optional(),
  manager: z.string().optional(),
  active: z.boolean().default(true),
  timeZone: z.string().default('America/Los_Angeles'),
});

export const SeedSchema = z.strictObject({
  org: z
    .strictObject({
      name: name.default('Loom Emulator Org'),
      dailyApiLimit: z.number().int().positive().default(15000),
      sessionTimeoutSeconds: z.number().int().positive().default(7200),
      edition: z.string().default('Developer Edition'),
    })
    .default({
      name: 'Loom Emulator Org',
      dailyApiLimit: 15000,
      sessionTimeoutSeconds: 7200,
      edition: 'Developer Edition',
    }),
  connectedApps: z.array(ConnectedAppSeed).default([]),
  roles: z.array(z.strictObject({ name, parent: z.string().nullable().optional() })).default([]),
  profiles: z.array(PermissionSetSeed).min(1, 'at least one profile is needed'),
  permissionSets: z.array(PermissionSetSeed).default([]),
  /** Custom permissions the seed defines beyond the package's (API names). */
  customPermissions: z
    .array(z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,39}$/, 'a custom permission API name'))
    .default([]),
  permissionSetGroups: z.array(PermissionSetGroupSeed).default([]),
  users: z.array(UserSeed).min(1, 'at least one user is needed'),
  /** Public groups and queues (Group and GroupMember records). */
  groups: z.array(GroupSeed).default([]),
  /** User key owning records that name no OwnerId; default: the first user with ModifyAllData, else the first user. */
  defaultOwner: z.string().optional(),
  objects: z.record(z.string().regex(/^\w+$/), ObjectSeed).default({}),
  sharing: z.record(z.string(), z.enum(['Private', 'Read', 'ReadWrite'])).default({}),
  records: z.record(z.string(), z.array(z.record(z.string(), z.unknown()))).default({}),
  shares: z
    .array(
      z.strictObject({
        record: z.string().startsWith('@'),
        /** `@user:key`, or `@group:DeveloperName` to share with every member of a group or queue. */
        user: z.string().regex(/^@(user|group):/, 'use @user:key or @group:DeveloperName'),
        access: z.enum(['Read', 'Edit', 'All']),
      }),
    )
    .default([]),
  /** Invocable actions (autolaunched flows, invocable Apex) served under `/actions/custom/{flow|apex}/{name}`. */
  actions: ActionsSeed.default([]),
});

export type SeedInput = z.input<typeof SeedSchema>;
export type Seed = z.infer<typeof SeedSchema>;
export type PermissionSetSeed = z.infer<typeof PermissionSetSeed>;

/** Validates a parsed seed; `source` (file name) prefixes every error. */
export function parseSeed(input: unknown, source = 'seed'): Seed {
  const parsed = SeedSchema.safeParse(input);
  if (!parsed.success) throw new SeedError(`${source} is invalid:\n${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/** Reads and validates a YAML seed file; returns the seed and the folder that relative paths resolve against. */
export function readSeedFile(file: string): { seed: Seed; baseDir: string } {
  if (!existsSync(file)) throw new SeedError(`seed file not found: ${file}`);
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new SeedError(`${file} is not valid YAML: ${(error as Error).message}`);
  }
  return { seed: parseSeed(doc, file), baseDir: path.dirname(path.resolve(file)) };
}

/** The PEM certificate of a connected app, reading `certificateFile` relative to the seed's folder. */
export function resolveCertificate(app: Seed['connectedApps'][number], baseDir: string): string {
  if (app.certificate !== undefined) return app.certificate;
  const file = path.resolve(baseDir, app.certificateFile ?? '');
  if (!existsSync(file))
    throw new SeedError(`connected app '${app.name}': certificateFile not found: ${app.certificateFile}`);
  const pem = readFileSync(file, 'utf8');
  if (!pem.includes('BEGIN CERTIFICATE'))
    throw new SeedError(`connected app '${app.name}': ${app.certificateFile} is not a PEM certificate`);
  return pem;
}
