/**
 * What an org checks at deploy and install time, encoded offline: lengths of names, labels, descriptions and help
 * text; required attributes per field type; report → report type → columns; dashboard → reports and running user;
 * permission sets vs required and master-detail fields; picklist values; API versions; the sfdx project's package
 * aliases. Every rule names its source (a Metadata API Developer Guide page, a Salesforce Help page or the sf CLI
 * reference). A file of a metadata type with no rules here is itself a finding, so a new type cannot slip past.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import type { CheckIssue } from './types.ts';

const TOOL = 'org-rules';
const REPEATED = new Set([
  'fieldPermissions',
  'objectPermissions',
  'classAccesses',
  'customPermissions',
  'userPermissions',
  'tabSettings',
  'applicationVisibilities',
  'recordTypeVisibilities',
  'pageAccesses',
  'customSettingAccesses',
  'customMetadataTypeAccesses',
  'flowAccesses',
  'columns',
  'sections',
  'criteriaItems',
  'groupingsDown',
  'groupingsAcross',
  'dashboardGridComponents',
  'value',
  'params',
  'chartSummary',
  'dashboardComponents',
  'components',
  'referenceTo',
  'filters',
  'tabs',
  'actionOverrides',
  'profileActionOverrides',
  'layoutSections',
  'layoutColumns',
  'layoutItems',
  'relatedLists',
  'platformActionListItems',
  'flexiPageRegions',
  'itemInstances',
  'quickActionLayoutColumns',
  'quickActionLayoutItems',
  'targets',
  'target',
  'customValue',
  'valueSettings',
]);
const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: true,
  isArray: (name) => REPEATED.has(name),
});

type Xml = Record<string, unknown>;
const arr = (value: unknown): Xml[] =>
  Array.isArray(value) ? (value as Xml[]) : value === undefined || value === '' ? [] : [value as Xml];
const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** One org limit: the longest value the platform accepts for a property, and where that is documented. */
interface Limit {
  path: string;
  max: number;
  source: string;
}

// Metadata API Developer Guide pages the limits come from (developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/…).
const SRC = {
  customObject: 'Metadata API Developer Guide, CustomObject (customobject.htm); Salesforce Help "Custom Object Limits"',
  customField:
    'Metadata API Developer Guide, CustomField (customfield.htm): label 40, description 1000, inlineHelpText 510, API name 40',
  picklist:
    'Metadata API Developer Guide, CustomValue / ValueSet (meta_picklist.htm); Salesforce Help "Picklist Limitations" (1,000 values, API name and label 255)',
  platformEventFields:
    'Platform Events Developer Guide, "Platform Event Fields": Checkbox, Date, Date/Time, Number, Text and Text Area (Long) only',
  customSettingFields:
    'Salesforce Help "Create Custom Settings Fields": no picklists, long text, lookups or formulas on custom settings',
  permissionSet:
    'Metadata API Developer Guide, PermissionSet (meta_permissionset.htm): label 80, description "up to 255 characters"',
  permissionSetFields:
    'Salesforce Help "Field Permissions": required and master-detail fields always have full access and cannot appear in a permission set (deploy error "You cannot deploy to a required field")',
  objectPermissions:
    'Metadata API Developer Guide, PermissionSetObjectPermissions: viewAllRecords needs allowRead; modifyAllRecords needs allowRead, allowEdit, allowDelete and viewAllRecords; platform events take only allowCreate / allowRead',
  report:
    'Metadata API Developer Guide, Report (meta_report.htm): name "up to 40 characters", description 255; columns from the report type',
  reportType:
    'Metadata API Developer Guide, ReportType (meta_reporttypes.htm): label 50, description required (255); baseObject, join relationship and columns must exist',
  dashboard:
    'Metadata API Developer Guide, Dashboard (meta_dashboard.htm): title 80, components reference reports by Folder/DeveloperName; dashboardType LoggedInUser / MyTeamUser is a dynamic dashboard',
  dynamicDashboards:
    'Salesforce Help "Dynamic Dashboards" limits: 3 (Developer), 5 (Enterprise), 10 (Unlimited/Performance) per org; installs fail at the cap',
  folders: 'Metadata API Developer Guide, Folder (meta_folder.htm): name 40',
  apiVersion:
    'Metadata API Developer Guide, ApexClass (meta_classes.htm) apiVersion; sfdx-project.json sourceApiVersion (sf CLI "Salesforce DX Project Configuration")',
  profileName:
    'Salesforce Help "Standard Profiles": standard profile names are translated in orgs with another default language, so Name = \'Standard User\' finds nothing there',
  packageAliases:
    'sf CLI reference, "sf package version create": --package takes an ID or an alias from packageAliases; Salesforce DX Developer Guide "Project Configuration File for a Second-Generation Package"',
  customPermission:
    'Metadata API Developer Guide, CustomPermission (meta_custompermission.htm): label 80, description 255',
  notificationType:
    'Metadata API Developer Guide, CustomNotificationType: customNotifTypeName / masterLabel 80, description 255',
  validationRule:
    'Metadata API Developer Guide, ValidationRule (customobject.htm#validationrule): errorMessage up to 255 characters',
  lightning:
    'Metadata API Developer Guide, CustomApplication / CustomTab / ListView / QuickAction / FlexiPage / Layout / Flow: labels 40 (list views, tabs, apps) and 80 (quick actions, pages, flows), description 255',
} as const;

