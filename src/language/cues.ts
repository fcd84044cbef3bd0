import { Phrases } from './phrases.ts';
import { literalWords, WordSets } from './word-sets.ts';

/**
 * What kind of answer a question asks for, read from its question words before anything is looked
 * up: a count, a sum of money, a procedure, a contact, a time limit, the legal basis.
 */
export interface Cues {
  /** How many ("多少件", "几次", "有没有"): a figure answers. */
  quantity: boolean;
  /** How much money ("多少钱", "金额", "花了多少"): only an amount answers, never a count. */
  money: boolean;
  procedure: boolean;
  contact: boolean;
  narrative: boolean;
  /** How long ("多久", "几个工作日"). */
  time: boolean;
  /** Which rule ("依据哪条", "出自哪部法律"). */
  basis: boolean;
  /** Several things at once ("分别", "各是多少", "哪个多"): each gets its figure. */
  plural: boolean;
  /** Whether figures agree ("矛盾吗", "对不上", "勾稽关系"): the rows the report contradicts itself on. */
  consistency: boolean;
  /** Which years are held ("有哪几年的", "收录了哪些年份"). */
  coverage: boolean;
  /** A figure stated in the question ("一年就公开4个规范性文件？"): the figure is what it is about. */
  figureStated: boolean;
  /** The parts of something asked ("有哪几条", "哪些方面", "都有啥"): a list answers. */
  list: boolean;
  /** A share asked ("占多大比例", "占比", "百分之几"): a part against its total. */
  share: boolean;
  /**
   * What the body told the resident, reported ("说我是重复申请", "他们说不存在"): the message is
   * about that reply, a procedure, not a count of such replies.
   */
  reported: boolean;
  /**
   * What a fee amounts to ("收费一般收多少", "收费标准是多少"): a row counting fee items does not
   * answer it. Not a money cue: it does not lift figures above the topic on processing fees.
   */
  feeAmount: boolean;
  /** Urgency ("明天开庭", "急用", "最快"): how soon it can be had, the answer deadline first. */
  urgent: boolean;
  /** The resident disputes what was done ("凭什么", "糊弄人", "我不服"): the ways to contest it help. */
  complaint: boolean;
}

