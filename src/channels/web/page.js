// The chat page. Every piece of text from the server is put in the page with textContent or as a
// text node — never as HTML — and links are built as elements, only for http(s) URLs.
(() => {
  'use strict';

  const messages = document.getElementById('messages');
  const composer = document.getElementById('composer');
  const input = document.getElementById('question');
  const title = document.getElementById('title');

  const USER_KEY = 'gongkai.web.user';
  const TIMEOUT_MS = 30000;
  const TEXT = {
    network: '网络连接失败，请检查网络后再试。',
    timeout: '等了很久也没有收到回复，请稍后再试。',
    server: '抱歉，服务暂时不可用，请稍后再试。',
    fallbackWelcome: '您好！请输入您想了解的政府信息公开问题。',
  };

  // ---- a per-browser user id, so that follow-up questions keep their context ----
  function newId() {
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes); // unlike randomUUID, available on plain http too
    return 'web-' + Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  }
  let memoryId = null;
  function userId() {
    try {
      let id = localStorage.getItem(USER_KEY);
      if (!id || !/^web-[0-9a-f]{32}$/.test(id)) {
        id = newId();
        localStorage.setItem(USER_KEY, id);
      }
      return id;
    } catch {
      // storage disabled (private mode): one id for this page view
      memoryId = memoryId || newId();
      return memoryId;
    }
  }

  // ---- rendering ----
  const URL_PATTERN = /https?:\/\/[^\s<>"'`\u3000-\u303f\uff00-\uffef]+/g;

  /** Appends `text` to `parent`, with http(s) URLs as links. */
  function appendLinkified(parent, text) {
    let last = 0;
    for (const match of text.matchAll(URL_PATTERN)) {
      // Sentence punctuation right after a URL belongs to the sentence.
      const raw = match[0].replace(/[.,;:!?)\]}'"]+$/, '');
      const start = match.index;
      let url = null;
      try {
        url = new URL(raw);
      } catch {
        url = null;
      }
      if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) continue;
      parent.append(document.createTextNode(text.slice(last, start)));
      const a = document.createElement('a');
      a.href = url.href;
      a.target = '_blank';
      a.rel = 'noopener noreferrer';
      a.textContent = raw;
      parent.append(a);
      last = start + raw.length;
    }
    parent.append(document.createTextNode(text.slice(last)));
  }

  const OPTION_LINE = /^\s*(\d{1,2})\s*[.、．)）]\s*(.+)$/;

  /** Fills a reply bubble: one block per line, links clickable, "您是不是想问" options as buttons. */
  function renderReply(bubble, text) {
    let inOptions = false;
    for (const lineText of String(text).split(/\r?\n/)) {
      const option = inOptions ? OPTION_LINE.exec(lineText) : null;
      if (option) {
        const number = option[1];
        const button = document.createElement('button');
        button.type = 'button';
        button.className = 'option';
        button.dataset.option = number;
        button.textContent = number + '. ' + option[2];
        button.addEventListener('click', () => send(number));
        bubble.append(button);
        continue;
      }
      inOptions = /您是不是想问|您是否想问|你是不是想问/.test(lineText);
      const line = document.createElement('div');
      line.className = 'line';
      appendLinkified(line, lineText);
      bubble.append(line);
    }
  }

  function addRow(kind) {
    const row = document.createElement('div');
    row.className = 'row ' + kind;
    const avatar = document.createElement('div');
    avatar.className = 'avatar';
    avatar.setAttribute('aria-hidden', 'true');
    avatar.textContent = kind === 'sent' ? '我' : '答';
    const bubble = document.createElement('div');
    bubble.className = 'bubble';
    row.append(avatar, bubble);
    messages.append(row);
    messages.scrollTop = messages.scrollHeight;
    return { row, bubble };
  }

  function showSent(text) {
    addRow('sent').bubble.textContent = text;
  }

  function showReply(text) {
    const { bubble } = addRow('received');
    renderReply(bubble, text);
    messages.scrollTop = messages.scrollHeight;
  }

  function showError(text) {
    const { row, bubble } = addRow('received error');
    row.setAttribute('role', 'alert');
    bubble.textContent = text;
  }

  let typingRow = null;
  function showTyping(on) {
    if (on && !typingRow) {
      const { row, bubble } = addRow('received typing');
      row.setAttribute('aria-label', '正在回复');
      for (let i = 0; i < 3; i++) {
        const dot = document.createElement('span');
        dot.className = 'dot';
        bubble.append(dot);
      }
      typingRow = row;
    } else if (!on && typingRow) {
      typingRow.remove();
      typingRow = null;
    }
    if (typingRow) messages.append(typingRow); // keep it last
    messages.scrollTop = messages.scrollHeight;
  }

  // ---- talking to the server ----
  async function ask(question) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), TIMEOUT_MS);
    try {
      const response = await fetch('/api/ask', {
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
      if (response.ok && body && typeof body.reply === 'string') return { reply: body.reply };
      return { error: body && typeof body.error === 'string' ? body.error : TEXT.server };
    } catch (error) {
      return { error: error && error.name === 'AbortError' ? TEXT.timeout : TEXT.network };
    } finally {
      clearTimeout(timer);
    }
  }

  // Questions are answered in the order they were asked.
  let queue = Promise.resolve();
  let pending = 0;

  function send(text) {
    const question = String(text).trim();
    if (!question) return;
    showSent(question);
    pending++;
    showTyping(true);
    queue = queue.then(async () => {
      const result = await ask(question);
      pending--;
      if (pending === 0) showTyping(false);
      if (result.reply !== undefined) showReply(result.reply);
      else showError(result.error);
      if (typingRow) messages.append(typingRow);
    });
  }

  function sendInput() {
    const text = input.value;
    if (!text.trim()) return;
    input.value = '';
    send(text);
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

  // ---- title and welcome from the server ----
  fetch('/api/info')
    .then((response) => (response.ok ? response.json() : Promise.reject(new Error(String(response.status)))))
    .then((info) => {
      if (info && typeof info.title === 'string' && info.title) {
        title.textContent = info.title;
        document.title = info.title;
      }
      showReply(info && typeof info.welcome === 'string' && info.welcome ? info.welcome : TEXT.fallbackWelcome);
    })
    .catch(() => showReply(TEXT.fallbackWelcome))
    .finally(() => {
      document.body.dataset.ready = 'true';
    });
})();
