/**
 * Concept tags for the learned model: words that carry an attacker's intent, in the languages the screen reads,
 * mapped to one tag per idea (`override`, `instructions`, `reveal`, `ai`…). The model learns from the sequence of tags
 * as well as from the words, so "scratch everything you were set up with", "vergiss alle bisherigen Anweisungen" and
 * "忽略之前的所有指令" share features even when no training line used those words. The tags are evidence for the model
 * to weigh, never a verdict on their own: business text is full of them, and the model learns which orders of them
 * matter from the training lines.
 *
 * Written from general knowledge of each language, not from any evaluation text. Lower case, as the model's prepared
 * text is; numbers there are already `0`.
 */

// `role_tag` lists chat-template and fake-turn markers only: a bare `System:` or `Assistant:` label is everyday log and
// transcript text (its words still count as `authority` and `ai`).
/** Word lists per concept. Latin, Cyrillic, Greek, Arabic and Hebrew entries match whole words (a prefix may be
 * marked with a trailing `*`); Chinese, Japanese, Korean and Thai entries match anywhere. */
// prettier-ignore
const LEXICON: Readonly<Record<string, readonly string[]>> = {
  override: [
    'ignore*', 'disregard*', 'forget*', 'override*', 'bypass*', 'overrule*', 'discard*', 'scrap*', 'drop', 'abandon*',
    'supersede*', 'void', 'lifted', 'suspend*', 'disable*', 'deactivate*', 'circumvent*', 'skip*', 'set aside',
    'throw out', 'toss', 'wipe', 'reset', 'unlearn', 'no longer apply', 'no longer bound', 'ignorier*', 'vergiss',
    'vergessen', 'missacht*', 'überschreib*', 'umgeh*', 'deaktivier*', 'hinfällig', 'ignor*', 'oublie*', 'contourn*',
    'désactiv*', 'annul*', 'olvid*', 'omit*', 'desactiv*', 'dimentic*', 'salta', 'disattiv*', 'esqueç*', 'esquec*',
    'desativ*', 'negeer*', 'vergeet', 'omzeil*', 'zignoruj*', 'ignoruj*', 'zapomnij', 'pomiń', 'pomin', 'obejdź',
    'игнорир*', 'забудь*', 'забуд*', 'отключи*', 'обойди*', 'отмени*', 'ігноруй*', 'забудь', 'yoksay*', 'unut*',
    'görmezden', 'atla', 'تجاهل*', 'انس', 'התעלם*', 'שכח*', 'αγνόησε', 'ξέχασε', 'zapomeň', 'ignoruj', 'glöm',
    'ignorera', 'unohda', 'lupakan', 'abaikan', 'bỏ qua', 'quên', '無視', '忘れ', '忽略', '忘记', '忘掉', '无视', '绕过', '무시',
    '잊어', '잊고', 'เพิกเฉย', 'ลืม',
  ],
  prior: [
    'previous', 'prior', 'above', 'earlier', 'preceding', 'initial', 'original', 'existing', 'former', 'old',
    'everything', 'all', 'any', 'vorherig*', 'bisherig*', 'obig*', 'alle', 'allen', 'früher*', 'précédent*',
    'antérieur*', 'toutes', 'tous', 'anterior*', 'previa*', 'previo*', 'todas', 'todos', 'precedent*', 'tutte',
    'tutti', 'vorige', 'eerdere', 'alle', 'wszystkie', 'poprzedni*', 'wcześniejsz*', 'предыдущ*', 'прежн*', 'все',
    'всё', 'попередн*', 'önceki', 'tüm', 'السابقة', 'جميع', 'הקודמות', 'προηγούμεν*', 'předchozí', 'tidigare',
    'aiemmat', 'sebelumnya', 'semua', 'trước', '以前', '之前', '先前', '所有', '全部', '前の', 'すべて', '全て', '이전', '모든',
    'ก่อนหน้า', 'ทั้งหมด',
  ],
  instructions: [
    'instruction*', 'rule*', 'guideline*', 'directive*', 'prompt*', 'polic*', 'restriction*', 'guardrail*',
    'constraint*', 'configuration', 'config', 'setup', 'set up', 'programming', 'programmed', 'guidance', 'orders',
    'filter*', 'safeguard*', 'limitation*', 'limits', 'anweisung*', 'regel*', 'vorgabe*', 'richtlinie*',
    'einschränkung*', 'befehl*', 'consigne*', 'règle*', 'directive*', 'instrucci*', 'regla*', 'directriz*',
    'directrices', 'norma*', 'istruzion*', 'regol*', 'instruç*', 'regras', 'diretriz*', 'instructie*', 'regels',
    'instrukcj*', 'zasad*', 'polece*', 'инструкц*', 'правил*', 'указани*', 'ограничени*', 'інструкц*', 'talimat*',
    'kural*', 'التعليمات', 'تعليمات', 'القواعد', 'הוראות', 'οδηγίες', 'instrukce', 'pokyny', 'instruktion*', 'regler',
    'ohjee*', 'instruksi', 'aturan', 'hướng dẫn', '指示', '指令', '规则', '規則', 'ルール', '制約', '命令', '设定', '設定', '限制', '지시',
    '규칙', '지침', '명령', 'คำสั่ง', 'กฎ',
  ],
  new_orders: [
    'from now on', 'henceforth', 'going forward', 'starting now', 'new instructions', 'new rules', 'new task',
    'instead', 'only', 'ab jetzt', 'ab sofort', 'désormais', 'dorénavant', 'a partir de ahora',
    'de ahora en adelante', "d'ora in poi", 'a partir de agora', 'vanaf nu', 'od teraz', 'отныне', 'с этого момента',
    'bundan sonra', 'من الآن', 'מעכשיו', 'od teď', 'från och med nu', 'mulai sekarang', 'từ bây giờ', '从现在起', '从现在开始',
    '今後', 'これから', '지금부터', 'ต่อจากนี้',
  ],
  ai: [
    'assistant', 'ai', 'a.i', 'bot', 'chatbot', 'llm', 'model', 'agent', 'copilot', 'gpt', 'chatgpt', 'einstein',
    'claude', 'gemini', 'language model', 'ki', 'assistent*', 'ia', 'assistente', 'asistente', 'modèle', 'modelo',
    'modello', 'asystent*', 'ии', 'ассистент*', 'нейросет*', 'бот', 'асистент*', 'yapay zeka', 'asistan',
    'الذكاء الاصطناعي', 'المساعد', 'בינה מלאכותית', 'עוזר', 'βοηθός', 'τεχνητή νοημοσύνη', 'asistent', 'tekoäly',
    'asisten', 'trợ lý', 'อัจฉริยะ', '人工智能', '助手', '助理', '机器人', '模型', 'アシスタント', 'ボット', '人工知能', '어시스턴트', '인공지능', '챗봇',
    'ผู้ช่วย', 'บอท',
  ],
  you: [
    'you', 'your', 'yourself', 'du', 'dir', 'dich', 'dein*', 'tu', 'toi', 'ton', 'tes', 'vous', 'votre', 'tú', 'tus',
    'usted', 'ты', 'тебе', 'твои', 'твой', 'вы', 'ваш*', 'sen', 'senin', 'jij', 'je', 'jouw', 'ty', 'twoje', '你', '您',
    'あなた', '너', '당신',
  ],
  reveal: [
    'reveal*', 'print*', 'show*', 'display*', 'output*', 'repeat*', 'dump*', 'disclose*', 'expose*', 'leak*',
    'paste*', 'recite*', 'echo', 'spell out', 'tell me', 'write out', 'quote', 'verbatim', 'word for word', 'zeig*',
    'gib*', 'verrat*', 'wiederhol*', 'ausgeben', 'affich*', 'révèl*', 'montre*', 'répète*', 'muestra*', 'revela*',
    'repite*', 'mostra*', 'rivela*', 'ripeti*', 'revele', 'toon', 'herhaal', 'pokaż', 'ujawnij', 'powtórz', 'покажи*',
    'выведи*', 'раскрой*', 'повтори*', 'покажи', 'göster', 'tekrarla', 'أظهر', 'اكشف', 'הצג', 'חשוף', 'δείξε', 'ukaž',
    'visa', 'näytä', 'tampilkan', 'hiển thị', '显示', '展示', '透露', '泄露', '输出', '表示', '教えて', '出力', '보여', '공개', '출력',
    'แสดง', 'เปิดเผย',
  ],
  secret: [
    'system prompt', 'hidden', 'secret*', 'confidential', 'internal', 'password*', 'credential*', 'api key', 'token*',
    'private', 'initial prompt', 'developer message', 'verbatim', 'geheim*', 'versteckt*', 'intern*', 'passwort',
    'caché*', 'secret', 'oculto*', 'secreto*', 'nascost*', 'segret*', 'escondid*', 'verborgen', 'ukryt*', 'tajn*',
    'скрыт*', 'секрет*', 'парол*', 'gizli', 'şifre', 'السري', 'مخفي', 'סודי', 'μυστικ*', 'tajné', 'dold*', 'salainen',
    'rahasia', 'bí mật', '系统提示', '隐藏', '秘密', '密码', 'システムプロンプト', '隠し', '機密', '시스템 프롬프트', '숨겨진', '비밀', 'ความลับ',
  ],
  send: [
    'send*', 'forward*', 'email*', 'e-mail*', 'mail', 'post*', 'upload*', 'export*', 'transmit*', 'exfiltrat*',
    'sync*', 'submit*', 'deliver*', 'share', 'cc', 'bcc', 'schick*', 'send*', 'sende*', 'weiterleit*', 'envo*',
    'transf*', 'inoltra*', 'invia*', 'encaminh*', 'stuur*', 'wyślij', 'prześlij', 'отправ*', 'перешли*', 'пересл*',
    'надішли*', 'gönder*', 'أرسل', 'שלח', 'στείλε', 'pošli', 'skicka', 'lähetä', 'kirim', 'gửi', '发送', '转发', '送信',
    '転送', '보내', '전송', 'ส่ง',
  ],
  bulk: [
    'every', 'entire', 'full', 'complete', 'whole', 'unmasked', 'raw', 'unredacted', 'sämtlich*', 'vollständig*',
    'komplett*', 'complet*', 'entier*', 'complet*', 'entera', 'intero', 'inteiro', 'volledig*', 'pełn*', 'całą',
    'полн*', 'весь', 'всю', 'tamamı', 'كامل', 'כל', 'όλα', 'celou', 'hela', 'koko', 'seluruh', 'toàn bộ', '全部', '所有',
    '完整', '全て', 'すべて', '전체', '모든', 'ทั้งหมด',
  ],
  data: [
    'customer*', 'contact*', 'record*', 'account*', 'data', 'database', 'conversation*', 'history', 'chat*',
    'email addresses', 'phone numbers', 'card*', 'ssn*', 'client*', 'users', 'patients', 'list', 'lead*', 'kunde*',
    'daten*', 'client*', 'données', 'datos', 'clientes', 'dati', 'dados', 'klant*', 'gegevens', 'klient*', 'dane',
    'клиент*', 'данн*', 'müşteri*', 'veri*', 'العملاء', 'البيانات', 'לקוחות', 'נתונים', 'πελάτ*', 'δεδομένα',
    'zákazník*', 'kund*', 'asiakas*', 'pelanggan', 'khách hàng', 'dữ liệu', '客户', '数据', '顧客', 'データ', '고객', '데이터',
    'ลูกค้า', 'ข้อมูล',
  ],
  persona: [
    'pretend*', 'act as', 'acting as', 'role-play*', 'roleplay*', 'role play', 'persona', 'character', 'simulate*',
    'you are now', "you're now", 'dan', 'developer mode', 'jailbreak*', 'unfiltered', 'uncensored', 'unrestricted',
    'no restrictions', 'without restrictions', 'no limits', 'no rules', 'without filters', 'evil',
    'stay in character', 'tu es maintenant', 'fais semblant', 'du bist jetzt', 'tu eres ahora', 'eres ahora', 'finge',
    'fingi', 'sei ora', 'você agora é', 'finja', 'je bent nu', 'jesteś teraz', 'udawaj', 'теперь ты', 'притворись',
    'представь', 'artık sen', 'gibi davran', 'تظاهر', 'העמד פנים', 'προσποιήσου', 'jsi teď', 'låtsas', 'berpura-pura',
    'giả vờ', '扮演', '假装', '你现在是', 'ふりをして', '演じ', '今からあなたは', '역할', '척해', 'แกล้งทำ',
  ],
  authority: [
    'admin*', 'administrator', 'system', 'developer*', 'root', 'security team', 'ceo', 'compliance', 'it department',
    'salesforce', 'openai', 'anthropic', 'official', 'authori*', 'approved', 'pre-approved', 'override code',
    'sysadmin', 'vendor', 'headquarters', 'management', 'systemadministrator', 'administrateur', 'administrador',
    'amministratore', 'beheerder', 'administrator', 'администратор', 'система', 'системное', 'yönetici', 'المسؤول',
    'מנהל', 'διαχειριστής', 'správce', 'ylläpitäjä', 'quản trị', '管理员', '系统', '管理者', 'システム', '관리자', '시스템', 'ผู้ดูแล',
  ],
  covert: [
    'silently', 'quietly', 'secretly', 'without telling', "don't mention", 'do not mention', "don't tell",
    'do not tell', 'without confirmation', 'without asking', 'no confirmation', 'immediately', 'urgent*', 'unbemerkt',
    'heimlich', 'sans le dire', 'discrètement', 'en silencio', 'sin avisar', 'in silenzio', 'silenciosamente',
    'stilletjes', 'po cichu', 'тихо', 'незаметно', 'sessizce', 'بصمت', 'בשקט', 'σιωπηλά', 'potichu', 'tyst', 'hiljaa',
    'diam-diam', 'âm thầm', '悄悄', '默默', '秘密に', '黙って', '몰래', 'แอบ',
  ],
  tool: [
    'call', 'invoke*', 'execute*', 'run', 'trigger*', 'tool', 'function', 'api', 'endpoint', 'webhook', 'http',
    'https', 'callout', 'curl', 'fetch', 'request', 'aufruf*', 'appelle*', 'exécute*', 'llama*', 'ejecuta*',
    'chiama*', 'esegui*', 'chame', 'execute', 'roep', 'wywołaj', 'uruchom', 'вызови*', 'выполни*', 'çağır',
    'çalıştır', 'استدع', 'نفذ', 'הפעל', 'κάλεσε', 'zavolej', 'kör', 'kutsu', 'panggil', 'gọi', '调用', '执行', '呼び出',
    '実行', '호출', '실행', 'เรียกใช้',
  ],
  role_tag: [
    '[system]', '<system>', '<|im_start|>', '<|system|>', '### system', '### instruction',
    '[inst]', '<<sys>>', '[admin]', '### developer', 'end of user input', 'end of context',
    '</context>', '</user>', '[end]',
  ],
  // Genre words: text that reports on, teaches about, narrates or regulates (a phishing warning quoting its lure, a
  // pen-test finding, a story, a contract), in the languages above. Evidence the model weighs beside the intent tags:
  // across the training authors, each left out in turn, they raised detection at 2% false positives by about a point.
  report: [
    'phishing', 'scam*', 'fraud*', 'attacker*', 'attempt*', 'example*', 'sample*', 'suspicious', 'warning*', 'beware',
    'awareness', 'training', 'reported', 'report it', 'incident*', 'malicious', 'red team*', 'pentest*', 'pen test*',
    'penetration', 'vulnerabilit*', 'finding*', 'simulated', 'simulation', 'never ask*', 'will never', 'do not click',
    "don't click", 'do not reply', 'spoof*', 'impersonat*', 'social engineering', 'injection', 'jailbreak attempt*',
    'threat*', 'mitigat*', 'detected', 'blocked', 'quarantin*', 'advisory', 'bulletin', 'cve', 'lesson*', 'quiz*',
    'betrug*', 'warnung', 'vorsicht', 'beispiel*', 'angreifer*', 'versuch*', 'verdächtig*', 'arnaque*', 'fraude*',
    'exemple*', 'tentative*', 'attaquant*', 'suspect*', 'estafa*', 'ejemplo*', 'intento*', 'atacante*', 'sospechos*',
    'advertencia', 'truffa*', 'esempio', 'tentativ*', 'sospett*', 'golpe*', 'exemplo*', 'suspeit*', 'oplichting',
    'voorbeeld*', 'poging*', 'oszustw*', 'przykład*', 'próba', 'мошенни*', 'пример*', 'попытк*', 'подозрит*',
    'шахрай*', 'dolandırıcılık', 'örnek', 'şüpheli', 'احتيال', 'مثال', 'محاولة', 'הונאה', 'דוגמה', 'ניסיון',
    'απάτη', 'παράδειγμα', 'podvod*', 'příklad', 'bedrägeri*', 'exempel', 'huijaus*', 'esimerkki*', 'penipuan',
    'contoh', 'lừa đảo', 'ví dụ', '诈骗', '钓鱼', '示例', '例如', '攻击者', '詐欺', 'フィッシング', '例えば', '攻撃者', '사기', '피싱',
    '예시', '공격자', 'หลอกลวง', 'ฟิชชิ่ง', 'ตัวอย่าง',
  ],
  narrative: [
    'chapter', 'story', 'novel', 'scene', 'protagonist', 'villain', 'hero', 'heroine', 'poem', 'verse', 'fiction*',
    'tale', 'once upon', 'screenplay', 'episode', 'slogan', 'tagline', 'campaign', 'ad copy', 'headline',
    'she said', 'he said', 'whispered', 'shouted', 'replied', 'kapitel', 'geschichte', 'roman', 'erzählung',
    'chapitre', 'histoire', 'récit', 'capítulo', 'historia', 'relato', 'novela', 'capitolo', 'storia', 'racconto',
    'história', 'hoofdstuk', 'verhaal', 'rozdział', 'opowieść', 'глава', 'рассказ', 'история', 'роман', 'bölüm',
    'hikaye', 'فصل', 'قصة', 'פרק', 'סיפור', 'κεφάλαιο', 'ιστορία', 'kapitola', 'příběh', 'berättelse', 'tarina',
    'cerita', 'câu chuyện', '章', '故事', '小説', '物語', '소설', '이야기', 'นิยาย', 'เรื่องราว',
  ],
  legal: [
    'shall', 'hereby', 'herein', 'hereof', 'pursuant', 'clause*', 'section', 'article', 'agreement', 'contract*',
    'party', 'parties', 'terms', 'notwithstanding', 'liabilit*', 'warrant*', 'employees must',
    'staff must', 'policy owner', 'effective date', 'vertrag*', 'gemäß', 'vereinbarung', 'klausel', 'contrat*',
    'conformément', 'présent accord', 'contrato*', 'cláusula*', 'conforme', 'acuerdo', 'contratto', 'clausola',
    'ai sensi', 'overeenkomst', 'umow*', 'договор*', 'соглашени*', 'sözleşme', 'عقد', 'اتفاقية', 'חוזה', 'הסכם',
    'σύμβαση', 'smlouv*', 'avtal*', 'sopimus', 'perjanjian', 'hợp đồng', '合同', '协议', '条款', '契約', '規約', '계약', '약관',
    'สัญญา',
  ],
};

