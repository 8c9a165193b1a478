/** The parts of `llm_guardrail` (plain JavaScript, no types of its own) the injection benchmark uses. */
declare module 'llm_guardrail' {
  export interface GuardrailResult {
    allowed: boolean;
    detected: boolean;
    prediction: number;
    confidence: number;
  }
  export function checkInjection(prompt: string): Promise<GuardrailResult>;
}
