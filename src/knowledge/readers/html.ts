// A saved portal page (or mammoth's HTML of a DOCX) → the text the report parser reads. The
// article is found by structure: page chrome (navigation, breadcrumbs, view counters, related
// links, share bars, footers) is dropped by its role and by how much of it is links, and the
// page is walked down to the element holding most of the remaining text. Tables are written one
// row per line, cells separated by tabs, merged cells as a copy from the browser gives them: a
// cell spanning columns once, a cell spanning rows at its first row only (empty below).
import { DomUtils, parseDocument } from 'htmlparser2';
import type { ChildNode, Element } from 'domhandler';
import type { Finding } from '../types.ts';
import type { ReadDocument } from './document.ts';
import { binaryFormat } from './text.ts';

const DROP_TAGS = new Set(['script', 'style', 'noscript', 'iframe', 'svg', 'template', 'head', 'form', 'button', 'select', 'input', 'textarea', 'object', 'embed', 'canvas', 'map']);
const CHROME_TAGS = new Set(['nav', 'header', 'footer', 'aside', 'menu']);
// Roles of page chrome as portals name them in class and id attributes.
const CHROME_NAME = /(?:^|[\s_-])(?:nav|navbar|menu|header|topbar|footer|foot|bottom|copyright|breadcrumb|crumbs?|location|position|weizhi|dqwz|share|fenxiang|related|relate|xgxx|xglj|xgwz|friendlink|sidebar|banner|toolbar|print|login|search|counter|visit|hits|fontsize|zihao|pager|paging|qrcode|ewm|gotop|ad|ads|advert)(?:$|[\s_\d-])/i;
// Short lines of page chrome inside the article container: counters, dates, font size, print.
const CHROME_TEXT = /浏览(?:次数|量)|访问(?:次数|量|人数)|阅读(?:次数|量)|点击(?:数|量|率|次数)|发布(?:时间|日期)[:：]|信息来源[:：]|来源[:：]|字体[:：]|字号[:：]|【\s*(?:打印|关闭|收藏)|打印本页|关闭窗口|上一篇|下一篇|扫一扫|分享到/;
const BLOCK_TAGS = new Set(['p', 'div', 'section', 'article', 'main', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'li', 'ul', 'ol', 'dl', 'dt', 'dd', 'blockquote', 'pre', 'center', 'table', 'tr', 'address', 'figure', 'figcaption', 'hr']);

const isElement = (n: ChildNode): n is Element => n.type === 'tag' || n.type === 'script' || n.type === 'style';

/** The page's encoding: BOM, then <meta charset> / http-equiv, then UTF-8 with GB18030 as fallback. */
export function decodeHtml(bytes: Uint8Array): string | null {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return new TextDecoder('utf-8').decode(bytes);
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes);
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 4096));
  const declared = /<meta[^>]+charset\s*=\s*["']?\s*([\w-]+)/i.exec(head)?.[1]?.toLowerCase();
  const tryDecode = (label: string): string | null => {
    try {
      return new TextDecoder(label, { fatal: true }).decode(bytes);
    } catch {
      return null;
    }
  };
  if (declared && declared !== 'utf-8' && declared !== 'utf8') {
    const text = tryDecode(/^(?:gb2312|gbk|gb18030|x-gbk)$/.test(declared) ? 'gb18030' : declared);
    if (text !== null) return text;
  }
  return tryDecode('utf-8') ?? tryDecode('gb18030');
}

function attr(el: Element, name: string): string {
  return el.attribs?.[name] ?? '';
}

function isChrome(el: Element): boolean {
  if (CHROME_TAGS.has(el.name)) return true;
  const names = `${attr(el, 'class')} ${attr(el, 'id')}`;
  if (CHROME_NAME.test(names)) return true;
  const role = attr(el, 'role');
  if (/^(?:navigation|banner|contentinfo|search|complementary)$/.test(role)) return true;
  return /display\s*:\s*none|visibility\s*:\s*hidden/i.test(attr(el, 'style')) || el.attribs?.hidden !== undefined;
}

const cjkCount = (s: string): number => {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c >= 0x4e00 && c <= 0x9fff) || (c >= 0x30 && c <= 0x39)) n++;
  }
  return n;
};

