/**
 * Builds emulated orgs for tests: from an inline seed (object or YAML text) or the lending sample seed.
 * Every call returns a fresh org, so tests may write freely.
 */
import { parse as parseYaml } from 'yaml';
import { createOrg, DEFAULT_SEED_PATH } from '../../src/emulator/org/org.ts';
import type { Org } from '../../src/emulator/org/org.ts';
import { ApiError, type UserAccess } from '../../src/emulator/org/model.ts';
import type { SeedInput } from '../../src/emulator/org/seed.ts';

export interface FixtureOptions {
  /** true: the repository's force-app/ (Loom objects and permission sets); a path: that folder; default none. */
  forceApp?: boolean | string;
  /** Fixed clock for CreatedDate and friends. */
  now?: () => Date;
}

/** An org from an inline seed; a string is parsed as YAML. Without forceApp no package metadata is loaded. */
export function buildOrg(seed: SeedInput | string, options: FixtureOptions = {}): Org {
  const parsed = typeof seed === 'string' ? (parseYaml(seed) as SeedInput) : seed;
  const forceAppDir =
    options.forceApp === true ? undefined : typeof options.forceApp === 'string' ? options.forceApp : null;
  return createOrg({ seed: parsed, forceAppDir, ...(options.now ? { now: options.now } : {}) });
}

/** The sample lending org (scripts/seeds/lending.yaml) with the repository's force-app/. */
export function lendingOrg(options: Omit<FixtureOptions, 'forceApp'> = {}): Org {
  return createOrg({ seed: DEFAULT_SEED_PATH, ...(options.now ? { now: options.now } : {}) });
}

/** The access of a seed user by key; throws on an unknown key. */
export function accessFor(org: Org, key: string): UserAccess {
  const user = org.userByKey(key);
  if (!user) throw new Error(`no seed user '${key}'`);
  return org.access(user.id);
}

/** A small seed: an admin, a restricted user and a `Widget__c` object; extend it per test. */
export function minimalSeed(extra: Partial<SeedInput> = {}): SeedInput {
  return {
    profiles: [
      {
        name: 'Admin',
        objects: { Account: 'CREDVM', Widget__c: 'CREDVM' },
        fields: { 'Widget__c.*': 'edit', 'Account.*': 'edit' },
        userPermissions: ['ApiEnabled', 'ViewAllData', 'ModifyAllData'],
      },
      {
        name: 'Basic',
        objects: { Widget__c: 'CRED' },
        fields: { 'Widget__c.Color__c': 'edit' },
        userPermissions: ['ApiEnabled'],
      },
    ],
    users: [
      { key: 'admin', username: 'admin@fixture.test', lastName: 'Admin', profile: 'Admin' },
      { key: 'basic', username: 'basic@fixture.test', lastName: 'Basic', profile: 'Basic' },
    ],
    objects: {
      Widget__c: {
        sharingModel: 'Private',
        fields: {
          Color__c: { type: 'Picklist', values: ['Red', 'Green'], restricted: true },
          Secret__c: { type: 'Text', length: 20 },
          Code__c: { type: 'Text', length: 10, externalId: true, unique: true },
        },
      },
    },
    ...extra,
  };
}

/** Runs `fn` and returns the emulator's ApiError it throws (fails when it throws nothing or something else). */
export function apiError(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error('expected an ApiError');
}
