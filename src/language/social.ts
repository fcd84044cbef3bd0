/**
 * Messages that are not questions: greetings, thanks, goodbyes, "are you a person", feedback,
 * "tell me more". Residents mix them ("行 多谢", "好的谢谢你", "嗯嗯 知道了"), so each kind is a
 * run of its phrases, with particles and fillers allowed between them.
 */
export type Social =
  | 'greeting'
  | 'thanks'
  | 'ack'
  | 'bye'
  | 'identity'
  | 'human'
  | 'help'
  | 'useful'
  | 'useless'
  | 'detail'
  | 'repeat'
  | 'coverage'
  | 'rude'
  | 'empty';

// Particles, and the ways residents address whoever answers ("谢谢你娃", "好的同志").
const PARTICLES = '(?:啊|呀|哈|呢|啦|了|哦|噢|喔|嘛|吧|的|你|您|嗯|哈哈|~|娃|娃娃|同志|师傅|老师|领导|小伙子|姑娘|你们|大家)*';
const run = (phrases: string) => new RegExp(`^(?:(?:${phrases})${PARTICLES})+$`, 'i');

const GREETING = run('你好|您好|嗨|哈喽|哈啰|hi|hello|hey|喂|在吗|在不在|在不|有人吗|有人在吗|有人没|有人没有|问个事|我问个事|问你个事|想问个事|我想问个事|请教个事|早上好|上午好|中午好|下午好|晚上好|早安|晚安|早|老师好|同志|打扰了|打扰一下');
const THANKS_WORDS = '谢谢|感谢|多谢|谢了|辛苦了|麻烦了|麻烦你了|thank you|thanks|thx|非常感谢|太感谢|感激|谢啦|谢谢啦|3q';
const ACK_WORDS = '好的|好|好嘞|好勒|好哒|行|中|嗯|嗯嗯|ok|okay|知道了|明白了|明白|懂了|懂|了解了|收到|清楚了|晓得了|可以|没问题|我再等等|再等等|那我等等|我等等|等等看|原来如此|这样啊|是这样|好吧|行吧|成|对|对的|是的';
const THANKS = new RegExp(`^(?:(?:${ACK_WORDS})${PARTICLES})*(?:(?:${THANKS_WORDS})${PARTICLES})+(?:(?:${ACK_WORDS}|再见|拜拜)${PARTICLES})*$`, 'i');
const ACK = run(ACK_WORDS);
const BYE = new RegExp(`^(?:(?:${ACK_WORDS}|${THANKS_WORDS})${PARTICLES})*(?:(?:再见|拜拜|bye|byebye|88|回头见|下次见|没事了|没有了|没别的了|没其他问题了|没有其他问题了|就这些|先这样|就这样|那就这样|那先这样|那就先这样)${PARTICLES})+$`, 'i');
// "你是人工客服吗", "是机器人吗", "你是真人还是机器人": what the resident is talking to.
const IDENTITY =
  /^(?:请问)?(?:你|您)?(?:到底|究竟)?(?:是|是不是)(?:谁|什么|啥|人|真人|活人|机器人|机器|人工|人工客服|客服|ai|智能客服|智能|自动回复|程序)(?:还是(?:人|真人|机器人|机器|人工|ai))?(?:啊|呀|吗|呢|吧)?$|^(?:你|您)(?:叫什么|是干什么的|是干啥的|能干啥)(?:名字)?(?:啊|呀|吗|呢)?$|^(?:是)?(?:机器人|机器|人工|真人|活人)(?:在)?(?:回复|回|答)?(?:的)?(?:吗|吧)$/i;
const HUMAN = /^(?:我要|我想|给我|请|帮我)?(?:转|找|接|联系)?(?:人工|人工客服|人工服务|真人|客服|工作人员)(?:服务|客服)?(?:啊|吧|呢|在吗)?$/;
const HELP = /^(帮助|help|菜单|功能|你能做什么|你会什么|你能干什么|你能干啥|能问什么|能问啥|可以问什么|可以问啥|问什么|怎么用|使用说明|说明|\?|你都能回答什么|你能回答什么)$/i;
const USEFUL = /^(有用|有帮助|很有用|挺有用|满意|很满意|👍|点赞|回答得好|说得好)$/;
const USELESS = /^(没用|没有用|无用|没帮助|没有帮助|不满意|👎|答非所问|没回答我的问题|不对|说的不对)$/;
// "详细", "具体点", "能再说细点吗", "展开讲讲": more of the last answer.
const DETAIL =
  /^(?:能|能不能|可以|可不可以|麻烦|请|再)?(?:再)?(?:详细|更多|详情|展开|查看更多|详细信息|详细内容|全文|具体|细|多)(?:一)?(?:点|些|一点|一些|说|讲|说说|讲讲|讲一讲|说一说|介绍|解释|地说|的)*(?:吗|呢|吧|啊|呀|好吗|行吗)?$|^(?:能|能不能|可以|可不可以|麻烦|请|你|您)?(?:再)?(?:说|讲|解释|介绍|展开|展开来)(?:得)?(?:详细|具体|细|清楚|明白)(?:一)?(?:点|些|一点|一些)?(?:吗|呢|吧|啊)?$|^(?:还有呢|然后呢|接着说|继续说|继续|还有吗|还有别的吗)$/;
