/**
 * Screening rules. Each is a precompiled, linear-time regex (every repetition between keywords is bounded and stays
 * inside one sentence) with a weight for user input and one for tool output, where text addressing the model is
 * far more suspicious. `confirm` may lower the weight of a weak match (for example an object without a qualifier).
 */
export interface Rule {
  id: string;
  category: string;
  regex: RegExp;
  user: number;
  tool: number;
  /** Multiplier for a match at `[start, end)` of `text` (may look at the words around it); null drops it. */
  confirm?: (text: string, start: number, end: number) => number | null;
}

const NL = '(?<![\\p{L}\\p{N}])';
const NR = '(?![\\p{L}\\p{N}])';
const words = (list: string): string => `${NL}(?:${list})${NR}`;
const GAP = (n: number): string => `[^.!?\\n。！？]{0,${n}}?`;
const rx = (source: string): RegExp => new RegExp(source, 'giu');

const OVERRIDE_VERBS = [
  'ignore', 'ignoring', 'disregard', 'forget', 'override', 'bypass', 'set\\s+aside', 'discard', 'neglect', 'abandon',
  'stop\\s+following', 'do\\s+not\\s+(?:follow|obey|respect)', "don'?t\\s+(?:follow|obey|respect)", 'pay\\s+no\\s+attention\\s+to',
  'no\\s+longer\\s+(?:follow|obey)', 'never\\s*mind', 'nevermind', 'skip',
  // es / fr / de / it / pt / nl / pl / ru
  'ignora(?:r|d)?', 'olvida(?:r|te\\s+de)?', 'no\\s+sigas', 'haz\\s+caso\\s+omiso\\s+(?:a|de)', 'omite', 'descarta',
  'ignore[zr]?', 'oublie[zr]?', 'ne\\s+(?:tiens|tenez)\\s+(?:pas\\s+)?compte\\s+(?:des?|du)', 'ne\\s+respecte[zr]?\\s+(?:plus|pas)', 'fais\\s+abstraction\\s+(?:des?|du)',
  'ignorier(?:e|en|t)?', 'vergiss', 'vergessen\\s+sie', 'missachte(?:n)?', '[üu]bergehe(?:n)?', 'ignoriert',
  'dimentica(?:re)?', 'non\\s+seguire', 'ignorare',
  'esque[çc]a', 'desconsidere', 'n[ãa]o\\s+siga',
  'negeer', 'vergeet',
  'zignoruj', 'ignoruj', 'zapomnij',
  'игнорируй', 'проигнорируй', 'забудь', 'не\\s+следуй', 'не\\s+соблюдай', 'отмени',
].join('|');
const OVERRIDE_OBJECTS = [
  'instructions?', 'prompts?', 'rules', 'directives?', 'guidelines', 'guardrails', 'constraints', 'programming', 'policies',
  'restrictions', 'safeguards', 'filters', 'commands', 'guidance', 'configuration', 'orders',
  'instrucciones', 'reglas', 'indicaciones', 'directrices', 'normas', 'consignas',
  'consignes', 'r[èe]gles', 'directives',
  'anweisungen', 'instruktionen', 'regeln', 'vorgaben', 'richtlinien', 'befehle',
  'istruzioni', 'regole', 'direttive',
  'instru[çc][õo]es', 'regras', 'diretrizes',
  'instructies', 'regels', 'richtlijnen',
  'instrukcje', 'polecenia', 'zasady', 'regu[łl]y',
  'инструкции', 'инструкций', 'правила', 'указания', 'директивы',
].join('|');
const QUALIFIER = new RegExp(
  [
    'previous', 'prior', 'above', 'earlier', 'preceding', 'initial', 'original', 'system', 'developer', 'all', 'any', 'every',
    'your', 'safety', 'everything', 'whatever',
    'anteriores', 'previas', 'todas', 'tus', 'sus', 'sistema', 'originales', 'iniciales',
    'pr[ée]c[ée]dentes', 'ant[ée]rieures', 'toutes', 'tes', 'vos', 'ci-dessus', 'syst[èe]me',
    'vorherigen', 'bisherigen', 'vorigen', 'obigen', 'alle', 'deine', 'ihre', 'urspr[üu]nglichen',
    'precedenti', 'tutte', 'tue',
    'suas', 'seus',
    'vorige', 'eerdere', 'je', 'jouw',
    'poprzednie', 'wszystkie', 'swoje',
    'предыдущие', 'все', 'свои', 'системные', 'прежние',
  ].map((w) => `${NL}${w}${NR}`).join('|'),
  'iu',
);

