/**
 * Cross-references of the Lightning metadata that source-deploy-retrieve converts without reading: a deployment (or a
 * page at run time) fails on each of these, offline tools do not.
 * - LWC: every `@salesforce/label/c.X` import names a custom label, every `@salesforce/apex/Class.method` an
 *   `@AuraEnabled` static method of a class some permission set grants, templates carry no hard-coded text.
 * - FlexiPages, the app, tabs, quick actions, layouts, list views and permission sets name things that exist.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import type { CheckIssue } from './types.ts';

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseTagValue: false,
  trimValues: true,
});
type Xml = Record<string, unknown>;

function walk(root: string, keep: (path: string) => boolean): string[] {
  const found: string[] = [];
  if (!existsSync(root)) return found;
  for (const entry of readdirSync(root)) {
    const path = join(root, entry);
    if (statSync(path).isDirectory()) found.push(...walk(path, keep));
    else if (keep(path)) found.push(path);
  }
  return found.sort();
}

const list = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];
const text = (value: unknown): string => (typeof value === 'string' ? value : '');
const read = (file: string): Xml => parser.parse(readFileSync(file, 'utf8')) as Xml;
const nameOf = (file: string, suffix: string): string => basename(file).slice(0, -suffix.length);

/** Page type → the LWC target a component needs to be placed on it (Lightning App Builder, "Configure Components"). */
const PAGE_TARGETS: Record<string, string> = {
  RecordPage: 'lightning__RecordPage',
  AppPage: 'lightning__AppPage',
  HomePage: 'lightning__HomePage',
  UtilityBar: 'lightning__UtilityBar',
};

/** Fields every custom object has that layouts and list views may name (list views use their column names). */
const STANDARD_FIELDS = new Set([
  'Name',
  'OwnerId',
  'CreatedById',
  'LastModifiedById',
  'CreatedDate',
  'LastModifiedDate',
]);
const LIST_VIEW_COLUMNS = new Set([
  'NAME',
  'CREATED_DATE',
  'LAST_UPDATE',
  'OWNER.ALIAS',
  'OWNER.FIRST_NAME',
  'OWNER.LAST_NAME',
  'UPDATEDBY_USER',
  'CREATEDBY_USER',
]);

interface Bundle {
  name: string;
  exposed: boolean;
  targets: Set<string>;
  /** Target → objects its targetConfig restricts it to (absent: any object). */
  objects: Map<string, Set<string>>;
}

interface Inventory {
  labels: Set<string>;
  bundles: Map<string, Bundle>;
  /** Apex class name → its source. */
  classes: Map<string, string>;
  /** Object → its fields (custom fields in the package plus the standard ones). */
  objects: Map<string, Set<string>>;
  /** Child object → lookup/master-detail field → parent object. */
  references: Map<string, Map<string, string>>;
  flexiPages: Map<string, { type: string; sobjectType: string }>;
  tabs: Set<string>;
  apps: Set<string>;
  quickActions: Set<string>;
  grantedClasses: Set<string>;
}