interface Weight {
  text: number;
  links: number;
}

/** Text and link text under each element, once. */
function weigh(root: Element): Map<Element, Weight> {
  const weights = new Map<Element, Weight>();
  const visit = (node: ChildNode, inLink: boolean): Weight => {
    if (node.type === 'text') {
      const n = cjkCount(node.data);
      return inLink ? { text: 0, links: n } : { text: n, links: 0 };
    }
    if (!isElement(node)) return { text: 0, links: 0 };
    const w: Weight = { text: 0, links: 0 };
    for (const child of node.children) {
      const cw = visit(child, inLink || node.name === 'a');
      w.text += cw.text;
      w.links += cw.links;
    }
    weights.set(node, w);
    return w;
  };
  visit(root, false);
  return weights;
}

/** Drops scripts, styles and page chrome, and lists of links (a "related articles" box). */
function prune(node: Element, weights: Map<Element, Weight>): void {
  for (const child of [...node.children]) {
    if (!isElement(child)) continue;
    const w = weights.get(child) ?? { text: 0, links: 0 };
    const linkHeavy = w.links > 20 && w.links > 2 * w.text && child.name !== 'table';
    if (DROP_TAGS.has(child.name) || isChrome(child) || linkHeavy) {
      DomUtils.removeElement(child);
      continue;
    }
    prune(child, weights);
  }
}

/** A table used for page layout (it holds other tables or headings) rather than data. */
function isLayoutTable(table: Element): boolean {
  return DomUtils.findOne((e) => e.name === 'table' || /^h[1-6]$/.test(e.name) || e.name === 'ul' || e.name === 'ol', table.children) !== null;
}

/** The element holding the article: walked down while one child holds most of the text. */
function articleRoot(body: Element): Element {
  const weights = weigh(body);
  let node = body;
  for (;;) {
    const total = weights.get(node)?.text ?? 0;
    const children = node.children.filter(isElement);
    const best = children.reduce<Element | null>((a, c) => ((weights.get(c)?.text ?? 0) > (a ? weights.get(a)?.text ?? 0 : -1) ? c : a), null);
    if (!best || total === 0 || (weights.get(best)?.text ?? 0) < 0.8 * total || (best.name === 'table' && !isLayoutTable(best)) || best.name === 'p') return node;
    node = best;
  }
}

/** Text of a cell or a paragraph: white space collapsed, <br> kept as a line break. */
function inlineText(node: ChildNode): string {
  if (node.type === 'text') return node.data.replace(/\u00a0/g, ' ').replace(/[ \t\r\n\f]+/g, ' ');
  if (!isElement(node)) return '';
  if (node.name === 'br') return '\n';
  if (DROP_TAGS.has(node.name)) return '';
  const inner = node.children.map(inlineText).join('');
  return BLOCK_TAGS.has(node.name) ? `\n${inner}\n` : inner;
}

/** Lines of a cell joined: Chinese without a space ("本年新" + "制作数量"). */
function cellText(td: Element): string {
  const parts = inlineText(td).split('\n').map((s) => s.trim()).filter((s) => s !== '');
  let out = '';
  for (const p of parts) {
    if (out !== '' && /[\x21-\x7e]$/.test(out) && /^[\x21-\x7e]/.test(p)) out += ' ';
    out += p;
  }
  return out.replace(/\t/g, ' ');
}

function span(el: Element, name: string): number {
  const n = Number.parseInt(attr(el, name), 10);
  return Number.isFinite(n) && n > 1 ? Math.min(n, 200) : 1;
}

