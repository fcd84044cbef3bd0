// Configuration from the environment, with a `.env` file filling in what the environment leaves
// unset. Every problem is collected and reported at once, in Chinese and English, naming the
// variable — and never echoing the value of a secret.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import proxyaddr from 'proxy-addr';
import { adminTokenProblem, parseAccounts, RULES, type AccountConfig, type AdminToken } from './accounts.ts';

export interface Config {
  port: number;
  host: string;
  knowledgeDir: string;
  dataDir: string;
  /** Salt for hashing user ids in stored logs. */
  dataSalt?: string;
  /** Header of the chat page; when unset the server asks the bot, then falls back to a generic title. */
  chatTitle?: string;
  wechat: {
    /** Set ⇒ the /wechat webhook is served. */
    token?: string;
    appId?: string;
    encodingAESKey?: string;
    previousEncodingAESKey?: string;
  };
  wechaty: {
    /** Set ⇒ a Wechaty bot is started, e.g. "wechaty-puppet-wechat4u". */
    puppet?: string;
    puppetToken?: string;
  };
  adminToken?: string;
  /** Every admin token with the label its edits are recorded under: ADMIN_TOKENS, and ADMIN_TOKEN as "admin". */
  adminTokens?: AdminToken[];
  logLevel: LogLevel;
  /** Unset ⇒ readable lines when stderr is a terminal, JSON lines otherwise (see log.ts). */
  logFormat?: LogFormat;
  /** Set ⇒ the bot writes its pid there at start and removes it at exit. */
  pidFile?: string;
  /** What one client, connection or flood may take; README "Limits" says what each protects. */
  limits: Limits;
  /** ACCOUNTS_FILE, when set. */
  accountsFile?: string | undefined;
  /** The accounts of ACCOUNTS_FILE, served beside the default one (the variables above). */
  accounts: AccountConfig[];
  /** REDIS_URL set ⇒ sessions, limits, retries and the question log are shared through Redis. */
  redis?: { url: string; prefix: string } | undefined;
  /** Worth saying at start-up, not worth refusing it (e.g. secrets in a readable accounts file). */
  warnings: string[];
}

export type { AdminToken };

/**
 * Reads ADMIN_TOKENS ("王会计:token1,李主任:token2") beside ADMIN_TOKEN (label "admin"). Problems
 * name the entry by its place and label, never by its token.
 */
export function parseAdminTokens(list: string | undefined, single: string | undefined): { tokens: AdminToken[]; problems: string[] } {
  const tokens: AdminToken[] = single ? [{ label: 'admin', token: single }] : [];
  const problems: string[] = [];
  (list ?? '').split(',').forEach((raw, i) => {
    const entry = raw.trim();
    if (entry === '') return;
    const colon = entry.indexOf(':');
    const label = colon < 0 ? '' : entry.slice(0, colon).trim();
    const token = colon < 0 ? '' : entry.slice(colon + 1).trim();
    const problem = adminTokenProblem(`ADMIN_TOKENS 第 ${i + 1} 项 / entry ${i + 1} of ADMIN_TOKENS`, label, token, tokens);
    if (problem) problems.push(problem);
    else tokens.push({ label, token });
  });
  return { tokens, problems };
}

export interface Limits {
  http: {
    headersTimeoutMs: number;
    requestTimeoutMs: number;
    keepAliveTimeoutMs: number;
    maxConnections: number;
    maxConnectionsPerAddress: number;
  };
  /** Addresses (IPs, CIDRs, or loopback / linklocal / uniquelocal) whose X-Forwarded-For is believed. */
  trustedProxies: string[];
  clients: {
    askPerMinute: number;
    pagePerMinute: number;
    userAskPerMinute: number;
    sessionsPerAddress: number;
  };
  store: {
    maxSessions: number;
    logMaxAgeMs: number;
    logMaxEntries: number;
    logMaxBytes: number;
    logMaxPerUserPerHour: number;
    logMaxQuestionLength: number;
    minFreeBytes: number;
  };
  stats: {
    maxGrouped: number;
    timeBudgetMs: number;
    cacheMs: number;
  };
  admin: {
    maxFailedAttempts: number;
  };
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const LOG_FORMATS = ['json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(['配置有误 / Invalid configuration:', ...problems.map((p) => `  - ${p}`)].join('\n'));
    this.name = 'ConfigError';
  }
}

