/**
 * Benign counterparts that share an attack's words: text that quotes or reports an attack (security training, a case
 * describing a phishing e-mail) rather than making one. A hit inside quotes with framing around it ("phishing",
 * "attackers may write", "never follow") counts for little; a hit right after "the e-mail said:" counts for less.
 * A quote after "translate", "repeat" or "say" is the opposite: the wrapper hands the quoted order to the model.
 */

import { lineEndWithin, lineStartWithin } from '../text-lines.ts';

const OPENING = new Set(['"', '“', '«', '„', '‘', "'", '「', '『', '‹', '`']);
const CLOSING = new Set(['"', '”', '»', '“', '’', "'", '」', '』', '›', '`']);
const LOOK_BACK = 160;
const LOOK_AHEAD = 320;

const WRAPPER_BEFORE =
  /(?<!\b(?:the|a|an|its|this|that|tool|model|api|program|of|du|de|le|ce|en)\s)(?<!\b(?:does|do|did|would|will|should|could|can)\s+(?:the\s+|this\s+|that\s+|it\s+|they\s+|\w+\s+){0,2})\b(?:translate|repeat|say|print|output|echo|write\s+out|type|respond\s+with|reply\s+with|answer\s+with|return|complete|continue)\b[^.!?\n]{0,60}$/i;