// "再说一遍 慢点", "没听清 麻烦再说一次": the last answer again.
const REPEAT = /^(?:没听清楚?|没听明白|没听懂|听不清楚?|没看清楚?|没看明白)?(?:能|能不能|麻烦|请|你|您)?(?:再|重新|重)(?:说|讲|念|发|来)(?:一遍|一次|一下|一回)(?:吧|吗|啊|呀|好吗|行吗)?(?:慢点|慢一点|慢些|说慢点|慢慢说)?(?:说)?(?:吧|啊|呀)?$/;

// "你这个破机器人能不能说句人话", "笨死了", "什么破玩意": a resident fed up with the bot, not a question.
const RUDE =
  /^(?:你|你们|您)?(?:这个|这)?(?:破|笨|傻|蠢|烂|垃圾|智障|没用的)(?:机器人|机器|玩意儿?|东西|系统|助手|客服|ai)|^(?:你|你这个|这个|你这)?(?:破)?(?:机器人|机器)?(?:真|太|好|咋这么|怎么这么)?(?:笨|傻|蠢|没用)(?:死了|透了|了|啊|呀)?$|^(?:能不能|会不会|能)?说(?:句|点)?人话|^(?:你|你这个)?(?:机器人|客服)?(?:是)?(?:听不懂人话|答非所问|牛头不对马嘴|驴唇不对马嘴)|什么破(?:玩意|东西|机器人|系统)/i;
// "你是不是只能回答信息公开方面的问题", "你只能问年报吗": what the bot answers, asked of it.
const ABOUT_SCOPE = /^(?:请问)?(?:你|您)?(?:是不是|是否|是)?(?:只能|只会|就能|只可以)(?:回答|答|问|解答|查)[\p{Script=Han}]{0,12}?(?:的|方面的|相关的)?(?:问题|事|事情)?(?:吗|吧|啊|呀|呢|对吗|是吧)?$/u;
/** The longest question about the bot's scope read as one. */
const MAX_ABOUT_SCOPE = 24;

/** The longest social message read as one ("好的谢谢你们辛苦了啊", "能不能再说得详细一点吗"). */
const MAX_SOCIAL = 16;

/** The social act of a message (normalised, punctuation removed), or null for a question. */
export function socialAct(bare: string): Social | null {
  if (!bare) return 'empty';
  const text = withoutMarks(bare);
  if (!text) return 'empty';
  // Social messages are short; a longer one is a question (and is not run through every pattern).
  if (text.length <= MAX_ABOUT_SCOPE && ABOUT_SCOPE.test(text)) return 'help';
  if (text.length > MAX_SOCIAL) return null;
  if (HELP.test(text)) return 'help';
  if (USEFUL.test(text)) return 'useful';
  if (USELESS.test(text)) return 'useless';
  if (DETAIL.test(text)) return 'detail';
  if (REPEAT.test(text)) return 'repeat';
  if (GREETING.test(text)) return 'greeting';
  if (BYE.test(text)) return 'bye';
  if (THANKS.test(text)) return 'thanks';
  if (IDENTITY.test(text)) return 'identity';
  if (HUMAN.test(text)) return 'human';
  if (ACK.test(text)) return 'ack';
  if (RUDE.test(text)) return 'rude';
  return null;
}

const MARK_OR_SPACE = /[\p{P}\p{S}\s]/u;
/** MARK_OR_SPACE's answer for each code unit once asked: 0 not yet, 1 kept, 2 dropped. */
const dropped = new Uint8Array(0x10000);

/**
 * `text.replace(/[\p{P}\p{S}\s]+/gu, '')` by a lookup per character instead of the expression
 * tried at every place (a character outside the Basic Multilingual Plane, "👍", is tested itself).
 */
export function withoutMarks(text: string): string {
  let out = '';
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const pair = c >= 0xd800 && c < 0xdc00 && i + 1 < text.length && text.charCodeAt(i + 1) >= 0xdc00 && text.charCodeAt(i + 1) < 0xe000;
    let drop: boolean;
    if (pair) drop = MARK_OR_SPACE.test(text.slice(i, i + 2));
    else {
      if (dropped[c] === 0) dropped[c] = MARK_OR_SPACE.test(text[i]!) ? 2 : 1;
      drop = dropped[c] === 2;
    }
    const width = pair ? 2 : 1;
    if (drop) {
      out += text.slice(from, i);
      from = i + width;
    }
    if (pair) i++;
  }
  return from === 0 ? text : out + text.slice(from);
}
