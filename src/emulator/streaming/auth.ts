/**
 * The token in a CometD `Authorization` header. Three forms arrive in practice: jsforce/faye send `OAuth <t>`, the
 * docs show `Bearer <t>`, EMP-Connector sends the bare token. Returns undefined when there is no usable token.
 */
export function tokenFromAuthorization(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const value = header.trim();
  if (value === '') return undefined;
  const match = /^(?:OAuth|Bearer)\s+(\S+)$/i.exec(value);
  if (match) return match[1];
  // A scheme without a token ("Bearer") or with extra words is not a bare token either.
  if (/\s/.test(value) || /^(?:OAuth|Bearer)$/i.test(value)) return undefined;
  return value;
}
