import type { Contacts, GuideTopic, Passage, Source, Statistic } from '../knowledge/types.ts';

/** WeChat shows about 600 Chinese characters in one passive text reply (≈ 2000 UTF-8 bytes). */
export const MAX_REPLY = 600;
export const MORE = '（回复“详细”查看更多）';

export interface Composed {
  reply: string;
  /** Text offered on "详细", if the reply was shortened or the topic has more. */
  more?: string;
  sources: Source[];
  answered: boolean;
}

/** The topics a reply refers the resident to, as it names them: 见“信息处理费怎么收”. */
export function referencesIn(reply: string): string[] {
  // matchAll copies its expression for every text: most replies refer to nothing.
  if (!reply.includes('见“')) return [];
  return [...new Set([...reply.matchAll(/见“([^”\n]{2,30})”/g)].map((m) => m[1]!))];
}

/** A figure as printed: digits without grouping, sign only for a change, the source's unit. */
export function figure(s: Statistic): string {
  const n = Number.isInteger(s.value) ? String(s.value) : String(s.value);
  return `${n}${s.unit ? ` ${s.unit}` : ''}${s.approximate ? '（约数，原文为“' + s.raw + '”）' : ''}`;
}

function isChange(column: string): boolean {
  return /增\/?减|增减/.test(column);
}

/** "比上一年减少 14" for a signed 本年增/减 cell. */
export function changeText(s: Statistic): string {
  if (s.value === 0) return '与上一年持平（增减 0）';
  return `比上一年${s.value > 0 ? '增加' : '减少'} ${Math.abs(s.value)}${s.unit ? ` ${s.unit}` : ''}（本年增/减 ${s.value > 0 ? '+' : ''}${s.value}）`;
}

export function sourceLine(sources: Source[]): string {
  const seen = new Set<string>();
  const parts: string[] = [];
  for (const s of sources) {
    const text = [s.title, s.section, s.basis].filter(Boolean).join('·') + (s.document.startsWith('reports/') ? `（${s.document.slice('reports/'.length)}）` : '');
    if (seen.has(text)) continue;
    seen.add(text);
    parts.push(text);
  }
  return parts.length ? `来源：${parts.join('；')}` : '';
}

const MAX_TAIL = MAX_REPLY / 2;

/** Cuts a reply to one message, keeping the whole text for "详细". */
export function fit(body: string, whole: string): { reply: string; more?: string } {
  const full = whole ? `${body}\n${whole}` : body;
  if (full.length <= MAX_REPLY) return { reply: full };
  // A source line of many rows and years could leave no room for the answer: it keeps at most
  // half the message, cut after a whole source; the full list stays in "详细".
  let tail = whole;
  if (tail.length > MAX_TAIL) {
    const at = tail.lastIndexOf('；', MAX_TAIL - 1);
    tail = at > 0 ? `${tail.slice(0, at)}等` : `${tail.slice(0, MAX_TAIL - 1)}…`;
  }
  // Two line breaks and, when the body is cut mid-sentence, its ellipsis.
  const room = MAX_REPLY - tail.length - MORE.length - 3;
  const cut = body.slice(0, room);
  const at = Math.max(cut.lastIndexOf('。'), cut.lastIndexOf('\n'), cut.lastIndexOf('；'));
  const head = at > room * 0.5 ? cut.slice(0, at + 1) : `${cut}…`;
  return { reply: `${head}\n${MORE}${tail ? `\n${tail}` : ''}`, more: full };
}

