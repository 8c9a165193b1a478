/**
 * The emulator's stand-ins for the package's Apex (src/emulator/apex) against the Apex itself: the .cls files are read
 * with Salesforce's Apex grammar (@apexdevtools/apex-parser), and a change to an invocable's variables or label, a
 * service's error messages or its length limits fails here until the stand-in follows.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ApexLexer, ApexParserFactory } from '@apexdevtools/apex-parser';
import { describe, expect, it } from 'vitest';
import * as hitl from '../../src/emulator/apex/agent-hitl-service.ts';
import * as turns from '../../src/emulator/apex/agent-turn-service.ts';
import {
  APPROVAL_INBOX_CONTROLLER,
  INBOX_DECISION_REFUSAL,
} from '../../src/emulator/apex/approval-inbox-controller.ts';
import { CHAT_CONTROLLER, type LightningController } from '../../src/emulator/apex/chat-controller.ts';
import { PACKAGE_INVOCABLES, type InvocableVariableSpec } from '../../src/emulator/apex/invocables.ts';

const root = fileURLToPath(new URL('../../force-app/main/', import.meta.url));
const CLASS_FILES: Record<string, string> = {
  LoomChatController: 'lightning/classes/LoomChatController.cls',
  LoomApprovalInboxController: 'lightning/classes/LoomApprovalInboxController.cls',
  StartAgentTurnAction: 'agent-runtime/classes/StartAgentTurnAction.cls',
  DecidePendingActionAction: 'approvals/classes/DecidePendingActionAction.cls',
  AgentTurnService: 'agent-runtime/classes/AgentTurnService.cls',
  AgentHITLService: 'approvals/classes/AgentHITLService.cls',
};
const source = (className: string): string => readFileSync(`${root}${CLASS_FILES[className]}`, 'utf8');

/** `'it''s'`-free Apex string literal → its value (the package uses only `\'` and `\\` escapes). */
const unquote = (literal: string): string => literal.slice(1, -1).replace(/\\(['\\])/g, '$1');

interface ParsedInvocable {
  label: string;
  category: string;
  inputs: InvocableVariableSpec[];
  outputs: InvocableVariableSpec[];
  literals: string[];
}

function annotationPairs(modifiers: Array<{ annotation(): unknown }>, name: string): Map<string, string> | undefined {
  for (const modifier of modifiers) {
    const annotation = modifier.annotation() as {
      id(): { getText(): string };
      elementValuePairs(): {
        elementValuePair_list(): Array<{ id(): { getText(): string }; elementValue(): { getText(): string } }>;
      } | null;
    } | null;
    if (!annotation || annotation.id().getText().toLowerCase() !== name.toLowerCase()) continue;
    const pairs = annotation.elementValuePairs()?.elementValuePair_list() ?? [];
    return new Map(pairs.map((pair) => [pair.id().getText().toLowerCase(), pair.elementValue().getText()]));
  }
  return undefined;
}

/** The invocable's method annotation and its Request/Result variables, from the parse tree. */
function parseInvocable(className: string): ParsedInvocable {
  const text = source(className);
  const unit = ApexParserFactory.createParser(text, true).compilationUnit();
  const top = unit.typeDeclaration().classDeclaration();
  expect(top.id().getText()).toBe(className);
  const parsed: ParsedInvocable = { label: '', category: '', inputs: [], outputs: [], literals: stringLiterals(text) };
  for (const declaration of top.classBody().classBodyDeclaration_list()) {
    const member = declaration.memberDeclaration();
    const method = member?.methodDeclaration();
    const methodPairs = method ? annotationPairs(declaration.modifier_list(), 'InvocableMethod') : undefined;
    if (methodPairs) {
      parsed.label = unquote(methodPairs.get('label') ?? "''");
      parsed.category = unquote(methodPairs.get('category') ?? "''");
    }
    const inner = member?.classDeclaration();
    if (!inner) continue;
    const target =
      inner.id().getText() === 'Request' ? parsed.inputs : inner.id().getText() === 'Result' ? parsed.outputs : null;
    if (!target) continue;
    for (const field of inner.classBody().classBodyDeclaration_list()) {
      const pairs = annotationPairs(field.modifier_list(), 'InvocableVariable');
      const declared = field.memberDeclaration()?.fieldDeclaration();
      if (!pairs || !declared) continue;
      target.push({
        name: declared.variableDeclarators().variableDeclarator(0).id().getText(),
        label: unquote(pairs.get('label') ?? "''"),
        type: declared.typeRef().getText() as InvocableVariableSpec['type'],
        required: (pairs.get('required') ?? 'false').toLowerCase() === 'true',
      });
    }
  }
  return parsed;
}

/** Every string literal of a class, by the Apex lexer. */
function stringLiterals(text: string): string[] {
  const lexer = ApexParserFactory.createLexer(text);
  return lexer
    .getAllTokens()
    .filter((token) => token.type === ApexLexer.StringLiteral)
    .map((token) => unquote(token.text));
}

/**
 * The literal parts of a stand-in's message: placeholders filled with a sentinel, numbers (the class's constants,
 * checked separately) cut out. Each part must be one of the class's literals or inside one.
 */
function literalParts(message: string | ((...args: never[]) => string)): string[] {
  const SENTINEL = '\u0000';
  const sample = typeof message === 'string' ? message : fill(message as (...args: unknown[]) => string, SENTINEL);
  return sample
    .split(SENTINEL)
    .flatMap((part) => part.split(/\d{3,}/))
    .filter((part) => part.trim().length >= 2);
}

/** A message function called with sentinels: strings, or one Database.Error of sentinels for the error describers. */
function fill(message: (...args: unknown[]) => string, sentinel: string): string {
  try {
    return message(sentinel, sentinel, sentinel);
  } catch {
    return message([{ statusCode: sentinel, message: sentinel }]);
  }
}

describe('the emulated invocables match their Apex classes', () => {
  for (const spec of PACKAGE_INVOCABLES) {
    it(`${spec.className}: label, category, Request and Result variables, catch-all message`, () => {
      const parsed = parseInvocable(spec.className);
      expect(parsed.label).toBe(spec.label);
      expect(parsed.category).toBe(spec.category);
      expect(parsed.inputs).toEqual(spec.inputs);
      expect(parsed.outputs).toEqual(spec.outputs);
      expect(parsed.literals).toContain(spec.failurePrefix);
    });
  }
});

describe('the emulated services word their refusals as the Apex does', () => {
  const cases = [
    { className: 'AgentTurnService', messages: turns.TURN_MESSAGES },
    { className: 'AgentHITLService', messages: hitl.DECISION_MESSAGES },
  ];
  for (const { className, messages } of cases) {
    it(`${className}: every message's literal parts are literals of the class`, () => {
      const literals = stringLiterals(source(className));
      const missing = Object.entries(messages).flatMap(([key, message]) =>
        literalParts(message)
          .filter((part) => !literals.some((literal) => literal.includes(part)))
          .map((part) => `${key}: ${JSON.stringify(part)}`),
      );
      expect(missing).toEqual([]);
    });
  }

  it('uses the classes’ limits and permission names', () => {
    const constant = (className: string, name: string): string | undefined =>
      new RegExp(`\\b${name}\\s*=\\s*'?([\\w]+)'?\\s*;`).exec(source(className))?.[1];
    expect(Number(constant('AgentTurnService', 'MAX_MESSAGE_LENGTH'))).toBe(turns.MAX_MESSAGE_LENGTH);
    expect(constant('AgentTurnService', 'START_PERMISSION')).toBe(turns.START_PERMISSION);
    expect(Number(constant('AgentHITLService', 'MAX_COMMENT_LENGTH'))).toBe(hitl.MAX_COMMENT_LENGTH);
    expect(Number(constant('AgentHITLService', 'MAX_EDITED_ARGUMENTS_LENGTH'))).toBe(hitl.MAX_EDITED_ARGUMENTS_LENGTH);
    expect(constant('AgentHITLService', 'DECIDE_PERMISSION')).toBe(hitl.DECIDE_PERMISSION);
    const channels = /CHANNELS = new Set<String>\{([^}]*)\}/.exec(source('AgentTurnService'))?.[1] ?? '';
    expect([...channels.matchAll(/'(\w+)'/g)].map((match) => match[1])).toEqual([...turns.CHANNELS]);
    const sources = /TRIGGER_SOURCES = new Set<String>\{([^}]*)\}/.exec(source('AgentTurnService'))?.[1] ?? '';
    expect([...sources.matchAll(/'(\w+)'/g)].map((match) => match[1])).toEqual([...turns.TRIGGER_SOURCES]);
  });

  it('fails when a message drifts (the check can go red)', () => {
    const literals = stringLiterals(source('AgentHITLService'));
    const drifted = literalParts('You cannot approve an action you asked for.');
    expect(drifted.some((part) => !literals.some((literal) => literal.includes(part)))).toBe(true);
  });
});

/** `@AuraEnabled` methods of a class with their parameter names, in order. */
function auraMethods(className: string): Record<string, string[]> {
  const top = ApexParserFactory.createParser(source(className), true)
    .compilationUnit()
    .typeDeclaration()
    .classDeclaration();
  const methods: Record<string, string[]> = {};
  for (const declaration of top.classBody().classBodyDeclaration_list()) {
    const method = declaration.memberDeclaration()?.methodDeclaration();
    if (!method || !annotationPairs(declaration.modifier_list(), 'AuraEnabled')) continue;
    const list = method.formalParameters().formalParameterList();
    methods[method.id().getText()] = (list?.formalParameter_list() ?? []).map((p) => p.id().getText());
  }
  return methods;
}

describe('the emulated Lightning controllers match their Apex classes', () => {
  for (const controller of [CHAT_CONTROLLER, APPROVAL_INBOX_CONTROLLER] as LightningController[]) {
    it(`${controller.className}: the same @AuraEnabled methods with the same parameters`, () => {
      const emulated = Object.fromEntries(
        Object.entries(controller.methods).map(([name, method]) => [name, [...method.params]]),
      );
      expect(emulated).toEqual(auraMethods(controller.className));
    });
  }

  it('the inbox refuses what its class refuses, in its words', () => {
    expect(stringLiterals(source('LoomApprovalInboxController'))).toContain(INBOX_DECISION_REFUSAL);
  });
});
