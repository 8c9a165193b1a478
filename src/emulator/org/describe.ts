/**
 * describeGlobal / describeSObject per requesting user, in Salesforce's shape (wire doc §2.4): every key present
 * with null/false/0/[] when unused, FLS-hidden fields omitted, createable/updateable/deletable per user.
 */
import { ApiError } from './model.ts';
import type { FieldDef, ObjectDef, UserAccess } from './model.ts';
import type { OrgSchema } from './schema.ts';

const SOAP_TYPES: Record<FieldDef['type'], string> = {
  id: 'tns:ID',
  reference: 'tns:ID',
  string: 'xsd:string',
  textarea: 'xsd:string',
  picklist: 'xsd:string',
  multipicklist: 'xsd:string',
  email: 'xsd:string',
  phone: 'xsd:string',
  url: 'xsd:string',
  encryptedstring: 'xsd:string',
  boolean: 'xsd:boolean',
  int: 'xsd:int',
  double: 'xsd:double',
  currency: 'xsd:double',
  percent: 'xsd:double',
  date: 'xsd:date',
  datetime: 'xsd:dateTime',
  time: 'xsd:time',
};

const TEXT_TYPES = new Set([
  'string',
  'textarea',
  'picklist',
  'multipicklist',
  'email',
  'phone',
  'url',
  'encryptedstring',
  'id',
  'reference',
]);

function objectUrls(def: ObjectDef, apiVersion: string): Record<string, string> {
  const base = `/services/data/v${apiVersion}/sobjects/${def.name}`;
  return {
    rowTemplate: `${base}/{ID}`,
    defaultValues: `${base}/defaultValues?recordTypeId&fields`,
    describe: `${base}/describe`,
    sobject: base,
  };
}

function objectFlags(access: UserAccess, def: ObjectDef): Record<string, unknown> {
  const isEvent = def.kind === 'event';
  const createable = access.canObject(def.name, 'create');
  const updateable = !isEvent && access.canObject(def.name, 'edit');
  const deletable = !isEvent && access.canObject(def.name, 'delete');
  const isShare = def.shareOf !== undefined;
  const business = (def.kind === 'custom' && !isShare) || ['Account', 'Contact', 'Case', 'Task'].includes(def.name);
  return {
    activateable: false,
    associateEntityType: null,
    associateParentEntity: null,
    createable,
    custom: def.custom,
    customSetting: def.kind === 'setting' && !def.name.endsWith('__mdt'),
    deepCloneable: false,
    deletable,
    deprecatedAndHidden: false,
    feedEnabled: false,
    hasSubtypes: false,
    isInterface: false,
    isSubtype: false,
    keyPrefix: def.keyPrefix,
    label: def.label,
    labelPlural: def.labelPlural,
    layoutable: business,
    mergeable: def.name === 'Account' || def.name === 'Contact',
    mruEnabled: business,
    name: def.name,
    queryable: !isEvent,
    replicateable: !isEvent,
    retrieveable: !isEvent,
    searchable: business,
    triggerable: business || isEvent,
    // Share rows are deleted for good (no recycle bin).
    undeletable: deletable && !isShare,
    updateable,
  };
}

/** GET /sobjects: the objects this user can read. */
export function describeGlobal(schema: OrgSchema, access: UserAccess, apiVersion: string): Record<string, unknown> {
  const sobjects = schema
    .objects()
    .filter((def) => access.canObject(def.name, 'read'))
    .map((def) => ({ ...objectFlags(access, def), urls: objectUrls(def, apiVersion) }));
  return { encoding: 'UTF-8', maxBatchSize: 200, sobjects };
}