/** A table as lines: one per row, tab-separated, merged cells as a browser copy gives them. */
function tableLines(table: Element): string[] {
  const rows = DomUtils.findAll((e) => e.name === 'tr' && DomUtils.findAll((t) => t.name === 'table', [e]).length === 0 && closestTable(e) === table, [table]);
  // covered[r] = columns of row r taken by a cell spanning rows from above.
  const covered = new Map<number, Set<number>>();
  const lines: string[] = [];
  rows.forEach((tr, r) => {
    const taken = covered.get(r) ?? new Set<number>();
    const cells: string[] = [];
    let col = 0;
    const skipCovered = (): void => {
      while (taken.has(col)) {
        // A cell spanning rows from above: empty here, as a copy from the browser shows it.
        cells.push('');
        col++;
      }
    };
    for (const td of tr.children.filter(isElement).filter((e) => e.name === 'td' || e.name === 'th')) {
      skipCovered();
      const cs = span(td, 'colspan');
      const rs = span(td, 'rowspan');
      cells.push(cellText(td));
      for (let dr = 1; dr < rs; dr++) {
        const set = covered.get(r + dr) ?? new Set<number>();
        for (let dc = 0; dc < cs; dc++) set.add(col + dc);
        covered.set(r + dr, set);
      }
      col += cs;
    }
    skipCovered();
    if (cells.some((c) => c !== '')) lines.push(cells.join('\t'));
  });
  return lines;
}

function closestTable(el: Element): Element | null {
  let p = el.parent;
  while (p && !(isElement(p as ChildNode) && (p as Element).name === 'table')) p = p.parent;
  return (p as Element | null) ?? null;
}

/** The article as text: paragraphs a blank line apart, tables as tab-separated rows. */
function articleText(root: Element): string {
  const out: string[] = [];
  let line = '';
  const flush = (): void => {
    const t = line.replace(/[ \u3000]+/g, ' ').trim();
    if (t !== '' && !(t.length < 80 && CHROME_TEXT.test(t))) out.push(t, '');
    line = '';
  };
  const walk = (node: ChildNode): void => {
    if (node.type === 'text') {
      line += node.data.replace(/\u00a0/g, ' ').replace(/[\t\r\n\f ]+/g, ' ');
      return;
    }
    if (!isElement(node)) return;
    if (node.name === 'br') {
      flush();
      return;
    }
    if (node.name === 'table' && !isLayoutTable(node)) {
      flush();
      out.push(...tableLines(node), '');
      return;
    }
    const block = BLOCK_TAGS.has(node.name);
    if (block) flush();
    for (const child of node.children) walk(child);
    if (block) flush();
  };
  walk(root);
  flush();
  return out.join('\n');
}

/** The report's title when the article container leaves it out: the first <h1>… naming a 报告, or <title>. */
function pageTitle(doc: ReturnType<typeof parseDocument>): string | null {
  for (const h of DomUtils.findAll((e) => /^h[1-3]$/.test(e.name), doc.children)) {
    const t = cellText(h);
    if (/报告|報告/.test(t) && t.length <= 80) return t;
  }
  const title = DomUtils.findOne((e) => e.name === 'title', doc.children);
  const t = title ? cellText(title) : '';
  const part = t.split(/\s*[_|｜—–-]\s*/).find((p) => /报告|報告/.test(p));
  return part && part.length <= 80 ? part : null;
}

export function readHtml(html: string, document: string): ReadDocument {
  const findings: Finding[] = [];
  const doc = parseDocument(html, { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true });
  const title = pageTitle(doc);
  const body = DomUtils.findOne((e) => e.name === 'body', doc.children) ?? DomUtils.findOne((e) => e.name === 'html', doc.children);
  if (!body) return { text: null, findings: [{ level: 'error', document, location: '全文', message: '网页中没有正文（<body>），未读取' }] };
  prune(body, weigh(body));
  const root = articleRoot(body);
  let text = articleText(root);
  if (title && !text.slice(0, 400).includes(title.replace(/\s+/g, ' ').trim())) text = `${title}\n\n${text}`;
  if (cjkCount(text) < 50) {
    return { text: null, findings: [{ level: 'error', document, location: '全文', message: '网页中几乎没有文字（可能是图片或需要脚本才能显示的页面），未读取' }] };
  }
  return { text, findings };
}

export function readHtmlBytes(bytes: Uint8Array, document: string): ReadDocument {
  const format = binaryFormat(bytes);
  if (format) return { text: null, findings: [{ level: 'error', document, location: '全文', message: `这不是网页文件，而是${format}，未读取` }] };
  const html = decodeHtml(bytes);
  if (html === null) return { text: null, findings: [{ level: 'error', document, location: '全文', message: '网页的字符编码无法识别（不是 UTF-8 或 GB18030），未读取' }] };
  return readHtml(html, document);
}
