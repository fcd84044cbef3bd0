// The clerk's fix for a question: put the resident's wording into the knowledge base — as another
// way of asking a guide topic, or as another word for a standard word — see which logged questions
// would then be answered differently, and save. Saving is offered only for the edit just
// previewed: changing a field asks for a new preview.
import { button, node, shortText } from './dom.js';

const KINDS = { fixed: '改对了', broken: '改坏了', changed: '换了回答' };
const MAX_WORDING = 60;

function field(label, control, hint) {
  const box = node('div', undefined, 'field');
  const caption = node('label', label);
  caption.htmlFor = control.id;
  box.append(caption, control);
  if (hint) box.append(hint);
  return box;
}

function input(id, value = '', placeholder = '') {
  const element = node('input');
  element.id = id;
  element.type = 'text';
  element.maxLength = 200;
  element.value = value;
  element.placeholder = placeholder;
  element.autocomplete = 'off';
  return element;
}

function choice(value, label, checked) {
  const box = node('label', undefined, 'choice');
  const radio = node('input');
  radio.type = 'radio';
  radio.name = 'fix-kind';
  radio.value = value;
  radio.id = `fix-kind-${value}`;
  radio.checked = checked;
  box.append(radio, document.createTextNode(label));
  return { box, radio };
}

/** An answer before or after, as staff read it. */
function answerText(summary) {
  return summary.answered ? summary.label : `没答上（${summary.label}）`;
}

function renderEffects(box, preview) {
  const { effects, logged } = preview;
  const parts = [node('p', preview.edit.description, 'edit-description')];
  parts.push(
    node(
      'p',
      `重新回答了日志里最近的 ${effects.checked} 个不同的问题（共 ${logged} 个）：改对了 ${effects.fixed} 个，改坏了 ${effects.broken} 个，换了回答 ${effects.changed} 个。`,
      `effects-summary${effects.broken ? ' error' : ''}`,
    ),
  );
  if (!effects.changes.length) parts.push(node('p', '没有哪个问题的回答会变。', 'note'));
  const list = node('ol', undefined, 'changes');
  for (const change of effects.changes) {
    const item = node('li', undefined, `change ${change.kind}`);
    const head = node('div');
    head.append(node('span', KINDS[change.kind], `badge ${change.kind}`), shortText(change.question, 'change-question'));
    if (change.count) head.append(node('span', `×${change.count}`, 'count'));
    const arrow = node('div', undefined, 'before-after');
    arrow.append(node('span', `原来：${answerText(change.before)}`, 'before'), node('span', ' → ', 'arrow'), node('span', `现在：${answerText(change.after)}`, 'after'));
    const more = node('details');
    more.append(node('summary', '回答内容'), node('div', `原来：${change.before.reply}`, 'reply-text'), node('div', `现在：${change.after.reply}`, 'reply-text'));
    item.append(head, arrow, more);
    list.append(item);
  }
  if (effects.changes.length) parts.push(list);
  if (preview.errors.length) {
    parts.push(node('p', `知识库现在有 ${preview.errors.length} 处错误，改正之前不能保存：`, 'error'));
    const errors = node('ul', undefined, 'findings');
    for (const f of preview.errors) errors.append(node('li', `${f.document}（${f.location}）：${f.message}`, 'finding error'));
    parts.push(errors);
  }
  box.replaceChildren(...parts);
}

/**
 * The form for `question` in `box`. `hits` and `terms` come from hit testing; `knowledge` from
 * /admin/api/knowledge; `call(path, options)` is the page's API call; `fail(error)` shows an error
 * (or logs out); `saved(result)` runs after a save.
 */