// "都给了吗", "给没给", "办理结果怎么样": how requests came out asks the outcome rows' figures.
// "申请的都是个人吗", "申请人里有企业吗": who the applicants were is the applications table's
// columns; "企业可以申请吗" asks who may apply.
const APPLICANTS_WERE = /(?:申请的|申请人|来申请的|提申请的|提出申请的)(?:里|中|当中|里面)?(?:都是|全是|有没有|有)/;
const MAY = /可以|能不能|能否|可不可以|允许|有资格|能申请|能够/;
// "有分乡镇的数吗": whether there are figures of something asks for them.
const QUANTITY = /的数(?=吗|没|不|呢|$)|比例|占比|多少|(?:都|全)给了|给没给|给了没|结果(?:怎么样|咋样|如何)|几[个件次项条家人回起宗场期位名]?|有人|有没有人|有无|数量|数字|总数|有没有|多大|件数|条数|项数|个数|人次|次数|数目|计数|总共|一共|合计/;
// A count named ("数量、频次明显超过合理范围的") in a message asking what may be done about it is
// not a count asked: only 多少 or 几 would ask it.
const ASKS_MEASURES = /哪些措施|什么措施|怎么处理|如何处理|可以采取|能采取|怎么办|咋办/;
// "多少天" asks for a time limit, "几种" for kinds, "几点" for opening hours: not a count.
// (Every phrase holds 几, 多 or 有: asksQuantity drops them only from a text holding one.)
const NOT_COUNTS = /几日|多少日|几个自然日|有没有人(?:能|可以|会)?(?:帮|替|代|给)|有人(?:能|可以|会)?(?:帮|替|代)|多少天|多少个?工作日|多久|多长时间|几天|几个?工作日|几个?月|几点|几号|几楼|几种|哪几种|几类|哪几类|几个方面|哪几个方面|几部分|哪几|几条路|几个途径|几种途径|几个渠道|第几|几千|几百|几十|几乎|好几|期限是多少|时限是多少|期限多少|期限多长/g;
// Money asked, not money named: "资金使用情况的信息" names it, "资金是多少" asks it.
// "期限和时限分别是多少" asks for time limits, not counts.
const LIMIT = /期限|时限|时间限制|时间要求|多久|多长时间|几日内|几天内|几个工作日内/;
// "有人打电话说…" tells of a call; it does not ask for a number. (Every phrase holds 电话: see readCues.)
const CALLED = /(?:有人|他们|对方|人家|那边)?(?:打电话|打来电话|来电话|电话里)(?:说|讲|告诉|通知)/g;
const REMEDY_WHERE = /(?:哪|哪里|哪儿|什么地方|哪个部门|谁)(?:去|能|可以)?(?:投诉|举报|告|起诉|申诉|复议|反映|说理)/;
// What a fee amounts to ("收费一般收多少", "收费标准是多少", "要交多少"): money, not the number of fee items.
const FEE_AMOUNT = /(?:收|交|缴|付)多少(?![个件次项条家人份申])|费[^，。？?,]{0,6}(?:收|交|缴)了?多少(?![个件次项条家人份申])|收费的?标准|费用?的?标准|标准是多少|(?:收费|费)(?:是|大概|一般|要)?多少(?![个件次项条家人份申])/;
// "收了多少信息处理费": an amount of a fee.
const MONEY = /多少钱|多少[\u4e00-\u9fff]{0,5}费(?![时劲力心])|[\u4e00-\u9fff]费(?:收了|收|交了|是|有|共|一共|总共|为|达|大概)?(?:多少|几)(?![天日个件次项条])|几块钱|花了?多少|多少万|几万|万元|多少(?:经费|资金|开支|费用)|(?:金额|经费|资金|开支|支出|花费|投入|收入|费用|钱)(?:是|有|共|一共|总共|为|达|大概)?(?:多少|几)|金额$|金额呢|总额|数额/;
const PROCEDURE = /怎么|怎样|如何|咋|哪些|什么|啥|吗$|吗[？?]|不$|没$|可以|能不能|能否|能给|需要|要不要|流程|步骤|办法|条件|手续|规定|期限|多久|多长时间|中不中|行不行|可不可以|是否|会不会|必须|得不得|有没有用|该找谁|找谁|归谁/;
const CONTACT = /电话|电化|店话|点话|电画|区号|地址|网址|官网|链接|联系|在哪|哪里|哪儿|哪搭|上哪|去哪|哪个地方|什么地方|啥地方|邮箱|邮件|传真|办公时间|上班|下班|几点|窗口|怎么走|怎么去|咋走|咋去|门牌|楼层|几楼|号码|作息|周末|礼拜|星期|节假日/;
const NARRATIVE = /问题|不足|改进|下一步|措施|做法|举措|打算|计划|工作|组长|领导小组|负责|做了哪些|做了什么|采取|成效|经验|原因|承认|后果|问责|考核/;
// Urgency ("明天开庭 急用", "最快多久能给") asks how soon: the time limit and whether it is answered on the spot.
const URGENCY = /就要用|马上要用|急要用|来得及|赶得上|赶不上|很急|急用|急需|急着|着急|加急|加快|快点|快一点|快些|赶时间|最快|尽快|等不及|等着用|开庭/;
const TIME = new RegExp(`多久|多长时间|几天|几日|多少天|几个?工作日|期限|时限|时间限制|时间要求|什么时候|啥时候|何时|几个?月|多少日|多少个?工作日|要等|等多久|超期|逾期|延期|${URGENCY.source}`);
const BASIS = /依据|根据什么|根据哪|哪条|哪一条|第几条|哪部法|哪个法|什么法|法律依据|法规依据|出自|规定在哪|哪个文件|哪些规定|哪些法|法条|条款/;
const PLURAL = /分别|各.{0,6}(?:多少|几)|各有|各自|哪个多|哪个少|哪一项|哪项|哪个更|谁多|谁少|都是多少|都有多少|(?:和|跟|与|及|以及).{1,20}(?:多少|几)|、/;