function inventory(root: string): Inventory {
  const inv: Inventory = {
    labels: new Set(),
    bundles: new Map(),
    classes: new Map(),
    objects: new Map(),
    references: new Map(),
    flexiPages: new Map(),
    tabs: new Set(),
    apps: new Set(),
    quickActions: new Set(),
    grantedClasses: new Set(),
  };
  for (const file of walk(root, (p) => p.endsWith('.labels-meta.xml'))) {
    const labels = (read(file)['CustomLabels'] as Xml | undefined)?.['labels'] as Xml | Xml[] | undefined;
    for (const label of list(labels)) inv.labels.add(text(label['fullName']));
  }
  for (const file of walk(root, (p) => p.endsWith('.js-meta.xml') && basename(dirname(dirname(p))) === 'lwc')) {
    const meta = read(file)['LightningComponentBundle'] as Xml;
    const targets = new Set(list((meta['targets'] as Xml | undefined)?.['target'] as string | string[] | undefined));
    const objects = new Map<string, Set<string>>();
    for (const config of list(
      (meta['targetConfigs'] as Xml | undefined)?.['targetConfig'] as Xml | Xml[] | undefined,
    )) {
      const restricted = list((config['objects'] as Xml | undefined)?.['object'] as string | string[] | undefined);
      if (restricted.length === 0) continue;
      for (const target of text(config['@targets']).split(',')) objects.set(target.trim(), new Set(restricted));
    }
    inv.bundles.set(nameOf(file, '.js-meta.xml'), {
      name: nameOf(file, '.js-meta.xml'),
      exposed: text(meta['isExposed']) === 'true',
      targets,
      objects,
    });
  }
  for (const file of walk(root, (p) => p.endsWith('.cls')))
    inv.classes.set(nameOf(file, '.cls'), readFileSync(file, 'utf8'));
  for (const file of walk(root, (p) => p.endsWith('.object-meta.xml'))) {
    const object = nameOf(file, '.object-meta.xml');
    const fields = new Set(STANDARD_FIELDS);
    const references = new Map<string, string>();
    for (const fieldFile of walk(join(dirname(file), 'fields'), (p) => p.endsWith('.field-meta.xml'))) {
      const field = read(fieldFile)['CustomField'] as Xml;
      fields.add(text(field['fullName']));
      if (field['referenceTo']) references.set(text(field['fullName']), text(field['referenceTo']));
    }
    inv.objects.set(object, fields);
    inv.references.set(object, references);
  }
  for (const file of walk(root, (p) => p.endsWith('.flexipage-meta.xml'))) {
    const page = read(file)['FlexiPage'] as Xml;
    inv.flexiPages.set(nameOf(file, '.flexipage-meta.xml'), {
      type: text(page['type']),
      sobjectType: text(page['sobjectType']),
    });
  }
  for (const file of walk(root, (p) => p.endsWith('.tab-meta.xml'))) inv.tabs.add(nameOf(file, '.tab-meta.xml'));
  for (const file of walk(root, (p) => p.endsWith('.app-meta.xml'))) inv.apps.add(nameOf(file, '.app-meta.xml'));
  for (const file of walk(root, (p) => p.endsWith('.quickAction-meta.xml')))
    inv.quickActions.add(nameOf(file, '.quickAction-meta.xml'));
  for (const file of walk(root, (p) => p.endsWith('.permissionset-meta.xml'))) {
    for (const access of list((read(file)['PermissionSet'] as Xml)['classAccesses'] as Xml | Xml[] | undefined)) {
      if (text(access['enabled']) === 'true') inv.grantedClasses.add(text(access['apexClass']));
    }
  }
  return inv;
}

/** `@AuraEnabled` static methods of an Apex class, by name (comments removed first). */
function auraMethods(source: string): Set<string> {
  const clean = source.replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
  const methods = new Set<string>();
  for (const match of clean.matchAll(
    /@AuraEnabled\b(?:\s*\([^)]*\))?\s+(?:public|global)\s+static\s+[\w<>,\s.]+?\s+(\w+)\s*\(/gi,
  ))
    methods.add(match[1]!);
  return methods;
}

/** Attributes whose value a person reads; in a template they must be bound to a label, not typed in. */
const READ_ATTRIBUTES = [
  'label',
  'title',
  'alternative-text',
  'placeholder',
  'aria-label',
  'message-when-value-missing',
];

function checkComponents(root: string, inv: Inventory): CheckIssue[] {
  const issues: CheckIssue[] = [];
  const used = new Set<string>();
  for (const file of walk(root, (p) => p.endsWith('.js') && p.includes('/lwc/'))) {
    const source = readFileSync(file, 'utf8');
    for (const match of source.matchAll(/from\s+'@salesforce\/label\/c\.(\w+)'/g)) {
      used.add(match[1]!);
      if (!inv.labels.has(match[1]!))
        issues.push({ tool: 'lightning', file, message: `custom label ${match[1]} does not exist` });
    }
    for (const match of source.matchAll(/from\s+'@salesforce\/apex\/(\w+)\.(\w+)'/g)) {
      const [, className, method] = match as unknown as [string, string, string];
      const classSource = inv.classes.get(className);
      if (!classSource) issues.push({ tool: 'lightning', file, message: `Apex class ${className} does not exist` });
      else if (!auraMethods(classSource).has(method))
        issues.push({
          tool: 'lightning',
          file,
          message: `${className}.${method} is not an @AuraEnabled static method`,
        });
      else if (!inv.grantedClasses.has(className))
        issues.push({ tool: 'lightning', file, message: `no permission set grants access to ${className}` });
    }
  }
  for (const label of inv.labels) {
    if (!used.has(label))
      issues.push({
        tool: 'lightning',
        file: join(root, 'labels'),
        message: `custom label ${label} is not used by any component`,
      });
  }
  for (const file of walk(root, (p) => p.endsWith('.html') && p.includes('/lwc/'))) {
    const template = readFileSync(file, 'utf8').replace(/<!--[\s\S]*?-->/g, '');
    for (const match of template.matchAll(/>([^<]+)</g)) {
      const literal = match[1]!.replace(/\{[^}]*\}/g, '').trim();
      if (literal)
        issues.push({
          tool: 'lightning',
          file,
          message: `hard-coded text "${literal.slice(0, 40)}" (use a custom label)`,
        });
    }
    for (const attribute of READ_ATTRIBUTES) {
      for (const match of template.matchAll(new RegExp(`\\s${attribute}="([^"]*)"`, 'g'))) {
        if (match[1] && !/^\{[^}]+\}$/.test(match[1]))
          issues.push({
            tool: 'lightning',
            file,
            message: `${attribute}="${match[1]}" is hard-coded (bind it to a custom label)`,
          });
      }
    }
  }
  return issues;
}

