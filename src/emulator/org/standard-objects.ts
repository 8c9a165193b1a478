/**
 * The standard objects Loom touches, with Salesforce's key prefixes and realistic fields.
 * There is deliberately no ScratchOrgInfo: @salesforce/core's Dev Hub probe must fail with INVALID_TYPE.
 */
import { makeField, makeReference, picklistValues, QUEUE_OWNED, systemFields } from './field-factory.ts';
import type { FieldOptions } from './field-factory.ts';
import type { FieldDef, ObjectDef, SharingModel } from './model.ts';

/** Setup objects: readable by every API user, writable only with ModifyAllData; fields are not FLS-controlled. */
export const SETUP_OBJECTS = new Set([
  'organization',
  'user',
  'profile',
  'userrole',
  'permissionset',
  'permissionsetassignment',
  'permissionsetgroup',
  'permissionsetgroupcomponent',
  'group',
  'groupmember',
  'customnotificationtype',
]);

/**
 * Setup objects the emulator serves read-only to everyone, whatever their permissions: groups and queues come from the
 * seed, notification types from force-app. (Salesforce allows Group and GroupMember DML with Manage Users; here a
 * write is refused like any object the user cannot write: INSUFFICIENT_ACCESS_OR_READONLY.)
 */
const READ_ONLY_SETUP_OBJECTS = new Set([
  'group',
  'groupmember',
  'customnotificationtype',
  'permissionsetgroup',
  'permissionsetgroupcomponent',
]);

/**
 * Setup objects only some users may read at all. Since Summer '20 PermissionSet, PermissionSetAssignment and the
 * permission set group objects need View Setup and Configuration (or one of the listed user-management permissions):
 * "Special Access Rules" of each object in the Object Reference, e.g.
 * https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_permissionsetassignment.htm
 * A least-privilege integration user (Loom_Worker) has none of them.
 */
const RESTRICTED_SETUP_OBJECTS: Record<string, readonly string[]> = {
  permissionset: [
    'ViewSetup',
    'AssignPermissionSets',
    'ManageSessionPermissionSetActivations',
    'ManageProfilesPermissionsets',
  ],
  permissionsetassignment: ['ViewSetup', 'AssignPermissionSets', 'ManageUsers'],
  permissionsetgroup: ['ViewSetup', 'AssignPermissionSets', 'ManageSessionPermissionSetActivations'],
  permissionsetgroupcomponent: ['ViewSetup'],
};

/** The user permissions that open a restricted setup object, or undefined when every API user may read it. */
export function setupObjectRequires(name: string): readonly string[] | undefined {
  return RESTRICTED_SETUP_OBJECTS[name.toLowerCase()];
}

export function isSetupObject(name: string): boolean {
  return SETUP_OBJECTS.has(name.toLowerCase());
}

export function isReadOnlySetupObject(name: string): boolean {
  return READ_ONLY_SETUP_OBJECTS.has(name.toLowerCase());
}

/** Group types a seed may create (Salesforce also has Role, Manager, Organization and territory groups). */
export const SEED_GROUP_TYPES = ['Regular', 'Queue'] as const;

function std(
  name: string,
  keyPrefix: string,
  options: { label?: string; plural?: string; owned: boolean; sharing: SharingModel; ownerTargets?: string[] },
  fields: FieldDef[],
): ObjectDef {
  const setup = isSetupObject(name);
  const all = [
    ...systemFields({ owned: options.owned, ...(options.ownerTargets ? { ownerTargets: options.ownerTargets } : {}) }),
    ...fields,
  ];
  return {
    name,
    label: options.label ?? name,
    labelPlural: options.plural ?? `${options.label ?? name}s`,
    keyPrefix,
    custom: false,
    kind: 'standard',
    sharingModel: options.sharing,
    hasOwner: options.owned,
    fields: setup ? all.map((f) => ({ ...f, permissionable: false })) : all,
    description: null,
  };
}