export const RULES: readonly Rule[] = [
  // --- instruction override -------------------------------------------------------------------------------------
  {
    id: 'override-verb-object',
    category: 'instruction_override',
    regex: rx(`${words(OVERRIDE_VERBS)}${GAP(40)}${words(OVERRIDE_OBJECTS)}`),
    user: 0.85,
    tool: 0.9,
    confirm: (text, start, end) => (QUALIFIER.test(text.slice(start, end + 25)) ? 1 : 0.4),
  },
  {
    // Verb-final word order (de, nl, and infinitives elsewhere): "alle bisherigen Vorgaben ignorieren".
    id: 'override-object-verb',
    category: 'instruction_override',
    regex: rx(`${words(OVERRIDE_OBJECTS)}${GAP(30)}${words('ignorieren|vergessen|missachten|[üu]bergehen|negeren|vergeten|ignorer|oublier|ignorar|olvidar|ignorare|dimenticare|esquecer|zignorowa[ćc]|игнорировать|забыть')}`),
    user: 0.85,
    tool: 0.9,
    confirm: (text, start, end) => (QUALIFIER.test(text.slice(Math.max(0, start - 30), end)) ? 1 : 0.4),
  },
  {
    id: 'override-cjk',
    category: 'instruction_override',
    regex: rx('(?:忽略|无视|無視|忘记|忘掉|不要遵守|不要理会|别管)[^。！？\\n]{0,12}(?:指令|指示|说明|規則|规则|提示|设定|設定)|(?:指示|命令|ルール|規則|プロンプト)[^。！？\\n]{0,12}(?:無視|忘れ)|(?:지시|명령|규칙)[^.\\n]{0,8}(?:무시|잊어)'),
    user: 0.85,
    tool: 0.9,
  },
  {
    id: 'override-new-instructions',
    category: 'instruction_override',
    regex: rx(`${words('new|updated|real|actual|revised|different|true')}\\s+(?:instructions?|task|directives?|orders|objective|system\\s+prompt|rules)\\s*(?::|(?:are|is)\\b|for\\s+(?:the\\s+|any\\s+)?(?:assistant|ai|agent|model|bot|llm))`),
    user: 0.6,
    tool: 0.8,
  },
  {
    id: 'override-void',
    category: 'instruction_override',
    regex: rx(`${words('instructions?|guidance|rules|directives?|everything|configuration|guidelines|instrucciones|consignes|anweisungen')}${GAP(50)}${words('no\\s+longer\\s+appl(?:y|ies)|(?:is|are)\\s+(?:now\\s+)?(?:void|invalid|cancel+ed|obsolete|revoked|null)|ya\\s+no\\s+son\\s+v[áa]lidas|ne\\s+sont\\s+plus\\s+valables|gelten\\s+nicht\\s+mehr')}`),
    user: 0.8,
    tool: 0.9,
  },
  {
    id: 'override-told-before',
    category: 'instruction_override',
    regex: rx(`${words('(?:disregard|ignore|forget)(?:\\s+about)?\\s+(?:everything|anything|whatever|all)\\s+(?:that\\s+)?(?:you\\s+(?:were|have\\s+been)\\s+(?:told|instructed|given|programmed)|(?:your|the)\\s+(?:operator|developer|admin|creator)s?\\s+(?:told|said|gave))|(?:ignore|disregard)\\s+(?:what|whatever)\\s+the\\s+user\\s+(?:asked|said|wants)')}`),
    user: 0.8,
    tool: 0.9,
  },
  // --- role manipulation ------------------------------------------------------------------------------------------
  {
    id: 'role-switch',
    category: 'role_manipulation',
    regex: rx(`${words("you\\s+are\\s+now|you'?re\\s+now|you\\s+will\\s+(?:now\\s+)?(?:be|act)|from\\s+now\\s+on\\s+you|act\\s+as|acting\\s+as|pretend(?:\\s+to\\s+be|\\s+you\\s+are|\\s+you'?re|\\s+that\\s+you)?|role-?\\s?play(?:\\s+as)?|simulate|behave\\s+(?:like|as)|you\\s+are\\s+no\\s+longer|if\\s+you\\s+were|imagine\\s+(?:you\\s+are|being)|enter|switch\\s+to|ahora\\s+eres|a\\s+partir\\s+de\\s+ahora\\s+eres|act[úu]a\\s+como|finge\\s+ser|tu\\s+es\\s+maintenant|d[ée]sormais\\s+tu\\s+es|agis\\s+comme|du\\s+bist\\s+(?:jetzt|nun|ab\\s+sofort)|tu\\s+so\\s+als|ora\\s+sei|d'ora\\s+in\\s+poi\\s+sei|agora\\s+voc[êe]\\s+[ée]|теперь\\s+ты|ты\\s+теперь")}${GAP(80)}${words("dan|unrestricted|unfiltered|uncensored|jailbroken|jailbreak|evil\\w*|no\\s+(?:rules|restrictions|limits|limitations|filters|guidelines|content\\s+polic(?:y|ies)|ethic\\w*|morals)|without\\s+(?:any\\s+)?(?:rules|restrictions|limits|limitations|filters|guidelines|censorship|ethic\\w*)|zero\\s+restrictions|root\\s+access|unlimited\\s+access|god\\s+mode|developer\\s+mode|admin\\w*\\s+mode|maintenance\\s+mode|never\\s+refuses?|answers\\s+everything|no\\s+audit\\w*|autonomous\\s+agent|hacker\\w*|sin\\s+(?:restricciones|reglas|l[íi]mites|filtros)|sans\\s+(?:aucune\\s+)?(?:restrictions?|r[èe]gles|limites|filtres)|ohne\\s+(?:jegliche\\s+)?(?:einschr[äa]nkungen|regeln|grenzen|filter)|senza\\s+(?:restrizioni|regole|limiti|filtri)|sem\\s+(?:restri[çc][õo]es|regras|limites|filtros)|без\\s+(?:ограничений|правил|фильтров)")}`),
    user: 0.85,
    tool: 0.9,
  },
  {
    id: 'role-cjk',
    category: 'role_manipulation',
    regex: rx('(?:你现在是|你現在是|从现在开始你是|今からあなたは|あなたは今)[^。！？\\n]{0,30}(?:没有任何限制|沒有任何限制|没有限制|不受限制|制限のない|制限なし|越狱|脱獄)'),
    user: 0.85,
    tool: 0.9,
  },
  {
    id: 'role-jailbreak-terms',
    category: 'role_manipulation',
    regex: rx(`${words("do\\s+anything\\s+now|developer\\s+mode\\s+(?:is\\s+)?(?:now\\s+)?(?:enabled|activated|engaged)|enable\\s+developer\\s+mode|jailbreak(?:\\s+mode)?\\s+(?:is\\s+)?(?:now\\s+)?(?:activated|enabled|engaged)|god\\s+mode|dan\\s+mode|evil\\s*(?:bot|gpt|mode)|\\w+gpt,?\\s+who\\s+never\\s+refuses|stay\\s+in\\s+character|(?:don'?t|do\\s+not|never)\\s+break\\s+character|no\\s+longer\\s+bound\\s+by|free\\s+(?:from|of)\\s+(?:all\\s+)?(?:your\\s+)?(?:restrictions|rules|guidelines|constraints|limitations)|(?:safety|content)\\s+(?:filters?|rules|guidelines|polic(?:y|ies))\\s+(?:are|have\\s+been)\\s+(?:now\\s+)?(?:disabled|off|removed|lifted)|(?:doesn'?t|does\\s+not|don'?t)\\s+follow\\s+(?:openai|anthropic|any|the)\\s+(?:content\\s+)?polic(?:y|ies)|(?:no|without)\\s+(?:ethical|content|safety)\\s+(?:guidelines|polic(?:y|ies)|filters|restrictions)|content\\s+rules\\s+(?:are\\s+)?off|modo\\s+desarrollador|mode\\s+d[ée]veloppeur|entwicklermodus")}`),
    user: 0.75,
    tool: 0.85,
  },
  {
    id: 'role-authority-claim',
    category: 'role_manipulation',
    regex: rx(`${words("i\\s+am\\s+(?:your|the)\\s+(?:developer|creator|administrator|admin|operator|owner)|i\\s+am\\s+(?:an?\\s+)?(?:openai|anthropic|salesforce)\\s+(?:employee|engineer|developer|admin)|i\\s+(?:hereby\\s+)?authori[sz]e\\s+you\\s+to")}`),
    user: 0.55,
    tool: 0.8,
  },
  // --- fake delimiters and chat-template tokens --------------------------------------------------------------------
  {
    id: 'chat-template-token',
    category: 'delimiter_injection',
    regex: rx('<\\|\\s*(?:im[ _]start|im[ _]end|im[ _]sep|system|user|assistant|endoftext|end[ _]of[ _]text|begin[ _]of[ _]text|start[ _]header[ _]id|end[ _]header[ _]id|eot[ _]id|eom[ _]id|fim[ _]\\w+|tool[ _]call|channel|message|start|end|pad)\\s*\\|>|<\\/?\\s*(?:im[ _]start|im[ _]end|start[ _]of[ _]turn|end[ _]of[ _]turn)\\s*>|\\[\\/?INST\\]|<<\\/?SYS>>'),
    user: 0.9,
    tool: 0.95,
  },
  {
    id: 'fake-system-tag',
    category: 'delimiter_injection',
    regex: rx('<\\/?\\s*(?:system|system[ _]prompt|systemprompt|system-message|developer|instructions?|admin|sys|assistant[ _]instructions)(?:\\s[^>\\n]{0,80})?>|```\\s*(?:system|sys|instructions?)\\b'),
    user: 0.75,
    tool: 0.85,
  },
  {
    id: 'fake-wrapper-close',
    category: 'delimiter_injection',
    regex: rx('<\\/\\s*(?:tool[ _]result|tool[ _]output|function[ _]results?|untrusted[ _]data|document|data|context|search[ _]results?|user[ _]input|output)\\s*>'),
    user: 0.45,
    tool: 0.5,
  },
  {
    id: 'end-of-data-marker',
    category: 'delimiter_injection',
    regex: rx(`${words('end\\s+of\\s+(?:the\\s+)?(?:customer\\s+|tool\\s+|user\\s+|email\\s+)?(?:data|input|output|result|document|context|email|text|message)')}[\\s.:!\\-=*#]{1,10}(?:new|updated|real)?\\s*(?:instructions?|system|task|directive)`),
    user: 0.85,
    tool: 0.9,
  },
  {
    id: 'role-label-system',
    category: 'delimiter_injection',
    regex: rx('(?:^|\\n)[ \\t>#*-]*(?:system|developer)\\s*:\\s*\\S|(?:^|\\n)[ \\t]*#{2,}\\s*system\\b|\\{\\s*"role"\\s*:\\s*"(?:system|developer)"'),
    user: 0.55,
    tool: 0.65,
  },
  {
    id: 'role-label-turn',
    category: 'delimiter_injection',
    regex: rx('(?:^|\\n)[ \\t>]*(?:assistant|user|human|ai)\\s*:\\s*\\S'),
    user: 0.15,
    tool: 0.3,
  },
  {
    id: 'system-message-header',
    category: 'delimiter_injection',
    regex: rx(`${words('(?:system|admin(?:istrator)?|developer)\\s+(?:message|prompt|override|notice|instructions?)')}\\s*(?:to\\s+(?:the\\s+)?(?:assistant|ai|agent|model)\\s*)?:`),
    user: 0.4,
    tool: 0.5,
  },
  {
    id: 'bracket-directive',
    category: 'delimiter_injection',
    regex: rx('\\[\\s*(?:system|assistant|admin|developer|hidden)(?:\\s+(?:directive|instructions?|note|message|override))?\\s*\\]'),
    user: 0.45,
    tool: 0.55,
  },
  // --- prompt leak -------------------------------------------------------------------------------------------------
  {
    id: 'leak-request',
    category: 'prompt_leak',
    regex: rx(`${words('reveal|show|print|display|output|repeat|recite|dump|leak|share|give|tell|paste|copy|translate|summari[sz]e|write\\s+out|spell\\s+out|list|include|what\\s+(?:is|are|were|was)|quote')}${GAP(50)}${words('system\\s*prompts?|system\\s+messages?|system\\s+instructions?|initial\\s+(?:prompts?|instructions?)|original\\s+(?:prompts?|instructions?)|hidden\\s+(?:prompts?|instructions?|messages?|rules)|developer\\s+(?:messages?|prompts?|instructions?)|pre-?prompts?|(?:your|the)\\s+(?:full\\s+)?(?:set\\s+of\\s+)?(?:instructions|prompt|rules|configuration|guidelines)(?:\\s+(?:you\\s+were|that\\s+you\\s+were|that\\s+\\w+(?:\\s+\\w+)?\\s+wrote|verbatim|word\\s+for\\s+word|exactly|above))?')}`),
    user: 0.8,
    tool: 0.85,
    confirm: (text, start, end) => {
      const match = text.slice(start, end);
      if (/system|initial|original|hidden|developer|pre-?prompt/i.test(match)) return 1;
      if (/^(?:reveal|print|output|dump|leak|recite|repeat|paste|quote|spell|write)\b[\s\S]*\byour\b/i.test(match)) return 1;
      const around = text.slice(start, end + 60);
      return /^[^.!?\n]*?(?:verbatim|word for word|exact|you were (?:given|told)|(?:wrote|gave|written) (?:for|to) you)/i.test(around) ? 1 : 0.45;
    },
  },
  {
    id: 'leak-above',
    category: 'prompt_leak',
    regex: rx(`${words('repeat|print|output|show|return|summari[sz]e|translate|recite|dump')}${GAP(30)}${words("everything|all|the\\s+(?:text|words|content|message)|what(?:'s|\\s+is|\\s+was)?\\s+(?:written|said|stated)")}${GAP(40)}${words('above|before|prior|earlier|preceding')}`),
    user: 0.75,
    tool: 0.8,
  },
  {
    id: 'leak-told',
    category: 'prompt_leak',
    regex: rx(`${words('what\\s+(?:were|are|was)\\s+you\\s+(?:told|instructed|programmed|given)|how\\s+were\\s+you\\s+(?:instructed|programmed|prompted)')}`),
    user: 0.7,
    tool: 0.8,
  },
  {
    id: 'leak-foreign',
    category: 'prompt_leak',
    regex: rx(`(?:muestra|mu[ée]strame|revela|dime|ense[ñn]a|imprime|affiche|montre|r[ée]v[èe]le|donne|dis-moi|zeig|nenne|gib|verrate|mostra|mostrami|rivela|dimmi|mostre|revele|diga|покажи|выведи|раскрой|скажи|告诉我|显示|輸出|输出|给我看|教えて|見せて|表示して)${GAP(40)}(?:prompt|系统提示|系統提示|提示词|системн\\p{L}*\\s+(?:промпт|инструкци\\p{L}*|подсказк\\p{L}*)|instructions\\s+(?:initiales|syst[èe]me)|consignes\\s+initiales|instrucciones\\s+(?:iniciales|del\\s+sistema)|systemprompt|system-prompt|anweisungen|istruzioni\\s+(?:iniziali|di\\s+sistema)|instru[çc][õo]es\\s+(?:iniciais|do\\s+sistema)|システムプロンプト)`),
    user: 0.75,
    tool: 0.8,
  },
  // --- exfiltration ------------------------------------------------------------------------------------------------
  {
    id: 'exfil-markdown-image',
    category: 'exfiltration',
    regex: rx('!\\[[^\\]\\n]{0,100}\\]\\(\\s*(?:https?:)?\\/\\/[^)\\s]{0,300}\\?[^)\\s]{0,300}='),
    user: 0.6,
    tool: 0.75,
  },
  {
    id: 'exfil-url-placeholder',
    category: 'exfiltration',
    regex: rx('(?:https?|ftp):\\/\\/[^\\s"\')]{0,300}(?:\\{[a-z_ ]{1,40}\\}|\\$\\{[^}\\n]{0,40}\\}|<[a-z ]{1,40}>|%7B\\w{1,40}%7D)'),
    user: 0.8,
    tool: 0.85,
  },
  {
    id: 'exfil-send-sensitive',
    category: 'exfiltration',
    regex: rx(`${words('send|forward|e-?mail|mail|post|upload|transmit|exfiltrate|copy|leak|submit|share|bcc|cc|export|sync|push|wire|paste|include|leite\\w*|schick\\w*|envoie|env[íi]a')}${GAP(80)}${words('conversation|chat\\s+(?:history|transcript|log)|transcript|history|credentials?|passwords?|api\\s*keys?|access\\s+tokens?|oauth(?:\\s+access)?\\s+tokens?|session\\s+(?:ids?|tokens?)|secrets?|ssns?|social\\s+security|(?:all|every)\\s+(?:the\\s+)?(?:customer|contact|account|lead|user|case|opportunit)\\w*|(?:customer|contact|user|lead)\\s+(?:list|data|records|emails|details)|full\\s+list|system\\s+prompt|case\\s+descriptions|user\\s+list|kundendaten|alle\\s+e-?mails|e-?mails')}[^.!?\\n]{0,100}?(?:(?:https?|ftp):\\/\\/|www\\.|[\\w.+-]+@[\\w-]+\\.[\\w.]+|webhook|\\d{1,3}(?:\\.\\d{1,3}){3})`),
    user: 0.45,
    tool: 0.85,
  },
  {
    id: 'exfil-tool-call',
    category: 'exfiltration',
    regex: rx(`${words('call|invoke|use|run|execute')}\\s+(?:the\\s+)?\\w*(?:http|callout|webhook|email|send|post|fetch)\\w*\\s+(?:tool|action|function)`),
    user: 0.3,
    tool: 0.6,
  },
  // --- covert action and text addressed to the model (indirect injection) -----------------------------------------
  {
    id: 'covert',
    category: 'covert_action',
    regex: rx(`${words("without\\s+(?:telling|informing|notifying|alerting|letting)\\s+(?:the\\s+user|anyone|them|the\\s+customer|the\\s+human)|without\\s+letting\\s+anyone\\s+know|(?:do\\s+not|don'?t|never)\\s+(?:tell|inform|mention|notify|alert)\\s+(?:this|it|that|the\\s+user|anyone|the\\s+customer)|not\\s+mention\\s+(?:this|it)|silently|quietly|secretly|covertly|then\\s+answer\\s+normally|before\\s+answering|ohne\\s+es\\s+zu\\s+erw[äa]hnen|sin\\s+decir(?:le)?\\s+nada|sans\\s+le\\s+dire")}`),
    user: 0.35,
    tool: 0.5,
  },
  {
    id: 'address-model',
    category: 'indirect_instruction',
    regex: rx(`${words("(?:note|message|instructions?|notice|directive|reminder|attention|important|p\\.?\\s?s\\.?|task)\\s+(?:to|for)\\s+(?:the\\s+|any\\s+|all\\s+)?(?:ai|assistants?|agents?|models?|bots?|llms?|chatbots?|language\\s+models?|ai\\s+(?:assistant|agent|model)s?)|(?:dear|hey|hi|hello|attention)\\s+(?:ai|assistant|bot|agent|model|llm|chatgpt|claude|gpt)|if\\s+you\\s+are\\s+(?:an?\\s+)?(?:ai|llm|language\\s+model|assistant|agent|bot|ai\\s+(?:model|assistant|agent))|(?:ai|llm|assistant|agent|model|bot)s?\\s+(?:reading|processing|handling|summari[sz]ing|viewing|parsing)\\s+(?:this|the)|(?:the\\s+)?(?:model|assistant|ai|agent|bot)\\s+(?:reading|processing|handling)\\s+this\\s+\\w+\\s+(?:must|should|shall|will)|(?:assistant|ai\\s+agent|ai|agent)\\s*[,:]\\s*(?:when|before|after|please|you\\s+must|ignore|do\\b)|new\\s+task\\s+for\\s+the\\s+(?:agent|assistant|ai|model)|hinweis\\s+f[üu]r\\s+den\\s+ki|[àa]\\s+l'attention\\s+de\\s+l'assistant|nota\\s+para\\s+el\\s+asistente")}`),
    user: 0.3,
    tool: 0.65,
  },
  // --- encoded payloads (the instruction to decode and obey) -------------------------------------------------------
  {
    id: 'decode-and-obey',
    category: 'encoded_payload',
    regex: rx(`${words('decode|base64|base-64|rot13|rot-13|hex|unscramble|decipher|decrypt')}${GAP(60)}${words('follow|execute|obey|run|do\\s+(?:it|what|as)|comply|act\\s+on|carry\\s+out|just\\s+do')}`),
    user: 0.6,
    tool: 0.7,
  },
];

/** Rules worth running on ROT13-decoded text (English only, strong signals). */
export const ROT13_RULE_IDS = new Set(['override-verb-object', 'leak-request', 'role-switch', 'role-jailbreak-terms', 'override-told-before']);