export interface LoadConfigOptions {
  /**
   * A dotenv file whose values fill in variables missing from `env` (never overriding them).
   * Defaults to ".env" when `env` is `process.env` (so puppets reading process.env see them too),
   * and to no file otherwise; `false` reads no file.
   */
  envFile?: string | false;
}

/**
 * How one variable is read: its value (trimmed; undefined when unset), or the message naming it.
 * A table of these rather than a schema library: zod cost ~60 ms of every start (issue 13), for
 * checks that are all one line each and messages that are all our own.
 */
type Rule<T> = (value: string | undefined) => { ok: true; value: T } | { ok: false; message: string };
type RuleValue<R> = R extends Rule<infer T> ? T : never;

const ok = <T>(value: T) => ({ ok: true as const, value });
const fail = (message: string) => ({ ok: false as const, message });

/** "" and white space mean "unset", as in `WECHAT_TOKEN=` lines of a .env file. */
const blank = (v: string | undefined) => (v === undefined || v.trim() === '' ? undefined : v.trim());

/** Any text, or undefined. */
const optional: Rule<string | undefined> = (v) => ok(v);
const withDefault = (value: string): Rule<string> => (v) => ok(v ?? value);

/** Text that passes `test`, or undefined; `message` may say what is wrong without quoting the value. */
const checked = (test: (v: string) => boolean, message: string | ((v: string) => string)): Rule<string | undefined> => (v) =>
  v === undefined || test(v) ? ok(v) : fail(typeof message === 'string' ? message : message(v));
const matching = (pattern: RegExp, message: string | ((v: string) => string)) => checked((v) => pattern.test(v), message);

const aesKey = (name: string) =>
  matching(RULES.aesKey, (v) => `${name} 必须恰好是 43 位英文字母或数字（现在是 ${v.length} 位）/ ${name} must be exactly 43 letters or digits (got ${v.length} characters)`);

/** One of `values` (as written), or the default. */
function oneOf<const T extends readonly string[]>(values: T, message: string): Rule<T[number] | undefined>;
function oneOf<const T extends readonly string[]>(values: T, message: string, value: T[number]): Rule<T[number]>;
function oneOf<const T extends readonly string[]>(values: T, message: string, value?: T[number]): Rule<T[number] | undefined> {
  return (v) => (v === undefined ? ok(value) : (values as readonly string[]).includes(v) ? ok(v as T[number]) : fail(message));
}

/** A whole number within [min, max] (as JavaScript reads a number: "1e3", "0x10"), with its default. */
const int = (name: string, value: number, min: number, max: number): Rule<number> => (v) => {
  if (v === undefined) return ok(value);
  const n = Number(v);
  return Number.isSafeInteger(n) && n >= min && n <= max ? ok(n) : fail(`${name} 必须是 ${min}–${max} 的整数 / ${name} must be an integer ${min}–${max}`);
};
const DAY = 24 * 60 * 60 * 1000;
const MB = 1024 * 1024;

