const TEMPLATE = /\{\{\s*([\w.-]+)\s*\}\}/g;
const WHOLE = /^\{\{\s*([\w.-]+)\s*\}\}$/;

/** Thrown when a `{{path}}` does not resolve; the scripted provider turns it into an LlmError. */
export class TemplateError extends Error {}

/** Resolves a dotted path (`lastToolResult.records.0.Id`) in a context; undefined when any step is missing. */
export function resolvePath(context: unknown, path: string): unknown {
  let current: unknown = context;
  for (const key of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    if (!Object.hasOwn(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/** Replaces every `{{path}}` in text; objects are inserted as JSON. */
export function renderText(template: string, context: unknown): string {
  return template.replace(TEMPLATE, (_match, path: string) => {
    const value = lookup(context, path);
    return typeof value === 'string' ? value : JSON.stringify(value);
  });
}

/** Renders every string inside a JSON-like value; a string that is exactly one `{{path}}` takes the raw value. */
export function renderValue(value: unknown, context: unknown): unknown {
  if (typeof value === 'string') {
    const whole = WHOLE.exec(value);
    return whole ? lookup(context, whole[1]!) : renderText(value, context);
  }
  if (Array.isArray(value)) return value.map((item) => renderValue(item, context));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, renderValue(item, context)]));
  }
  return value;
}

function lookup(context: unknown, path: string): unknown {
  const value = resolvePath(context, path);
  if (value === undefined) throw new TemplateError(`template {{${path}}} did not resolve`);
  return value;
}