function walk(root: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(root)) {
    const path = join(root, entry);
    if (statSync(path).isDirectory()) found.push(...walk(path));
    else found.push(path);
  }
  return found.sort();
}

function get(node: Xml, path: string): unknown {
  return path
    .split('.')
    .reduce<unknown>(
      (current, key) => (current && typeof current === 'object' ? (current as Xml)[key] : undefined),
      node,
    );
}

class Findings {
  readonly issues: CheckIssue[] = [];
  add(file: string, message: string, source: string): void {
    this.issues.push({ tool: TOOL, file, message: `${message} (${source})` });
  }
  limits(file: string, what: string, node: Xml, limits: Limit[]): void {
    for (const limit of limits) {
      const value = str(get(node, limit.path));
      if (value !== undefined && [...value].length > limit.max) {
        this.add(
          file,
          `${what}: ${limit.path} is ${[...value].length} characters; the org accepts at most ${limit.max}`,
          limit.source,
        );
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// Objects and fields
// ---------------------------------------------------------------------------------------------------------------------

interface FieldInfo {
  object: string;
  name: string;
  type: string;
  required: boolean;
  /** Formula and roll-up fields: the platform computes them, so no permission set may grant edit. */
  computed: boolean;
  relationshipName: string | null;
  referenceTo: string | null;
}

interface ObjectInfo {
  name: string;
  kind: 'custom' | 'event' | 'setting';
  fields: Map<string, FieldInfo>;
  /** Child relationship name (`ExecutionSteps__r`) → child object. */
  children: Map<string, string>;
}

const EVENT_FIELD_TYPES = new Set(['Checkbox', 'Date', 'DateTime', 'Number', 'Text', 'LongTextArea']);
const SETTING_FIELD_TYPES = new Set([
  'Checkbox',
  'Currency',
  'Date',
  'DateTime',
  'Email',
  'Number',
  'Percent',
  'Phone',
  'Text',
  'TextArea',
  'Url',
]);
/** Fields every custom object has without source (reports and permission sets may name them). */
const STANDARD_FIELDS = new Set([
  'Id',
  'Name',
  'OwnerId',
  'CreatedById',
  'CreatedDate',
  'LastModifiedById',
  'LastModifiedDate',
  'SystemModstamp',
  'IsDeleted',
  'CreatedBy',
  'LastModifiedBy',
  'Owner',
]);

const apiName = (name: string): string => name.replace(/__(c|e|r)$/, '');

function checkObject(file: string, xml: Xml, findings: Findings): void {
  const name = basename(file, '.object-meta.xml');
  findings.limits(file, name, xml, [
    { path: 'label', max: 40, source: SRC.customObject },
    { path: 'pluralLabel', max: 40, source: SRC.customObject },
    { path: 'description', max: 1000, source: SRC.customObject },
  ]);
  if (apiName(name).length > 40)
    findings.add(file, `${name}: object API name is longer than 40 characters`, SRC.customObject);
  const isEvent = name.endsWith('__e');
  if (!isEvent && !xml['customSettingsType'] && !xml['sharingModel'])
    findings.add(file, `${name}: sharingModel is required for a custom object`, SRC.customObject);
}

/** Required attributes per field type (what the deploy reports as "Must specify …"). */
const REQUIRED_BY_TYPE: Record<string, string[]> = {
  Text: ['length'],
  LongTextArea: ['length', 'visibleLines'],
  Html: ['length', 'visibleLines'],
  Number: ['precision', 'scale'],
  Currency: ['precision', 'scale'],
  Percent: ['precision', 'scale'],
  Checkbox: ['defaultValue'],
  Lookup: ['referenceTo', 'relationshipName'],
  MasterDetail: ['referenceTo', 'relationshipName', 'relationshipOrder'],
  Picklist: ['valueSet'],
  MultiselectPicklist: ['valueSet', 'visibleLines'],
  Summary: ['summaryOperation', 'summaryForeignKey'],
};

function checkField(file: string, xml: Xml, object: string, kind: ObjectInfo['kind'], findings: Findings): FieldInfo {
  const name = str(xml['fullName']) ?? basename(file, '.field-meta.xml');
  const type = str(xml['type']) ?? '';
  const where = `${object}.${name}`;
  findings.limits(file, where, xml, [
    { path: 'label', max: 40, source: SRC.customField },
    { path: 'description', max: 1000, source: SRC.customField },
    { path: 'inlineHelpText', max: 510, source: SRC.customField },
  ]);
  if (apiName(name).length > 40)
    findings.add(file, `${where}: field API name is longer than 40 characters`, SRC.customField);
  if (!str(xml['label'])) findings.add(file, `${where}: label is required`, SRC.customField);
  for (const attribute of REQUIRED_BY_TYPE[type] ?? []) {
    if (xml[attribute] === undefined)
      findings.add(file, `${where}: a ${type} field needs <${attribute}>`, SRC.customField);
  }
  const length = Number(xml['length']);
  if (type === 'Text' && xml['length'] !== undefined && !(length >= 1 && length <= 255))
    findings.add(file, `${where}: Text length must be 1–255 (is ${length})`, SRC.customField);
  if (type === 'LongTextArea' && xml['length'] !== undefined && !(length >= 256 && length <= 131072)) {
    findings.add(file, `${where}: Long Text Area length must be 256–131,072 (is ${length})`, SRC.customField);
  }
  const precision = Number(xml['precision']);
  const scale = Number(xml['scale']);
  if (xml['precision'] !== undefined && !(precision >= 1 && precision <= 18))
    findings.add(file, `${where}: precision must be 1–18 (is ${precision})`, SRC.customField);
  if (xml['scale'] !== undefined && xml['precision'] !== undefined && !(scale >= 0 && scale <= precision))
    findings.add(file, `${where}: scale must be 0–precision (is ${scale})`, SRC.customField);
  if (type === 'Lookup' && xml['required'] === 'true' && xml['deleteConstraint'] === 'SetNull') {
    findings.add(file, `${where}: a required lookup cannot use deleteConstraint SetNull`, SRC.customField);
  }
  if (kind === 'event' && !EVENT_FIELD_TYPES.has(type))
    findings.add(file, `${where}: platform event fields cannot be ${type}`, SRC.platformEventFields);
  if (kind === 'setting' && !SETTING_FIELD_TYPES.has(type))
    findings.add(file, `${where}: custom setting fields cannot be ${type}`, SRC.customSettingFields);
  if (type === 'Picklist' || type === 'MultiselectPicklist') checkPicklist(file, where, xml, findings);
  const referenceTo = str(arr(xml['referenceTo'])[0] as unknown) ?? str(xml['referenceTo']) ?? null;
  return {
    object,
    name,
    type,
    required: xml['required'] === 'true',
    computed: xml['formula'] !== undefined || type === 'Summary',
    relationshipName: str(xml['relationshipName']) ?? null,
    referenceTo,
  };
}

function checkPicklist(file: string, where: string, xml: Xml, findings: Findings): void {
  const definition = get(xml, 'valueSet.valueSetDefinition') as Xml | undefined;
  if (!definition && !get(xml, 'valueSet.valueSetName')) {
    findings.add(file, `${where}: a picklist needs a valueSetDefinition or a global valueSetName`, SRC.picklist);
    return;
  }
  checkValues(file, where, arr(definition?.['value']), findings);
}

/** Picklist values (a field's own or a global value set's): count, lengths, case-insensitive uniqueness. */
function checkValues(file: string, where: string, values: Xml[], findings: Findings): void {
  if (values.length > 1000)
    findings.add(file, `${where}: ${values.length} picklist values; at most 1,000`, SRC.picklist);
  const seen = new Set<string>();
  for (const value of values) {
    const fullName = str(value['fullName']) ?? '';
    if (!fullName) findings.add(file, `${where}: a picklist value has no fullName`, SRC.picklist);
    if (fullName.length > 255)
      findings.add(
        file,
        `${where}: picklist value ${fullName.slice(0, 20)}… is longer than 255 characters`,
        SRC.picklist,
      );
    if ((str(value['label']) ?? '').length > 255)
      findings.add(file, `${where}: label of picklist value ${fullName} is longer than 255 characters`, SRC.picklist);
    // Values are matched case-insensitively by the platform: "Approve" and "approve" cannot both exist.
    if (seen.has(fullName.toLowerCase()))
      findings.add(
        file,
        `${where}: duplicate picklist value ${fullName} (values are compared case-insensitively)`,
        SRC.picklist,
      );
    seen.add(fullName.toLowerCase());
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// Permission sets
// ---------------------------------------------------------------------------------------------------------------------

const NOT_EDITABLE_TYPES = new Set(['Summary', 'AutoNumber']);

function checkPermissionSet(file: string, xml: Xml, objects: Map<string, ObjectInfo>, findings: Findings): void {
  const name = basename(file, '.permissionset-meta.xml');
  findings.limits(file, `Permission set ${name}`, xml, [
    { path: 'label', max: 80, source: SRC.permissionSet },
    { path: 'description', max: 255, source: SRC.permissionSet },
  ]);
  if (name.length > 80)
    findings.add(file, `Permission set ${name}: API name is longer than 80 characters`, SRC.permissionSet);
  for (const permission of arr(xml['fieldPermissions'])) {
    const field = str(permission['field']) ?? '';
    const [objectName = '', fieldName = ''] = field.split('.');
    const object = objects.get(objectName);
    if (!object) continue; // standard objects: not this package's to check
    const info = object.fields.get(fieldName);
    if (!info) {
      if (!STANDARD_FIELDS.has(fieldName))
        findings.add(file, `Permission set ${name}: field ${field} does not exist in the package`, SRC.permissionSet);
      continue;
    }
    if (info.required || info.type === 'MasterDetail') {
      findings.add(
        file,
        `Permission set ${name}: lists ${info.type === 'MasterDetail' ? 'master-detail' : 'required'} field ${field}`,
        SRC.permissionSetFields,
      );
    }
    if (
      permission['editable'] === 'true' &&
      (info.computed || NOT_EDITABLE_TYPES.has(info.type) || object.kind === 'event')
    ) {
      findings.add(
        file,
        `Permission set ${name}: grants edit on ${field}, which the platform computes or cannot edit`,
        SRC.permissionSetFields,
      );
    }
    if (permission['editable'] === 'true' && permission['readable'] !== 'true')
      findings.add(file, `Permission set ${name}: ${field} is editable but not readable`, SRC.permissionSetFields);
  }
  for (const permission of arr(xml['objectPermissions'])) {
    const objectName = str(permission['object']) ?? '';
    const flag = (key: string): boolean => permission[key] === 'true';
    const object = objects.get(objectName);
    if (objectName.endsWith('__c') && !object && !objectName.includes('__', objectName.indexOf('__') + 2)) {
      findings.add(
        file,
        `Permission set ${name}: object ${objectName} does not exist in the package`,
        SRC.objectPermissions,
      );
    }
    if (
      object?.kind === 'event' &&
      (flag('allowEdit') || flag('allowDelete') || flag('viewAllRecords') || flag('modifyAllRecords'))
    ) {
      findings.add(
        file,
        `Permission set ${name}: platform event ${objectName} takes only Create and Read`,
        SRC.objectPermissions,
      );
    }
    if (
      (flag('allowCreate') || flag('allowEdit') || flag('allowDelete') || flag('viewAllRecords')) &&
      !flag('allowRead')
    ) {
      findings.add(file, `Permission set ${name}: ${objectName} grants access without Read`, SRC.objectPermissions);
    }
    if (flag('modifyAllRecords') && !(flag('allowEdit') && flag('allowDelete') && flag('viewAllRecords'))) {
      findings.add(
        file,
        `Permission set ${name}: ${objectName} Modify All needs Edit, Delete and View All`,
        SRC.objectPermissions,
      );
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// Report types, reports, dashboards, folders
// ---------------------------------------------------------------------------------------------------------------------

interface ReportTypeInfo {
  columns: Set<string>;
}

function checkReportType(file: string, xml: Xml, objects: Map<string, ObjectInfo>, findings: Findings): ReportTypeInfo {
  const name = basename(file, '.reportType-meta.xml');
  findings.limits(file, `Report type ${name}`, xml, [
    { path: 'label', max: 50, source: SRC.reportType },
    { path: 'description', max: 255, source: SRC.reportType },
  ]);
  if (!str(xml['description'])) findings.add(file, `Report type ${name}: description is required`, SRC.reportType);
  const base = str(xml['baseObject']) ?? '';
  if (!objects.has(base))
    findings.add(file, `Report type ${name}: base object ${base} is not in the package`, SRC.reportType);
  const tables = new Map<string, ObjectInfo | undefined>([[base, objects.get(base)]]);
  let join = get(xml, 'join') as Xml | undefined;
  let table = base;
  while (join) {
    const relationship = str(join['relationship']) ?? '';
    const child = tables.get(table)?.children.get(relationship);
    if (!child)
      findings.add(file, `Report type ${name}: ${table} has no child relationship ${relationship}`, SRC.reportType);
    table = `${table}.${relationship}`;
    tables.set(table, child ? objects.get(child) : undefined);
    join = join['join'] as Xml | undefined;
  }
  const columns = new Set<string>();
  for (const section of arr(xml['sections'])) {
    for (const column of arr(section['columns'])) {
      const field = str(column['field']) ?? '';
      const columnTable = str(column['table']) ?? '';
      columns.add(`${columnTable}$${field}`);
      if (!tables.has(columnTable)) {
        findings.add(
          file,
          `Report type ${name}: column table ${columnTable} is neither the base object nor a join`,
          SRC.reportType,
        );
        continue;
      }
      const object = tables.get(columnTable);
      if (object && !pathExists(objects, object, field))
        findings.add(file, `Report type ${name}: ${columnTable} has no field ${field}`, SRC.reportType);
    }
  }
  return { columns };
}

/** `Field__c`, or `Lookup__c.Field__c` through the lookup's target object (report types may add fields via lookups). */
function pathExists(objects: Map<string, ObjectInfo>, object: ObjectInfo, path: string): boolean {
  const [head = '', ...rest] = path.split('.');
  if (rest.length === 0) return object.fields.has(head) || STANDARD_FIELDS.has(head);
  const lookup = object.fields.get(head);
  const target = lookup?.referenceTo ? objects.get(lookup.referenceTo) : undefined;
  // A lookup to a standard object (User, Owner): its fields are the platform's.
  if (lookup?.referenceTo && !target) return true;
  return !!target && pathExists(objects, target, rest.join('.'));
}

function checkReport(file: string, xml: Xml, reportTypes: Map<string, ReportTypeInfo>, findings: Findings): void {
  const name = `${basename(dirname(file))}/${basename(file, '.report-meta.xml')}`;
  findings.limits(file, `Report ${name}`, xml, [
    { path: 'name', max: 40, source: SRC.report },
    { path: 'description', max: 255, source: SRC.report },
  ]);
  if (basename(file, '.report-meta.xml').length > 40)
    findings.add(file, `Report ${name}: developer name is longer than 40 characters`, SRC.report);
  const reportType = str(xml['reportType']) ?? '';
  // Custom report types are named `<DeveloperName>__c` in a report.
  const type = reportTypes.get(reportType.replace(/__c$/, ''));
  if (!reportType.endsWith('__c')) return; // a standard report type: its columns are the platform's
  if (!type) {
    findings.add(file, `Report ${name}: report type ${reportType} is not in the package`, SRC.report);
    return;
  }
  const used: Array<[string, string]> = [
    ...arr(xml['columns']).map((c): [string, string] => ['column', str(c['field']) ?? '']),
    ...arr(xml['groupingsDown']).map((g): [string, string] => ['grouping', str(g['field']) ?? '']),
    ...arr(xml['groupingsAcross']).map((g): [string, string] => ['grouping', str(g['field']) ?? '']),
    ...arr(get(xml, 'filter.criteriaItems')).map((c): [string, string] => ['filter', str(c['column']) ?? '']),
  ];
  const dateColumn = str(get(xml, 'timeFrameFilter.dateColumn'));
  if (dateColumn) used.push(['date filter', dateColumn]);
  for (const [role, column] of used) {
    if (!type.columns.has(column))
      findings.add(file, `Report ${name}: ${role} ${column} is not a column of report type ${reportType}`, SRC.report);
  }
  const format = str(xml['format']);
  if ((format === 'Summary' || format === 'Matrix') && arr(xml['groupingsDown']).length === 0)
    findings.add(file, `Report ${name}: a ${format} report needs groupingsDown`, SRC.report);
}

const DYNAMIC_DASHBOARD_TYPES = new Set(['LoggedInUser', 'MyTeamUser']);

function checkDashboard(file: string, xml: Xml, reports: Map<string, Xml>, findings: Findings): void {
  const name = `${basename(dirname(file))}/${basename(file, '.dashboard-meta.xml')}`;
  findings.limits(file, `Dashboard ${name}`, xml, [
    { path: 'title', max: 80, source: SRC.dashboard },
    { path: 'description', max: 255, source: SRC.dashboard },
  ]);
  const type = str(xml['dashboardType']) ?? 'SpecifiedUser';
  if (DYNAMIC_DASHBOARD_TYPES.has(type)) {
    findings.add(
      file,
      `Dashboard ${name}: dashboardType ${type} makes it a dynamic dashboard, which counts against the org's small cap and fails the install at it; use SpecifiedUser`,
      SRC.dynamicDashboards,
    );
  }
  // A username is unique across all of Salesforce: the subscriber org never has the one named here.
  if (str(xml['runningUser']))
    findings.add(
      file,
      `Dashboard ${name}: runningUser names a user of one org; leave it out so the deploying admin runs it`,
      SRC.dashboard,
    );
  const components = [
    ...arr(get(xml, 'dashboardGridLayout.dashboardGridComponents')).map((c) => c['dashboardComponent'] as Xml),
    ...['leftSection', 'middleSection', 'rightSection'].flatMap((s) => arr(get(xml, `${s}.components`))),
  ];
  for (const component of components) {
    const report = str(component['report']);
    if (!report) continue;
    if (!reports.has(report))
      findings.add(
        file,
        `Dashboard ${name}: component "${str(component['header']) ?? report}" shows report ${report}, which is not in the package`,
        SRC.dashboard,
      );
    const chartTypes = new Set([
      'Bar',
      'BarGrouped',
      'BarStacked',
      'BarStacked100',
      'Column',
      'ColumnGrouped',
      'ColumnStacked',
      'ColumnStacked100',
      'Donut',
      'Funnel',
      'Gauge',
      'Line',
      'Pie',
      'Scatter',
      'Metric',
    ]);
    const componentType = str(component['componentType']) ?? '';
    const reportXml = reports.get(report);
    if (
      chartTypes.has(componentType) &&
      reportXml &&
      arr(reportXml['groupingsDown']).length === 0 &&
      componentType !== 'Metric' &&
      componentType !== 'Gauge'
    ) {
      findings.add(
        file,
        `Dashboard ${name}: chart component on ${report} needs a report with groupings`,
        SRC.dashboard,
      );
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// Apex, project, everything else
// ---------------------------------------------------------------------------------------------------------------------

/** `Name = 'Standard User'` style lookups of a standard profile (translated names). */
const PROFILE_BY_NAME = /FROM\s+Profile\s+WHERE\s+(?:[\s\S]{0,80}?\b)?Name\s*(=|IN|LIKE)\s*/i;

function checkApexSource(file: string, text: string, findings: Findings): void {
  const match = PROFILE_BY_NAME.exec(text);
  if (match) {
    const line = text.slice(0, match.index).split('\n').length;
    findings.issues.push({
      tool: TOOL,
      file,
      line,
      message: `finds a profile by its Name, which is translated in orgs with another default language; find it by language-independent fields (${SRC.profileName})`,
    });
  }
}

function checkApiVersion(file: string, xml: Xml, sourceApiVersion: number | null, findings: Findings): void {
  const version = Number(str(xml['apiVersion']));
  if (!str(xml['apiVersion'])) {
    findings.add(file, 'apiVersion is required', SRC.apiVersion);
    return;
  }
  if (sourceApiVersion !== null && version > sourceApiVersion)
    findings.add(file, `apiVersion ${version} is newer than sourceApiVersion ${sourceApiVersion}`, SRC.apiVersion);
  // WITH USER_MODE / AccessLevel.USER_MODE, which every Loom entry point relies on, need API 57.0 or later.
  if (version < 57)
    findings.add(
      file,
      `apiVersion ${version} is older than 57.0, the first with user-mode database operations`,
      SRC.apiVersion,
    );
}

interface Project {
  file: string;
  json: {
    sourceApiVersion?: string;
    packageDirectories?: Array<{ path?: string; package?: string; dependencies?: Array<{ package?: string }> }>;
    packageAliases?: Record<string, string>;
  };
}

function checkProject(project: Project, findings: Findings): void {
  const aliases = project.json.packageAliases ?? {};
  for (const [alias, id] of Object.entries(aliases)) {
    const version = alias.includes('@');
    if (!(version ? /^04t[0-9A-Za-z]{15}$/ : /^0Ho[0-9A-Za-z]{15}$/).test(id)) {
      findings.add(
        project.file,
        `packageAliases.${alias} must be an 18-character ${version ? '04t package version' : '0Ho package'} ID (is ${id})`,
        SRC.packageAliases,
      );
    }
  }
  for (const directory of project.json.packageDirectories ?? []) {
    const named = [directory.package, ...(directory.dependencies ?? []).map((d) => d.package)].filter(
      (p): p is string => !!p,
    );
    for (const name of named) {
      if (!aliases[name] && !/^0Ho|^04t/.test(name)) {
        findings.add(
          project.file,
          `package ${name} (${directory.path}) has no entry in packageAliases, so "sf package version create" cannot run; create it with npm run sf:package`,
          SRC.packageAliases,
        );
      }
    }
  }
  if (!project.json.sourceApiVersion) findings.add(project.file, 'sourceApiVersion is required', SRC.apiVersion);
}

/** File suffix → metadata type; files of any other type are refused until rules for them exist. */
const KNOWN_SUFFIXES: Array<[RegExp, string]> = [
  [/\.object-meta\.xml$/, 'CustomObject'],
  [/\.field-meta\.xml$/, 'CustomField'],
  [/\.permissionset-meta\.xml$/, 'PermissionSet'],
  [/\.reportType-meta\.xml$/, 'ReportType'],
  [/\.report-meta\.xml$/, 'Report'],
  [/\.dashboard-meta\.xml$/, 'Dashboard'],
  [/\.(reportFolder|dashboardFolder)-meta\.xml$/, 'Folder'],
  [/\.cls-meta\.xml$/, 'ApexClass'],
  [/\.trigger-meta\.xml$/, 'ApexTrigger'],
  [/\.customPermission-meta\.xml$/, 'CustomPermission'],
  [/\.notiftype-meta\.xml$/, 'CustomNotificationType'],
  [/\.app-meta\.xml$/, 'CustomApplication'],
  [/\.tab-meta\.xml$/, 'CustomTab'],
  [/\.listView-meta\.xml$/, 'ListView'],
  [/\.layout-meta\.xml$/, 'Layout'],
  [/\.flexipage-meta\.xml$/, 'FlexiPage'],
  [/\.quickAction-meta\.xml$/, 'QuickAction'],
  [/\.flow-meta\.xml$/, 'Flow'],
  [/\.compactLayout-meta\.xml$/, 'CompactLayout'],
  [/\.js-meta\.xml$/, 'LightningComponentBundle'],
  [/\.md-meta\.xml$/, 'CustomMetadata'],
  [/\.namedCredential-meta\.xml$/, 'NamedCredential'],
  [/\.externalCredential-meta\.xml$/, 'ExternalCredential'],
  [/\.globalValueSet-meta\.xml$/, 'GlobalValueSet'],
  [/\.validationRule-meta\.xml$/, 'ValidationRule'],
  [/\.recordType-meta\.xml$/, 'RecordType'],
  [/\.permissionsetgroup-meta\.xml$/, 'PermissionSetGroup'],
  [/\.labels-meta\.xml$/, 'CustomLabels'],
  [/\.webLink-meta\.xml$/, 'WebLink'],
];

const LIGHTNING_LIMITS: Record<string, Limit[]> = {
  CustomApplication: [
    { path: 'label', max: 40, source: SRC.lightning },
    { path: 'description', max: 255, source: SRC.lightning },
  ],
  CustomTab: [
    { path: 'label', max: 40, source: SRC.lightning },
    { path: 'description', max: 255, source: SRC.lightning },
  ],
  ListView: [
    { path: 'label', max: 40, source: SRC.lightning },
    { path: 'fullName', max: 40, source: SRC.lightning },
  ],
  QuickAction: [
    { path: 'label', max: 80, source: SRC.lightning },
    { path: 'description', max: 255, source: SRC.lightning },
  ],
  FlexiPage: [
    { path: 'masterLabel', max: 80, source: SRC.lightning },
    { path: 'description', max: 255, source: SRC.lightning },
  ],
  Flow: [
    { path: 'label', max: 80, source: SRC.lightning },
    { path: 'description', max: 2000, source: SRC.lightning },
  ],
  CompactLayout: [{ path: 'label', max: 40, source: SRC.lightning }],
  CustomPermission: [
    { path: 'label', max: 80, source: SRC.customPermission },
    { path: 'description', max: 255, source: SRC.customPermission },
  ],
  CustomNotificationType: [
    { path: 'masterLabel', max: 80, source: SRC.notificationType },
    { path: 'customNotifTypeName', max: 80, source: SRC.notificationType },
    { path: 'description', max: 255, source: SRC.notificationType },
  ],
  Folder: [{ path: 'name', max: 40, source: SRC.folders }],
  ValidationRule: [{ path: 'errorMessage', max: 255, source: SRC.validationRule }],
  PermissionSetGroup: [
    { path: 'label', max: 80, source: SRC.permissionSet },
    { path: 'description', max: 255, source: SRC.permissionSet },
  ],
};

export interface RulesInput {
  /** The package directory (force-app). */
  packageRoot: string;
  /** sfdx-project.json, when the project rules should run too. */
  projectFile?: string;
}

/** Every org rule over a package directory (and its sfdx-project.json). */
export function checkMetadataRules(input: RulesInput): CheckIssue[] {
  const findings = new Findings();
  const files = walk(input.packageRoot);
  const parsed = new Map<string, Xml>();
  const root = (file: string): Xml => {
    let xml = parsed.get(file);
    if (!xml) {
      const document = parser.parse(readFileSync(file, 'utf8')) as Xml;
      const key = Object.keys(document).find((k) => k !== '?xml') ?? '';
      xml = (document[key] as Xml | undefined) ?? {};
      parsed.set(file, xml);
    }
    return xml;
  };
  let sourceApiVersion: number | null = null;
  if (input.projectFile) {
    const project: Project = {
      file: input.projectFile,
      json: JSON.parse(readFileSync(input.projectFile, 'utf8')) as Project['json'],
    };
    sourceApiVersion = project.json.sourceApiVersion ? Number(project.json.sourceApiVersion) : null;
    checkProject(project, findings);
  }

  // Objects first: everything else refers to them.
  const objects = new Map<string, ObjectInfo>();
  for (const file of files.filter((f) => f.endsWith('.object-meta.xml'))) {
    const name = basename(file, '.object-meta.xml');
    const xml = root(file);
    checkObject(file, xml, findings);
    const kind: ObjectInfo['kind'] = name.endsWith('__e') ? 'event' : xml['customSettingsType'] ? 'setting' : 'custom';
    objects.set(name, { name, kind, fields: new Map(), children: new Map() });
  }
  for (const file of files.filter((f) => f.endsWith('.field-meta.xml'))) {
    const objectName = basename(dirname(dirname(file)));
    const object = objects.get(objectName);
    const field = checkField(file, root(file), objectName, object?.kind ?? 'custom', findings);
    object?.fields.set(field.name, field);
  }
  for (const object of objects.values()) {
    for (const field of object.fields.values()) {
      if (field.referenceTo && field.relationshipName)
        objects.get(field.referenceTo)?.children.set(`${field.relationshipName}__r`, object.name);
    }
  }

  const reportTypes = new Map<string, ReportTypeInfo>();
  for (const file of files.filter((f) => f.endsWith('.reportType-meta.xml')))
    reportTypes.set(basename(file, '.reportType-meta.xml'), checkReportType(file, root(file), objects, findings));
  const reports = new Map<string, Xml>();
  for (const file of files.filter((f) => f.endsWith('.report-meta.xml'))) {
    checkReport(file, root(file), reportTypes, findings);
    reports.set(`${basename(dirname(file))}/${basename(file, '.report-meta.xml')}`, root(file));
  }

  for (const file of files) {
    if (file.endsWith('.cls') || file.endsWith('.trigger')) {
      checkApexSource(file, readFileSync(file, 'utf8'), findings);
      continue;
    }
    if (!file.endsWith('-meta.xml')) continue;
    const type = KNOWN_SUFFIXES.find(([pattern]) => pattern.test(file))?.[1];
    if (!type) {
      findings.add(
        file,
        `no org rules exist for this metadata type; add them to scripts/sf/checks/metadata-rules.ts before shipping it`,
        'package policy',
      );
      continue;
    }
    const xml = root(file);
    if (type === 'PermissionSet') checkPermissionSet(file, xml, objects, findings);
    else if (type === 'Dashboard') checkDashboard(file, xml, reports, findings);
    else if (type === 'ApexClass' || type === 'ApexTrigger' || type === 'LightningComponentBundle')
      checkApiVersion(file, xml, sourceApiVersion, findings);
    else if (type === 'Flow') findings.limits(file, `Flow ${basename(file)}`, xml, LIGHTNING_LIMITS['Flow'] ?? []);
    else if (type === 'GlobalValueSet')
      checkValues(
        file,
        `Global value set ${basename(file, '.globalValueSet-meta.xml')}`,
        arr(xml['customValue']),
        findings,
      );
    const limits = LIGHTNING_LIMITS[type];
    if (limits && type !== 'Flow') findings.limits(file, `${type} ${basename(file).replace(/\..*$/, '')}`, xml, limits);
  }
  return findings.issues;
}