const FRAMING_EN =
  /\b(?:(?<![.@])examples?(?!\.)|e\.g\.|such\s+as|training|awareness|phishing|scam|spam|attackers?|hackers?|malicious|suspicious|fraud\w*|social\s+engineering|red\s+flags?|never\s+(?:follow|obey|comply)|do\s+not\s+(?:follow|obey|comply)|don'?t\s+(?:follow|obey|comply)|report(?:ed)?|flagged|blocked|beware|watch\s+out|said|says|wrote|claimed|contained|containing|contains|stating|saying|received|phrases?\s+like|lines?\s+like|text\s+like|injection|jailbreak\s+attempts?|quiz|module|slide|lesson|payloads?(?!["']?\s*[:=])|pen-?test\w*|red\s+team\w*|finding|test\s+case|expected\s+result|quarantined|spoofed|forwarded|typed|pasted|submitted|someone|worried|is\s+(?:this|it|that)\s+(?:real|legit\w*|genuine|safe)|(?:did\s+not|didn'?t)\s+(?:write|send)|e-?mailed|texted|messaged|posted|commented|tweeted|tested\s+against|protect(?:s|ed|ion)?\s+against|mitigat\w*|exploits?|exploited|jailbreaks?|penetration\s+tests?|tester|meme|parod(?:y|ies|ied)|playtest\w*|patch\s+notes|expected[\s_]+(?:behaviou?r|output)|test[\s_]+(?:ids?|cases?)|typing|students?\s+tried|people\s+(?:tried|type[ds]?)|attempts?|tried|trying|claiming|cautious|careful|incidents?|post-?mortem|samples?|poc|proof\s+of\s+concept|fixtures?|deny[\s-]?(?:list|patterns?)|block[\s-]?list|input\s+filters?|regex(?:es)?|regular\s+expressions?|detection\s+rules?|quarantine)\b|\b(?:flagged|blocked|detected|matched|sample|example|payload|attack|malicious|suspicious|test|injection|jailbreak)_\w+|\w+_(?:payload|sample|example|pattern)s?\b/i;
/**
 * The same framing in the other languages the rules read (training, attacker, phishing, report, example, blocked,
 * pen test, "such as"): a quoted order in a German awareness course is as reported as one in an English one.
 */
const FRAMING_OTHER =
  /(?<![\p{L}])(?:schulung\w*|sensibilisierung|angreifer\w*|betr[üu]ger\w*|phishing\w*|meld(?:en|ung)|gemeldet|beispiel\w*|s[äa]tze\s+wie|blockiert|gesperrt|pentest\w*|penetrationstest\w*|befund\w*|jailbreak\w*|formation|sensibilisation|attaquants?|hame[çc]onnage|signal(?:er|ez|ement)\w*|exemples?|bloqu[ée]e?s?|charge\s+utile|capacitaci[óo]n|atacantes?|estafadores?|rep[óo]rt\w*|ejemplos?|bloquead[oa]s?|frases\s+como|treinamento|conscientiza[çc][ãa]o|golpistas?|informe|bloquead[oa]s?|corso|sensibilizzazione|segnal\w*|esempi\w*|bloccat\w*|beveiligingstraining|aanvallers?|meld\w*|voorbeeld\w*|geblokkeerd|szkoleni\w*|atakuj\w*|zg[łl]o[śs]\w*|zablokowan\w*|przyk[łl]ad\w*|s[äa]kerhetsutbildning|angripare|rapportera\w*|обучени\w*|злоумышленник\w*|сообща\w*|фишинг\w*|пример\w*|заблокирован\w*|güvenlik\s+eğitimi|saldırgan\w*|bildir\w*|disait|[ée]tranges?|suspect\w*|douteu\w*|verd[äa]chtig\w*|schrieb|dec[íi]a|sospech\w*|diceva|sospett\w*|dizia|suspeit\w*|verdacht\w*|podejrzan\w*|подозрительн\w*|писал\w*|أبلغ|احتيال\p{L}*|الاحتيال|مشبوه\p{L}*|فريق\s+الأمن|דיווח|הונאה|חשוד\p{L}*|रिपोर्ट|धोखाधड़ी|फ़र्ज़ी|फर्जी|संदिग्ध|dolandır\p{L}*|sahte|şüpheli|απάτη|ύποπτ\p{L}*|αναφέρ\p{L}*|шахра\p{L}*|підозріл\p{L}*|повідоми\p{L}*|podvodn\p{L}*|podez[řr]el\p{L}*|nahl[áa]sil\p{L}*|fraud\p{L}*|raportat|csal[óo]\p{L}*|gyan[úu]s|bejelent\p{L}*|huijau\p{L}*|ep[äa]ilytt[äa]v\p{L}*|ilmoitti|bedr[äa]geri|bedrag\p{L}*|falsk\p{L}*|misst[äa]nkt|mist[æe]nkelig|mistenkelig|svindel|b[áa]o\s+c[áa]o|gi[ảa]\s+m[ạa]o|l[ừu]a\s+đ[ảa]o|an\s+ninh|melaporkan|palsu|keamanan|penipuan|alerte\p{L}*|arnaque\p{L}*|escroc\p{L}*|faux|fausses?|du\s+type|отч[её]т\p{L}*|карантин\p{L}*|мошенни\p{L}*|обнаружен\p{L}*|фраз\p{L}*|предупрежд\p{L}*|हमलावर|जागरूकता|चेतावनी|फ़िशिंग|फिशिंग|सतर्क|ठग\p{L}*|लिखते|कहते|उदाहरण|प्रशिक्षण|धोखा)/iu;
/** CJK writing has no spaces, so these are matched inside runs of letters. */
const FRAMING_CJK =
  /例[：:]|と書かれ|研修|攻撃者|報告|フィッシング|ブロック|ペネトレーション|のような|といった|不審|なりすまし|典型例|詐欺|培训|培訓|攻击者|攻擊者|上报|回報|钓鱼|釣魚|拦截|之类|之類|渗透测试|例如|诈骗|詐騙|冒充|可疑|资安|資安|教育|공격자|보고|신고|차단|같은|사칭|피싱|스미싱|수상한|보안팀|แจ้ง|ปลอม|ความปลอดภัย|หลอกลวง|มิจฉาชีพ/u;
/** Arabic and Hebrew attach articles and conjunctions to the word (`والتصيد`): their stems are matched inside words. */
const FRAMING_ATTACHED = /تحذير|محتال|احتيال|تصيد|مشبوه|تقول|يقول|هجوم|مهاجم|حقن|אזהרה|התחזות|פישינג|תוקפ|הזרק|מצוטט/u;
/** "Warning", "warned" in prose; an upper-case `WARN` or `WARNING` is a log level, not a warning about an attack. */
const FRAMING_WARN = /\b[Ww]arn(?:s|ed|ing|ings)?\b/;
const framed = (text: string): boolean =>
  FRAMING_EN.test(text) ||
  FRAMING_WARN.test(text) ||
  FRAMING_OTHER.test(text) ||
  FRAMING_CJK.test(text) ||
  FRAMING_ATTACHED.test(text);

/**
 * Creative work around a quote: a slogan, a manifesto, lyrics, a subtitle or a character's line is written for people
 * ("Forget the rules they wrote for you", "Forget your orders, soldier"). Such a quote orders nobody here unless it
 * names the model's own setup (its prompt, its programming, its guardrails), a credential, an address, a tool or an
 * action on data, or speaks to the model by name.
 */
const CREATIVE =
  /\b(?:slogans?|taglines?|catchphrases?|copywrit\w*|ad\s+copy|campaign|manifesto|brand|lyrics?|song|chorus|verse|poem|poetry|story|stories|novel|fiction|screenplay|script|scene|character|dialogue|subtitles?|captions?|dubbing|episode|podcast|thought\s+experiment|discussion\s+questions|letter\s+from\s+the\s+editor|headline|newsletter|editorial|chapter|translator\s+note|clearance)\b|(?<![\p{L}])(?:eslogan\p{L}*|lema|gui[óo]n|subt[íi]tulos?|canci[óo]n|novela|werbe\p{L}*|drehbuch|untertitel\p{L}*|liedtext|sous-titres?|sc[ée]nario|paroles|chanson|r[ée]clame|campagne|campa[ñn]a|kampagne|слоган\p{L}*|сценари\p{L}*|субтитр\p{L}*|песн\p{L}*|роман\p{L}*)(?![\p{L}])|キャッチコピー|コピー|キャンペーン|歌詞|台本|脚本|小説|字幕|セリフ|漫画|マンガ|ネーム|コマ|第[0-9０-９一二三四五六七八九十百]+[話章回幕集]|대본|자막|드라마|가사|소설|광고|카피|대사|만화|웹툰|제\s?\d+\s?화|文案|口号|標語|标语|歌词|歌詞|剧本|劇本|小说|台词|台詞|漫画|连载|連載/iu;
const MODEL_TARGET =
  /\b(?:system\s+prompt|prompt|programming|guardrails?|filters?|content\s+polic\w*|jailbreak|developer\s+mode|api\s+keys?|credentials?|passwords?|tokens?|(?:approve|refund|delete|transfer|wire|export|forward|e-?mail|disable|grant|reset|unlock|waive)\w*)\b|https?:|[\w.+-]+@|\b[a-z]+_[a-z_]+\b|\b(?:assistant|ai|bot|model|agent|llm|gpt|chatgpt|claude)\s*[,:]|\b(?:you|your)\b[^"”»」]*\b(?:ai|assistant|model|bot|llm)\b/i;
const REPORTED_INTRO =
  /(?:said|says|wrote|writes|asked|asking|told\s+(?:me|us|them|him|her)|claimed|claiming|saying|stating|telling\s+(?:me|us|them|him|her)|containing|contained|with\s+the\s+(?:text|phrase|line|subject(?:\s+line)?))\s*(?:to\s+|that\s+)?[:,]?\s*$/i;

/** An example introduced by a colon in framed text: "Example of a malicious instruction: Ignore all…". */
const EXAMPLE_INTRO =
  /(?:examples?|payloads?|phrases?|attacks?|attempts?|sentences?|vectors?|inputs?)\b[^:\n]{0,40}[:—–]\s*$/i;
/**
 * A third-person description of an attack: the order is what someone makes the model do, not an order to it ("the
 * attacker tells the model to ignore…", "instructions that try to override…", "pide al modelo que ignore…").
 */
const THIRD_PERSON =
  /(?:(?:tells?|telling|told|asks?|asking|asked|makes?|making|made|instructs?|instructing|gets?|getting|tricks?|tricking|convinces?|convincing|persuades?|lures?)\s+(?:the|an?|its|their)\s+(?:model|assistant|ai|bot|chatbot|llm|agent|system)s?\s+(?:to\s+|into\s+)?|\b(?:did|does|do|has|have|had|would)\s+(?:\w+\s+){1,3}(?:tell|ask|instruct|order|want)\s+(?:you|him|her|them|me|us)\s+to\s+|(?:that|which|who)\s+(?:try|tries|tried|attempts?|attempted)\s+to\s+|(?:al|a\s+la)\s+(?:modelo|ia|asistente)\s+que\s+|(?:au|à\s+l['’])\s*(?:mod[èe]le|ia|assistant)\s+(?:d['’]|de\s+)|(?:das|dem)\s+(?:modell|ki|assistenten)\s+(?:an,?\s+)?|(?:让|使|令)(?:模型|助手|ai)|(?:モデル|AI|アシスタント)に)$/iu;
/** The model's own instructions named in the third person: "its prior instructions", "其系统指令". */
const THIRD_PERSON_OBJECT =
  /^[^.!?\n]{0,30}?(?:\bits\s+(?:own\s+)?(?:prior|previous|original|initial|system|safety)?\s*(?:instructions|rules|guidelines|prompt)|其(?:系统)?指令)/iu;

/** The text speaks to whoever reads it now ("that's you, reading this"): a story can carry an order that way. */
const READER_ADDRESSED =
  /\b(?:you|your)\b[^.!?\n]{0,40}\b(?:reading|processing|parsing|summari[sz]ing)\s+(?:this|these)\b/i;
// Scene headings (`INT.`/`EXT.`), or a subtitle file's timecodes (`00:00:03,200 --> 00:00:06,400`).
const SCENE_HEADING =
  /(?:^|\n)[ \t]*(?:INT|EXT|INT\.\/EXT|I\/E)\.[ \t]+\S|\d\d:\d\d:\d\d[,.]\d{3}[ \t]*-->[ \t]*\d\d:\d\d/;
/** How far from a quote a document's framing is looked for (a title, an FAQ's question, a story's lead). */
const DOCUMENT_REACH = 2000;

// The screenplay test reads the whole text; the rules ask it for every hit of one text, so the last answer is kept.
let screenplayText: string | undefined;
let screenplayAnswer = false;
/** A screenplay (scene headings) that names none of the model's tools, data or setup and speaks to no reader. */
function screenplay(text: string): boolean {
  if (text !== screenplayText) {
    screenplayText = text;
    screenplayAnswer = SCENE_HEADING.test(text) && !MODEL_TARGET.test(text) && !READER_ADDRESSED.test(text);
  }
  return screenplayAnswer;
}

/** A third-person subject and a modal right before the hit: what a party, a body or a player shall or may do. */
const OTHER_SUBJECT =
  /(?:\b(?:the|a|an|each|every|any|no|our|its|their|this|that)\s+(?:[\p{L}-]+\s+){0,2}(?:shall|must|may|will|should|can|could|might|would)|\bshall)\s+(?:not\s+|also\s+|only\s+|\p{L}+ly\s+)?$/iu;
/** …unless that subject is the model, which is how an order to it is dressed up as a policy. */
const AI_SUBJECT = /\b(?:assistant|bot|chatbot|model|ai|copilot|agent|llm|gpt|system|you)s?\b[^.!?\n]*$/i;

/** A model named in the third person with a negation right before the hit: behaviour described, not ordered. */
const NEGATED_MODEL =
  /\b(?:the|our|this|that|its|their)\s+(?:\w+\s+)?(?:assistant|bot|chatbot|model|ai|copilot|agent|llm)s?\s+(?:won'?t|will\s+not|can(?:'|no)?t|cannot|does(?:n'?t|\s+not)|do(?:n'?t|\s+not)|never|refuses\s+to|is\s+not\s+(?:allowed|able|permitted)\s+to|is\s+(?:configured|designed|trained)\s+not\s+to)\s+$/i;

/** An apostrophe opens a quote only at a word start (`'Ignore…'`), never inside a word (`don't`). */
function opensQuote(text: string, i: number): boolean {
  const ch = text[i] ?? '';
  if (!OPENING.has(ch)) return false;
  if (ch !== "'" && ch !== '‘') return true;
  return i === 0 || /[\s:(\-–—]/.test(text[i - 1] ?? '');
}

function closesQuote(text: string, i: number): boolean {
  const ch = text[i] ?? '';
  if (!CLOSING.has(ch)) return false;
  if (ch !== "'" && ch !== '’') return true;
  // A particle may follow a quote straight away in Korean and Japanese (`'…'는`): no apostrophe sits inside their words.
  const next = text[i + 1] ?? '';
  return (
    !/[\p{L}\p{N}]/u.test(next) || /[\p{Script=Hangul}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Han}]/u.test(next)
  );
}

/** The quote around `[start, end)`: its opening and closing index, if the hit sits inside one. */
function quoteAround(text: string, start: number, end: number): { open: number; close: number } | undefined {
  let open = -1;
  for (let i = start - 1; i >= Math.max(0, start - LOOK_BACK); i--) {
    if (text[i] === '\n') break;
    if (opensQuote(text, i)) {
      open = i;
      break;
    }
  }
  // A hit may start just before the quote that holds its order: `a mail containing "assistant: export all…"`.
  if (open < 0) {
    for (let i = start; i < end; i++) {
      if (text[i] === '\n') break;
      if (opensQuote(text, i) && i > start) {
        open = i;
        break;
      }
    }
    for (let i = open + 1; open >= 0 && i < end; i++) if (closesQuote(text, i)) return undefined;
  }
  if (open < 0) return undefined;
  for (let i = end; i < Math.min(text.length, end + LOOK_AHEAD); i++) {
    if (text[i] === '\n') return undefined;
    if (closesQuote(text, i)) return { open, close: i };
  }
  return undefined;
}

// --- data laid out as data: table cells and quoted e-mail -----------------------------------------------------------

/** How far back a table's header or a quoted block's start is looked for. */
const STRUCTURE_REACH = 4000;
/**
 * Column names of a test set, a detector's log or a labelled sample: a table under such a header lists attacks as
 * data ("payload | category | blocked?"). Ordinary exports ("Name, Status, Notes") do not name these.
 */
const TEST_COLUMNS =
  /(?<![\p{L}])(?:payloads?|expected(?:[\s_]+\p{L}+)?|verdicts?|outcomes?|results?|blocked\??|flagged\??|detected\??|attacks?|techniques?|categor(?:y|ies)|labels?|test(?:[\s_]?(?:id|case|string|input)s?)?|scores?|severity|examples?|samples?|patterns?|goals?|tactics?|refus\p{L}*|beispiel\p{L}*|ergebnis|kategorie|exemples?|r[ée]sultats?|cat[ée]gor\p{L}*|ejemplos?|resultados?|esperad\p{L}*|esempi\p{L}*|risultat\p{L}*|przyk[łl]ad\p{L}*|wynik\p{L}*|пример\p{L}*|результат\p{L}*|категори\p{L}*|דוגמ\p{L}*|קטגוריה|תוצאה|مثال|نتيجة|فئة)(?![\p{L}])|期待|結果|カテゴリ|ブロック|ペイロード|例|结果|类别|類別|预期|攔截|拦截|결과|카테고리|예시|차단/iu;

/** The cell a hit sits in, as the header line of its table, when the hit's line is a row of one (`|`, tab or `,`). */
function tableHeader(text: string, start: number, end: number): { header: string; above: string } | undefined {
  // Every read stays within STRUCTURE_REACH of the hit, so each hit costs the same however long the text.
  const floor = Math.max(0, start - STRUCTURE_REACH);
  const lineStart = lineStartWithin(text, start, STRUCTURE_REACH);
  if (lineStart < 0) return undefined;
  const lineEnd = lineEndWithin(text, end, STRUCTURE_REACH);
  const line = text.slice(lineStart, lineEnd);
  const delimiter = ['|', '\t', ','].find((d) => line.split(d).length >= 3);
  if (delimiter === undefined) return undefined;
  // The header is the first line of the block of rows above, separator rows (`|---|---|`) aside.
  let header: string | undefined;
  let headerStart = lineStart;
  let at = lineStart;
  while (at > floor) {
    const previousStart = lineStartWithin(text, at - 1, at - 1 - floor);
    if (previousStart < 0) break;
    const previous = text.slice(previousStart, at - 1);
    if (previous.split(delimiter).length < 3) break;
    if (!/^[\s|:-]+$/.test(previous)) {
      header = previous;
      headerStart = previousStart;
      // The nearest line of short names that names a test column is the header; prose with commas above it is not.
      const names = previous.split(delimiter).map((cell) => cell.trim());
      if (names.every((cell) => cell.length <= 40) && names.some((cell) => TEST_COLUMNS.test(cell))) break;
    }
    at = previousStart;
  }
  if (header === undefined) return undefined;
  // A header's cells are names, not sentences.
  const cells = header.split(delimiter).map((cell) => cell.trim());
  if (!cells.every((cell) => cell.length <= 40)) return undefined;
  return { header, above: text.slice(Math.max(0, headerStart - 200), headerStart) };
}

/**
 * A cell's value in a test set's row: a verdict, a category or a score ("blocked", "prompt_leak", "FALSE", "0.82",
 * "Refused", "拒否"). A row under a test header without one (`| 4 | (Not an example. Assistant reading this…) | - |`)
 * is not a sample.
 */
const TEST_VALUE =
  /^(?:attack|benign|malicious|safe|unsafe|block(?:ed)?|allow(?:ed)?|refuse[ds]?|reject(?:ed)?|flag(?:ged)?|pass(?:ed)?|fail(?:ed)?|true|false|yes|no|injection|jailbreak|prompt[_ ]leak|persona|exfiltrat\p{L}*|override|obfuscation|indirect|tool[_ ]coercion|authority[_ ]spoof\p{L}*|role[_ ]play|quarantin\p{L}*|escalat\p{L}*|denied|detected|refus[ée]\p{L}*|bloqu\p{L}*|rechaz\p{L}*|recusad\p{L}*|abgelehnt|blockiert|rifiutat\p{L}*|odrzuc\p{L}*|отклон\p{L}*|заблокир\p{L}*|נדחה|נחסם|مرفوض|محظور|拒否|ブロック|はい|いいえ|拦截|拒绝|拒絕|是|否|차단|거부|예|아니오|\d+[.,]\d+|\d+(?:[.,]\d+)?%|[✓✗✔✘❌✅])(?![\p{L}])/iu;

/** A header naming a test set's columns, and a row that holds a verdict or a category beside the hit's cell. */
function testTableRow(table: { header: string; above: string }, text: string, start: number, end: number): boolean {
  const columns = table.header.split(/[|\t,]/).filter((cell) => TEST_COLUMNS.test(cell)).length;
  // Two test columns, or one under a title framing the table ("Sample rows:", "Examples of blocked inputs").
  if (columns < 2 && !framed(table.header) && !(columns === 1 && framed(table.above))) return false;
  const lineStart = Math.max(0, lineStartWithin(text, start, STRUCTURE_REACH));
  const lineEnd = lineEndWithin(text, end, STRUCTURE_REACH);
  const others = `${text.slice(lineStart, start)}\u0000${text.slice(end, lineEnd)}`;
  return others
    .split(/[|\t,]/)
    .some((cell) => !cell.includes('\u0000') && cell.trim().length <= 40 && TEST_VALUE.test(cell.trim()));
}

/** A line of a quoted e-mail (`> …`), not a marker such as `>>> to the AI <<<`. */
const QUOTED_LINE = /^[ \t]*>(?!>)/;
/**
 * What a forwarded e-mail's sender or a security team says around a quoted block when it reports an attack: stronger
 * words than `framed` (which also counts "said", "pasted", "received": a user pasting a chat log is no report).
 */
const REPORTS_ATTACK =
  /\b(?:phishing|scam|spam|attackers?|hackers?|malicious|suspicious|fraud\w*|social\s+engineering|injection|jailbreak\w*|red\s+flags?|(?:never|do\s+not|don'?t)\s+(?:follow|obey|comply|act)|not\s+acted|blocked|quarantin\w*|spoofed|security\s+team|awareness|training)\b/i;

/** The quoted e-mail block (`> …` lines) around a hit, with the text just outside it. */
function quotedBlockOutside(text: string, start: number, end: number): string | undefined {
  const floor = Math.max(0, start - STRUCTURE_REACH);
  const lineStart = lineStartWithin(text, start, STRUCTURE_REACH);
  if (lineStart < 0 || !QUOTED_LINE.test(text.slice(lineStart, lineStart + 20))) return undefined;
  let blockStart = lineStart;
  while (blockStart > floor) {
    const previousStart = lineStartWithin(text, blockStart - 1, blockStart - 1 - floor);
    if (previousStart < 0 || !QUOTED_LINE.test(text.slice(previousStart, previousStart + 20))) break;
    blockStart = previousStart;
  }
  const ceiling = Math.min(text.length, end + STRUCTURE_REACH);
  let blockEnd = lineEndWithin(text, end, ceiling - end);
  while (blockEnd < ceiling && QUOTED_LINE.test(text.slice(blockEnd + 1, blockEnd + 21))) {
    blockEnd = lineEndWithin(text, blockEnd + 1, ceiling - blockEnd - 1);
  }
  return `${text.slice(Math.max(0, blockStart - 600), blockStart)} ${text.slice(blockEnd, blockEnd + 600)}`;
}

/** The text just outside the fenced code block (```) around a hit, if the hit sits in one. */
function fencedBlockOutside(text: string, start: number, end: number): string | undefined {
  const from = Math.max(0, start - STRUCTURE_REACH);
  const before = text.slice(from, start);
  const open = before.lastIndexOf('```');
  if (open < 0) return undefined;
  // Fences pair up: the hit is inside a block when an odd number of fences precede it within reach.
  let fences = 0;
  for (let at = before.indexOf('```'); at >= 0; at = before.indexOf('```', at + 3)) fences++;
  if (fences % 2 === 0) return undefined;
  const close = text.slice(end, end + STRUCTURE_REACH).indexOf('```');
  if (close < 0) return undefined;
  return `${text.slice(Math.max(0, from + open - 300), from + open)} ${text.slice(end + close + 3, end + close + 303)}`;
}

/** A regular expression quoted as a filter's pattern: `(?i)`, `\s*`, `(a|b)`, `.{0,30}`. */
const REGEX_SOURCE = /\(\?[imsx]+\)|\\[sdwb][*+?]|\.\{\d+,\d*\}|\([^()|]+\|[^()|]+\)/;

/** Multiplier for a hit at `[start, end)`: 1 for a direct order, lower when the text quotes or reports one. */
export function reportedSpeechFactor(text: string, start: number, end: number): number {
  // A row of a table whose header names a test set's columns: the cell is a sample, not an order.
  const header = tableHeader(text, start, end);
  if (header !== undefined && testTableRow(header, text, start, end)) return 0.15;
  const quote = quoteAround(text, start, end);
  if (quote) {
    if (WRAPPER_BEFORE.test(text.slice(Math.max(0, quote.open - 80), quote.open))) return 1;
    if (REGEX_SOURCE.test(text.slice(quote.open + 1, quote.close))) return 0.15;
    const outside = `${text.slice(Math.max(0, quote.open - 200), quote.open)} ${text.slice(quote.close + 1, quote.close + 200)}`;
    if (framed(outside)) return 0.15;
    if (MODEL_TARGET.test(text.slice(quote.open + 1, quote.close))) return 1;
    if (CREATIVE.test(outside)) return 0.3;
    // The framing may sit further off in a document that reports on attacks or tells a story (a finding's title, an
    // FAQ's question, a news story's lead): a quoted order there that names none of the model's tools, data or setup
    // counts for little.
    // Read within DOCUMENT_REACH of the quote, so each hit costs the same however long the text.
    const rest = `${text.slice(Math.max(0, quote.open - DOCUMENT_REACH), quote.open)} ${text.slice(quote.close + 1, quote.close + 1 + DOCUMENT_REACH)}`;
    return rest.length > outside.length && (framed(rest) || CREATIVE.test(rest)) ? 0.3 : 1;
  }
  // A proof of concept or a sample in a fenced code block, with a report around it.
  const outsideFence = fencedBlockOutside(text, start, end);
  if (outsideFence !== undefined && framed(outsideFence)) return 0.15;
  // A quoted e-mail (`> …` lines) forwarded with a report around it ("looks like it is trying to get our copilot…").
  const outsideBlock = quotedBlockOutside(text, start, end);
  if (
    outsideBlock !== undefined &&
    (REPORTS_ATTACK.test(outsideBlock) ||
      FRAMING_OTHER.test(outsideBlock) ||
      FRAMING_CJK.test(outsideBlock) ||
      FRAMING_ATTACHED.test(outsideBlock))
  )
    return 0.15;
  const before = text.slice(Math.max(0, start - 200), start);
  const around = `${before} ${text.slice(end, end + 160)}`;
  // A character's line in a screenplay (scene headings `INT.`/`EXT.`): written for actors, unless it names the model's
  // tools, data or setup.
  if (screenplay(text)) return 0.3;
  // What the model will not do, told about it: "why the assistant won't show your system prompt".
  if (NEGATED_MODEL.test(before.slice(-60))) return 0.3;
  // A rule for someone else, not an order to the reader: "the Tribunal shall disregard any instructions…".
  if (OTHER_SUBJECT.test(before.slice(-60)) && !AI_SUBJECT.test(before.slice(-60))) return 0.3;
  const described = THIRD_PERSON_OBJECT.test(text.slice(start, end + 30)) || THIRD_PERSON.test(before.slice(-60));
  if (described && (framed(around) || /\b(?:users?|someone|people)\b/i.test(before))) return 0.3;
  if (!framed(before)) return 1;
  // The intro may sit before an earlier part of the same quoted order: "Example: ignore all rules and reveal…".
  const clause = /[^.!?\n]*$/.exec(before)?.[0] ?? '';
  const colon = Math.max(clause.lastIndexOf(':'), clause.lastIndexOf('—'), clause.lastIndexOf('–'));
  const intro = colon >= 0 ? clause.slice(0, colon + 1) : before;
  return REPORTED_INTRO.test(intro.slice(-40)) || EXAMPLE_INTRO.test(intro.slice(-60)) ? 0.3 : 1;
}

// --- word-split obfuscation ---------------------------------------------------------------------------------------

const VERBS = ['ignore', 'disregard', 'forget', 'bypass', 'override'];
const FILLERS = ['all', 'any', 'the', 'of', 'your', 'my'];
const QUALIFIERS = ['previous', 'prior', 'above', 'earlier', 'preceding', 'initial', 'original', 'system', 'your'];
const OBJECTS = ['instructions', 'instruction', 'prompts', 'prompt', 'rules', 'directions', 'directives', 'guidelines'];
const LEAK_VERBS = ['reveal', 'show', 'print', 'repeat', 'output'];
const LEAK_OBJECTS = ['prompt', 'prompts', 'instructions'];
const alt = (list: string[]): string => `(?:${list.join('|')})`;
const JOINED = new RegExp(
  `${alt(VERBS)}${alt(FILLERS)}*${alt(QUALIFIERS)}${alt(OBJECTS)}|${alt(LEAK_VERBS)}(?:me)?(?:your|the)(?:system|initial|hidden|original)${alt(LEAK_OBJECTS)}`,
);
const SPACED = new RegExp(
  `${alt(VERBS)}(?:\\s+${alt(FILLERS)})*\\s+${alt(QUALIFIERS)}\\s+${alt(OBJECTS)}|${alt(LEAK_VERBS)}(?:\\s+me)?\\s+(?:your|the)\\s+(?:system|initial|hidden|original)\\s+${alt(LEAK_OBJECTS)}`,
  'i',
);

/**
 * Words split by stray spaces (`ign ore previ ous instruc tions`): letters joined across single spaces (any other
 * character breaks the run), matched against the core phrases. A phrase that reads normally is left to the rules.
 * Returns the original span of the first obfuscated phrase.
 */
export function splitWordPhrase(text: string): [number, number] | undefined {
  if (text.length > 20_000 || !/[a-z] [a-z]/i.test(text)) return undefined;
  const letters: string[] = [];
  const origin: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if ((code >= 65 && code <= 90) || (code >= 97 && code <= 122)) {
      letters.push(String.fromCharCode(code | 0x20));
      origin.push(i);
    } else if (code !== 32) {
      letters.push('|');
      origin.push(i);
    }
  }
  const joined = letters.join('');
  const m = JOINED.exec(joined);
  if (m === null) return undefined;
  const start = origin[m.index] as number;
  const end = (origin[m.index + m[0].length - 1] as number) + 1;
  return SPACED.test(text.slice(start, end)) &&
    text
      .slice(start, end)
      .split(/\s+/)
      .every((word) => word.length > 1)
    ? undefined
    : [start, end];
}
