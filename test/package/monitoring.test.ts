import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { convertWithSdr } from '../../scripts/sf/checks/metadata-checks.ts';
import { readForceAppMetadata } from '../../scripts/sf/lib/metadata.ts';
import { FORCE_APP } from './support.ts';

const MONITORING = join(FORCE_APP, 'main/monitoring');
const parser = new XMLParser({
  isArray: (name) =>
    ['sections', 'columns', 'criteriaItems', 'groupingsDown', 'dashboardGridComponents'].includes(name),
});
const read = (path: string) => parser.parse(readFileSync(path, 'utf8'));
const objects = readForceAppMetadata(FORCE_APP);

interface Column {
  field: string;
  table: string;
}
interface ReportTypeXml {
  ReportType: { baseObject: string; join?: { relationship: string }; sections: Array<{ columns: Column[] }> };
}

/** Report columns as reports name them: `Base$Field` or `Base.Child__r$Field`, from the report type sections. */
function reportTypeColumns(name: string): Set<string> {
  const xml = read(join(MONITORING, `reportTypes/${name}.reportType-meta.xml`)) as ReportTypeXml;
  return new Set(xml.ReportType.sections.flatMap((s) => s.columns.map((c) => `${c.table}$${c.field}`)));
}

function fieldExists(table: string, field: string): boolean {
  const base = table.split('.')[0] ?? '';
  const child = table.split('.')[1];
  let objectName = base;
  if (child) {
    const owner = objects.find((o) =>
      o.fields.some((f) => f.referenceTo === base && `${f.relationshipName}__r` === child),
    );
    objectName = owner?.name ?? '';
  }
  const object = objects.find((o) => o.name === objectName);
  // `Lookup__c.Field__c`: a field of the record the lookup points to.
  const [head = '', ...rest] = field.split('.');
  if (rest.length > 0) {
    const lookup = object?.fields.find((f) => f.name === head && f.referenceTo);
    return !!lookup && fieldExists(lookup.referenceTo ?? '', rest.join('.'));
  }
  return !!object && (['Name', 'CreatedDate', 'Id'].includes(field) || object.fields.some((f) => f.name === field));
}

const reportFiles = readdirSync(join(MONITORING, 'reports/Loom')).filter((f) => f.endsWith('.report-meta.xml'));