/**
 * A rhetorical question ("骗谁呢", "糊弄谁") is a remark: it does not make the piece it is
 * in a question of its own ("政府采购才33.99万 骗谁呢 到底买了啥" asks one thing). "有啥用", "这算啥" are not here:
 * they are asked in earnest too ("复议有啥用").
 */
export const RHETORICAL = /骗谁呢?|糊弄谁呢?|哄谁呢?|唬谁呢?|蒙谁呢?|忽悠谁呢?|逗谁呢?|谁信呢?|谁信啊|开什么玩笑|开啥玩笑|像话吗|还有王法吗|有没有天理/g;

const CONSISTENCY = /矛盾|不一致|对不上|对得上|勾稽|相符|符合这个|瞎填|乱填|填错|算错|搞错|加起来不|之和|不等于|等于|对不对得上/;
const COVERAGE = /(?:有|收录|能查|可以查|能看|能问)[了到]?(?:哪|几|什么|啥)(?:一|几|些)?(?:年|个年份|年份|年度)|(?<![把将])(?:哪|几)(?:几|些)?(?:年|年份|年度)的(?:报告|年报|数据|数字|资料)|收录了?(?:哪些|几份|什么)(?:报告|年报)/;

const LIST = /哪几|几条|几个方面|几方面|几点|几项|几部分|分几/;
// "占多少件" asks a count, "占多少" alone a share.
const SHARE = /比例|占比|占多大|占几成|百分之几|百分比|占了?多少(?![个件次人项条家回])|(?:公开|办结|纠正|答复)率/;
// A reply the body gave, reported: someone else speaking ("他们说", "窗口的人说"), or what was said
// being one of the replies the regulation names ("说我是重复申请", "回了个不予公开"); not "告诉我怎么申请".
const REPORTED = /(?:他们|对方|人家|那边|机关|单位|工作人员|政府|窗口|县里|乡里|镇上)(?:的人)?(?:说|讲|回复|答复|告诉|回)|(?:说|告诉|回复|答复|通知|回了个|给我回了?)(?:我|俺|咱)?(?=.{0,12}(?:不予|不公开|不给|不能公开|不存在|没有这|重复|不归|不属于|不处理|过程性|内部事务|国家秘密))|(?:回复|答复|回话)(?:说|称)/;
// Staff behaving badly ("态度太差", "对我大吼大叫"): a complaint about the body's conduct, whose remedy is 投诉.
const CONDUCT = /(?:态度|服务)(?:太|很|特别|非常|极)?(?:差|不好|恶劣|蛮横|冷淡|不到位)|推三阻四|(?:想|要)反映|爱答不理|爱理不理|大吼大叫|吼我|骂我|吼人|骂人|刁难|为难我|甩脸子|脸色难看|不耐烦|摆架子|冷脸|冷言冷语/;
const COMPLAINT = /不作为|不办事|不管事|我要投诉|要投诉|想投诉|硬要收|非要收|乱收费|强行收|乱收钱|合理吗|合不合理|合法吗|合不合法|凭什么|凭啥|太过分|糊弄|忽悠|骗人|不讲理|欺负人|不服|不满意|讨说法|讨个说法|我不信|瞎说|不像话|没天理|踢皮球|推来推去|推诿/;
// "20个工作日" states a time limit, not a figure of the report.
const FIGURE_STATED = /(?<![\d.年])\d+(?:\.\d+)?(?:个(?!工作日|月|小时|星期|礼拜|自然日)|件|次|条|项|人次|人|万元|万|家)(?!年)/;

/**
 * The cue expressions made only of literal alternatives: their words are found in one walk over
 * the text (word-sets.ts) instead of one expression after another. An expression edited into more
 * than literals is simply tested as an expression again.
 */