/** One table row of one year: every column, the asked ones first. */
export function rowText(row: Statistic[], asked: Set<string>): string {
  const item = row[0]!.item;
  const group = row[0]!.group;
  const label = group ? `${group}·${item}` : item;
  const total = row.find((s) => s.column === '总计');
  const parts: string[] = [];
  const chosen = row.filter((s) => asked.has(s.column));
  if (row.length > 5 && total) {
    // Section 三 rows: the asked applicant columns first, then the total and the non-zero rest.
    const shown = new Set<Statistic>([...chosen, total]);
    for (const s of row) if (s.value !== 0) shown.add(s);
    for (const s of [...chosen, ...row.filter((x) => !chosen.includes(x))]) if (shown.has(s)) parts.push(`${s.column} ${figure(s)}`);
    const zeros = row.filter((s) => !shown.has(s)).map((s) => s.column);
    if (zeros.length) parts.push(`${zeros.join('、')}均为 0`);
  } else if (row.length >= 2 && row.every((s) => s.value === 0 && !isChange(s.column))) {
    // A row of nothing but zeros ("行政复议"'s five columns) says so plainly: "均为 0（总计、…）", not five
    // figures to add up; the columns asked still come first.
    const rest = row.filter((s) => !asked.has(s.column)).map((s) => s.column);
    if (chosen.length === 0) parts.push(`均为 0（${rest.join('、')}）`);
    else parts.push(`${chosen.map((s) => `${s.column} 0`).join('，')}（这一行各列均为 0${rest.length ? `：${rest.join('、')}` : ''}）`);
  } else {
    const ordered = [...chosen, ...row.filter((s) => !asked.has(s.column))];
    for (const s of ordered) parts.push(isChange(s.column) ? `${s.column} ${s.value > 0 ? '+' : ''}${s.value}${s.unit ? ` ${s.unit}` : ''}（${changeText(s).split('（')[0]}）` : `${s.column} ${figure(s)}`);
  }
  return `${label}：${parts.join('，')}`;
}

export function guideText(topic: GuideTopic, detail: boolean): Composed {
  const basis = topic.basis ? `依据：${topic.basis}` : '';
  const body = detail && topic.detail ? `${topic.summary}\n\n${topic.detail}` : topic.summary;
  const hasMore = !detail && topic.detail.trim().length > 0;
  const fitted = fit(`【${topic.title}】\n${body}`, [basis, hasMore ? MORE : ''].filter(Boolean).join('\n'));
  return {
    ...fitted,
    // "详细" shows what the short answer left out, not the short answer again.
    more: fitted.more ?? (hasMore ? `【${topic.title}·详细】\n${topic.detail}\n${basis}` : undefined),
    sources: [topic.source],
    answered: true,
  };
}

/**
 * The sentences of a passage that carry the question's words, in their order; all of them when
 * the question asks what things were done or said (`all`: "做了哪些工作" lists them all).
 */
export function passageText(passages: Passage[], terms: string[], points: string[] = [], all = false): Composed {
  const p = passages[0]!;
  const sentences = p.text.split(/(?<=[。；！？])/).filter((s) => s.trim());
  const relevant = points.length || all ? [] : sentences.filter((s) => terms.some((t) => t.length > 1 && s.includes(t)));
  const picked = relevant.length ? relevant : sentences;
  const heading = p.heading ? `${p.heading.replace(/[。.]$/, '')}：` : '';
  const listed = points.length ? `\n${points.map((x) => x.replace(/[。.]$/, '')).join('\n')}` : '';
  // A section answered as the list of its parts has no text of its own.
  const lead = p.text ? picked.join('') : `共${points.length}条：`;
  const body = `${p.year}年报告（${p.section}）${heading}\n${lead}${listed}`;
  const fitted = fit(body, sourceLine([p.source]));
  const whole = `${p.year}年报告（${p.section}）${heading}\n${p.text}\n${sourceLine([p.source])}`;
  return {
    ...fitted,
    more: fitted.more ?? (picked.length < sentences.length ? whole : undefined),
    reply: fitted.more || picked.length === sentences.length ? fitted.reply : `${fitted.reply}\n${MORE}`,
    sources: [p.source],
    answered: true,
  };
}

/**
 * "某某县人民政府" + "政府信息公开" reads 政府 twice: a body whose name ends in 政府 does
 * "信息公开", any other body (某某局) does "政府信息公开".
 */
export function disclosureOf(body: string): string {
  return /政府$/.test(body) ? `${body}信息公开` : `${body}政府信息公开`;
}

/** The assistant's name: "某某县人民政府信息公开问答". */
export function titleOf(body: string): string {
  return body ? `${disclosureOf(body)}问答` : '政府信息公开问答';
}