/**
 * Markers: tags read beside the concepts, never instead of them ("the assistant" is `ai_described` and its word
 * `assistant` still `ai`). Matched as phrases or substrings of the prepared text.
 */
// prettier-ignore
const MARKER_LEXICON: Readonly<Record<string, readonly string[]>> = {
  // A control skipped or hidden: an insider's request that is fraud by the request itself ("skip the approval", "no
  // need to ask the manager", "nobody will notice", "don't record it"), whatever the business words around it.
  skip_control: [
    'skip the approval', 'skip approval', 'skip the check', 'skip verification', 'skip the confirmation',
    'without approval', 'without the approval', 'without verifying', 'without verification', 'no need to ask',
    'no need to check', 'no need to verify', "don't ask", 'do not ask', "don't bother", 'do not bother',
    "don't check", "don't verify", 'nobody will notice', 'no one will notice', "don't record", 'do not record',
    "don't log", 'do not log', "don't note", 'off the record', 'leave no trace', 'no paper trail',
    'before anyone notices', 'sin pasar por', 'sin aprobación', 'sin verificar', 'no hace falta preguntar',
    'sin preguntar', 'ohne freigabe', 'ohne genehmigung', 'ohne prüfung', 'nicht nachfragen', 'nicht protokollieren',
    'sans validation', 'sans vérifier', 'sans passer par', 'sans demander', 'pas besoin de demander',
    'senza approvazione', 'senza chiedere', 'sem aprovação', 'sem perguntar', 'sem verificar', 'não precisa perguntar',
    'zonder goedkeuring', 'zonder te vragen', 'bez zgody', 'bez pytania', 'без согласования', 'без одобрения',
    'без проверки', 'не спрашивай', 'без погодження', 'не питай', 'onaysız', 'onay adımını atla', 'sormadan',
    'دون موافقة', 'بدون موافقة', 'دون إشعار', 'בלי אישור', 'ללא אישור', 'χωρίς έγκριση', 'utan godkännande',
    'ilman hyväksyntää', 'tanpa persetujuan', 'không cần hỏi', '不需要审批', '跳过审批', '不用问', '承認フローは飛ばして',
    '記録には残さ', '결재', '승인 없이', 'ไม่ต้องขออนุมัติ',
  ],
  // Money or goods sent somewhere other than on file: "to a different card", "the new bank details", "instead of
  // the one on the account".
  redirect: [
    'different card', 'different account', 'different address', 'another card', 'another account', 'new bank details',
    'new iban', 'new account details', 'updated bank details', 'instead of the one on file', 'not the one on file',
    'not the one on the account', 'other card', 'otra tarjeta', 'otra cuenta', 'nueva cuenta', 'andere karte',
    'anderes konto', 'neue bankverbindung', 'autre carte', 'autre compte', 'nouveau rib', 'altra carta', 'altro conto',
    'outro cartão', 'outra conta', 'andere rekening', 'inna karta', 'inne konto', 'другую карту', 'другой счёт',
    'новые реквизиты', 'нові реквізити', 'farklı kart', 'başka hesap', 'حساب آخر', 'חשבון אחר', 'άλλο λογαριασμό',
    'annat konto', 'toinen tili', 'rekening lain', 'tài khoản khác', '另一个账户', '别的卡', '別の口座', '다른 계좌', 'บัญชีอื่น',
  ],
  // The model spoken to, not spoken about: a vocative or a note "to the AI that reads this".
  ai_addressed: [
    'dear assistant', 'hey assistant', 'hi assistant', 'hello assistant', 'note to the assistant', 'note to the ai',
    'to the ai', 'to the assistant', 'to the bot', 'attention ai', 'attention assistant', 'ai reading this',
    'assistant reading this', 'if you are an ai', 'if you are a language model', 'as an ai', 'you are an ai',
    'whoever reads this', 'any ai', 'ai agents reading', 'automated assistant processing', 'an die ki',
    'an den assistenten', 'liebe ki', "à l'ia", "à l'assistant", 'cher assistant', 'al asistente', 'a la ia',
    'querido asistente', "all'assistente", "all'ia", 'ao assistente', 'à ia', 'aan de assistent', 'do asystenta',
    'ассистенту', 'для ии', 'асистенту', 'asistana', 'للمساعد', 'إلى الذكاء الاصطناعي', 'לעוזר', 'προς τον βοηθό',
    'asistentovi', 'till assistenten', 'avustajalle', 'kepada asisten', 'untuk asisten', 'gửi trợ lý', '致ai', '给助手',
    'ai助手请', 'aiへ', 'アシスタントへ', 'ai에게', '어시스턴트에게', 'ถึงผู้ช่วย',
  ],
  // The model described in the third person: policies, release notes, minutes and news about assistants.
  ai_described: [
    'the assistant', 'the bot', 'the chatbot', 'the agent', 'the model', 'the copilot', 'our assistant',
    'our chatbot', 'our bot', 'our ai', 'the ai', 'ai assistants', 'chatbots', 'assistants', 'ai tools', 'ai features',
    'ai feature', 'language models', 'the virtual assistant', 'virtual assistants', 'der assistent', 'die ki',
    'der chatbot', "l'assistant", 'le chatbot', "l'ia", 'el asistente', 'la ia', 'el chatbot', "l'assistente",
    'il chatbot', 'o assistente', 'a ia', 'de assistent', 'de chatbot', 'asystent ai', 'ассистент', 'чат-бот',
    'асистент', 'asistan', 'المساعد', 'העוזר', 'ο βοηθός', 'asistent', 'assistenten', 'avustaja', 'asisten ai',
    'trợ lý ai', '该助手', '助手会', '助手不', 'アシスタントは', 'ボットは', '어시스턴트는', '챗봇은', 'ผู้ช่วยจะ',
  ],
};