function checkPages(root: string, inv: Inventory): CheckIssue[] {
  const issues: CheckIssue[] = [];
  for (const file of walk(root, (p) => p.endsWith('.flexipage-meta.xml'))) {
    const page = read(file)['FlexiPage'] as Xml;
    const target = PAGE_TARGETS[text(page['type'])];
    const sobjectType = text(page['sobjectType']);
    if (sobjectType && !inv.objects.has(sobjectType))
      issues.push({ tool: 'lightning', file, message: `sobjectType ${sobjectType} is not in the package` });
    for (const region of list(page['flexiPageRegions'] as Xml | Xml[] | undefined)) {
      for (const item of list(region['itemInstances'] as Xml | Xml[] | undefined)) {
        const component = text((item['componentInstance'] as Xml | undefined)?.['componentName']);
        if (!component || component.includes(':')) continue; // a standard component (force:, flexipage:, …)
        const bundle = inv.bundles.get(component);
        if (!bundle) issues.push({ tool: 'lightning', file, message: `component ${component} is not in the package` });
        else if (!bundle.exposed || !target || !bundle.targets.has(target))
          issues.push({
            tool: 'lightning',
            file,
            message: `component ${component} is not exposed to ${target ?? text(page['type'])}`,
          });
        else if (sobjectType && bundle.objects.get(target) && !bundle.objects.get(target)!.has(sobjectType)) {
          issues.push({
            tool: 'lightning',
            file,
            message: `component ${component} is not configured for ${sobjectType}`,
          });
        }
      }
    }
  }
  for (const file of walk(root, (p) => p.endsWith('.app-meta.xml'))) {
    const app = read(file)['CustomApplication'] as Xml;
    for (const tab of list(app['tabs'] as string | string[] | undefined)) {
      if (!tab.startsWith('standard-') && !inv.tabs.has(tab))
        issues.push({ tool: 'lightning', file, message: `tab ${tab} does not exist` });
    }
    const utilityBar = text(app['utilityBar']);
    if (utilityBar && inv.flexiPages.get(utilityBar)?.type !== 'UtilityBar')
      issues.push({ tool: 'lightning', file, message: `utility bar ${utilityBar} is not a UtilityBar FlexiPage` });
    for (const override of list(app['actionOverrides'] as Xml | Xml[] | undefined)) {
      const page = inv.flexiPages.get(text(override['content']));
      if (text(override['type']) === 'Flexipage' && page?.sobjectType !== text(override['pageOrSobjectType'])) {
        issues.push({
          tool: 'lightning',
          file,
          message: `action override ${text(override['content'])} is not a record page of ${text(override['pageOrSobjectType'])}`,
        });
      }
    }
  }
  for (const file of walk(root, (p) => p.endsWith('.tab-meta.xml'))) {
    const tab = read(file)['CustomTab'] as Xml;
    const name = nameOf(file, '.tab-meta.xml');
    if (text(tab['customObject']) === 'true' && !inv.objects.has(name))
      issues.push({ tool: 'lightning', file, message: `object ${name} is not in the package` });
    const flexiPage = text(tab['flexiPage']);
    if (flexiPage && inv.flexiPages.get(flexiPage)?.type !== 'AppPage')
      issues.push({ tool: 'lightning', file, message: `${flexiPage} is not an App Page` });
  }
  for (const file of walk(root, (p) => p.endsWith('.quickAction-meta.xml'))) {
    const action = read(file)['QuickAction'] as Xml;
    const object = nameOf(file, '.quickAction-meta.xml').split('.')[0]!;
    const component = text(action['lightningWebComponent']);
    if (!component) continue;
    const bundle = inv.bundles.get(component);
    const objects = bundle?.objects.get('lightning__RecordAction');
    if (!bundle?.targets.has('lightning__RecordAction') || (objects && !objects.has(object))) {
      issues.push({ tool: 'lightning', file, message: `component ${component} is not a record action for ${object}` });
    }
  }
  return issues;
}

