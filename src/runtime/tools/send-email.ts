/**
 * The `SendEmail` standard action: the model names recipients, subject and body; the email goes out through the
 * standard `emailSimple` invocable action AS THE USER. The admin may restrict recipient domains; refused recipients
 * are named to the model and nothing is sent (no partial sends).
 */
import { z } from 'zod';
import type { ToolDefinition, ToolOutcome } from '../ports.ts';
import type { ToolContext } from './tool-context.ts';

const domain = z
  .string()
  .regex(
    /^(?=.{1,253}$)(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$/,
    'must be a domain such as example.com',
  );

export const EmailConfig = z.strictObject({
  /** Exact domains (case-insensitive, subdomains not included) that may receive email from this tool. */
  allowedDomains: z.array(domain).min(1).optional(),
  maxRecipients: z.number().int().min(1).max(100).default(10),
});

const EmailArgs = z.object({
  to: z.union([z.string(), z.array(z.string())]).transform((value) => (Array.isArray(value) ? value : [value])),
  subject: z.string().trim().min(1, 'subject is required').max(255),
  body: z.string().trim().min(1, 'body is required').max(32_000),
});

interface InvocableResult {
  isSuccess?: boolean;
  errors?: Array<{ statusCode?: string; message?: string }> | null;
}

export async function sendEmail(
  tool: ToolDefinition,
  args: Record<string, unknown>,
  ctx: ToolContext,
): Promise<ToolOutcome> {
  const config = EmailConfig.safeParse(tool.backendConfiguration);
  if (!config.success)
    return failure('Configuration', `The email tool "${tool.name}" is misconfigured: ${z.prettifyError(config.error)}`);
  const parsed = EmailArgs.safeParse(args);
  if (!parsed.success)
    return failure(
      'InvalidArguments',
      `Provide "to" (email addresses), "subject" and "body": ${z.prettifyError(parsed.error)}`,
    );
  const to = [...new Set(parsed.data.to.map((address) => address.trim()).filter(Boolean))];
  if (to.length === 0) return failure('InvalidArguments', 'Provide at least one recipient in "to".');
  if (to.length > config.data.maxRecipients)
    return failure(
      'InvalidArguments',
      `At most ${config.data.maxRecipients} recipients are allowed; got ${to.length}.`,
    );
  const invalid = to.filter((address) => !z.email().safeParse(address).success);
  if (invalid.length > 0)
    return {
      ok: false,
      errorCategory: 'InvalidArguments',
      result: { error: 'Nothing was sent: some recipients are not valid email addresses.', invalidRecipients: invalid },
    };
  const allowed = config.data.allowedDomains?.map((entry) => entry.toLowerCase());
  if (allowed) {
    const refused = to.filter(
      (address) => !allowed.includes(address.slice(address.lastIndexOf('@') + 1).toLowerCase()),
    );
    if (refused.length > 0) {
      return {
        ok: false,
        errorCategory: 'RecipientRefused',
        result: {
          error: 'Nothing was sent: these recipients are outside the allowed domains.',
          refusedRecipients: refused,
          allowedDomains: allowed,
        },
      };
    }
  }
  const response = await ctx.client.request<InvocableResult[]>('POST', '/actions/standard/emailSimple', {
    inputs: [{ emailAddresses: to.join(','), emailSubject: parsed.data.subject, emailBody: parsed.data.body }],
  });
  const first = Array.isArray(response) ? response[0] : undefined;
  if (!first?.isSuccess) {
    const errors = (first?.errors ?? []).map((entry) => ({
      code: entry.statusCode ?? 'UNKNOWN',
      message: entry.message ?? '',
    }));
    return {
      ok: false,
      errorCategory: 'ActionFailed',
      result: { error: 'Salesforce did not send the email.', errors },
    };
  }
  return { ok: true, result: { sent: true, to, subject: parsed.data.subject } };
}

function failure(category: string, message: string): ToolOutcome {
  return { ok: false, errorCategory: category, result: { error: message } };
}
