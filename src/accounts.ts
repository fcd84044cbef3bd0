// The accounts file (ACCOUNTS_FILE): every official account one deployment serves beside the
// default one of the environment variables. YAML, one entry per account:
//
//   accounts:
//     - id: county-a                     # the paths: /county-a/, /api/county-a/ask, /wechat/county-a, /county-a/admin
//       title: 某县政府信息公开问答
//       knowledge_dir: knowledge/county-a
//       data_dir: data/accounts/county-a # default <DATA_DIR>/accounts/<id>
//       namespace: county-a              # Redis keys <REDIS_PREFIX>:<namespace>:…; default the id
//       wechat_token: ${COUNTY_A_WECHAT_TOKEN}
//       wechat_appid: wx1234567890abcdef
//       wechat_encoding_aes_key: ${COUNTY_A_AES_KEY}
//       wechat_previous_encoding_aes_key: ${COUNTY_A_OLD_AES_KEY}
//       admin_tokens:
//         王会计: ${COUNTY_A_ADMIN_WANG}
//
// Each field is its environment variable's name in lower case, with the same rules. `${NAME}` in a
// value is the environment variable NAME, so that the file can name its secrets without holding
// them. `parseAccounts` is pure over the text; every problem names the account (id, or the entry's
// number) and the field, and never quotes a value: a message of the YAML parser would quote the
// line it stopped at, so only its code and place are kept.
import path from 'node:path';
import { createRequire } from 'node:module';

export interface AdminToken {
  label: string;
  token: string;
}

export interface WechatCredentials {
  /** Set ⇒ the account's webhook is served. */
  token?: string | undefined;
  appId?: string | undefined;
  encodingAESKey?: string | undefined;
  previousEncodingAESKey?: string | undefined;
}

export interface AccountConfig {
  id: string;
  /** The chat page's header; unset ⇒ the body's name from the knowledge files. */
  title?: string | undefined;
  knowledgeDir: string;
  dataDir: string;
  /** Redis keys of this account: <REDIS_PREFIX>:<namespace>:… */
  namespace: string;
  wechat: WechatCredentials;
  adminTokens: AdminToken[];
}

/** The environment variables' rules, shared with config.ts so that a file entry reads as the variable does. */
export const RULES = {
  wechatToken: /^[A-Za-z0-9]{3,32}$/,
  appId: /^[A-Za-z0-9_-]{1,64}$/,
  aesKey: /^[A-Za-z0-9]{43}$/,
  adminLabel: /^[\p{L}\p{N}_.-]{1,32}$/u,
  // A token travels in an HTTP header: printable ASCII only.
  adminToken: /^[!-~]{8,}$/,
  titleMax: 40,
};

const ID = /^[a-z0-9][a-z0-9_-]{0,31}$/;
/** Ids that would shadow a path of the default account. */
export const RESERVED_IDS = new Set(['api', 'wechat', 'admin', 'healthz', 'default']);
/** The Redis namespace of the default account (the one the environment variables describe). */
export const DEFAULT_NAMESPACE = 'default';

const FIELDS = new Set([
  'id',
  'title',
  'knowledge_dir',
  'data_dir',
  'namespace',
  'wechat_token',
  'wechat_appid',
  'wechat_encoding_aes_key',
  'wechat_previous_encoding_aes_key',
  'admin_tokens',
]);
const SECRET_FIELDS = new Set(['wechat_token', 'wechat_encoding_aes_key', 'wechat_previous_encoding_aes_key', 'admin_tokens']);

export interface ParseAccountsOptions {
  /** Fills `${NAME}` in values. */
  env: Readonly<Record<string, string | undefined>>;
  /** The file's name, for messages. */
  file: string;
  /** DATA_DIR: where an account without data_dir keeps its files (<DATA_DIR>/accounts/<id>). */
  dataDir: string;
}

export interface ParsedAccounts {
  accounts: AccountConfig[];
  problems: string[];
  /** True when a secret is written in the file itself rather than as ${NAME}. */
  literalSecrets: boolean;
}

/** Line and column (from 1) of a character offset. */
function place(text: string, offset: number): string {
  const before = text.slice(0, Math.max(0, offset));
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return `第 ${line} 行第 ${column} 列 / line ${line}, column ${column}`;
}

const typeName = (value: unknown) => (Array.isArray(value) ? 'a list' : value === null ? 'empty' : typeof value === 'object' ? 'a mapping' : `a ${typeof value}`);

/**
 * Checks one admin token as ADMIN_TOKENS does; the problem names `where` and the label, never the
 * token. `taken` holds the tokens accepted so far (labels and tokens must be unique).
 */