const variables = {
  PORT: int('PORT', 8080, 0, 65535),
  HOST: withDefault('0.0.0.0'),
  KNOWLEDGE_DIR: withDefault('knowledge'),
  DATA_DIR: withDefault('data'),
  DATA_SALT: optional,
  CHAT_TITLE: checked((v) => v.length <= 40, 'CHAT_TITLE 不能超过 40 个字 / CHAT_TITLE must be at most 40 characters'),
  WECHAT_TOKEN: matching(
    RULES.wechatToken,
    (v) =>
      `WECHAT_TOKEN 必须是 3–32 位英文字母或数字（现在是 ${v.length} 位${/[^A-Za-z0-9]/.test(v) ? '，含有其他字符' : ''}）/ ` +
      `WECHAT_TOKEN must be 3–32 letters or digits (got ${v.length} characters${/[^A-Za-z0-9]/.test(v) ? ', including other characters' : ''})`,
  ),
  WECHAT_APPID: matching(
    RULES.appId,
    'WECHAT_APPID 只能包含英文字母、数字、_ 或 -（形如 wx1234567890abcdef）/ WECHAT_APPID may only contain letters, digits, _ or - (like wx1234567890abcdef)',
  ),
  WECHAT_ENCODING_AES_KEY: aesKey('WECHAT_ENCODING_AES_KEY'),
  WECHAT_PREVIOUS_ENCODING_AES_KEY: aesKey('WECHAT_PREVIOUS_ENCODING_AES_KEY'),
  WECHATY_PUPPET: matching(
    /^(@[a-z0-9._-]+\/)?[a-z0-9._-]+$/,
    'WECHATY_PUPPET 必须是一个 npm 包名，如 wechaty-puppet-wechat4u / WECHATY_PUPPET must be an npm package name such as wechaty-puppet-wechat4u',
  ),
  WECHATY_PUPPET_TOKEN: optional,
  ADMIN_TOKEN: optional,
  ADMIN_TOKENS: optional,
  LOG_LEVEL: oneOf(LOG_LEVELS, `LOG_LEVEL 必须是 ${LOG_LEVELS.join(' / ')} 之一 / LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`, 'info'),
  LOG_FORMAT: oneOf(
    LOG_FORMATS,
    `LOG_FORMAT 必须是 ${LOG_FORMATS.join(' / ')} 之一（不设则终端里可读、否则 JSON）/ LOG_FORMAT must be one of ${LOG_FORMATS.join(', ')} (unset: readable on a terminal, JSON otherwise)`,
  ),
  PID_FILE: optional,
  ACCOUNTS_FILE: optional,
  REDIS_URL: checked(
    (v) => /^rediss?:\/\/[^\s]+$/.test(v) && URL.canParse(v),
    'REDIS_URL 必须形如 redis://主机:端口 或 rediss://…（可带用户名、密码和库号）/ REDIS_URL must look like redis://host:port or rediss://… (user, password and database number optional)',
  ),
  REDIS_PREFIX: (v: string | undefined) =>
    /^[A-Za-z0-9_.-]{1,32}$/.test(v ?? 'gongkai') ? ok(v ?? 'gongkai') : fail('REDIS_PREFIX 必须是 1–32 个英文字母、数字、_ . 或 - / REDIS_PREFIX must be 1–32 letters, digits, _ . or -'),
  // Limits: defaults suit one county's account on one machine; README "Limits" explains each.
  HTTP_HEADERS_TIMEOUT_MS: int('HTTP_HEADERS_TIMEOUT_MS', 10_000, 1_000, 600_000),
  HTTP_REQUEST_TIMEOUT_MS: int('HTTP_REQUEST_TIMEOUT_MS', 20_000, 1_000, 600_000),
  HTTP_KEEP_ALIVE_TIMEOUT_MS: int('HTTP_KEEP_ALIVE_TIMEOUT_MS', 5_000, 100, 600_000),
  HTTP_MAX_CONNECTIONS: int('HTTP_MAX_CONNECTIONS', 2_048, 1, 1_000_000),
  HTTP_MAX_CONNECTIONS_PER_ADDRESS: int('HTTP_MAX_CONNECTIONS_PER_ADDRESS', 256, 1, 1_000_000),
  TRUSTED_PROXIES: optional,
  CLIENT_ASK_PER_MINUTE: int('CLIENT_ASK_PER_MINUTE', 60, 1, 1_000_000),
  CLIENT_PAGE_PER_MINUTE: int('CLIENT_PAGE_PER_MINUTE', 120, 1, 1_000_000),
  CLIENT_USER_ASK_PER_MINUTE: int('CLIENT_USER_ASK_PER_MINUTE', 20, 1, 1_000_000),
  CLIENT_SESSIONS_PER_ADDRESS: int('CLIENT_SESSIONS_PER_ADDRESS', 100, 1, 1_000_000),
  STORE_MAX_SESSIONS: int('STORE_MAX_SESSIONS', 50_000, 1, 10_000_000),
  LOG_MAX_DAYS: int('LOG_MAX_DAYS', 90, 1, 3_660),
  LOG_MAX_ENTRIES: int('LOG_MAX_ENTRIES', 100_000, 1, 10_000_000),
  LOG_MAX_MB: int('LOG_MAX_MB', 48, 1, 100_000),
  LOG_MAX_PER_USER_PER_HOUR: int('LOG_MAX_PER_USER_PER_HOUR', 120, 1, 1_000_000),
  LOG_MAX_QUESTION_CHARS: int('LOG_MAX_QUESTION_CHARS', 200, 1, 2_000),
  DATA_MIN_FREE_MB: int('DATA_MIN_FREE_MB', 16, 0, 1_000_000),
  STATS_MAX_GROUPED: int('STATS_MAX_GROUPED', 3_000, 1, 1_000_000),
  STATS_TIME_BUDGET_MS: int('STATS_TIME_BUDGET_MS', 20_000, 100, 3_600_000),
  STATS_CACHE_MS: int('STATS_CACHE_MS', 15_000, 0, 3_600_000),
  ADMIN_MAX_FAILED_ATTEMPTS: int('ADMIN_MAX_FAILED_ATTEMPTS', 5, 1, 1_000),
} satisfies Record<string, Rule<unknown>>;

