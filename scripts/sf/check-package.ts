/**
 * Runs every package check outside vitest and prints the findings: metadata XML, Apex/meta pairs, one test class per
 * class, Lightning cross-references, the org rules (limits and cross-references a deploy or install enforces), SDR
 * conversion, the Salesforce Apex parser, inline SOQL fields, PMD and apex-ls. Exit 1 on any finding.
 * Run: npm run check:package
 */
import { fileURLToPath } from 'node:url';
import { checkApexTestClasses, findApexFiles, parseApex, runApexLs, runPmd } from './checks/apex-tools.ts';
import { checkInlineSoql } from './checks/inline-soql.ts';
import { checkLightning } from './checks/lightning-checks.ts';
import { checkApexMetaPairs, checkXmlWellFormed, convertWithSdr } from './checks/metadata-checks.ts';
import { checkMetadataRules } from './checks/metadata-rules.ts';
import { formatIssue, type CheckIssue } from './checks/types.ts';
import { readForceAppMetadata } from './lib/metadata.ts';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const forceApp = `${repoRoot}force-app`;

async function main(): Promise<void> {
  const files = findApexFiles(forceApp);
  const issues: CheckIssue[] = [
    ...checkXmlWellFormed(forceApp),
    ...checkApexMetaPairs(forceApp),
    ...checkApexTestClasses(forceApp),
    ...checkLightning(forceApp),
    ...checkMetadataRules({ packageRoot: forceApp, projectFile: `${repoRoot}sfdx-project.json` }),
  ];
  const conversion = await convertWithSdr(forceApp);
  console.log(`SDR: ${conversion.components.length} components converted`);
  issues.push(...(await parseApex(files)), ...checkInlineSoql(files, readForceAppMetadata(forceApp)));
  const [pmd, apexLs] = await Promise.all([runPmd([forceApp]), runApexLs(repoRoot)]);
  issues.push(...pmd.issues, ...apexLs.issues);
  for (const issue of issues) console.log(formatIssue(issue));
  console.log(
    issues.length === 0 ? `All package checks passed (${files.length} Apex files).` : `${issues.length} problem(s).`,
  );
  process.exit(issues.length === 0 ? 0 : 1);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
