// Signed text messages as WeChat's servers POST them to the webhook, for the load runs.
import { sha1Signature } from '../src/channels/official-account/signature.ts';

export const TOKEN = 'benchToken2024';
export const ACCOUNT = 'gh_0123456789ab';

export interface SignedMessage {
  path: string;
  body: string;
}

/**
 * One delivery of a text message: the query WeChat signs (signature, timestamp, nonce, openid)
 * and the XML body, in the field order WeChat uses. Identical arguments give identical bytes, as
 * a retry does.
 */
export function textMessage(openid: string, msgId: string, content: string, timestamp: number, nonce: string): SignedMessage {
  const ts = String(timestamp);
  const signature = sha1Signature([TOKEN, ts, nonce]);
  const path = `/wechat?signature=${signature}&timestamp=${ts}&nonce=${nonce}&openid=${openid}`;
  const body =
    '<xml>' +
    `<ToUserName><![CDATA[${ACCOUNT}]]></ToUserName>` +
    `<FromUserName><![CDATA[${openid}]]></FromUserName>` +
    `<CreateTime>${ts}</CreateTime>` +
    '<MsgType><![CDATA[text]]></MsgType>' +
    `<Content><![CDATA[${content}]]></Content>` +
    `<MsgId>${msgId}</MsgId>` +
    '</xml>';
  return { path, body };
}

/** An OpenID of the same shape as WeChat's (28 characters, o + base64url-ish). */
export function openid(n: number): string {
  return `oBench${n.toString(36).padStart(6, '0')}${'x'.repeat(16)}`;
}

export const nowSeconds = (): number => Math.floor(Date.now() / 1000);

/** The admin token of the bench's real server (the soak polls its statistics). */
export const ADMIN_TOKEN = 'bench-admin-token-5e2c8a1f9d7b3';
