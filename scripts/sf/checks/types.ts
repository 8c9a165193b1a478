/** One problem found by a package check. */
export interface CheckIssue {
  tool: string;
  file: string;
  line?: number;
  message: string;
}

/** `file:line [tool] message`, the form every check prints. */
export function formatIssue(issue: CheckIssue): string {
  return `${issue.file}${issue.line === undefined ? '' : `:${issue.line}`} [${issue.tool}] ${issue.message}`;
}