export function renderFix(box, question, { knowledge, hits, terms, call, fail, saved }) {
  if (!knowledge || !knowledge.editing) {
    box.replaceChildren(node('p', '这个服务没有开启在后台修改知识库的功能。', 'note'));
    return;
  }
  const asked = Array.from(question.trim());

  const { box: askBox, radio: askRadio } = choice('question', '加到指南主题的问法', true);
  const { box: wordBox, radio: wordRadio } = choice('synonym', '加为同义词', false);
  const modes = node('div', undefined, 'modes');
  modes.append(askBox, wordBox);

  // No topic is chosen for the clerk: the topics the question matched come first, by score.
  const topic = node('select');
  topic.id = 'fix-topic';
  const none = node('option', '请选择要加到哪个主题');
  none.value = '';
  topic.append(none);
  const matched = hits.filter((h) => String(h.id).startsWith('guide:')).map((h) => h.id.slice('guide:'.length));
  const byId = new Map(knowledge.topics.map((t) => [t.id, t]));
  const group = (label, ids) => {
    const box = node('optgroup');
    box.label = label;
    for (const id of ids) {
      const option = node('option', byId.get(id).title);
      option.value = id;
      box.append(option);
    }
    if (ids.length) topic.append(box);
  };
  const first = matched.filter((id) => byId.has(id));
  group('这个问题匹配到的主题', first);
  group('全部主题', knowledge.topics.map((t) => t.id).filter((id) => !first.includes(id)));
  const wording = input('fix-wording', asked.slice(0, MAX_WORDING).join(''));
  const tooLong = asked.length > MAX_WORDING ? node('p', `问题超过 ${MAX_WORDING} 个字，已截断；请只留下群众说法里关键的部分。`, 'note') : null;
  const askFields = node('div', undefined, 'fields');
  askFields.append(field('指南主题', topic), field('群众的问法', wording, tooLong));

  const alias = input('fix-alias', '', '群众的说法，如：掏腰包');
  const canonical = input('fix-canonical', '', '报告或指南里的词，如：收费');
  const list = node('datalist');
  list.id = 'fix-canonicals';
  for (const s of knowledge.synonyms) list.append(Object.assign(node('option'), { value: s.canonical }));
  canonical.setAttribute('list', list.id);
  const pick = node('div', undefined, 'terms');
  for (const term of terms) {
    pick.append(
      button(term, 'term', () => {
        alias.value = term;
        invalidate();
      }),
    );
  }
  const wordFields = node('div', undefined, 'fields');
  wordFields.hidden = true;
  wordFields.append(field('群众的说法', alias, terms.length ? pick : null), field('换成标准词', canonical), list);

  const previewButton = button('预览效果', 'preview');
  previewButton.id = 'fix-preview';
  const saveButton = button('保存并生效', 'save');
  saveButton.id = 'fix-save';
  saveButton.disabled = true;
  const actions = node('div', undefined, 'inline actions');
  actions.append(previewButton, saveButton);
  const result = node('div', undefined, 'fix-preview');
  result.id = 'fix-preview-result';
  result.setAttribute('aria-live', 'polite');
  const status = node('p', '', 'fix-status');
  status.id = 'fix-status';
  status.setAttribute('role', 'status');

  let previewed = null;
  const request = () =>
    askRadio.checked
      ? { kind: 'question', topic: topic.value, wording: wording.value }
      : { kind: 'synonym', canonical: canonical.value, wording: alias.value };

  function invalidate() {
    if (previewed) status.textContent = '内容改过了，请重新预览。';
    previewed = null;
    saveButton.disabled = true;
    result.classList.add('stale');
  }
  for (const control of [topic, wording, alias, canonical, askRadio, wordRadio]) {
    control.addEventListener('input', invalidate);
    control.addEventListener('change', invalidate);
  }
  for (const radio of [askRadio, wordRadio]) {
    radio.addEventListener('change', () => {
      askFields.hidden = !askRadio.checked;
      wordFields.hidden = askRadio.checked;
    });
  }

  previewButton.addEventListener('click', async () => {
    const asking = request();
    previewButton.disabled = true;
    saveButton.disabled = true;
    status.className = 'fix-status';
    status.textContent = '正在预览：把日志里的问题按改后的知识库重新回答一遍，需要几秒……';
    try {
      const preview = await call('edits/preview', { method: 'POST', body: asking });
      renderEffects(result, preview);
      result.classList.remove('stale');
      status.textContent = preview.errors.length ? '' : '确认无误后点“保存并生效”。';
      if (!preview.errors.length) {
        previewed = { key: JSON.stringify(asking), base: preview.base };
        saveButton.disabled = false;
      }
      box.dataset.previewed = 'true';
    } catch (error) {
      status.className = 'fix-status error';
      status.textContent = error.message;
      fail(error, true);
    } finally {
      previewButton.disabled = false;
    }
  });

  saveButton.addEventListener('click', async () => {
    const asking = request();
    if (!previewed || previewed.key !== JSON.stringify(asking)) return invalidate();
    saveButton.disabled = true;
    previewButton.disabled = true;
    status.className = 'fix-status';
    status.textContent = '正在保存……';
    try {
      const done = await call('edits', { method: 'POST', body: { ...asking, base: previewed.base } });
      previewed = null;
      status.className = 'fix-status ok';
      status.textContent = `已保存并生效：${done.edit.description}。${done.message}`;
      await saved(done);
    } catch (error) {
      status.className = 'fix-status error';
      status.textContent = error.message;
      fail(error, true);
    } finally {
      previewButton.disabled = false;
    }
  });

  box.replaceChildren(node('h3', '把这个说法加进知识库'), modes, askFields, wordFields, actions, status, result);
  delete box.dataset.previewed;
}
