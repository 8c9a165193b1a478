/**
 * Metadata checks that source-deploy-retrieve misses: strict XML well-formedness (SDR "repairs" mismatched tags),
 * Apex files without their -meta.xml (SDR silently drops them), and the SDR conversion itself.
 */
import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { XMLValidator } from 'fast-xml-parser';
import { ComponentSet, MetadataConverter } from '@salesforce/source-deploy-retrieve';
import type { CheckIssue } from './types.ts';

function walk(root: string, keep: (name: string) => boolean): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(root)) {
    const path = join(root, entry);
    if (statSync(path).isDirectory()) found.push(...walk(path, keep));
    else if (keep(entry)) found.push(path);
  }
  return found.sort();
}

/** Every *-meta.xml must be well-formed XML with the Metadata API namespace on its root element. */
export function checkXmlWellFormed(root: string): CheckIssue[] {
  const issues: CheckIssue[] = [];
  for (const file of walk(root, (n) => n.endsWith('-meta.xml'))) {
    const text = readFileSync(file, 'utf8');
    const result = XMLValidator.validate(text);
    if (result !== true) {
      issues.push({ tool: 'xml', file, line: result.err.line, message: result.err.msg });
    } else if (!/<\w+ xmlns="http:\/\/soap\.sforce\.com\/2006\/04\/metadata"/.test(text)) {
      issues.push({ tool: 'xml', file, message: 'root element lacks xmlns="http://soap.sforce.com/2006/04/metadata"' });
    }
  }
  return issues;
}

/** Every .cls/.trigger needs its -meta.xml, and every class meta needs its source. */
export function checkApexMetaPairs(root: string): CheckIssue[] {
  const issues: CheckIssue[] = [];
  for (const file of walk(root, (n) => n.endsWith('.cls') || n.endsWith('.trigger'))) {
    if (!existsSync(`${file}-meta.xml`))
      issues.push({
        tool: 'apex-meta',
        file,
        message: 'missing -meta.xml (the class would be silently dropped from the deployment)',
      });
  }
  for (const meta of walk(root, (n) => n.endsWith('.cls-meta.xml') || n.endsWith('.trigger-meta.xml'))) {
    if (!existsSync(meta.replace(/-meta\.xml$/, '')))
      issues.push({ tool: 'apex-meta', file: meta, message: 'metadata file without its Apex source' });
  }
  return issues;
}

export interface Conversion {
  /** `Type:FullName` of every top-level and child component, sorted. */
  components: string[];
  packageXml: string;
  zipBytes: number;
}

/** Resolve and convert the package to Metadata API format the way `sf project deploy` does. */
export async function convertWithSdr(root: string, apiVersion = '62.0'): Promise<Conversion> {
  const set = ComponentSet.fromSource(root);
  set.sourceApiVersion = apiVersion;
  const components: string[] = [];
  for (const component of set.getSourceComponents()) {
    components.push(`${component.type.name}:${component.fullName}`);
    for (const child of component.getChildren()) components.push(`${child.type.name}:${child.fullName}`);
  }
  const result = await new MetadataConverter().convert(set, 'metadata', { type: 'zip' });
  if (!result.zipBuffer) throw new Error('SDR produced no zip');
  return { components: components.sort(), packageXml: await set.getPackageXml(), zipBytes: result.zipBuffer.length };
}
