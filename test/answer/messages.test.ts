// Issue 10, points 2-4: messages as residents write them - two questions in one, social messages,
// voice input and colloquial words, complaints - and one decision: explain() shows the band and
// reason the reply came from.
import { beforeAll, describe, expect, it } from 'vitest';
import { loadKnowledge, type KnowledgeBase } from '../../src/knowledge/knowledge-base.ts';
import { Engine, type Session } from '../../src/answer/engine.ts';
import type { Answer } from '../../src/answer/types.ts';
import { converse } from './helpers/conversation.ts';

const today = () => new Date('2026-11-27T12:00:00+08:00');
let kb: KnowledgeBase;
let engine: Engine;

beforeAll(async () => {
  kb = await loadKnowledge('knowledge');
  engine = new Engine(kb, today);
}, 60_000);

const ask = (q: string, session?: Session) => engine.respond(q, session).answer;

const talk = (...questions: string[]): Answer[] => converse(engine, ...questions);

describe('two questions in one message', () => {
  it('answers both, in the order asked, within one message', () => {
    const a = ask('网站发了多少条 另外申请要钱吗');
    expect(a.answered).toBe(true);
    expect(a.reply).toContain('3612');
    expect(a.reply).toMatch(/免费|不收费/);
    expect(a.reply.indexOf('3612')).toBeLessThan(a.reply.search(/免费|不收费/));
    expect(a.reply.length).toBeLessThanOrEqual(600);
  });

  it('answers two procedures asked behind a complaint', () => {
    const a = ask('你们这机器人到底管不管用？我问两个事：申请要钱不？多久给答复？');
    expect(a.reply).toMatch(/免费|不收费/);
    expect(a.reply).toMatch(/20个工作日/);
  });

  it('keeps the figure of a two-question message as a frame: "微博呢" after it is the Weibo figure', () => {
    const [, b, c] = talk('网站浏览量多少 申请要带啥', '那微博呢', '要多长时间');
    expect(b!.reply).toContain('158');
    expect(c!.reply).toMatch(/20个工作日/);
  });

  it('reads the second question against the first ("…多少条，微信公众号呢")', () => {
    const a = ask('2019年微博发了多少条，微信公众号呢');
    expect(a.reply).toContain('158');
    expect(a.reply).toContain('562');
  });

  it('answers a question and says the other is not held', () => {
    const a = ask('县里GDP多少 另外申请要钱吗');
    expect(a.reply).toMatch(/免费|不收费/);
    expect(a.reply).toMatch(/没有收录/);
  });

  it('answers several rows asked together ("…各多少", "分别发布了多少条")', () => {
    const a = ask('行政处罚和行政强制各多少件');
    expect(a.reply).toContain('1271');
    expect(a.reply).toMatch(/处理决定数量 16/);
    const b = ask('门户网站、官方微信公众号、官方微博分别发布了多少条信息');
    for (const n of ['3612', '562', '158']) expect(b.reply).toContain(n);
  });

  it('does not split a question that only has context before it (voice input)', () => {
    const a = ask('那个我想问一下 就是咱县上政府的那些信息 要是想看看 上哪看去');
    expect(a.answered).toBe(true);
    expect(a.reply).not.toMatch(/^（1）/);
    expect(a.reply).toMatch(/门户网站|nxxj\.gov\.cn/);
  });
});

describe('social messages', () => {
  it.each([
    ['你好', 'greeting'],
    ['行 多谢', 'thanks'],
    ['好的谢谢你', 'thanks'],
    ['嗯嗯 知道了', 'thanks'],
    ['再见', 'thanks'],
    ['你是人工客服吗', 'help'],
    ['你是机器人吗', 'help'],
    ['转人工', 'help'],
  ])('answers %s as what it is, with no figure and no fallback', (q, intent) => {
    const a = ask(q);
    expect(a.answered).toBe(false);
    expect(a.intent).toBe(intent);
    expect(a.reply).not.toMatch(/1271|3612|没有找到/);
  });

  it('tells a resident asking for a person that this is an automatic reply, and the phone to call', () => {
    expect(ask('你是人工客服吗').reply).toMatch(/不是人工/);
    expect(ask('转人工').reply).toContain(kb.contacts.phone);
  });

  it('answers a question about the bot followed by a remark as that question, and a real question after it as the question', () => {
    for (const q of ['你是机器人吧 回得也太快了', '是真人在回吗 我看着不像']) {
      const a = ask(q);
      expect(a.intent, `${q} → ${a.reply}`).toBe('help');
      expect(a.reply).toMatch(/自动回复/);
    }
    expect(ask('你是机器人吗 网站发了多少条信息').reply).toContain('3612');
  });

  it('keeps the conversation across a social message', () => {
    const [, , c] = talk('行政处罚有多少', '好的 谢谢', '那行政强制呢');
    expect(c!.reply).toMatch(/处理决定数量 16/);
  });
});