/** The concepts, then the markers, in a fixed order (their index is the tag). */
export const CONCEPTS: readonly string[] = [...Object.keys(LEXICON), ...Object.keys(MARKER_LEXICON)];

const SPACED = /^[\p{Script=Latin}\p{Script=Cyrillic}\p{Script=Greek}\p{Script=Arabic}\p{Script=Hebrew}\s'.-]+\*?$/u;
type Phrase = { words: string[]; prefix: boolean; concept: number };

/**
 * The lexicon as lookups, built once: whole words by their text, prefixes (`ignor*`) by their text, phrases by their
 * first word, and unspaced scripts and marked-up role tags as substrings. A concept listed earlier wins a word that
 * two concepts list.
 */
const WHOLE = new Map<string, number>();
const PREFIXES = new Map<string, number>();
const PHRASES = new Map<string, Phrase[]>();
const SUBSTRINGS: Array<{ text: string; concept: number }> = [];
CONCEPTS.forEach((concept, index) => {
  for (const entry of LEXICON[concept] ?? []) {
    const prefix = entry.endsWith('*');
    const body = prefix ? entry.slice(0, -1) : entry;
    const words = body.split(' ');
    if (!SPACED.test(entry) || !/^[\p{L}\p{N}]+$/u.test(words.join(''))) {
      if (!SUBSTRINGS.some((known) => known.text === body)) SUBSTRINGS.push({ text: body, concept: index });
    } else if (words.length > 1) {
      const list = PHRASES.get(words[0] as string) ?? [];
      list.push({ words, prefix, concept: index });
      PHRASES.set(words[0] as string, list);
    } else if (prefix) {
      if (!PREFIXES.has(body)) PREFIXES.set(body, index);
    } else if (!WHOLE.has(body)) WHOLE.set(body, index);
  }
});
// Markers: every entry as a phrase of whole words (first word → phrases) or, for unspaced scripts and entries with
// apostrophes, a substring.
const MARKER_PHRASES = new Map<string, Phrase[]>();
const MARKER_SUBSTRINGS: Array<{ text: string; concept: number }> = [];
Object.entries(MARKER_LEXICON).forEach(([concept, entries]) => {
  const index = CONCEPTS.indexOf(concept);
  for (const entry of entries) {
    const words = entry.split(' ');
    if (!SPACED.test(entry) || !/^[\p{L}\p{N}]+$/u.test(words.join(''))) {
      MARKER_SUBSTRINGS.push({ text: entry, concept: index });
    } else {
      const list = MARKER_PHRASES.get(words[0] as string) ?? [];
      list.push({ words, prefix: false, concept: index });
      MARKER_PHRASES.set(words[0] as string, list);
    }
  }
});
const LONGEST_PREFIX = Math.max(...[...PREFIXES.keys()].map((key) => key.length));
const TOKEN = /[\p{L}\p{N}]+/gu;

function conceptOfWord(word: string): number | undefined {
  const whole = WHOLE.get(word);
  if (whole !== undefined) return whole;
  for (let length = Math.min(word.length, LONGEST_PREFIX); length >= 2; length--) {
    const hit = PREFIXES.get(word.slice(0, length));
    if (hit !== undefined) return hit;
  }
  return undefined;
}

/**
 * Calls `visit` with each concept tag found in `prepared`, in order of appearance; where two finds overlap (`### system`
 * and the word `system` in it), the one that starts first, then the longer, counts. Linear in the text's length.
 */
export function forEachConcept(prepared: string, visit: (concept: number) => void): void {
  const found: Array<[number, number, number]> = []; // start, end, concept
  const tokens: Array<{ word: string; index: number }> = [];
  TOKEN.lastIndex = 0;
  for (let m = TOKEN.exec(prepared); m !== null; m = TOKEN.exec(prepared)) tokens.push({ word: m[0], index: m.index });
  const matchAt = (i: number, phrases: Phrase[] | undefined): Phrase | undefined =>
    phrases?.find((p) =>
      p.words.every((w, k) => {
        const next = tokens[i + k]?.word;
        return next !== undefined && (next === w || (p.prefix && k === p.words.length - 1 && next.startsWith(w)));
      }),
    );
  const markerFinds: Array<[number, number, number]> = []; // start, end, concept
  for (let i = 0; i < tokens.length; i++) {
    const { word, index } = tokens[i] as { word: string; index: number };
    const marker = matchAt(i, MARKER_PHRASES.get(word));
    if (marker) {
      const last = tokens[i + marker.words.length - 1] as { word: string; index: number };
      markerFinds.push([index, last.index + last.word.length, marker.concept]);
    }
    const phrase = matchAt(i, PHRASES.get(word));
    if (phrase) {
      const last = tokens[i + phrase.words.length - 1] as { word: string; index: number };
      found.push([index, last.index + last.word.length, phrase.concept]);
      i += phrase.words.length - 1;
      continue;
    }
    const concept = conceptOfWord(word);
    if (concept !== undefined) found.push([index, index + word.length, concept]);
  }
  for (const { text, concept } of SUBSTRINGS) {
    for (let at = prepared.indexOf(text); at >= 0; at = prepared.indexOf(text, at + text.length))
      found.push([at, at + text.length, concept]);
  }
  for (const { text, concept } of MARKER_SUBSTRINGS) {
    for (let at = prepared.indexOf(text); at >= 0; at = prepared.indexOf(text, at + text.length))
      markerFinds.push([at, at + text.length, concept]);
  }
  found.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  // Markers do not overlap one another: "note to the ai" is one address, not also "the ai" described.
  markerFinds.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  const markers: Array<[number, number]> = [];
  let markerEnd = 0;
  for (const [start, end, concept] of markerFinds) {
    if (start < markerEnd) continue;
    markerEnd = end;
    markers.push([start, concept]);
  }
  let covered = 0;
  let next = 0;
  for (const [start, end, concept] of found) {
    // A marker comes before the concepts that start at or after it.
    for (; next < markers.length && (markers[next] as [number, number])[0] <= start; next++)
      visit((markers[next] as [number, number])[1]);
    if (start < covered) continue;
    covered = end;
    visit(concept);
  }
  for (; next < markers.length; next++) visit((markers[next] as [number, number])[1]);
}

const YOU = CONCEPTS.indexOf('you');
const AI_ADDRESSED = CONCEPTS.indexOf('ai_addressed');
/** The text says "you" (in a language the lexicon reads) or addresses the model ("note to the AI"). */
export function speaksToReader(prepared: string): boolean {
  let found = false;
  forEachConcept(prepared, (concept) => {
    if (concept === YOU || concept === AI_ADDRESSED) found = true;
  });
  return found;
}
