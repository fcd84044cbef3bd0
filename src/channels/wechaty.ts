// The Wechaty channel: any Wechaty puppet (a personal account via wechat4u, an official account via
// wechaty-puppet-official-account, the mock in tests) as a thin adapter over `bot.answer()`.
//
// - 1:1 text messages are answered in the chat.
// - Room text messages are answered in the room only when they @-mention the bot; the mention is
//   stripped before the question reaches the core.
// - The bot's own messages, non-text messages in rooms and messages older than MAX_AGE_SECONDS
//   (history a puppet replays at login) are ignored; a picture, voice or video sent 1:1 gets
//   `bot.unsupported(kind)`.
// - The user key is the talker's id. Errors are logged and never stop the bot; when the core fails
//   the resident gets APOLOGY.
import { types, WechatyBuilder } from 'wechaty';
import type { Message, Wechaty, WechatyOptions } from 'wechaty';
import type { Bot } from '../answer/types.ts';
import type { Logger } from '../log.ts';

export const MAX_AGE_SECONDS = 120;
/** Said when the core fails, so that the resident is not left waiting. */
export const APOLOGY = '抱歉，系统暂时出了点问题，请稍后再试。';
/** The same Wechaty error is logged at most once in this many milliseconds. */
export const ERROR_REPEAT_MS = 60_000;

/** Media a resident may send 1:1 that deserve a short "text only" note rather than silence. */
const MEDIA: Partial<Record<types.Message, string>> = {
  [types.Message.Image]: 'image',
  [types.Message.Audio]: 'voice',
  [types.Message.Video]: 'video',
  [types.Message.Emoticon]: 'emoticon',
  [types.Message.Attachment]: 'file',
  [types.Message.Location]: 'location',
};

type PuppetInstance = Extract<WechatyOptions, { puppet?: object }>['puppet'];

export interface WechatyBotOptions {
  bot: Bot;
  /** npm name of a puppet ("wechaty-puppet-wechat4u"), or an instance (tests use PuppetMock). */
  puppet?: string | NonNullable<PuppetInstance>;
  /** e.g. { token } for puppets that need one (WECHATY_PUPPET_TOKEN). */
  puppetOptions?: Record<string, unknown>;
  /** Names the session file `<name>.memory-card.json`, so a login survives restarts; omit for none. */
  name?: string;
  logger: Logger;
  /** Where the login QR code goes; defaults to a line on stderr for the operator. */
  print?: (line: string) => void;
}

export interface WechatyHandle {
  wechaty: Wechaty;
  stop(): Promise<void>;
}

export function qrcodeUrl(qrcode: string): string {
  return `https://wechaty.js.org/qrcode/${encodeURIComponent(qrcode)}`;
}

export async function startWechatyBot(options: WechatyBotOptions): Promise<WechatyHandle> {
  const { bot, logger, name } = options;
  const print = options.print ?? ((line: string) => void process.stderr.write(line + '\n'));
  const log = logger.child({ channel: 'wechaty' });

  const wechaty: Wechaty =
    typeof options.puppet === 'string'
      ? WechatyBuilder.build({
          name,
          // Any puppet package may be named; Wechaty's type lists only the official ones.
          puppet: options.puppet as Extract<WechatyOptions, { puppetOptions?: unknown }>['puppet'],
          puppetOptions: options.puppetOptions,
        })
      : WechatyBuilder.build({ name, puppet: options.puppet });

  wechaty.on('scan', (qrcode: string, status: types.ScanStatus) => {
    const statusName = types.ScanStatus[status] ?? String(status);
    if (status === types.ScanStatus.Waiting || status === types.ScanStatus.Timeout) {
      const url = qrcodeUrl(qrcode);
      log.info({ status: statusName, url }, 'scan the QR code to log in');
      print(`请用微信扫码登录 / Scan to log in (${statusName}): ${url}`);
    } else {
      log.info({ status: statusName }, 'scan status');
      print(`扫码状态 / Scan status: ${statusName}`);
    }
  });
  wechaty.on('login', (user: { name(): string; id: string }) => log.info({ user: user.name() }, 'logged in'));
  wechaty.on('logout', (user: { name(): string }) => log.info({ user: user.name() }, 'logged out'));
  const logError = throttled(ERROR_REPEAT_MS);
  wechaty.on('error', (error: unknown) => {
    // A puppet that cannot reach its server reports the same error many times a minute.
    const message = error instanceof Error ? error.message : String(error);
    logError(message, (repeated) => log.error({ err: error, repeated }, 'wechaty error'));
  });
  wechaty.on('message', (message: Message) => {
    onMessage(message, bot, log).catch((error: unknown) =>
      log.error({ err: error, message: message.id }, 'could not answer a message'),
    );
  });

  try {
    await wechaty.start();
  } catch (error) {
    await wechaty.stop().catch(() => undefined);
    throw error;
  }
  return {
    wechaty,
    stop: async () => {
      await wechaty.stop();
    },
  };
}

/** Runs `emit` for a key at most once per `intervalMs`, passing how many calls were dropped since. */
function throttled(intervalMs: number) {
  const seen = new Map<string, { at: number; dropped: number }>();
  return (key: string, emit: (repeated: number) => void) => {
    const now = Date.now();
    const last = seen.get(key);
    if (last && now - last.at < intervalMs) {
      last.dropped++;
      return;
    }
    if (seen.size > 100) seen.clear();
    seen.set(key, { at: now, dropped: 0 });
    emit(last?.dropped ?? 0);
  };
}

async function onMessage(message: Message, bot: Bot, log: Logger): Promise<void> {
  if (message.self()) return;
  if (message.age() > MAX_AGE_SECONDS) return;
  const room = message.room();
  const type = message.type();
  const context = { channel: 'wechaty' };
  const user = message.talker().id;

  if (type !== types.Message.Text) {
    const kind = MEDIA[type];
    if (!room && kind) await message.say(bot.unsupported(kind));
    return;
  }

  let text = message.text();
  if (room) {
    if (!(await message.mentionSelf())) return;
    text = await message.mentionText();
  }
  text = text.trim();
  let reply: string;
  try {
    reply = text === '' ? bot.welcome() : (await bot.answer(text, user, context)).reply;
  } catch (error) {
    log.error({ err: error, message: message.id }, 'answer failed');
    reply = APOLOGY;
  }
  await message.say(reply);
}