describe('what people mean, not the words they use', () => {
  it.each([
    ['我想问一下申请那个政府信息公开要掏钱不', /免费|不收费/],
    ['就是那个 我眼睛不好字也写不成 能不能嘴上说一说就算申请了 中不中', /口头/],
    ['礼拜天你们那个政务大厅开门不', /周六、周日|不办公/],
    ['申请那个附议是啥意思', /复议/],
    ['１９年政府采够几个项目', /(?<![\d.])20(?![\d.])/],
    ['行政徐可有多少', /80639/],
  ])('understands %s', (q, expected) => {
    const a = ask(q);
    expect(a.answered, `${q} → ${a.reply}`).toBe(true);
    expect(a.reply).toMatch(expected);
  });

  it.each([
    ['交了申请两个月了还没消息 咋回事', /20个工作日/, /复议|诉讼|投诉/],
    ['我要投诉', /投诉/, /复议/],
    ['我要告政府', /诉讼/, /复议/],
    ['他们说我要的信息不予公开 凭什么 理由都不说', /理由/, /复议|诉讼/],
  ])('answers the complaint %s with the deadline missed or the remedies', (q, a1, a2) => {
    const a = ask(q);
    expect(a.answered, `${q} → ${a.reply}`).toBe(true);
    expect(a.reply).toMatch(a1);
    expect(a.reply).toMatch(a2);
  });

  it.each([
    // The lexicon's colloquial phrases (knowledge/): 办事的地方 is the service centre, 收了多少 counts
    // what was received, 能干啥 after an answer asks the remedies.
    [['政务服务中心电话多少', '你们办事的地点在哪条路'], /闽宁大道/],
    [['19年县里收了多少个申请'], /新收[^\n]*总计 10/],
    [['说不给公开就不给公开 没个说法', '那我还能干啥'], /复议/],
  ])('understands %j', (questions, expected) => {
    const answers = talk(...questions);
    const last = answers.at(-1)!;
    expect(last.answered, `${questions.join(' / ')} → ${last.reply}`).toBe(true);
    expect(last.reply).toMatch(expected);
  });

  it.each([
    // What the body told the resident, reported and disputed: what that reply means, then how to contest it.
    ['窗口的人说我这是重复申请 不给办', /重复申请/, /复议|诉讼/],
    ['机关回复说没有这个信息 我不信', /不存在/, /复议|诉讼/],
    ['他们说这个不能公开', /不公开/, /复议|诉讼/],
  ])('answers the reported reply %s with its meaning and the remedies, not a count', (q, meaning, remedy) => {
    const a = ask(q);
    expect(a.answered, `${q} → ${a.reply}`).toBe(true);
    expect(a.reply).toMatch(meaning);
    expect(a.reply).toMatch(remedy);
    expect(a.reply).not.toMatch(/总计 \d/);
  });

  it('adds no remedies to a question that disputes nothing ("告诉我怎么申请", "没有现成的信息怎么办")', () => {
    for (const q of ['告诉我怎么申请', '没有现成的信息怎么办']) expect(ask(q).reply, q).not.toMatch(/（2）/);
  });

  it('still gives the count when a count is asked in so many words, even of a reply reported', () => {
    expect(ask('2019年是否有以重复申请为由不予处理的 请给出件数').reply).toMatch(/重复申请：总计 0/);
  });

  it.each([
    [['部门的年报最晚哪天报给主管部门'], /1月31日/],
    // Urgency asks the time limit ("当天能给吗"), whatever the resident needs it for.
    [['后天就要用 申请的那份东西当天能给吗'], /20个工作日/],
    [['单位催着要 申请的信息几天能拿到'], /20个工作日/],
    // A record holding someone else's affairs is the third party's privacy, not how to apply.
    [['我要的材料里有邻居家的事 能给我看吗'], /第三方/],
    // An article and its item cited together name the topic on that item, not the article's.
    [['条例第20条第6项是啥意思'], /第二十条第（六）项/],
    [['第二十条第（五）项'], /第二十条第（五）项：/],
    // "有没有人帮忙写" asks for help, not how many people: written for someone who cannot write.
    [['申请书我写不来 有没有人帮着写'], /口头|代为填写/],
    // Money whose use a record tells is what the record is about, not a fee: how to apply for it.
    [['我们村修路的钱花哪了 能查不'], /^【怎样申请政府信息公开】/],
    // What to hand in is the application's material, not a matter of another office.
    [['我是外地打工的 申请要交什么证件'], /身份证明/],
    [['公开的信息在哪能查到', '我不会用手机上网 那咋弄'], /政务服务中心/],
  ])('understands %s', (q, expected) => {
    const a = Array.isArray(q) ? talk(...q).at(-1)! : ask(q);
    expect(a.answered, `${q} → ${a.reply}`).toBe(true);
    expect(a.reply).toMatch(expected);
  });

  it('answers whether the report adds up with the rows it contradicts itself on, unless a row is named', () => {
    for (const q of ['年报里收到的申请和办理结果对不上吧 是不是乱填的', '第三部分的数字加起来等于总计吗']) {
      const a = ask(q);
      expect(a.answered, `${q} → ${a.reply}`).toBe(true);
      expect(a.reply).toMatch(/前后不一致/);
    }
    const named = ask('行政处罚的数字对得上吗');
    expect(named.reply).toContain('1271');
    expect(named.reply).not.toMatch(/前后不一致/);
  });

  it('answers "我要申请" with how to apply', () => {
    expect(ask('我要申请').reply).toMatch(/书面|信件/);
  });
});