/**
 * Where to ask further, short enough for the last line of a phone-sized reply: the portal, the
 * phone, and whose phone it is. The note's first clause names it; the rest (its source) is on
 * the contacts topic.
 */
export function contactLine(c: Contacts): string {
  const parts: string[] = [];
  if (c.portal) parts.push(`门户网站 ${c.portal}`);
  const whose = c.note.split(/[；;]/)[0]!.replace(/的?咨询电话$/, '').trim();
  const authority = /以官网公布为准/.test(c.note) ? '以官网公布为准' : '';
  const said = [whose, authority].filter(Boolean).join('，');
  if (c.phone) parts.push(`咨询电话 ${c.phone}${said ? `（${said}）` : ''}`);
  return parts.join('，或打');
}

/** The way on, as the last line of a reply that does not answer. */
export function wayOn(c: Contacts): string {
  const way = contactLine(c);
  return way ? `请查看${way}。` : '';
}

/** About four lines on a phone: what was not found, what can be asked, where to ask further. */
export function fallbackText(c: Contacts, intro = '抱歉，这个问题我没有找到答案。'): string {
  return [intro, `我能回答${disclosureOf(c.body)}年度报告里的数字、怎样申请、期限、收费、不服怎么办、联系方式。`, wayOn(c)].filter(Boolean).join('\n');
}

/** Cuts a reply to `max` characters at a line end, keeping its last line (the source or basis). */
export function shorten(reply: string, max: number): string {
  if (reply.length <= max) return reply;
  const lines = reply.split('\n').filter((l) => l !== MORE);
  const last = lines.at(-1)!;
  const keepLast = /^(来源|依据)：/.test(last) && last.length < max / 2;
  const room = max - (keepLast ? last.length + 1 : 0) - 1;
  const out: string[] = [];
  let used = 0;
  for (const line of keepLast ? lines.slice(0, -1) : lines) {
    if (used + line.length + 1 > room) {
      if (out.length === 0) out.push(`${line.slice(0, Math.max(0, room - 1))}…`);
      break;
    }
    out.push(line);
    used += line.length + 1;
  }
  if (keepLast) out.push(last);
  return out.join('\n');
}

/** Some lines of a topic, asked after it ("当面提交的呢"), with the topic's name and basis. */
export function linesText(topic: GuideTopic, lines: readonly string[]): Composed {
  const basis = topic.basis ? `依据：${topic.basis}` : '';
  // Lines that each say the guide does not hold what they are about tell where to look: no answer,
  // and, when they do not say where to look, the topic's lines giving the way on (the portal, the
  // phone) go with them. Nor are lines of a topic whose title says so ("档案馆（地址本指南没有掌握）"):
  // the topic as a whole is not.
  const unknown = UNKNOWN_TOPIC.test(topic.title) || lines.every((l) => UNKNOWN_TOPIC.test(l));
  const wayOn = unknown && !lines.some((l) => WAY_ON.test(l)) ? topic.summary.split('\n').filter((l) => WAY_ON.test(l) && !lines.includes(l)) : [];
  return { ...fit(`【${topic.title}】\n${[...lines, ...wayOn].join('\n')}`, basis), sources: [topic.source], answered: !unknown };
}

/** A line saying where to look: a web address or a phone number. */
const WAY_ON = /https?:\/\/|\d{3,4}-\d{7,8}/;

/**
 * How the guide says it does not hold something, in a topic's title (the whole topic is about
 * what is not known) or in one of its lines: guide.md's own rule for writing it (写明“本指南没有
 * 收录（没有掌握）”).
 */
export const UNKNOWN_TOPIC = /没有掌握|未掌握|不掌握|没有收录|未收录/;

/** The legal basis of a topic, asked after it ("出自哪部法律"). */
export function basisText(topic: GuideTopic): Composed {
  const cited = topic.summary
    .split('\n')
    .filter((l) => /《[^》]+》/.test(l))
    .slice(0, 4);
  const body = `【${topic.title}·依据】\n${topic.basis}${cited.length ? `\n${cited.join('\n')}` : ''}`;
  return { ...fit(body, ''), sources: [topic.source], answered: true };
}