export function adminTokenProblem(where: string, label: string, token: string, taken: readonly AdminToken[]): string | undefined {
  if (!RULES.adminLabel.test(label) || !RULES.adminToken.test(token)) {
    return `${where} 应写成“名字:口令”，名字 1–32 个字母、数字或汉字，口令至少 8 个英文字母、数字或符号，不含空白、汉字和逗号 / should read "label:token" (label 1–32 letters or digits, token at least 8 ASCII letters, digits or symbols without spaces or commas)`;
  }
  if (taken.some((t) => t.label === label)) {
    return `${where}：名字“${label}”重复（ADMIN_TOKEN 的名字是 admin）/ the label "${label}" is used twice (ADMIN_TOKEN's label is admin)`;
  }
  if (taken.some((t) => t.token === token)) return `${where}（${label}）：口令与另一项相同 / has the same token as another entry`;
  return undefined;
}

/** Reads the accounts file's text. Pure: the environment and DATA_DIR come in `options`. */
export function parseAccounts(text: string, options: ParseAccountsOptions): ParsedAccounts {
  const { file } = options;
  const problems: string[] = [];
  const result: ParsedAccounts = { accounts: [], problems, literalSecrets: false };
  // Loaded only for an ACCOUNTS_FILE (the YAML parser is ~45 ms of start-up; the guide's is read on the knowledge thread).
  const { parseDocument } = createRequire(import.meta.url)('yaml') as typeof import('yaml');
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    for (const error of doc.errors) {
      problems.push(`${file} ${place(text, error.pos[0])}：YAML 格式错误（${error.code}）/ not valid YAML (${error.code})`);
    }
    return result;
  }
  const root: unknown = doc.toJS();
  const list = (root as { accounts?: unknown } | null)?.accounts;
  if (typeof root !== 'object' || root === null || Array.isArray(root) || !Array.isArray(list)) {
    problems.push(`${file} 应当有一个 accounts: 列表，每个账号一项 / should hold a list "accounts:", one entry per account`);
    return result;
  }
  for (const key of Object.keys(root)) {
    if (key !== 'accounts') problems.push(`${file}：不认识的顶层字段“${key}” / unknown top-level field "${key}"`);
  }

  list.forEach((raw: unknown, index) => {
    const n = index + 1;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      problems.push(`${file} 第 ${n} 个账号应当是一组“字段: 值” / account ${n} should be a mapping of fields`);
      return;
    }
    const entry = raw as Record<string, unknown>;
    const id = typeof entry.id === 'string' ? entry.id.trim() : '';
    const who = ID.test(id) && !RESERVED_IDS.has(id) ? `${file} 账号 ${id} / account ${id}` : `${file} 第 ${n} 个账号 / account ${n}`;
    const problem = (field: string, zh: string, en: string) => problems.push(`${who}：${field} ${zh} / ${field} ${en}`);
    const before = problems.length;

    for (const field of Object.keys(entry)) {
      if (!FIELDS.has(field)) problem(field, '是不认识的字段', 'is not a known field');
    }
    if (!ID.test(id)) problem('id', '必须是 1–32 个小写英文字母、数字、- 或 _，以字母或数字开头', 'must be 1–32 lower-case letters, digits, - or _, starting with a letter or digit');
    else if (RESERVED_IDS.has(id)) problem('id', `不能是 ${[...RESERVED_IDS].join('、')}（这些路径已有用处）`, `must not be one of ${[...RESERVED_IDS].join(', ')} (those paths are taken)`);

    /** The field's text with ${NAME} filled in; undefined when absent or blank. */
    const value = (field: string): string | undefined => {
      const v = entry[field];
      if (v === undefined || v === null) return undefined;
      if (typeof v !== 'string' && typeof v !== 'number') {
        problem(field, `应当是文字（现在是 ${typeName(v)}）`, `should be text (it is ${typeName(v)})`);
        return undefined;
      }
      return interpolate(String(v), field);
    };
    const interpolate = (v: string, field: string): string | undefined => {
      if (SECRET_FIELDS.has(field) && !/^\$\{[A-Za-z_][A-Za-z0-9_]*\}$/.test(v.trim())) result.literalSecrets = true;
      let missing = false;
      const filled = v.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => {
        const found = options.env[name];
        if (found === undefined || found.trim() === '') {
          problem(field, `引用的环境变量 ${name} 没有设置`, `names the environment variable ${name}, which is not set`);
          missing = true;
          return '';
        }
        return found.trim();
      });
      const trimmed = filled.trim();
      return missing || trimmed === '' ? undefined : trimmed;
    };

    const title = value('title');
    if (title !== undefined && [...title].length > RULES.titleMax) problem('title', `不能超过 ${RULES.titleMax} 个字`, `must be at most ${RULES.titleMax} characters`);
    const knowledgeDir = value('knowledge_dir');
    if (knowledgeDir === undefined && entry.knowledge_dir === undefined) problem('knowledge_dir', '必须填写（这个账号的知识目录）', "is required (the account's knowledge directory)");
    const namespace = value('namespace') ?? id;
    // A namespace defaulting to a bad id is that id's problem, said once.
    if (entry.namespace !== undefined && (!ID.test(namespace) || namespace === DEFAULT_NAMESPACE)) problem('namespace', `必须是 1–32 个小写英文字母、数字、- 或 _，且不能是 ${DEFAULT_NAMESPACE}`, `must be 1–32 lower-case letters, digits, - or _, and not ${DEFAULT_NAMESPACE}`);
    const dataDir = value('data_dir') ?? path.join(options.dataDir, 'accounts', id);

    const token = value('wechat_token');
    if (token !== undefined && !RULES.wechatToken.test(token)) {
      problem('wechat_token', `必须是 3–32 位英文字母或数字（现在是 ${token.length} 位）`, `must be 3–32 letters or digits (got ${token.length} characters)`);
    }
    const appId = value('wechat_appid');
    if (appId !== undefined && !RULES.appId.test(appId)) problem('wechat_appid', '只能包含英文字母、数字、_ 或 -（形如 wx1234567890abcdef）', 'may only contain letters, digits, _ or - (like wx1234567890abcdef)');
    const aesKey = value('wechat_encoding_aes_key');
    const previousKey = value('wechat_previous_encoding_aes_key');
    for (const [field, key] of [['wechat_encoding_aes_key', aesKey], ['wechat_previous_encoding_aes_key', previousKey]] as const) {
      if (key === undefined) continue;
      if (!RULES.aesKey.test(key)) problem(field, `必须恰好是 43 位英文字母或数字（现在是 ${key.length} 位）`, `must be exactly 43 letters or digits (got ${key.length} characters)`);
      if (appId === undefined) problem(field, '要求同时填写 wechat_appid（安全模式要用 AppID 校验消息）', 'requires wechat_appid (safe mode checks the AppID in every message)');
      if (token === undefined) problem(field, '要求同时填写 wechat_token', 'requires wechat_token');
    }
    if (previousKey !== undefined && aesKey === undefined) problem('wechat_previous_encoding_aes_key', '要求同时填写 wechat_encoding_aes_key', 'requires wechat_encoding_aes_key');

    const adminTokens: AdminToken[] = [];
    const admin = entry.admin_tokens;
    const addToken = (where: string, label: string, raw: unknown) => {
      const token = typeof raw === 'string' || typeof raw === 'number' ? interpolate(String(raw), 'admin_tokens') : undefined;
      if (token === undefined && (typeof raw === 'string' || typeof raw === 'number')) return; // a missing variable, named already
      const trouble = adminTokenProblem(`${who}：admin_tokens ${where}`, label, token ?? '', adminTokens);
      if (trouble) problems.push(trouble);
      else adminTokens.push({ label, token: token! });
    };
    if (Array.isArray(admin)) {
      // ["王会计:token", …] as in ADMIN_TOKENS
      admin.forEach((item: unknown, i) => {
        const text = typeof item === 'string' ? item : '';
        const colon = text.indexOf(':');
        addToken(`第 ${i + 1} 项 / entry ${i + 1}`, colon < 0 ? '' : text.slice(0, colon).trim(), colon < 0 ? '' : text.slice(colon + 1).trim());
      });
    } else if (typeof admin === 'object' && admin !== null) {
      for (const [label, raw] of Object.entries(admin)) addToken(`“${label}” / "${label}"`, label.trim(), raw);
    } else if (admin !== undefined && admin !== null) {
      problem('admin_tokens', '应当写成“名字: 口令”的一组，或“名字:口令”的列表', 'should be a mapping "label: token" or a list of "label:token"');
    }

    if (problems.length > before || knowledgeDir === undefined) return;
    result.accounts.push({
      id,
      title,
      knowledgeDir,
      dataDir,
      namespace,
      wechat: { token, appId, encodingAESKey: aesKey, previousEncodingAESKey: previousKey },
      adminTokens,
    });
  });

  // Two accounts writing one place would corrupt each other's sessions and logs.
  const seen = { id: new Map<string, string>(), namespace: new Map<string, string>(), dataDir: new Map<string, string>(), appId: new Map<string, string>() };
  const resolvedDefault = path.resolve(options.dataDir);
  for (const account of result.accounts) {
    const checks: Array<[keyof typeof seen, string | undefined, string]> = [
      ['id', account.id, 'id'],
      ['namespace', account.namespace, 'namespace'],
      ['dataDir', path.resolve(account.dataDir), 'data_dir'],
      ['appId', account.wechat.appId, 'wechat_appid'],
    ];
    for (const [kind, v, field] of checks) {
      if (v === undefined) continue;
      const other = seen[kind].get(v);
      if (other !== undefined) problems.push(`${file} 账号 ${account.id} / account ${account.id}：${field} 与账号 ${other} 相同 / ${field} is the same as account ${other}'s`);
      else seen[kind].set(v, account.id);
    }
    if (path.resolve(account.dataDir) === resolvedDefault) {
      problems.push(`${file} 账号 ${account.id} / account ${account.id}：data_dir 不能是 DATA_DIR（默认账号的目录）/ data_dir must not be DATA_DIR (the default account's)`);
    }
  }
  return result;
}