function checkObjectsAndAccess(root: string, inv: Inventory): CheckIssue[] {
  const issues: CheckIssue[] = [];
  for (const file of walk(root, (p) => p.endsWith('.layout-meta.xml'))) {
    const object = nameOf(file, '.layout-meta.xml').split('-')[0]!;
    const fields = inv.objects.get(object);
    if (!fields) {
      issues.push({ tool: 'lightning', file, message: `object ${object} is not in the package` });
      continue;
    }
    const layout = read(file)['Layout'] as Xml;
    for (const section of list(layout['layoutSections'] as Xml | Xml[] | undefined)) {
      for (const column of list(section['layoutColumns'] as Xml | Xml[] | undefined | string)) {
        if (typeof column === 'string') continue;
        for (const item of list(column['layoutItems'] as Xml | Xml[] | undefined)) {
          if (!fields.has(text(item['field'])))
            issues.push({ tool: 'lightning', file, message: `field ${text(item['field'])} is not on ${object}` });
        }
      }
    }
    for (const related of list(layout['relatedLists'] as Xml | Xml[] | undefined)) {
      const [child, field] = text(related['relatedList']).split('.');
      if (inv.references.get(child ?? '')?.get(field ?? '') !== object)
        issues.push({
          tool: 'lightning',
          file,
          message: `related list ${text(related['relatedList'])} does not point at ${object}`,
        });
    }
    for (const actions of list(layout['platformActionList'] as Xml | Xml[] | undefined)) {
      for (const item of list(actions['platformActionListItems'] as Xml | Xml[] | undefined)) {
        if (text(item['actionType']) === 'QuickAction' && !inv.quickActions.has(text(item['actionName'])))
          issues.push({ tool: 'lightning', file, message: `quick action ${text(item['actionName'])} does not exist` });
      }
    }
  }
  for (const file of walk(root, (p) => p.endsWith('.listView-meta.xml'))) {
    const object = basename(dirname(dirname(file)));
    const fields = inv.objects.get(object) ?? new Set<string>();
    const view = read(file)['ListView'] as Xml;
    const named = [
      ...list(view['columns'] as string | string[] | undefined),
      ...list(view['filters'] as Xml | Xml[] | undefined).map((filter) => text(filter['field'])),
    ];
    for (const field of named) {
      if (!fields.has(field) && !LIST_VIEW_COLUMNS.has(field))
        issues.push({ tool: 'lightning', file, message: `field ${field} is not on ${object}` });
    }
  }
  for (const file of walk(root, (p) => p.endsWith('.permissionset-meta.xml'))) {
    const set = read(file)['PermissionSet'] as Xml;
    for (const tab of list(set['tabSettings'] as Xml | Xml[] | undefined)) {
      if (!inv.tabs.has(text(tab['tab'])))
        issues.push({ tool: 'lightning', file, message: `tab ${text(tab['tab'])} does not exist` });
    }
    for (const app of list(set['applicationVisibilities'] as Xml | Xml[] | undefined)) {
      if (!inv.apps.has(text(app['application'])))
        issues.push({ tool: 'lightning', file, message: `application ${text(app['application'])} does not exist` });
    }
    for (const access of list(set['classAccesses'] as Xml | Xml[] | undefined)) {
      if (!inv.classes.has(text(access['apexClass'])))
        issues.push({ tool: 'lightning', file, message: `Apex class ${text(access['apexClass'])} does not exist` });
    }
  }
  return issues;
}

/** Every Lightning cross-reference under root (force-app). */
export function checkLightning(root: string): CheckIssue[] {
  const inv = inventory(root);
  return [...checkComponents(root, inv), ...checkPages(root, inv), ...checkObjectsAndAccess(root, inv)];
}