const text = (name: string, length: number, options: FieldOptions = {}): FieldDef =>
  makeField(name, 'string', { length, ...options });
const required: FieldOptions = { nillable: false, permissionable: false };
const fullName = (label: string): FieldDef =>
  makeField('Name', 'string', { label, length: 121, calculated: true, nameField: true, permissionable: false });

/** A fresh copy of every standard object (callers add fields to them). */
// eslint-disable-next-line max-lines-per-function -- data table: the standard objects and their fields
export function standardObjects(): ObjectDef[] {
  return [
    std('Organization', '00D', { owned: false, sharing: 'Read' }, [
      text('Name', 80, { ...required, nameField: true, label: 'Name' }),
      text('InstanceName', 5),
      makeField('IsSandbox', 'boolean'),
      makeField('TrialExpirationDate', 'datetime'),
      text('NamespacePrefix', 15),
      makeField('OrganizationType', 'picklist', {
        picklistValues: picklistValues(['Developer Edition', 'Enterprise Edition', 'Unlimited Edition']),
      }),
      text('TimeZoneSidKey', 40),
    ]),
    std('User', '005', { owned: false, sharing: 'Read' }, [
      text('Username', 80, { ...required, unique: true }),
      text('FirstName', 40),
      text('LastName', 80, required),
      fullName('Full Name'),
      makeField('Email', 'email', { ...required, length: 128 }),
      text('Alias', 8),
      makeField('IsActive', 'boolean', { defaultValue: true, label: 'Active' }),
      makeReference('ProfileId', ['Profile'], { ...required, label: 'Profile ID' }),
      makeReference('UserRoleId', ['UserRole'], { label: 'Role ID' }),
      makeReference('ManagerId', ['User'], { label: 'Manager ID', relationshipName: 'Manager' }),
      text('TimeZoneSidKey', 40, { defaultValue: 'UTC' }),
      text('LanguageLocaleKey', 40, { defaultValue: 'en_US' }),
      text('UserType', 40, { defaultValue: 'Standard' }),
    ]),
    std('Profile', '00e', { owned: false, sharing: 'Read' }, [
      text('Name', 255, { ...required, nameField: true }),
      text('UserType', 40),
      text('Description', 255),
    ]),
    std('UserRole', '00E', { label: 'Role', owned: false, sharing: 'Read' }, [
      text('Name', 80, { ...required, nameField: true }),
      text('DeveloperName', 80),
      makeReference('ParentRoleId', ['UserRole'], { label: 'Parent Role ID', relationshipName: null }),
    ]),
    std('PermissionSet', '0PS', { label: 'Permission Set', owned: false, sharing: 'Read' }, [
      text('Name', 80, { ...required, nameField: true }),
      text('Label', 80, required),
      makeField('IsOwnedByProfile', 'boolean'),
      makeField('IsCustom', 'boolean'),
      makeReference('ProfileId', ['Profile'], { label: 'Profile ID' }),
      text('Description', 255),
      // A group's aggregated permissions live in a PermissionSet of Type 'Group'; its assignments point at that set.
      makeField('Type', 'picklist', {
        picklistValues: picklistValues(['Regular', 'Group', 'Profile', 'Session', 'Standard']),
      }),
      makeReference('PermissionSetGroupId', ['PermissionSetGroup'], {
        label: 'Permission Set Group ID',
        relationshipName: 'PermissionSetGroup',
      }),
    ]),
    std('PermissionSetGroup', '0PG', { label: 'Permission Set Group', owned: false, sharing: 'Read' }, [
      text('DeveloperName', 80, { ...required, label: 'Developer Name' }),
      text('MasterLabel', 80, { ...required, nameField: true, label: 'Label' }),
      makeField('Status', 'picklist', {
        picklistValues: picklistValues(['Updated', 'Outdated', 'Updating', 'Failed']),
      }),
      text('Description', 255),
    ]),
    std(
      'PermissionSetGroupComponent',
      '0PC',
      { label: 'Permission Set Group Component', owned: false, sharing: 'Read' },
      [
        makeReference('PermissionSetGroupId', ['PermissionSetGroup'], {
          ...required,
          label: 'Permission Set Group ID',
          childRelationshipName: 'PermissionSetGroupComponents',
        }),
        makeReference('PermissionSetId', ['PermissionSet'], {
          ...required,
          label: 'Permission Set ID',
          childRelationshipName: 'PermissionSetGroupComponents',
        }),
      ],
    ),
    std('PermissionSetAssignment', '0Pa', { label: 'Permission Set Assignment', owned: false, sharing: 'Read' }, [
      makeReference('AssigneeId', ['User'], {
        ...required,
        label: 'Assignee ID',
        childRelationshipName: 'PermissionSetAssignments',
      }),
      makeReference('PermissionSetId', ['PermissionSet'], {
        ...required,
        label: 'Permission Set ID',
        childRelationshipName: 'Assignments',
      }),
      makeReference('PermissionSetGroupId', ['PermissionSetGroup'], {
        label: 'Permission Set Group ID',
        relationshipName: 'PermissionSetGroup',
      }),
    ]),
    std('Group', '00G', { owned: true, sharing: 'Read' }, [
      text('Name', 40, { ...required, nameField: true }),
      text('DeveloperName', 80, { label: 'Developer Name' }),
      makeReference('RelatedId', ['User', 'UserRole'], { label: 'Related ID', relationshipName: 'Related' }),
      makeField('Type', 'picklist', {
        ...required,
        restrictedPicklist: true,
        picklistValues: picklistValues([
          'Regular',
          'Queue',
          'Role',
          'RoleAndSubordinates',
          'Manager',
          'ManagerAndSubordinatesInternal',
          'Organization',
        ]),
      }),
      makeField('Email', 'email'),
      makeField('DoesSendEmailToMembers', 'boolean', { label: 'Send Email to Members' }),
      makeField('DoesIncludeBosses', 'boolean', { label: 'Include Bosses' }),
    ]),
    {
      // Like Salesforce: no audit fields but SystemModstamp.
      name: 'GroupMember',
      label: 'Group Member',
      labelPlural: 'Group Members',
      keyPrefix: '011',
      custom: false,
      kind: 'standard',
      sharingModel: 'Read',
      hasOwner: false,
      fields: [
        makeField('Id', 'id', { system: true, permissionable: false, nillable: false, label: 'Group Member ID' }),
        makeReference('GroupId', ['Group'], { ...required, label: 'Group ID', childRelationshipName: 'GroupMembers' }),
        makeReference('UserOrGroupId', ['Group', 'User'], {
          ...required,
          label: 'User/Group ID',
          relationshipName: null,
        }),
        makeField('SystemModstamp', 'datetime', {
          system: true,
          permissionable: false,
          nillable: false,
          label: 'System Modstamp',
        }),
      ],
      description: null,
    },
    std('CustomNotificationType', '0ML', { label: 'Custom Notification Type', owned: false, sharing: 'Read' }, [
      text('DeveloperName', 80, { ...required, label: 'API Name' }),
      text('MasterLabel', 80, { ...required, nameField: true, label: 'Master Label' }),
      text('CustomNotifTypeName', 80, { ...required, label: 'Custom Notification Name' }),
      makeField('Description', 'textarea', { length: 255 }),
      makeField('Desktop', 'boolean'),
      makeField('Mobile', 'boolean'),
      text('Language', 40),
      text('NamespacePrefix', 15, { label: 'Namespace Prefix' }),
    ]),
    std('Account', '001', { owned: true, sharing: 'ReadWrite' }, [
      text('Name', 255, { ...required, nameField: true, label: 'Account Name' }),
      makeField('Type', 'picklist', { picklistValues: picklistValues(['Prospect', 'Customer', 'Partner', 'Other']) }),
      makeField('Industry', 'picklist', {
        picklistValues: picklistValues(['Banking', 'Finance', 'Insurance', 'Retail', 'Technology', 'Other']),
      }),
      makeField('Phone', 'phone'),
      makeField('Website', 'url'),
      makeField('AnnualRevenue', 'currency', { precision: 18, scale: 0, length: 0 }),
      makeField('NumberOfEmployees', 'int', { precision: 8, length: 0 }),
      text('BillingCity', 40),
      text('BillingCountry', 80),
      makeField('Description', 'textarea', { length: 32000 }),
    ]),
    std('Contact', '003', { owned: true, sharing: 'ReadWrite' }, [
      text('FirstName', 40),
      text('LastName', 80, required),
      fullName('Full Name'),
      makeReference('AccountId', ['Account'], { label: 'Account ID', childRelationshipName: 'Contacts' }),
      text('Title', 128),
      makeField('Email', 'email'),
      makeField('Phone', 'phone'),
      makeField('MobilePhone', 'phone'),
      makeField('Birthdate', 'date'),
      text('MailingCity', 40),
      makeField('Description', 'textarea', { length: 32000 }),
    ]),
    std('Case', '500', { owned: true, sharing: 'ReadWrite', ownerTargets: QUEUE_OWNED }, [
      makeField('CaseNumber', 'string', {
        autoNumber: true,
        nillable: false,
        nameField: true,
        permissionable: false,
        length: 30,
        displayFormat: '{00000000}',
        startingNumber: 1,
      }),
      text('Subject', 255),
      makeField('Description', 'textarea', { length: 32000 }),
      makeField('Status', 'picklist', {
        picklistValues: picklistValues(['New', 'Working', 'Escalated', 'Closed'], 'New'),
        defaultValue: 'New',
      }),
      makeField('Priority', 'picklist', {
        picklistValues: picklistValues(['High', 'Medium', 'Low'], 'Medium'),
        defaultValue: 'Medium',
      }),
      makeField('Origin', 'picklist', { picklistValues: picklistValues(['Phone', 'Email', 'Web']) }),
      makeReference('ContactId', ['Contact'], { label: 'Contact ID', childRelationshipName: 'Cases' }),
      makeReference('AccountId', ['Account'], { label: 'Account ID', childRelationshipName: 'Cases' }),
    ]),
    std('Task', '00T', { owned: true, sharing: 'Private' }, [
      text('Subject', 255),
      makeField('Status', 'picklist', {
        ...required,
        picklistValues: picklistValues(['Not Started', 'In Progress', 'Completed'], 'Not Started'),
        defaultValue: 'Not Started',
      }),
      makeField('Priority', 'picklist', {
        ...required,
        picklistValues: picklistValues(['High', 'Normal', 'Low'], 'Normal'),
        defaultValue: 'Normal',
      }),
      makeField('ActivityDate', 'date', { label: 'Due Date Only' }),
      makeField('Description', 'textarea', { length: 32000 }),
      makeReference('WhoId', ['Contact'], {
        label: 'Name ID',
        relationshipName: 'Who',
        childRelationshipName: 'Tasks',
      }),
      makeReference('WhatId', ['Account', 'Case'], {
        label: 'Related To ID',
        relationshipName: 'What',
        childRelationshipName: 'Tasks',
      }),
    ]),
  ];
}

/** Standard objects and fields that name their record (`Name` unless stated). */
export const COMPUTED_NAMES: Record<string, (record: Record<string, unknown>) => string> = {
  contact: (r) => [r['FirstName'], r['LastName']].filter((p) => typeof p === 'string' && p !== '').join(' '),
  user: (r) => [r['FirstName'], r['LastName']].filter((p) => typeof p === 'string' && p !== '').join(' '),
};