type Variables = { [K in keyof typeof variables]: RuleValue<(typeof variables)[K]> };

/** Every variable read; .env.example documents each (a test checks). */
export const VARIABLES = Object.keys(variables);

/**
 * Each variable by its rule, then the rules between variables. As with a schema, the latter are
 * checked only once every variable has a valid value; every problem is listed, in table order.
 */
function readVariables(env: NodeJS.ProcessEnv): { ok: true; data: Variables } | { ok: false; problems: string[] } {
  const problems: string[] = [];
  const data: Record<string, unknown> = {};
  for (const [name, rule] of Object.entries(variables) as Array<[string, Rule<unknown>]>) {
    const read = rule(blank(env[name]));
    if (read.ok) data[name] = read.value;
    else problems.push(read.message);
  }
  if (problems.length > 0) return { ok: false, problems };
  const e = data as Variables;
  for (const name of ['WECHAT_ENCODING_AES_KEY', 'WECHAT_PREVIOUS_ENCODING_AES_KEY'] as const) {
    if (e[name] !== undefined && e.WECHAT_APPID === undefined) {
      problems.push(`设置了 ${name} 就必须同时设置 WECHAT_APPID（安全模式要用 AppID 校验消息）/ ${name} requires WECHAT_APPID (safe mode checks the AppID in every message)`);
    }
  }
  if (e.HTTP_HEADERS_TIMEOUT_MS > e.HTTP_REQUEST_TIMEOUT_MS) {
    problems.push('HTTP_HEADERS_TIMEOUT_MS 不能大于 HTTP_REQUEST_TIMEOUT_MS / HTTP_HEADERS_TIMEOUT_MS must not exceed HTTP_REQUEST_TIMEOUT_MS');
  }
  for (const entry of proxyList(e.TRUSTED_PROXIES)) {
    try {
      proxyaddr.compile(entry);
    } catch {
      problems.push(
        `TRUSTED_PROXIES 里的 “${entry}” 不是 IP 地址、网段或 loopback / linklocal / uniquelocal / TRUSTED_PROXIES: "${entry}" is not an IP address, a CIDR range or loopback / linklocal / uniquelocal`,
      );
    }
  }
  if (e.WECHAT_PREVIOUS_ENCODING_AES_KEY !== undefined && e.WECHAT_ENCODING_AES_KEY === undefined) {
    problems.push('设置了 WECHAT_PREVIOUS_ENCODING_AES_KEY 就必须同时设置 WECHAT_ENCODING_AES_KEY / WECHAT_PREVIOUS_ENCODING_AES_KEY requires WECHAT_ENCODING_AES_KEY');
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, data: e };
}

/** "10.0.0.1, 10.1.0.0/16 loopback" → its entries. */
function proxyList(value: string | undefined): string[] {
  return (value ?? '').split(/[\s,]+/).filter((entry) => entry !== '');
}

