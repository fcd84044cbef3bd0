import type { Contacts, ReportDocument } from '../knowledge/types.ts';
import type { Social } from '../language/social.ts';
import { disclosureOf, fallbackText, titleOf, wayOn } from './compose.ts';
import type { Decline } from './ground.ts';

/**
 * The words of replies that do not answer from the knowledge base: social acts and declines.
 * Each is a few lines on a phone and ends with the way on (portal, phone); none quotes the
 * resident's words unless they read as a name.
 */
export class Replies {
  /** The way on, the last line of every decline: the same for every reply from these contacts. */
  private way: string | undefined;
  private fallback: string | undefined;

  constructor(
    private readonly contacts: Contacts,
    /** The years of the reports, oldest first. */
    private readonly years: readonly number[],
  ) {}

  wayOn(): string {
    return (this.way ??= wayOn(this.contacts));
  }

  help(): string {
    return `您可以问我：\n${this.examples()}\n回答后回复“有用”或“没用”，帮助我们改进。`;
  }

  private examples(): string {
    const year = this.years.at(-1);
    return [year ? `${year}年行政处罚有多少件？` : null, '怎么申请政府信息公开？', '申请后多久答复？', '政务服务中心电话是多少？']
      .filter(Boolean)
      .map((q) => `· ${q}`)
      .join('\n');
  }

  greeting(): string {
    return `您好！我是${titleOf(this.contacts.body)}助手。\n${this.help()}`;
  }

  social(act: Social): string {
    switch (act) {
      case 'greeting':
        return this.greeting();
      case 'thanks':
        return '不客气！还有其他问题可以随时问我。';
      case 'ack':
        return '好的。还有其他问题可以随时问我。';
      case 'bye':
        return '再见！以后有政府信息公开方面的问题，随时来问。';
      case 'identity':
      case 'human': {
        const phone = this.contacts.phone ? `需要人工咨询，请打${this.contacts.phone}。` : '';
        return `我是${titleOf(this.contacts.body)}的自动回复助手，不是人工客服，根据已公开的年度报告和公开指南回答。${phone}`;
      }
      case 'help':
        return this.help();
      case 'useful':
        return '感谢您的反馈！';
      case 'useless':
        return '感谢反馈，我们会改进这个回答。您也可以换个说法再问一次。';
      case 'rude': {
        const phone = this.contacts.phone ? `\n需要人工咨询，请打${this.contacts.phone}。` : '';
        return `抱歉，没能帮上您。我是自动回复助手，只能根据已公开的年度报告和公开指南回答政府信息公开方面的问题。\n换个说法再问一次试试，比如：\n${this.examples()}${phone}`;
      }
      case 'empty':
        return `请输入您想了解的问题。\n${this.help()}`;
      case 'detail':
        return '没有更多内容了。您可以直接输入新的问题。';
      case 'repeat':
        return '还没有可以再说一遍的回答。请直接输入您想了解的问题。';
      case 'coverage':
        return this.recorded();
    }
  }

  /** Which reports are held, by year and body, and how a question without a year is read. */
  coverage(reports: readonly ReportDocument[]): string {
    if (reports.length === 0) return `目前没有收录年度报告。\n${wayOn(this.contacts)}`;
    const list = [...reports].sort((a, b) => a.year - b.year).map((r) => `${r.year}年（${r.body}）`);
    const latest = this.years.at(-1);
    return `我这里收录的政府信息公开工作年度报告：${list.join('、')}。\n问数字时可以带上年份；不说年份，就按最新的 ${latest} 年报告回答。其他年份请看${wayOn(this.contacts).replace(/^请查看/, '')}`;
  }

  private recorded(): string {
    return this.years.length ? `目前收录的年度报告：${this.years.map((y) => `${y}年`).join('、')}。` : '目前没有收录年度报告。';
  }

  decline(d: Decline, note = ''): string {
    const c = this.contacts;
    const what = `${disclosureOf(c.body)}工作年度报告`;
    switch (d.kind) {
      case 'other-body':
        return `${note}我这里只收录了${what}，没有收录“${d.body}”的数字。\n其他机关的数字请看它们各自发布的年度报告。\n${this.wayOn()}`;
      case 'other-contact':
        return `${note}我这里没有收录“${d.body}”的电话、地址和办公时间：只收录了${c.body}受理政府信息公开申请的联系方式。\n其他机关的联系方式请看它们各自公布的政府信息公开指南。\n${this.wayOn()}`;
      case 'absent':
        return `${note}我这里没有收录${d.measure ? `“${d.measure}”的数字` : '这项数字'}：年度报告只统计政府信息公开工作（主动公开、依申请公开、复议诉讼等）。\n${this.wayOn()}`;
      case 'unlisted':
        return `${note}年度报告只有汇总的数字，没有列出${d.detail}，所以我不能告诉您。\n${this.wayOn()}`;
      case 'no-amount':
        return `${note}年度报告只统计“${d.row}”的数量，没有收录金额，所以我不能告诉您金额。\n${this.wayOn()}`;
      case 'no-column':
        return `${note}年度报告没有给出“${d.row}”${d.column}的数字：这一行只有${d.has.join('、')}，所以我不能告诉您${d.column}是多少。\n${this.wayOn()}`;
      case 'unit':
        return `${note}年度报告里没有收录${d.asked}：“${d.row}”统计的是${d.has}${d.figure ? `（${d.figure}）` : ''}，不是${d.asked}。\n${this.wayOn()}`;
      case 'missing-year':
        // A passage of the report has no row name of its own ("（）"): the report is what is missing.
        return `${note}${d.year}年的“${/[\p{Script=Han}A-Za-z]/u.test(d.row) ? d.row : '政府信息公开工作年度报告'}”${/[\p{Script=Han}A-Za-z]/u.test(d.row) ? '数字' : ''}未收录。${this.recorded()}\n${this.wayOn()}`;
      case 'out-of-scope':
        return `抱歉，${d.subject ? `“${d.subject}”` : '这个问题'}不在我能回答的范围内，我这里没有收录相关资料：我只回答${disclosureOf(c.body)}方面的问题。\n${this.wayOn()}`;
      case 'no-match':
        return (this.fallback ??= fallbackText(c));
    }
  }
}
