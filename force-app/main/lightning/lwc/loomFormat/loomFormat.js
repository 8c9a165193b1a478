/**
 * Small helpers shared by the Loom components: label placeholders and ID comparison.
 */

/** Replaces {0}, {1}, … in a custom label with the given values (labels stay translatable as whole sentences). */
export function format(label, ...values) {
  return String(label).replace(/\{(\d+)\}/g, (match, index) => {
    const value = values[Number(index)];
    return value === undefined || value === null ? '' : String(value);
  });
}

/** Salesforce IDs compare on their first 15 characters (the 18-character form adds a case-safe suffix). */
export function sameId(a, b) {
  return Boolean(a) && Boolean(b) && String(a).slice(0, 15) === String(b).slice(0, 15);
}

/** The message of an Apex or JavaScript error, for display. */
export function errorText(error) {
  if (!error) return '';
  const body = error.body;
  if (Array.isArray(body)) return body.map((entry) => entry.message).join(', ');
  if (body && typeof body.message === 'string') return body.message;
  return typeof error.message === 'string' ? error.message : String(error);
}

/** Pretty JSON for display; text that is not JSON is shown as it is. */
export function prettyJson(text) {
  if (!text) return '';
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}
