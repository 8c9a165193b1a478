import type { DescribeField, DescribeIndex } from '../describe.ts';

const MAX_PICKLIST_VALUES = 25;

/**
 * The schema shown to the model for text-to-SOQL, built from the same allow-list the guard enforces: only fields in
 * the user's describe, and only relationships whose lookup field and target objects are readable. API names, types
 * and picklist values only (labels are free text and stay out of the prompt).
 */
export function buildSchemaPrompt(index: DescribeIndex, objectNames?: string[]): string {
  const names = objectNames ?? index.objectNames();
  const lines = [
    'Schema available to this user for SOQL. Use only these objects, fields and relationships; anything else does not exist.',
  ];
  for (const requested of names) {
    const object = index.object(requested);
    if (!object?.queryable) continue;
    lines.push('', `${object.name}:`);
    lines.push(`  fields: ${object.fields.map(describeField).join(', ')}`);
    const parents = object.fields.filter(
      (field) =>
        field.relationshipName &&
        field.referenceTo.length > 0 &&
        field.referenceTo.every((target) => index.object(target)),
    );
    if (parents.length > 0) {
      const text = parents.map(
        (field) => `${field.relationshipName ?? ''} -> ${field.referenceTo.map(canonical(index)).join('|')}`,
      );
      lines.push(`  parent relationships: ${text.join(', ')}`);
    }
    const children = index
      .childRelationships(object.name)
      .filter((child) => index.field(child.childSObject, child.field))
      .map((child) => `${child.relationshipName} (${child.childSObject})`);
    if (children.length > 0) lines.push(`  child relationships: ${children.join(', ')}`);
  }
  return lines.join('\n');
}

function describeField(field: DescribeField): string {
  const active = field.picklistValues.filter((entry) => entry.active).map((entry) => entry.value);
  if (active.length > 0 && (field.type === 'picklist' || field.type === 'multipicklist')) {
    const shown = active.slice(0, MAX_PICKLIST_VALUES).join('|');
    return `${field.name} (${field.type}: ${shown}${active.length > MAX_PICKLIST_VALUES ? '|...' : ''})`;
  }
  return `${field.name} (${field.type})`;
}

function canonical(index: DescribeIndex): (name: string) => string {
  return (name) => index.object(name)?.name ?? name;
}
