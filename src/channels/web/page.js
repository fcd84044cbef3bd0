// The chat page. Every piece of text from the server is put in the page with textContent or as a
// text node — never as HTML. Links are built as elements: http(s) URLs and phone numbers (tel:).
//
// A reply's chips (the numbered choices of 您是不是想问, 详细, 有用/没用) mean something only next to
// the conversation's latest answer: the server reads "1" or "详细" against the last thing it said.
// So they go inert as soon as anything else is sent. Cross-references are whole questions and
// stay live.
(() => {
  'use strict';

  const $ = (id) => document.getElementById(id);
  const messages = $('messages');
  const composer = $('composer');
  const input = $('question');
  const title = $('title');
  const clearButton = $('clear');

  // The account's API (/api, or /api/<id> for an account of ACCOUNTS_FILE, as the server wrote it
  // in the page). Each account keeps its own conversation in the browser: they share the origin.
  const API = document.querySelector('meta[name="gongkai-api"]')?.getAttribute('content') || '/api';
  const scope = API === '/api' ? '' : `:${API}`;
  const USER_KEY = `gongkai.web.user${scope}`;
  const HISTORY_KEY = `gongkai.web.history${scope}`;
  /** Messages kept across reloads, and their total length: a site's localStorage is a few MB. */
  const HISTORY_ITEMS = 80;
  const HISTORY_CHARS = 60000;
  /** The server forgets a conversation after 30 idle minutes; a restored latest reply's chips stay live until about then. */
  const SESSION_MS = 25 * 60 * 1000;
  const TIMEOUT_MS = 30000;
  const TEXT = {
    network: '网络连接失败，请检查网络后再试。',
    timeout: '等了很久也没有收到回复，请稍后再试。',
    server: '抱歉，服务暂时不可用，请稍后再试。',
    fallbackWelcome: '您好！请输入您想了解的政府信息公开问题。',
    retry: '重试',
    detail: '详细',
    useful: '有用',
    useless: '没用',
  };

  // ---- storage that may be disabled (private mode) or full ----
  const storage = {
    get(key) {
      try {
        return localStorage.getItem(key);
      } catch {
        return null;
      }
    },
    set(key, value) {
      try {
        localStorage.setItem(key, value);
        return true;
      } catch {
        return false;
      }
    },
    remove(key) {
      try {
        localStorage.removeItem(key);
      } catch {
        // nothing kept
      }
    },
  };

  // ---- a per-browser user id, so that follow-up questions keep their context ----
  function newId() {
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes); // unlike randomUUID, available on plain http too
    return 'web-' + Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  }
  let memoryId = null;
  function userId() {
    let id = storage.get(USER_KEY);
    if (id && /^web-[0-9a-f]{32}$/.test(id)) return id;
    id = memoryId || newId();
    memoryId = id;
    storage.set(USER_KEY, id);
    return id;
  }

  // ---- the conversation kept across reloads ----
  const strings = (value) => (Array.isArray(value) ? value.filter((s) => typeof s === 'string' && s !== '') : []);

  /** A reply as the page keeps it: only the fields it renders, checked. */
  function replyOf(body) {
    return {
      text: String(body.reply ?? body.text ?? ''),
      answered: body.answered === true,
      detail: body.detail === true,
      options: strings(body.options),
      related: strings(body.related),
    };
  }

  function loadHistory() {
    try {
      const items = JSON.parse(storage.get(HISTORY_KEY) || '[]');
      if (!Array.isArray(items)) return [];
      return items.filter((item) => item && (item.role === 'user' || item.role === 'bot') && typeof item.text === 'string');
    } catch {
      return [];
    }
  }

  let history = loadHistory();

  function saveHistory() {
    history = history.slice(-HISTORY_ITEMS);
    let text = JSON.stringify(history);
    // The oldest exchanges go first until it fits; a full storage keeps the last version that fit.
    while (text.length > HISTORY_CHARS && history.length > 2) {
      history = history.slice(2);
      text = JSON.stringify(history);
    }
    storage.set(HISTORY_KEY, text);
    clearButton.hidden = history.length === 0;
  }

  function rememberExchange(question, reply) {
    history.push({ role: 'user', text: question }, { role: 'bot', time: Date.now(), ...reply });
    saveHistory();
  }

  // ---- text: URLs and phone numbers as links, everything else as text nodes ----
  // The characters of RFC 3986: a URL ends at the first space, quote or Chinese character.
  const URL_PATTERN = /https?:\/\/[A-Za-z0-9\-._~:/?#[\]@!$&()*+,;=%]+/g;
  // A landline with its area code (0xxx-xxxxxxx) or a mobile number, not part of a longer number.
  const PHONE_PATTERN = /(?<![\d.\-])(?:0\d{2,3}-?\d{7,8}|1[3-9]\d{9})(?![\d\-]|\.\d)/g;

  function appendPhones(parent, text) {
    let last = 0;
    for (const match of text.matchAll(PHONE_PATTERN)) {
      parent.append(document.createTextNode(text.slice(last, match.index)));
      const a = document.createElement('a');
      a.className = 'tel';
      a.href = 'tel:' + match[0].replace(/-/g, '');
      a.textContent = match[0];
      parent.append(a);
      last = match.index + match[0].length;
    }
    parent.append(document.createTextNode(text.slice(last)));
  }

  const URL_PART_CHARS = 24;

  /** A link whose text may wrap only after a "/" of its path: never inside the host or a word. */
  function urlLink(href, raw) {
    const a = document.createElement('a');
    a.className = 'url';
    a.href = href;
    a.target = '_blank';
    a.rel = 'noopener noreferrer';
    const scheme = /^[a-z]+:\/\//i.exec(raw)[0];
    raw.slice(scheme.length).split(/(?<=\/)(?!\/)/).forEach((part, i) => {
      if (i > 0) a.append(document.createElement('wbr'));
      const piece = document.createElement('span');
      piece.className = 'url-part';
      piece.textContent = i === 0 ? scheme + part : part;
      // A piece longer than a phone's bubble is wide may wrap inside rather than overflow.
      if (piece.textContent.length > URL_PART_CHARS) piece.classList.add('long');
      a.append(piece);
    });
    return a;
  }

  function appendRich(parent, text) {
    let last = 0;
    for (const match of text.matchAll(URL_PATTERN)) {
      // Sentence punctuation right after a URL belongs to the sentence.
      const raw = match[0].replace(/[.,;:!?)\]}'"]+$/, '');
      let url = null;
      try {
        url = new URL(raw);
      } catch {
        url = null;
      }
      if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) continue;
      appendPhones(parent, text.slice(last, match.index));
      parent.append(urlLink(url.href, raw));
      last = match.index + raw.length;
    }
    appendPhones(parent, text.slice(last));
  }

  const OPTION_LINE = /^\s*(\d{1,2})\s*[.、．)）]\s*(.+?)\s*$/;
  const DETAIL_HINT = /^\s*（?回复“详细”查看更多）?\s*$/;

  /** The reply's lines; the ones its chips stand for (the numbered choices, the 详细 hint) are left to the chips. */
  function renderReplyText(bubble, reply) {
    for (const lineText of reply.text.split(/\r?\n/)) {
      const option = OPTION_LINE.exec(lineText);
      if (option && reply.options[Number(option[1]) - 1] === option[2]) continue;
      if (reply.detail && DETAIL_HINT.test(lineText)) continue;
      const line = document.createElement('div');
      line.className = 'line';
      appendRich(line, lineText);
      bubble.append(line);
    }
  }

  // ---- rows ----
  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function newRow(kind) {
    const row = element('div', 'row ' + kind);
    const avatar = element('div', 'avatar', kind === 'sent' ? '我' : '答');
    avatar.setAttribute('aria-hidden', 'true');
    const stack = element('div', 'stack');
    stack.append(element('div', 'bubble'));
    row.append(avatar, stack);
    return row;
  }

  const bubbleOf = (row) => row.querySelector('.bubble');

  function addRow(kind, after) {
    const row = newRow(kind);
    if (after) after.after(row);
    else messages.append(row);
    return row;
  }

  function addSent(text) {
    const row = addRow('sent');
    bubbleOf(row).textContent = text;
    return row;
  }

  function chip(kind, label, onTap, contextual) {
    const button = element('button', `chip ${kind}${contextual ? ' contextual' : ''}`, label);
    button.type = 'button';
    button.addEventListener('click', () => {
      if (button.disabled) return;
      onTap(button);
    });
    return button;
  }

  function retire(button) {
    button.disabled = true;
    button.classList.add('stale');
  }

  /** Whatever was said before no longer answers "1", "详细" or 有用/没用. */
  function retireChips() {
    for (const button of messages.querySelectorAll('.chip.contextual:not(:disabled)')) retire(button);
  }

  function chipsFor(reply, live) {
    const box = element('div', 'chips');
    reply.options.forEach((text, i) => box.append(chip('option', `${i + 1}. ${text}`, () => ask(text, String(i + 1)), true)));
    if (reply.detail) box.append(chip('detail', TEXT.detail, () => ask(TEXT.detail), true));
    for (const question of reply.related) box.append(chip('related', question, () => ask(question), false));
    if (reply.answered) {
      for (const verdict of [TEXT.useful, TEXT.useless]) {
        box.append(
          chip('feedback', verdict, (button) => {
            button.classList.add('chosen');
            ask(verdict);
          }, true),
        );
      }
    }
    if (!live) for (const button of box.querySelectorAll('.contextual')) retire(button);
    return box.childElementCount ? box : null;
  }

  function showReply(row, reply, live) {
    row.className = 'row received';
    row.removeAttribute('aria-label');
    row.removeAttribute('role');
    const bubble = bubbleOf(row);
    bubble.replaceChildren();
    renderReplyText(bubble, reply);
    const stack = row.querySelector('.stack');
    stack.querySelector('.chips')?.remove();
    const chips = chipsFor(reply, live);
    if (chips) stack.append(chips);
  }

  function showTyping(row) {
    row.className = 'row received typing';
    row.setAttribute('aria-label', '正在回复');
    row.removeAttribute('role');
    const bubble = bubbleOf(row);
    bubble.replaceChildren(...[0, 1, 2].map(() => element('span', 'dot')));
    row.querySelector('.chips')?.remove();
  }

  function showError(row, message, onRetry) {
    row.className = 'row received error';
    row.setAttribute('role', 'alert');
    row.removeAttribute('aria-label');
    bubbleOf(row).textContent = message;
    row.querySelector('.chips')?.remove();
    if (onRetry) {
      const box = element('div', 'chips');
      box.append(chip('retry', TEXT.retry, onRetry, false));
      row.querySelector('.stack').append(box);
    }
  }

  // ---- scrolling: follow the conversation unless the reader scrolled up ----
  let following = true;
  messages.addEventListener('scroll', () => {
    following = messages.scrollHeight - messages.scrollTop - messages.clientHeight < 48;
  });

  function toBottom() {
    messages.scrollTop = messages.scrollHeight;
    following = true;
  }

  /** A new reply: its start stays in view when it is taller than the screen. */
  function reveal(row) {
    if (!following) return;
    if (row.offsetHeight > messages.clientHeight) {
      messages.scrollTop = row.offsetTop - 8;
      following = false;
    } else toBottom();
  }

  // ---- talking to the server ----
  async function request(question) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), TIMEOUT_MS);
    try {
      const response = await fetch(`${API}/ask`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ question, user: userId() }),
        signal: controller.signal,
      });
      let body = null;
      try {
        body = await response.json();
      } catch {
        body = null;
      }
      if (response.ok && body && typeof body.reply === 'string') return { reply: replyOf(body) };
      // A refused question (400, 413) would be refused again; anything else may pass next time.
      const again = response.status !== 400 && response.status !== 413;
      return { error: body && typeof body.error === 'string' ? body.error : TEXT.server, again };
    } catch (error) {
      return { error: error && error.name === 'AbortError' ? TEXT.timeout : TEXT.network, again: true };
    } finally {
      clearTimeout(timer);
    }
  }

  // One question at a time, in the order asked: the server reads each against the one before.
  let queue = Promise.resolve();
  /** Sends so far; a reply is the latest (its chips live) while no later send was made. */
  let sends = 0;

  function submit(exchange) {
    exchange.seq = ++sends;
    retireChips();
    showTyping(exchange.row);
    following = true; // whoever sends wants to see the answer come
    reveal(exchange.row);
    queue = queue.then(async () => {
      const result = await request(exchange.question);
      if (result.reply) {
        showReply(exchange.row, result.reply, exchange.seq === sends);
        rememberExchange(exchange.shown, result.reply);
      } else {
        showError(exchange.row, result.error, result.again ? () => submit(exchange) : null);
      }
      reveal(exchange.row);
    });
  }

  /** Shows `shown` as the resident's message and sends `question` (an option's number sends its text's place). */
  function ask(shown, question = shown) {
    const text = String(question).trim();
    if (!text) return;
    const sent = addSent(String(shown).trim() || text);
    const row = addRow('received', sent);
    submit({ question: text, shown: String(shown).trim() || text, row });
  }

  function sendInput() {
    const text = input.value;
    if (!text.trim()) return;
    input.value = '';
    ask(text);
    input.focus();
  }

  input.addEventListener('keydown', (event) => {
    // Enter that confirms an IME composition (拼音 → 汉字) must not send.
    if (event.key !== 'Enter' || event.isComposing || event.keyCode === 229 || event.shiftKey) return;
    event.preventDefault();
    sendInput();
  });
  composer.addEventListener('submit', (event) => {
    event.preventDefault();
    sendInput();
  });

  clearButton.addEventListener('click', () => {
    history = [];
    storage.remove(HISTORY_KEY);
    // A new id starts a new conversation on the server too.
    memoryId = newId();
    storage.set(USER_KEY, memoryId);
    for (const row of messages.querySelectorAll('.row:not(.welcome)')) row.remove();
    clearButton.hidden = true;
    input.focus();
  });

  // ---- the input stays above the on-screen keyboard ----
  // iOS Safari (and Android Chrome without resizes-content) shrinks only the visual viewport when
  // the keyboard opens: the page is fitted to it, so the composer and the last reply stay in view.
  const viewport = window.visualViewport;
  if (viewport) {
    const fit = () => {
      const wasFollowing = following;
      const style = document.documentElement.style;
      style.setProperty('--app-height', `${viewport.height}px`);
      style.setProperty('--app-top', `${viewport.offsetTop}px`);
      if (wasFollowing) toBottom();
    };
    viewport.addEventListener('resize', fit);
    viewport.addEventListener('scroll', fit);
    fit();
  }

  // ---- the conversation so far, then title and welcome from the server ----
  history.forEach((item, i) => {
    if (item.role === 'user') {
      addSent(item.text);
      return;
    }
    const latest = i === history.length - 1 && Date.now() - (Number(item.time) || 0) < SESSION_MS;
    showReply(addRow('received'), replyOf(item), latest);
  });
  clearButton.hidden = history.length === 0;
  toBottom();

  /** The welcome, its example questions ("· 怎么申请政府信息公开？") as chips that ask them. */
  function showWelcome(text) {
    const row = newRow('received');
    messages.prepend(row);
    const examples = [];
    const lines = String(text).split(/\r?\n/).filter((line) => {
      const example = /^\s*[·•]\s*(.+?)\s*$/.exec(line);
      if (example) examples.push(example[1]);
      return !example;
    });
    showReply(row, { ...replyOf({ reply: lines.join('\n') }), related: examples }, false);
    row.classList.add('welcome');
    if (following) toBottom();
  }

  fetch(`${API}/info`)
    .then((response) => (response.ok ? response.json() : Promise.reject(new Error(String(response.status)))))
    .then((info) => {
      if (info && typeof info.title === 'string' && info.title) {
        title.textContent = info.title;
        document.title = info.title;
      }
      showWelcome(info && typeof info.welcome === 'string' && info.welcome ? info.welcome : TEXT.fallbackWelcome);
    })
    .catch(() => showWelcome(TEXT.fallbackWelcome))
    .finally(() => {
      document.body.dataset.ready = 'true';
    });
})();