/** Reads the configuration; throws a ConfigError listing every problem found. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, options: LoadConfigOptions = {}): Config {
  const envFile = options.envFile ?? (env === process.env ? '.env' : false);
  const problems: string[] = [];
  if (envFile !== false && existsSync(envFile)) {
    try {
      // Loaded only when there is a file to read (most services set the environment itself).
      const dotenv = createRequire(import.meta.url)('dotenv') as typeof import('dotenv');
      // populate() never overrides a variable already set in `env`.
      dotenv.populate(env, dotenv.parse(readFileSync(envFile)), { override: false });
    } catch (error) {
      problems.push(`读取 ${envFile} 失败 / could not read ${envFile}: ${(error as Error).message}`);
    }
  }

  const result = readVariables(env);
  // Messages come only from this file: none of them quotes a value, so no secret leaks.
  if (!result.ok) problems.push(...result.problems);
  const admin = result.ok ? parseAdminTokens(result.data.ADMIN_TOKENS, result.data.ADMIN_TOKEN) : { tokens: [], problems: [] };
  problems.push(...admin.problems);
  const warnings: string[] = [];
  const accounts = result.ok && result.data.ACCOUNTS_FILE ? readAccounts(result.data.ACCOUNTS_FILE, env, result.data.DATA_DIR, problems, warnings) : [];
  if (problems.length > 0 || !result.ok) throw new ConfigError(problems);

  const e = result.data;
  return {
    port: e.PORT,
    host: e.HOST,
    knowledgeDir: e.KNOWLEDGE_DIR,
    dataDir: e.DATA_DIR,
    dataSalt: e.DATA_SALT,
    chatTitle: e.CHAT_TITLE,
    wechat: {
      token: e.WECHAT_TOKEN,
      appId: e.WECHAT_APPID,
      encodingAESKey: e.WECHAT_ENCODING_AES_KEY,
      previousEncodingAESKey: e.WECHAT_PREVIOUS_ENCODING_AES_KEY,
    },
    wechaty: { puppet: e.WECHATY_PUPPET, puppetToken: e.WECHATY_PUPPET_TOKEN },
    adminToken: e.ADMIN_TOKEN,
    adminTokens: admin.tokens,
    logLevel: e.LOG_LEVEL,
    logFormat: e.LOG_FORMAT,
    pidFile: e.PID_FILE,
    limits: {
      http: {
        headersTimeoutMs: e.HTTP_HEADERS_TIMEOUT_MS,
        requestTimeoutMs: e.HTTP_REQUEST_TIMEOUT_MS,
        keepAliveTimeoutMs: e.HTTP_KEEP_ALIVE_TIMEOUT_MS,
        maxConnections: e.HTTP_MAX_CONNECTIONS,
        maxConnectionsPerAddress: e.HTTP_MAX_CONNECTIONS_PER_ADDRESS,
      },
      trustedProxies: proxyList(e.TRUSTED_PROXIES),
      clients: {
        askPerMinute: e.CLIENT_ASK_PER_MINUTE,
        pagePerMinute: e.CLIENT_PAGE_PER_MINUTE,
        userAskPerMinute: e.CLIENT_USER_ASK_PER_MINUTE,
        sessionsPerAddress: e.CLIENT_SESSIONS_PER_ADDRESS,
      },
      store: {
        maxSessions: e.STORE_MAX_SESSIONS,
        logMaxAgeMs: e.LOG_MAX_DAYS * DAY,
        logMaxEntries: e.LOG_MAX_ENTRIES,
        logMaxBytes: e.LOG_MAX_MB * MB,
        logMaxPerUserPerHour: e.LOG_MAX_PER_USER_PER_HOUR,
        logMaxQuestionLength: e.LOG_MAX_QUESTION_CHARS,
        minFreeBytes: e.DATA_MIN_FREE_MB * MB,
      },
      stats: { maxGrouped: e.STATS_MAX_GROUPED, timeBudgetMs: e.STATS_TIME_BUDGET_MS, cacheMs: e.STATS_CACHE_MS },
      admin: { maxFailedAttempts: e.ADMIN_MAX_FAILED_ATTEMPTS },
    },
    accountsFile: e.ACCOUNTS_FILE,
    accounts,
    redis: e.REDIS_URL ? { url: e.REDIS_URL, prefix: e.REDIS_PREFIX } : undefined,
    warnings,
  };
}

/** The accounts of ACCOUNTS_FILE; problems and warnings are added to the lists given. */
function readAccounts(file: string, env: NodeJS.ProcessEnv, dataDir: string, problems: string[], warnings: string[]): AccountConfig[] {
  let text: string;
  let mode = 0;
  try {
    text = readFileSync(file, 'utf8');
    mode = statSync(file).mode;
  } catch (error) {
    problems.push(`ACCOUNTS_FILE：读不了 ${file} / cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    return [];
  }
  const parsed = parseAccounts(text, { env, file, dataDir });
  problems.push(...parsed.problems);
  if (parsed.literalSecrets && (mode & 0o077) !== 0) {
    warnings.push(
      `${file} 里直接写了口令或密钥，而这个文件别的用户也能读：请 chmod 600，或改写成 \${变量名} / ${file} holds secrets and can be read by other users: chmod 600 it, or write them as \${NAME}`,
    );
  }
  return parsed.accounts;
}