function describeField(access: UserAccess, def: ObjectDef, field: FieldDef): Record<string, unknown> {
  const isText = TEXT_TYPES.has(field.type);
  const longText = field.type === 'textarea' && field.length > 255;
  const writable = access.canField(def.name, field.name, 'edit');
  const createable = writable && access.canObject(def.name, 'create');
  const updateable =
    writable &&
    def.kind !== 'event' &&
    access.canObject(def.name, 'edit') &&
    !field.masterDetail &&
    field.createOnly !== true;
  const numeric = field.type === 'double' || field.type === 'currency' || field.type === 'percent';
  return {
    aggregatable: !longText && field.type !== 'boolean' && field.type !== 'multipicklist',
    aiPredictionField: false,
    autoNumber: field.autoNumber,
    byteLength: isText ? field.length * 3 : 0,
    calculated: field.calculated,
    calculatedFormula: field.formula ?? null,
    cascadeDelete: field.masterDetail,
    caseSensitive: field.caseSensitive,
    compoundFieldName: null,
    complianceGroup: field.complianceGroup,
    controllerName: null,
    createable,
    custom: field.custom,
    defaultValue: field.type === 'boolean' ? field.defaultValue === true : null,
    defaultValueFormula:
      field.type !== 'boolean' && field.defaultValue !== null ? JSON.stringify(field.defaultValue) : null,
    defaultedOnCreate:
      field.system ||
      field.autoNumber ||
      field.name === 'OwnerId' ||
      field.type === 'boolean' ||
      field.defaultValue !== null,
    dependentPicklist: false,
    deprecatedAndHidden: false,
    digits: field.type === 'int' ? 9 : 0,
    displayLocationInDecimal: false,
    encrypted: field.type === 'encryptedstring',
    externalId: field.externalId,
    extraTypeInfo: longText ? 'plaintextarea' : null,
    filterable: !longText && field.type !== 'encryptedstring',
    filteredLookupInfo: null,
    formulaTreatNullNumberAsZero: false,
    groupable: !longText && !numeric && field.type !== 'datetime' && field.type !== 'multipicklist',
    highScaleNumber: false,
    htmlFormatted: false,
    idLookup: field.name === 'Id' || field.externalId || (field.unique && field.type === 'string'),
    inlineHelpText: field.inlineHelpText,
    label: field.label,
    length: isText ? field.length : 0,
    mask: field.type === 'encryptedstring' ? 'X' : null,
    maskType: field.type === 'encryptedstring' ? 'all' : null,
    name: field.name,
    nameField: field.nameField,
    namePointing: field.referenceTo.length > 1,
    nillable: field.nillable,
    permissionable: field.permissionable,
    picklistValues: field.picklistValues.map((v) => ({ ...v, validFor: null })),
    polymorphicForeignKey: field.referenceTo.length > 1,
    precision: numeric ? field.precision : 0,
    queryByDistance: false,
    referenceTargetField: null,
    referenceTo: field.referenceTo,
    relationshipName: field.relationshipName,
    relationshipOrder: field.masterDetail ? 0 : null,
    restrictedDelete: false,
    restrictedPicklist: field.restrictedPicklist,
    scale: numeric ? field.scale : 0,
    searchPrefilterable: false,
    securityClassification: field.securityClassification,
    soapType: SOAP_TYPES[field.type],
    sortable: !longText && field.type !== 'multipicklist',
    type: field.type,
    unique: field.unique,
    updateable,
    writeRequiresMasterRead: field.masterDetail,
  };
}

/** GET /sobjects/{Type}/describe; unknown or unreadable objects answer 404 NOT_FOUND. */
export function describeSObject(
  schema: OrgSchema,
  access: UserAccess,
  objectName: string,
  apiVersion: string,
): Record<string, unknown> {
  const def = schema.object(objectName);
  if (!def || !access.canObject(def.name, 'read'))
    throw new ApiError(404, 'NOT_FOUND', 'The requested resource does not exist');
  const fields = def.fields
    .filter((f) => access.canField(def.name, f.name, 'read'))
    .map((f) => describeField(access, def, f));
  const childRelationships = schema
    .childRelationships(def.name)
    .filter((rel) => access.canField(rel.childSObject, rel.field, 'read'))
    .map((rel) => ({
      cascadeDelete: rel.cascadeDelete,
      childSObject: rel.childSObject,
      deprecatedAndHidden: false,
      field: rel.field,
      junctionIdListNames: [],
      junctionReferenceTo: [],
      relationshipName: rel.relationshipName,
      restrictedDelete: false,
    }));
  const urls = objectUrls(def, apiVersion);
  return {
    actionOverrides: [],
    ...objectFlags(access, def),
    childRelationships,
    compactLayoutable: def.kind === 'custom' && def.shareOf === undefined,
    defaultImplementation: null,
    extendedBy: null,
    extendsInterfaces: null,
    fields,
    implementedBy: null,
    implementsInterfaces: null,
    listviewable: null,
    lookupLayoutable: null,
    namedLayoutInfos: [],
    networkScopeFieldName: null,
    recordTypeInfos: [],
    searchLayoutable: def.kind === 'custom' && def.shareOf === undefined,
    sobjectDescribeOption: 'FULL',
    supportedScopes: def.hasOwner
      ? [
          { label: 'All records', name: 'everything' },
          { label: 'My records', name: 'mine' },
        ]
      : [],
    urls,
  };
}
