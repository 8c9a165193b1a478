/**
 * Runs one request to a package invocable the way the platform runs an `@InvocableMethod`: the inputs that can become
 * the class's Request go to ONE call of the method (a bulk call, as a Flow interview batch); an input that cannot is
 * an element error. The method returns normally even when the service refuses (its Result says so), so the REST
 * element is a success carrying `isSuccess: false` in its outputs; the class's catch-all turns anything thrown into
 * that same per-request failure.
 */
import type { InvocationResult } from '../actions/run-action.ts';
import { invocationResult } from '../actions/run-action.ts';
import type { ApexContext } from './apex-runtime.ts';
import { canonicalInput, inputError, type InvocableSpec } from './invocables.ts';

export function invokePackageAction(
  spec: InvocableSpec,
  ctx: ApexContext,
  inputs: Array<Record<string, unknown>>,
): InvocationResult[] {
  const errors = inputs.map((input) => inputError(spec, input));
  const runnable = inputs.filter((_, i) => errors[i] === null).map((input) => canonicalInput(spec, input));
  let outputs: Array<Record<string, unknown>>;
  try {
    outputs = runnable.length > 0 ? spec.run(ctx, runnable) : [];
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    outputs = runnable.map(() => failedOutputs(spec, `${spec.failurePrefix}${message}`));
  }
  let next = 0;
  return inputs.map((_, i) => {
    const error = errors[i];
    if (error) return invocationResult(spec.className, { errors: [{ ...error, fields: [] }] });
    return invocationResult(spec.className, { outputs: outputs[next++] ?? {} });
  });
}

function failedOutputs(spec: InvocableSpec, message: string): Record<string, unknown> {
  const outputs: Record<string, unknown> = {};
  for (const variable of spec.outputs) outputs[variable.name] = null;
  return { ...outputs, isSuccess: false, errorMessage: message };
}

export function describePackageAction(spec: InvocableSpec): Record<string, unknown> {
  const apexType = { String: 'STRING', Id: 'ID', Boolean: 'BOOLEAN' } as const;
  return {
    name: spec.className,
    label: spec.label,
    type: 'APEX',
    category: spec.category,
    inputs: spec.inputs.map((variable) => ({
      name: variable.name,
      label: variable.label,
      type: apexType[variable.type],
      required: variable.required,
    })),
    outputs: spec.outputs.map((variable) => ({
      name: variable.name,
      label: variable.label,
      type: apexType[variable.type],
    })),
  };
}