describe('out of scope', () => {
  it.each(['今天天气咋样 要下雪不', '帮我写个请假条', '县城房价现在多少钱一平', '以个'])('answers %s in about four lines, pointing to the portal and phone, quoting no fragment', (q) => {
    const a = ask(q);
    expect(a.answered).toBe(false);
    expect(a.reply.split('\n').length).toBeLessThanOrEqual(4);
    expect(a.reply.length).toBeLessThan(170);
    expect(a.reply).toContain(kb.contacts.phone);
    expect(a.reply).not.toMatch(/“以个”|“天咋样”|“个请假”/);
  });
});

describe('one decision', () => {
  const questions = ['2019年行政处罚有多少件', '隆德县2019年行政处罚多少件', '结婚登记在哪里办', '行政处罚有多少', '医保报销比例', '你好', '网站发了多少条 另外申请要钱吗', '怎么申请'];

  it('explain() gives the reply respond() gives, and the band it came from', () => {
    const strict = new Engine(kb, today, { answer: 1.5, suggest: 0.3 });
    for (const e of [engine, strict]) {
      for (const q of questions) {
        const x = e.explain(q);
        const a = e.respond(q, undefined).answer;
        expect(x.answer, q).toEqual(a);
        const band = a.intent === 'clarify' ? 'suggest' : a.answered || ['greeting', 'thanks', 'help', 'feedback'].includes(a.intent) ? 'answer' : 'fallback';
        expect(x.band, q).toBe(band);
        expect(x.reason.length, q).toBeGreaterThan(0);
      }
    }
  });

  it('names the rule that overrode the score', () => {
    const x = engine.explain('结婚登记在哪里办');
    expect(x.scoreBand).toBe('answer');
    expect(x.band).toBe('fallback');
    expect(x.reason).toMatch(/规则：问题的主题不在政府信息公开范围内/);
    const y = engine.explain('2035年行政处罚有多少件');
    expect(y.answer.answered).toBe(false);
    expect(y.reason).toMatch(/得分/);
  });

  it('explains a follow-up against the session it is asked in', () => {
    const session = engine.respond('行政处罚有多少', undefined).session;
    const x = engine.explain('比上年呢', session);
    expect(x.reason).toContain('接着上一问');
    expect(x.answer.reply).toMatch(/减少 14/);
  });
});