describe('report types, reports and dashboard', () => {
  it('report types only offer fields that exist on their objects', () => {
    for (const name of ['Loom_Execution_Steps', 'Loom_Pending_Actions']) {
      const missing = [...reportTypeColumns(name)].filter(
        (c) => !fieldExists(c.split('$')[0] ?? '', c.split('$')[1] ?? ''),
      );
      expect(missing, name).toEqual([]);
    }
  });

  it('the Loom folder holds the nine monitoring reports', () => {
    expect(reportFiles.map((f) => f.replace('.report-meta.xml', '')).sort()).toEqual([
      'Loom_Decision_Turnaround_By_Approver',
      'Loom_Failed_Steps_By_Error_Category',
      'Loom_HITL_Decisions',
      'Loom_HITL_Outcomes_By_Agent',
      'Loom_Pending_Actions_Waiting',
      'Loom_Prompt_Safety_Detections',
      'Loom_Slowest_LLM_Calls',
      'Loom_Token_Cost_By_Agent_Per_Day',
      'Loom_Token_Cost_By_User_Per_Day',
    ]);
  });

  it('admins get what they ask for: waiting actions and their age, turnaround by approver, outcomes by agent', () => {
    const report = (name: string) => read(join(MONITORING, `reports/Loom/${name}.report-meta.xml`)).Report;
    const waiting = report('Loom_Pending_Actions_Waiting');
    expect(waiting.filter.criteriaItems[0]).toMatchObject({
      column: 'PendingHITLAction__c$Status__c',
      operator: 'equals',
      value: 'Pending,Confirmed',
    });
    expect(waiting.columns.map((c: { field: string }) => c.field)).toContain('PendingHITLAction__c$WaitingHours__c');
    const turnaround = report('Loom_Decision_Turnaround_By_Approver');
    expect(turnaround.groupingsDown.map((g: { field: string }) => g.field)).toEqual([
      'PendingHITLAction__c$ResolvedBy__c',
    ]);
    expect(turnaround.columns[0]).toMatchObject({
      field: 'PendingHITLAction__c$DecisionHours__c',
      aggregateTypes: ['Average', 'Maximum'],
    });
    const outcomes = report('Loom_HITL_Outcomes_By_Agent');
    expect(outcomes.groupingsDown.map((g: { field: string }) => g.field)).toEqual([
      'PendingHITLAction__c$AgentExecution__c.AIAgentDefinition__c',
      'PendingHITLAction__c$Status__c',
    ]);
    // The age is a formula of the still-waiting statuses, so decided actions do not count as waiting.
    const formula = readFileSync(
      join(FORCE_APP, 'main/approvals/objects/PendingHITLAction__c/fields/WaitingHours__c.field-meta.xml'),
      'utf8',
    );
    expect(formula).toMatch(
      /ISPICKVAL\(Status__c, &quot;Pending&quot;\).*ISPICKVAL\(Status__c, &quot;Confirmed&quot;\).*NOW\(\) - RequestedAt__c/,
    );
  });

  it('every report uses a Loom report type and only its columns, as a summary with groupings', () => {
    for (const file of reportFiles) {
      const report = read(join(MONITORING, 'reports/Loom', file)).Report;
      const columns = reportTypeColumns(String(report.reportType).replace(/__c$/, ''));
      const used = [
        ...report.columns.map((c: { field: string }) => c.field),
        ...(report.groupingsDown ?? []).map((g: { field: string }) => g.field),
        ...(report.filter?.criteriaItems ?? []).map((c: { column: string }) => c.column),
        report.timeFrameFilter.dateColumn,
        ...(report.sortColumn ? [report.sortColumn] : []),
      ];
      expect(
        used.filter((c: string) => !columns.has(c)),
        file,
      ).toEqual([]);
      expect(report.format, file).toBe('Summary');
      expect(report.groupingsDown.length, file).toBeGreaterThan(0);
    }
  });

  it('cost reports aggregate per day', () => {
    for (const file of ['Loom_Token_Cost_By_Agent_Per_Day', 'Loom_Token_Cost_By_User_Per_Day']) {
      const report = read(join(MONITORING, `reports/Loom/${file}.report-meta.xml`)).Report;
      expect(report.groupingsDown.some((g: { dateGranularity?: string }) => g.dateGranularity === 'Day')).toBe(true);
      expect(
        report.columns.some(
          (c: { aggregateTypes?: string; field: string }) =>
            c.aggregateTypes === 'Sum' && c.field.endsWith('EstimatedCostUSD__c'),
        ),
      ).toBe(true);
    }
  });

  it('the dashboard runs as a specified user (not dynamic), names no user and shows existing Loom reports', () => {
    const text = readFileSync(
      join(MONITORING, 'dashboards/Loom_Dashboards/Loom_Operations.dashboard-meta.xml'),
      'utf8',
    );
    const dashboard = parser.parse(text).Dashboard;
    expect(dashboard.dashboardType).toBe('SpecifiedUser');
    expect(text).not.toMatch(/<runningUser>|@/);
    const components = dashboard.dashboardGridLayout.dashboardGridComponents.map(
      (c: { dashboardComponent: { report: string; componentType: string } }) => c.dashboardComponent,
    );
    const reports = components.map((c: { report: string }) => c.report);
    expect(reports.sort()).toEqual(reportFiles.map((f) => `Loom/${f.replace('.report-meta.xml', '')}`).sort());
    // Charts, not only tables: the lists (waiting actions, slowest calls) stay tables.
    const types = components.map((c: { componentType: string }) => c.componentType);
    expect(types.filter((t: string) => t === 'Table')).toHaveLength(2);
    expect(types.filter((t: string) => t !== 'Table').length).toBeGreaterThanOrEqual(6);
  });

  it('SDR sees the folder, report types, reports and dashboard', async () => {
    const { components } = await convertWithSdr(FORCE_APP);
    expect(components).toEqual(
      expect.arrayContaining([
        'ReportFolder:Loom',
        'ReportType:Loom_Execution_Steps',
        'ReportType:Loom_Pending_Actions',
        'Report:Loom/Loom_HITL_Decisions',
        'DashboardFolder:Loom_Dashboards',
        'Dashboard:Loom_Dashboards/Loom_Operations',
      ]),
    );
  });
});