export const LITERAL_CUES: readonly RegExp[] = [CONTACT, NARRATIVE, TIME, BASIS, CONSISTENCY, LIST, COMPLAINT, URGENCY, LIMIT, ASKS_MEASURES, MAY];
const literalCues = LITERAL_CUES.map(literalWords);
const CUE_WORDS = new WordSets(literalCues.map((words) => words ?? []));
const CUE_BIT = new Map(LITERAL_CUES.map((re, i) => [re, literalCues[i] ? 1 << i : 0] as const));

/** `re.test(text)` for the text `found` was found in (`found`: CUE_WORDS.find(text)). */
type Tester = (re: RegExp) => boolean;

export function readCues(text: string): Cues {
  const found = CUE_WORDS.find(text);
  const has: Tester = (re) => {
    const bit = CUE_BIT.get(re);
    return bit ? (found & bit) !== 0 : re.test(text);
  };
  // "去哪投诉" asks where to complain: the remedy, not an address.
  // (Every phrase of CALLED holds 电话: a text without it has none to drop.)
  const contact = (text.includes('电话') ? CONTACT.test(text.replace(CALLED, '')) : has(CONTACT)) && !REMEDY_WHERE.test(text);
  const money = MONEY.test(text);
  return {
    quantity: asksQuantity(text, contact, has),
    money,
    procedure: PROCEDURE.test(text),
    contact,
    narrative: has(NARRATIVE),
    time: has(TIME),
    basis: has(BASIS),
    plural: PLURAL.test(text),
    consistency: has(CONSISTENCY),
    coverage: COVERAGE.test(text),
    figureStated: FIGURE_STATED.test(text),
    list: has(LIST),
    share: SHARE.test(text),
    reported: REPORTED.test(text),
    complaint: has(COMPLAINT) || CONDUCT.test(text),
    // "自然人新收多少" counts applications: only a message about a fee asks what one amounts to.
    feeAmount: text.includes('费') && FEE_AMOUNT.test(text),
    urgent: has(URGENCY),
  };
}

/**
 * A count asked. "电话是多少" asks for a contact, "多少钱" for money: not a count. The cheaper
 * tests go first and each text is rewritten once; the answer is the same as the one expression
 * `(APPLICANTS_WERE && !MAY) || (QUANTITY of the text without NOT_COUNTS and money && !contact &&
 * !LIMIT && !(ASKS_MEASURES && no 多少 or 几 outside NOT_COUNTS))`.
 */
function asksQuantity(text: string, contact: boolean, has: Tester): boolean {
  if (APPLICANTS_WERE.test(text) && !has(MAY)) return true;
  if (contact || has(LIMIT)) return false;
  // Every phrase of NOT_COUNTS holds 几, 多 or 有; the money words, 多少.
  const counted = /[几多有]/.test(text) ? text.replace(NOT_COUNTS, '') : text;
  if (!QUANTITY.test(counted.includes('多少') ? counted.replace(MONEY_WORDS, '') : counted)) return false;
  return !(has(ASKS_MEASURES) && !/多少|几/.test(counted));
}

const MONEY_WORDS = /多少(?:钱|费用|经费|资金|开支)/g;

/** The unit a question asks in ("几次" → 次, "多少人" → 人次), from the lexicon's list, or null. */
export function askedUnit(text: string, units: ReadonlyArray<readonly [string, string]>): string | null {
  let known = unitPhrases.get(units);
  if (!known) {
    known = { phrases: new Phrases(units.map(([w]) => w)), unitOf: new Map(units.map(([w, u]) => [w, u] as const).reverse()) };
    unitPhrases.set(units, known);
  }
  // The first unit word of the question; at the same place the longer word wins.
  const first = known.phrases.find(text)[0];
  return first ? (known.unitOf.get(first.word) ?? null) : null;
}

const unitPhrases = new WeakMap<ReadonlyArray<readonly [string, string]>, { phrases: Phrases; unitOf: Map<string, string> }>();
