// End to end over wechaty-puppet-mock: mock contacts talk to a real Wechaty running our adapter,
// and we read what the bot's account says back through the mocker's contact and room events.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { types, type payloads } from 'wechaty';
import { mock, PuppetMock } from 'wechaty-puppet-mock';
import { APOLOGY, qrcodeUrl, startWechatyBot, type WechatyHandle } from '../../src/channels/wechaty.ts';
import { silentLogger } from '../../src/log.ts';
import { FakeBot, FIGURE } from '../helpers/fake-bot.ts';

const BOT_NAME = '公开问答';

type ContactMock = mock.ContactMock;
type MessageMock = mock.MessageMock;

/** ContactMock is an EventEmitter whose typings come from a package not installed (typed-emitter). */
const onMessage = (contact: ContactMock, listener: (message: MessageMock) => void) =>
  (contact as unknown as { on(event: 'message', listener: (message: MessageMock) => void): void }).on(
    'message',
    listener,
  );

async function waitFor(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 200));

describe('Wechaty channel over wechaty-puppet-mock', () => {
  let mocker: mock.Mocker;
  let fake: FakeBot;
  let handle: WechatyHandle;
  let me: ContactMock;
  let alice: ContactMock;
  let bob: ContactMock;
  let printed: string[];
  /** Texts the bot's account sent, keyed by the conversation (contact or room id). */
  let sent: Map<string, string[]>;

  const said = (id: string) => sent.get(id) ?? [];

  beforeEach(async () => {
    mocker = new mock.Mocker();
    const puppet = new PuppetMock({ mocker });
    me = mocker.createContact({ name: BOT_NAME });
    [alice, bob] = mocker.createContacts(2) as [ContactMock, ContactMock];
    fake = new FakeBot();
    printed = [];
    sent = new Map();

    // Every message the bot's account says, to a contact or a room, is emitted on `me`.
    onMessage(me, (message) => {
      const { talkerId, listenerId, roomId, text } = message.payload;
      if (talkerId !== me.id) return;
      const to = roomId ?? listenerId ?? '?';
      sent.set(to, [...said(to), text ?? '']);
    });

    handle = await startWechatyBot({ bot: fake, puppet, logger: silentLogger, print: (line) => printed.push(line) });
    const loggedIn = new Promise((resolve) => handle.wechaty.once('login', resolve));
    mocker.login(me);
    await loggedIn;
  });

  afterEach(async () => {
    await handle.stop();
  });

  it('answers a 1:1 text message with the core reply, keyed by the talker id', async () => {
    alice.say('2019年收到多少申请？').to(me);
    await waitFor(() => said(alice.id).length === 1, 'a reply to alice');
    expect(said(alice.id)[0]).toContain(FIGURE);
    expect(fake.calls).toEqual([{ text: '2019年收到多少申请？', user: alice.id, context: { channel: 'wechaty' } }]);
  });

  it('keeps users apart', async () => {
    alice.say('问题一').to(me);
    bob.say('问题二').to(me);
    await waitFor(() => said(alice.id).length === 1 && said(bob.id).length === 1, 'both replies');
    expect(said(alice.id)[0]).toContain('问题一');
    expect(said(bob.id)[0]).toContain('问题二');
    expect(new Set(fake.calls.map((c) => c.user))).toEqual(new Set([alice.id, bob.id]));
  });

  it('ignores its own messages', async () => {
    me.say('我自己说的话').to(alice);
    alice.say('哨兵').to(me); // a later message, to know the first one has been handled
    await waitFor(() => said(alice.id).length === 2, 'the sentinel reply');
    await settle();
    expect(fake.calls.map((c) => c.text)).toEqual(['哨兵']);
  });

  it('in a room, answers only when mentioned, with the mention stripped, in the room', async () => {
    const room = mocker.createRoom({ memberIdList: [me.id, alice.id, bob.id], topic: '西吉群' });

    alice.say('2019年收到多少申请？').to(room); // no mention: ignored
    await settle();
    expect(fake.calls).toEqual([]);
    expect(said(room.id)).toEqual([]);

    alice.say(`@${BOT_NAME}\u2005依申请公开怎么办理`, [me]).to(room);
    await waitFor(() => said(room.id).length === 1, 'a reply in the room');
    expect(said(room.id)[0]).toContain(FIGURE);
    expect(fake.calls).toEqual([{ text: '依申请公开怎么办理', user: alice.id, context: { channel: 'wechaty' } }]);
    expect(said(alice.id)).toEqual([]); // not answered privately

    bob.say(`@${alice.payload.name} 你好`, [alice]).to(room); // someone else mentioned: ignored
    await settle();
    expect(fake.calls).toHaveLength(1);
  });

  it('answers a bare mention with the welcome text', async () => {
    const room = mocker.createRoom({ memberIdList: [me.id, alice.id], topic: '群' });
    alice.say(`@${BOT_NAME}`, [me]).to(room);
    await waitFor(() => said(room.id).length === 1, 'the welcome');
    expect(said(room.id)[0]).toBe(fake.welcome());
    expect(fake.calls).toEqual([]);
  });

  it('answers a picture sent 1:1 with the "text only" note, and ignores other kinds and rooms', async () => {
    const room = mocker.createRoom({ memberIdList: [me.id, alice.id], topic: '群' });
    const base = { talkerId: alice.id, timestamp: Date.now() };
    const emit = (payload: payloads.Message) => {
      mocker.MessageMock.create(payload);
      mocker.puppet.emit('message', { messageId: payload.id });
    };
    emit({ ...base, id: 'recalled-1', listenerId: me.id, type: types.Message.Recalled, text: 'x' });
    emit({ ...base, id: 'image-room', roomId: room.id, mentionIdList: [me.id], type: types.Message.Image });
    emit({ ...base, id: 'image-1', listenerId: me.id, type: types.Message.Image });
    await waitFor(() => said(alice.id).length === 1, 'the note');
    await settle();
    expect(said(alice.id)).toEqual([fake.unsupported('image')]);
    expect(said(room.id)).toEqual([]);
    expect(fake.calls).toEqual([]);
  });

  it('ignores history older than two minutes that a puppet replays at login', async () => {
    mocker.MessageMock.create({
      id: 'old-1',
      talkerId: alice.id,
      listenerId: me.id,
      timestamp: Date.now() - 10 * 60_000,
      type: types.Message.Text,
      text: '很久以前的问题',
    });
    mocker.puppet.emit('message', { messageId: 'old-1' });
    alice.say('哨兵').to(me);
    await waitFor(() => said(alice.id).length === 1, 'the sentinel reply');
    await settle();
    expect(fake.calls.map((c) => c.text)).toEqual(['哨兵']);
  });

  it('apologises when the core fails, and keeps running', async () => {
    alice.say('boom').to(me);
    await waitFor(() => said(alice.id).length === 1, 'the apology');
    expect(said(alice.id)).toEqual([APOLOGY]);
    alice.say('还在吗').to(me);
    await waitFor(() => said(alice.id).length === 2, 'a reply after the failure');
    expect(said(alice.id)[1]).toContain('还在吗');
  });

  it('shows the login QR code as a wechaty.js.org link with its status', async () => {
    mocker.scan('https://login.weixin.qq.com/l/abc=', types.ScanStatus.Waiting);
    await waitFor(() => printed.length === 1, 'the QR code line');
    expect(printed[0]).toContain(qrcodeUrl('https://login.weixin.qq.com/l/abc='));
    expect(printed[0]).toContain('https://wechaty.js.org/qrcode/https%3A%2F%2Flogin.weixin.qq.com%2Fl%2Fabc%3D');
    expect(printed[0]).toContain('Waiting');
    mocker.scan('', types.ScanStatus.Confirmed);
    await waitFor(() => printed.length === 2, 'the status line');
    expect(printed[1]).toContain('Confirmed');
  });
});
